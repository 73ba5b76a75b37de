"""plan.build: mapping + tree → every move and edit apply would make. Changes nothing."""

from __future__ import annotations

import dataclasses
import functools
import os
import posixpath
from pathlib import Path
from collections import Counter
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from pathmove import census, finders, limits, match, packages, pool, repo, reviews, sites, vouched as vouched_mod
from pathmove.edits import (Edit, Notice, OverlapError, Record, Review, keep_lines, on_kept_line, resolve_overlaps,
                            splice, written_spans)
from pathmove.errors import ConflictError
from pathmove.mapping import Entry, Mapping
from pathmove.scan import Scanner, ScanStats, Skip, Source, iter_listing, kind_of, spec_for


@dataclasses.dataclass(frozen=True)
class Move:
    """One entry as it meets the tree: moved now, or already moved by hand (SPEC §2)."""

    old: str
    new: str
    status: str  # "move" | "already"
    is_dir: bool
    entry: Entry


@dataclasses.dataclass
class FileChange:
    """The edits of one file and what it becomes."""

    path: str
    new_path: str
    kind: str
    data: bytes
    edits: list[Edit]
    archived: bool = False
    # for apply's journal, found where the file was scanned: the spans verify's strict view
    # would flag in new_data (None: not computed)
    strict: list[tuple[int, int]] | None = None

    @property
    def new_data(self) -> bytes:
        """data with the edits made (computed once per list of edits; never pickled)."""
        cached = self.__dict__.get("_new")
        if cached is None or cached[0] is not self.edits:
            cached = (self.edits, splice(self.data, self.edits))
            self.__dict__["_new"] = cached
        return cached[1]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_new", None)  # a worker sends the bytes once, not twice
        return state


@dataclasses.dataclass
class Plan:
    root: Path
    mapping: Mapping
    mode: str  # "plan" | "verify"
    use_git: bool
    moves: list[Move] = dataclasses.field(default_factory=list)
    changes: list[FileChange] = dataclasses.field(default_factory=list)
    reviews: list[Review] = dataclasses.field(default_factory=list)
    notices: list[Notice] = dataclasses.field(default_factory=list)
    skips: list[Skip] = dataclasses.field(default_factory=list)
    archived: list[FileChange] = dataclasses.field(default_factory=list)  # stale, not rewritten
    # moved, unedited files where verify's strict view sees current references (their spans)
    kept: list[tuple[Source, list[tuple[int, int]]]] = dataclasses.field(default_factory=list)
    vouched: Any = None  # verify after a finished apply of this mapping: vouched.Vouched
    files_listed: int = 0
    files_scanned: int = 0
    prefilter: ScanStats = ScanStats({}, {}, {})  # files listed / holding a needle / reaching a finder, by kind
    review_data: dict[str, bytes] = dataclasses.field(default_factory=dict)  # for line numbers of reviews
    census: Counter[str] = dataclasses.field(default_factory=Counter)  # disposition → occurrences (census.py)
    census_reasons: Counter[str] = dataclasses.field(default_factory=Counter)  # not a reference: why
    ignored_moved: list[str] = dataclasses.field(default_factory=list)  # untracked ignored files, new paths

    @property
    def edits(self) -> list[Edit]:
        return [e for c in self.changes for e in c.edits]


Progress = Callable[[int, int], None]


def classify_moves(root: Path, mapping: Mapping) -> list[Move]:
    """Each entry against the tree; every conflict at once in one ConflictError (SPEC §2)."""
    moving_olds = [e.old for e in mapping.entries if os.path.lexists(root / e.old)]

    def vacated(path: str) -> bool:
        return any(path == o or path.startswith(o + "/") for o in moving_olds)

    moves: list[Move] = []
    problems: list[str] = []
    for e in mapping.entries:
        src, dst = root / e.old, root / e.new
        src_there, dst_there = os.path.lexists(src), os.path.lexists(dst)
        if src_there:
            if dst_there and not vacated(e.new):
                problems.append(f"{e.where}: destination {e.new!r} already exists (moving {e.old!r} would overwrite it)")
                continue
            parent = posixpath.dirname(e.new)
            while parent:
                p = root / parent
                if os.path.lexists(p) and not p.is_dir() and not vacated(parent):
                    problems.append(f"{e.where}: cannot move {e.old!r} to {e.new!r}: {parent!r} is a file")
                    break
                parent = posixpath.dirname(parent)
            is_dir = src.is_dir() and not src.is_symlink()
            moves.append(Move(e.old, e.new, "move", is_dir, e))
        elif dst_there:
            moves.append(Move(e.old, e.new, "already", dst.is_dir() and not dst.is_symlink(), e))
        else:
            problems.append(f"{e.where}: neither {e.old!r} nor its destination {e.new!r} exists"
                            + _did_you_mean(root, e.old))
    if problems:
        raise ConflictError("the mapping does not fit the tree:\n  " + "\n  ".join(problems))
    return moves


def _did_you_mean(root: Path, old: str) -> str:
    """`; did you mean 'x'?` when an existing path is one edit from a `from` that is not there."""
    from pathmove.mapping import did_you_mean

    parent, name = posixpath.split(old)
    try:
        names = os.listdir(root / parent)
    except OSError:
        return ""
    guess = did_you_mean(name, names)
    return f"; did you mean {posixpath.join(parent, guess)!r}?" if guess else ""


def check_collisions(files: Iterable[str], mapping: Mapping, moves: list[Move], root: Path) -> None:
    """Two files may not end up at one path, nor a moved file land on one that stays."""
    if not any(m.status == "move" for m in moves):
        return
    landing = _Landing(mapping)
    for rel in files:
        landing.add(rel)
    landing.check()


def build(
    root: Path,
    mapping: Mapping,
    *,
    mode: str = "plan",
    only: list[str] | None = None,
    archived_bulk: bool = False,
    use_git: bool | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    chunk_size: int = pool.CHUNK_SIZE,
    pool_threshold: int = pool.THRESHOLD,
    for_apply: bool = False,
    rewrite_own_urls: bool = False,
) -> Plan:
    """Every edit: in plan mode before the moves, in verify mode on the tree as it is.

    Files are streamed from the listing to `jobs` worker processes in chunks of chunk_size
    (in this process below pool_threshold files); only files with something to report come
    back with their bytes, so memory does not grow with the tree. for_apply also gathers the
    spans apply vouches for in moved, unedited files (`Plan.kept`); `plan` has no use for them.
    """
    if use_git is None:
        use_git = repo.is_git(root)
    mapping = packages.attach(root, mapping)  # SPEC §4.1: moved packages, their imports follow
    mapping = sites.attach(root, mapping, use_git, mode, rewrite_own_urls)  # SPEC §4.7
    # the Python rules read a base imported from another module there (finders/python/index.py)
    mapping = dataclasses.replace(mapping, root=os.fspath(root))
    vouched: Any = None
    if mode == "plan":
        moves = classify_moves(root, mapping)
        limits.check(root, [(m.entry.where, m.old, m.new) for m in moves if m.status == "move"], use_git)
        view = mapping
    else:
        moves = []
        # SPEC §3 verify: after a finished apply of this mapping its journal knows which spans
        # it wrote, so every other occurrence of an old path is stale, even one that names a
        # place again (a swap, a chain); without one, an existing destination is current.
        vouched, pending = vouched_mod.verify_view(root, mapping.digest)
        view = mapping if vouched is not None else \
            mapping.with_live(e.new for e in mapping.entries if os.path.lexists(root / e.new))
    plan = Plan(root, mapping, mode, use_git, moves)
    if mode != "plan":
        plan.vouched = vouched
        if pending:  # SPEC §5: a half-done migration is the journal's to finish or undo
            plan.notices.append(Notice(".", "an interrupted apply (or undo) is pending: run `pathmove apply` "
                                            "to finish it, or `pathmove undo` to go back"))
    if mode == "plan" and only is None:
        for e in mapping.entries:
            if "/" not in e.old:  # SPEC §4: a one-word path is also an ordinary word in prose and keys
                plan.notices.append(Notice(mapping.source or "mapping", f"{e.where}: {e.old!r} is a single path "
                                           "component: every standalone word spelled so is a reference; "
                                           "read the plan (or use --diff) before applying"))
    landing = _Landing(mapping) if mode == "plan" and any(m.status == "move" for m in moves) else None
    scanner = Scanner(root, view if mode == "verify" else mapping, translate_moves=(mode == "plan"))
    post_view = mapping.with_live(e.new for e in mapping.entries)
    job = _Job(scanner, view, post_view, archived_bulk, keep_binary=only is not None,
               mode=mode, mapping=mapping if for_apply else None, vouched=vouched)
    kinds: Counter[str] = Counter()
    if only is not None:
        kinds.update(kind_of(rel) for rel in only)
        files: Iterable[tuple[str, bool]] = ((rel, True) for rel in only)
    else:
        keep = [p for e in mapping.entries for p in (e.old, e.new)] if landing is not None else []
        keep += sorted(scanner.forced)
        files = iter_listing(root, use_git, scanner.needles, keep, kinds)
    counts: Counter[tuple[str, str]] = Counter()

    queued = 0
    seen: list[str] = []  # what the pattern check reads from the listing (no second walk of the tree)

    def listing() -> Iterator[str]:
        nonlocal queued
        for rel, maybe in files:
            seen.append(rel)  # git grep's hits, untracked and moved files: the index is listed again, fast
            if landing is not None:
                landing.add(rel)
            # a moved file is scanned whatever it holds, and a site config that receives redirects
            if maybe or scanner.new_path(rel) != rel or rel in scanner.forced:
                queued += 1
                yield rel

    done = 0
    queue: Iterable[str] = listing()
    if progress is not None:  # list first (git grep is fast), so the bar shows its total from the start
        queue = list(queue)
        progress(0, queued)
    for results, stats in pool.run(_scan_chunk, job, queue, jobs=jobs, chunk_size=chunk_size,
                                   threshold=pool_threshold):
        done += stats.pop(("done", ""), 0)
        counts.update(stats)
        for result in results:
            _merge(plan, result)
        if progress is not None:
            progress(min(done, queued), queued)
    listed = sum(kinds.values())
    counts.update({("listed", k): n for k, n in kinds.items()})
    plan.files_listed = listed
    plan.prefilter = ScanStats.of(counts)
    if landing is not None:
        landing.check()
    if mode == "plan" and only is None and any(m.status == "move" for m in moves):
        _check_patterns(plan, seen)  # SPEC §4.8
    elif mode == "verify" and not pending and (only is None or any(_is_pattern_file(rel) for rel in only)):
        # `check` reads the patterns only when it is handed a pattern file, and says only about those
        _verify_patterns(plan, vouched, seen if only is None else only, only)
    if vouched is not None:
        # SPEC §3: a place listed for review before the apply stays listed until its line changes
        for review, data in reviews.recall(root, vouched.record.reviews, only, plan.reviews):
            plan.reviews.append(review)
            plan.review_data.setdefault(review.path, data)
    if progress is not None:
        progress(queued, queued)
    return plan


def _verify_patterns(plan: Plan, vouched: vouched_mod.Vouched | None, seen: list[str],
                     only: list[str] | None) -> None:
    """SPEC §4.8 on the tree as it is: the patterns still select the moved files as before.

    After a finished apply the journal holds the pattern files as they were; without one (a
    fresh clone, moves made by hand) they are read back through the mapping reversed."""
    from pathmove import patterns
    from pathmove.journal import WriteStep

    # `check` skips git for its own scan; the patterns need git's index and its judges
    use_git = plan.use_git or (only is not None and repo.is_git(plan.root))
    if vouched is not None:
        record = vouched.record
        writes = [(s.path, s.origin, s.orig) for s in record.steps if isinstance(s, WriteStep)]
        found = patterns.since_apply(plan.root, plan.mapping, writes,
                                     lambda digest: vouched.store.blob(record, digest), use_git, seen)
    else:
        found = patterns.without_journal(plan.root, plan.mapping, use_git, seen)
    named = None if only is None else set(only)
    for r in found:
        if named is not None and r.path not in named:
            continue
        plan.reviews.append(r)
        try:
            plan.review_data[r.path] = (plan.root / r.path).read_bytes()
        except OSError:
            pass


def _is_pattern_file(rel: str) -> bool:
    from pathmove import patterns

    return patterns.kind_of(rel) is not None


def _check_patterns(plan: Plan, seen: list[str] | None = None) -> None:
    """Pattern lines whose selection the moves would change: the lines that restore it."""
    from pathmove import patterns

    listed = patterns.listing(plan.root, plan.mapping, plan.use_git, seen)
    rewritten = {c.path: c.new_data for c in plan.changes}
    inputs = patterns.gather(plan.root, plan.mapping, listed, rewritten, plan.use_git)
    plan.ignored_moved = [inputs.moved[p] for p in inputs.ignored]
    found = patterns.check(inputs, plan.mapping)
    by_path = {c.path: c for c in plan.changes}
    for e in found.edits:
        c = by_path.get(e.path)
        if c is None:
            data = inputs.before[patterns.kind_of(e.path) or ""][e.path]
            c = FileChange(e.path, plan.mapping.translate(e.path) or e.path, kind_of(e.path), data, [])
            plan.changes.append(c)
            by_path[e.path] = c
        c.edits = sorted(c.edits + [e], key=lambda x: (x.start, x.end))
    plan.notices.extend(found.notices)
    for r in found.reviews:
        plan.reviews.append(r)
        if r.path in inputs.before.get(patterns.kind_of(r.path) or "", {}):
            plan.review_data[r.path] = inputs.before[patterns.kind_of(r.path) or ""][r.path]


class _Job(NamedTuple):
    """What a worker needs to scan a chunk of paths (inherited by forked workers)."""

    scanner: Scanner
    view: Mapping
    post_view: Mapping
    archived_bulk: bool
    keep_binary: bool  # `check` names its files: a skipped binary is worth a warning
    mode: str = "plan"
    mapping: Mapping | None = None  # for apply only: the strict mapping, for the spans apply vouches for
    vouched: Any = None  # verify after a finished apply of this mapping: vouched.Vouched


class FileResult(NamedTuple):
    """One file's outcome, as a value, so that it can travel back from a worker process."""

    path: str
    skip: Skip | None = None
    change: FileChange | None = None  # edits to make
    archived: FileChange | None = None  # stale references in an archived file, left as they are
    reviews: tuple[Review, ...] = ()
    notices: tuple[Notice, ...] = ()
    data: bytes | None = None  # the file's bytes when a review needs line numbers
    scanned: bool = True
    kept: tuple[Source, list[tuple[int, int]]] | None = None  # moved, unedited, yet flagged by the strict view
    census: tuple[tuple[str, int], ...] = ()  # disposition → occurrences (census.py)
    reasons: tuple[tuple[str, int], ...] = ()  # why not a reference → occurrences


def _scan_chunk(job: _Job, rels: list[str]) -> tuple[list[FileResult], Counter[tuple[str, str]]]:
    """Scan a chunk of paths; only files with something to report come back."""
    results = []
    for rel in rels:
        result = _scan_path(job, rel)
        if result is not None:
            results.append(result)
    stats = job.scanner.stats.copy()
    job.scanner.stats.clear()
    stats[("done", "")] = len(rels)  # for the progress bar (the pool may split chunks smaller)
    return results, stats


def _scan_path(job: _Job, rel: str) -> FileResult | None:
    src = job.scanner.source(rel)
    if src is None:
        return None
    if isinstance(src, Skip):
        if job.keep_binary or src.reason != "binary":
            return FileResult(rel, skip=src, scanned=False)
        return None
    return _scan_one(src, job)


def _merge(plan: Plan, r: FileResult) -> None:
    """Add one file's outcome to the plan, in listing order."""
    if r.skip is not None:
        plan.skips.append(r.skip)
    if r.scanned:
        plan.files_scanned += 1
    plan.reviews.extend(r.reviews)
    if r.reviews and r.data is not None:
        plan.review_data[r.path] = r.data
    plan.notices.extend(r.notices)
    if r.archived is not None:
        plan.archived.append(r.archived)
    if r.change is not None:
        plan.changes.append(r.change)
    if r.kept is not None:
        plan.kept.append(r.kept)
    plan.census.update(dict(r.census))
    plan.census_reasons.update(dict(r.reasons))


class _Landing:
    """The collision check, fed one path at a time while the scan streams."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.landing: dict[str, str] = {}
        self.problems: list[str] = []
        self.tos = [e.new for e in mapping.entries]

    def add(self, rel: str) -> None:
        new = self.mapping.translate(rel) or rel
        if new == rel and not any(rel == t or rel.startswith(t + "/") for t in self.tos):
            return  # stays put, outside every destination: nothing can land on it
        if new in self.landing and self.landing[new] != rel:
            self.problems.append(f"{self.landing[new]!r} and {rel!r} would both become {new!r}")
        self.landing[new] = rel

    def check(self) -> None:
        if self.problems:
            raise ConflictError("the mapping's results collide:\n  " + "\n  ".join(self.problems[:20]))


def _scan_one(src: Source, job: _Job) -> FileResult:
    view, post_view, archived_bulk = job.view, job.post_view, job.archived_bulk
    if src.archived:
        from pathmove.finders import text

        records: list[Record] = list(text.find(src, view)) if src.kind != "symlink" else finders.find(src, view)
    else:
        records = finders.find(src, view)
    kept_lines = keep_lines(src.data) if src.kind != "symlink" else []
    if kept_lines:  # SPEC §4: a `pathmove: keep` line is never rewritten, in every language
        records = [r for r in records if not (isinstance(r, (Edit, Review)) and on_kept_line(r, kept_lines))]
    found = [r for r in records if isinstance(r, Edit)]
    edits = [r for r in found if not spells_new_path(src.data, r, post_view)]
    if job.vouched is not None:
        edits = job.vouched.filter(src.path, src.data, edits)
    reviews = tuple(r for r in records if isinstance(r, Review))
    notices = tuple(r for r in records if isinstance(r, Notice))
    tally: tuple[tuple[str, int], ...] = ()
    reasons: tuple[tuple[str, int], ...] = ()
    if census.takes_part("text" if src.archived and src.kind != "symlink" else src.kind):
        # SPEC §3: every occurrence ends in one disposition; one nobody claims is a finding
        t = census.account(src.path, src.data, records, mapping=view, mode=job.mode,
                           archived=src.archived and not (archived_bulk and job.mode == "plan"),
                           kept_lines=kept_lines, current_edits=[e for e in found if e not in edits])
        tally, reasons = tuple(t.counts.items()), tuple(t.reasons.items())
        reviews += tuple(t.unaccounted)
    result = FileResult(src.path, reviews=reviews, notices=notices, data=src.data if reviews else None,
                        census=tally, reasons=reasons)
    if not edits:
        if job.mode == "plan" and src.new_path != src.path and job.mapping is not None:
            spans = _strict_spans(src.new_path, src.data, src.kind, job.mapping)
            if spans:
                return result._replace(kept=(src, spans))
        return result
    # two rules claiming one span: one owner wins (edits.resolve_overlaps), the file is still rewritten
    change = FileChange(src.path, src.new_path, src.kind, src.data, resolve_overlaps(edits), src.archived)
    if src.archived and not archived_bulk:
        return result._replace(archived=change)
    problem = _unstable(change, post_view)
    if problem:
        return result._replace(reviews=reviews + (Review(src.path, 0, 0, problem, "unsafe-edit"),), data=src.data)
    if job.mode == "plan" and job.mapping is not None:  # apply: vouch() reads it, on every core
        change.strict = _strict_spans(change.new_path, change.new_data, change.kind, job.mapping)
    return result._replace(change=change)


def _unstable(change: FileChange, post_view: Mapping) -> str | None:
    """STYLE §2: after splicing, the finder must find nothing stale, or the file is left alone."""
    try:
        new_data = change.new_data
    except OverlapError as exc:
        return f"edits conflict, file left unchanged: {exc}"
    if change.kind == "symlink" or change.archived:
        return None
    again = Source(change.new_path, change.new_path, new_data, change.kind, change.archived)
    written = written_spans(change.edits)  # what we wrote is new by construction
    kept_lines = keep_lines(new_data)
    leftover = [r for r in finders.find(again, post_view)
                if isinstance(r, Edit) and not spells_new_path(new_data, r, post_view)
                and not on_kept_line(r, kept_lines)
                and not any(a <= r.start and r.end <= b for a, b in written)]
    if leftover:
        e = leftover[0]
        return (f"rewriting would leave {len(leftover)} stale reference(s) (first {e.old!r} at byte {e.start}); "
                "file left unchanged, please edit it by hand")
    return None


def spells_new_path(data: bytes, edit: Edit, post_view: Mapping) -> bool:
    """True when the components written before a matched old path make it a new path.

    `notes.md → docs/notes.md` puts `notes.md` at a component boundary inside `docs/notes.md`
    (SPEC §4); that text names the destination, so it is neither rewritten again nor stale.
    """
    if edit.kind == "symlink":
        return False
    i = edit.start
    while i > 0 and (match.is_name_byte(data[i - 1]) or data[i - 1] in b"/\\"):
        i -= 1
    head = data[i:edit.start].replace(b"\\", b"/").decode("utf-8", "surrogateescape")
    if not head.endswith("/"):
        return False
    old = edit.old.decode("utf-8", "surrogateescape")
    parts = [p for p in head.split("/") if p not in ("", ".")]
    if ".." in parts:
        parts = parts[len(parts) - parts[::-1].index("..") :]
    # `/abs/docs/notes.md` and `../docs/notes.md` name the destination too: try each suffix
    return any(post_view.is_live("/".join(parts[k:] + [old])) for k in range(len(parts)))


def vouch(plan: Plan) -> dict[str, list[tuple[int, int]]]:
    """For apply's journal: per file as apply leaves it, what verify's strict view would flag
    there although apply judged it current (what it wrote after a swap, a relative link inside
    a swapped folder). Apply rewrote every stale reference, so all of these are current."""
    out = {src.new_path: spans for src, spans in plan.kept}
    for c in plan.changes:
        spans = c.strict if c.strict is not None else _strict_spans(c.new_path, c.new_data, c.kind, plan.mapping)
        if spans:
            out[c.new_path] = spans
    return out


def _strict_spans(new_path: str, data: bytes, kind: str, mapping: Mapping) -> list[tuple[int, int]]:
    """The spans verify (no live destinations) would propose to edit in data at new_path."""
    if kind != "symlink":
        kind = kind_of(new_path)
    archived = _archived_spec(mapping.archived)
    is_archived = archived is not None and archived.match_file(new_path)
    src = Source(new_path, new_path, data, kind, is_archived)
    return sorted({(e.start, e.end) for e in _candidates(src, mapping)})


@functools.lru_cache(maxsize=8)
def _archived_spec(patterns: tuple[str, ...]) -> Any:
    return spec_for(patterns)


def _candidates(src: Source, view: Mapping) -> list[Edit]:
    """The edits verify's finders propose for one file (archived files: the plain-text rule)."""
    if src.archived and src.kind != "symlink":
        from pathmove.finders import text

        records: list[Record] = list(text.find(src, view))
    else:
        records = list(finders.find(src, view))
    return [r for r in records if isinstance(r, Edit)]
