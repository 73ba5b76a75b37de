"""plan.build: mapping + tree → every move and edit apply would make. Changes nothing."""

from __future__ import annotations

import dataclasses
import functools
import os
import posixpath
from pathlib import Path
from typing import Any, Callable, Iterable

from pathmove import finders, journal, match, packages, repo
from pathmove.edits import Edit, Notice, OverlapError, Review, dedupe, splice
from pathmove.errors import ConflictError
from pathmove.mapping import Entry, Mapping
from pathmove.scan import Scanner, Skip, Source, kind_of, spec_for


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

    @property
    def new_data(self) -> bytes:
        return splice(self.data, self.edits)


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
    vouched: Any = None  # verify after a finished apply of this mapping: journal.Vouched
    files_listed: int = 0
    files_scanned: int = 0
    review_data: dict[str, bytes] = dataclasses.field(default_factory=dict)  # for line numbers of reviews

    @property
    def edits(self) -> list[Edit]:
        return [e for c in self.changes for e in c.edits]

    @property
    def archived_edits(self) -> list[Edit]:
        return [e for c in self.archived for e in c.edits]


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
            problems.append(f"{e.where}: neither {e.old!r} nor its destination {e.new!r} exists")
    if problems:
        raise ConflictError("the mapping does not fit the tree:\n  " + "\n  ".join(problems))
    return moves


def check_collisions(files: Iterable[str], mapping: Mapping, moves: list[Move], root: Path) -> None:
    """Two files may not end up at one path, nor a moved file land on one that stays."""
    moving = [m for m in moves if m.status == "move"]
    if not moving:
        return
    landing: dict[str, str] = {}
    problems = []
    for rel in files:
        new = mapping.translate(rel) or rel
        if new in landing and landing[new] != rel:
            problems.append(f"{landing[new]!r} and {rel!r} would both become {new!r}")
        landing[new] = rel
    if problems:
        raise ConflictError("the mapping's results collide:\n  " + "\n  ".join(problems[:20]))


def build(
    root: Path,
    mapping: Mapping,
    *,
    mode: str = "plan",
    only: list[str] | None = None,
    archived_bulk: bool = False,
    use_git: bool | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Every edit: in plan mode before the moves, in verify mode on the tree as it is."""
    if use_git is None:
        use_git = repo.is_git(root)
    mapping = packages.attach(root, mapping)  # SPEC §4.1: moved packages, their imports follow
    if mode == "plan":
        moves = classify_moves(root, mapping)
        view = mapping
    else:
        moves = []
        # SPEC §3 verify: after a finished apply of this mapping its journal knows which spans
        # it wrote, so every other occurrence of an old path is stale, even one that names a
        # place again (a swap, a chain); without one, an existing destination is current.
        vouched, pending = journal.verify_view(root, mapping.digest)
        view = mapping if vouched is not None else \
            mapping.with_live(e.new for e in mapping.entries if os.path.lexists(root / e.new))
    plan = Plan(root, mapping, mode, use_git, moves)
    if mode != "plan":
        plan.vouched = vouched
        if pending:  # SPEC §5: a half-done migration is the journal's to finish or undo
            plan.notices.append(Notice(".", "an interrupted apply (or undo) is pending: run `pathmove apply` "
                                            "to finish it, or `pathmove undo` to go back"))
    files = only if only is not None else _listed(root, use_git)
    plan.files_listed = len(files)
    if mode == "plan":
        check_collisions(files, mapping, moves, root)
    scanner = Scanner(root, view if mode == "verify" else mapping, translate_moves=(mode == "plan"))
    post_view = mapping.with_live(e.new for e in mapping.entries)
    total = len(files)
    for i, rel in enumerate(files):
        if progress is not None and i % 256 == 0:
            progress(i, total)
        src = scanner.source(rel)
        if src is None:
            continue
        if isinstance(src, Skip):
            if only is not None or src.reason != "binary":
                plan.skips.append(src)
            continue
        plan.files_scanned += 1
        _scan_one(plan, src, view, post_view, archived_bulk)
    if progress is not None:
        progress(total, total)
    return plan


def _listed(root: Path, use_git: bool) -> list[str]:
    from pathmove.scan import list_files

    return list_files(root, use_git)


def _scan_one(plan: Plan, src: Source, view: Mapping, post_view: Mapping, archived_bulk: bool) -> None:
    if src.archived:
        from pathmove.finders import text

        records = list(text.find(src, view)) if src.kind != "symlink" else finders.find(src, view)
    else:
        records = finders.find(src, view)
    edits = [r for r in records if isinstance(r, Edit) and not spells_new_path(src.data, r, post_view)]
    if plan.vouched is not None:
        edits = plan.vouched.filter(src.path, src.data, edits)
    reviews = [r for r in records if isinstance(r, Review)]
    if reviews:
        plan.reviews.extend(reviews)
        plan.review_data[src.path] = src.data
    plan.notices.extend(r for r in records if isinstance(r, Notice))
    if not edits:
        if plan.mode == "plan" and src.new_path != src.path:
            spans = _strict_spans(src.new_path, src.data, src.kind, plan.mapping)
            if spans:
                plan.kept.append((src, spans))
        return
    change = FileChange(src.path, src.new_path, src.kind, src.data, dedupe(edits), src.archived)
    if src.archived and not archived_bulk:
        plan.archived.append(change)
        return
    problem = _unstable(change, post_view)
    if problem:
        plan.reviews.append(Review(src.path, 0, 0, problem, "unsafe-edit"))
        plan.review_data[src.path] = src.data
        return
    plan.changes.append(change)


def _unstable(change: FileChange, post_view: Mapping) -> str | None:
    """STYLE §2: after splicing, the finder must find nothing stale, or the file is left alone."""
    try:
        new_data = change.new_data
    except OverlapError as exc:
        return f"edits conflict, file left unchanged: {exc}"
    if change.kind == "symlink" or change.archived:
        return None
    again = Source(change.new_path, change.new_path, new_data, change.kind, change.archived)
    written = _written_spans(change.edits)
    leftover = [r for r in finders.find(again, post_view)
                if isinstance(r, Edit) and not spells_new_path(new_data, r, post_view)
                and not any(a <= r.start and r.end <= b for a, b in written)]
    if leftover:
        e = leftover[0]
        return (f"rewriting would leave {len(leftover)} stale reference(s) (first {e.old!r} at byte {e.start}); "
                "file left unchanged, please edit it by hand")
    return None


def _written_spans(edits: list[Edit]) -> list[tuple[int, int]]:
    """Where each edit's new text lies in the spliced file: what we wrote is new by construction."""
    spans, shift = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        spans.append((e.start + shift, e.start + shift + len(e.new)))
        shift += len(e.new) - (e.end - e.start)
    return spans


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
        spans = _strict_spans(c.new_path, c.new_data, c.kind, plan.mapping)
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

        records = list(text.find(src, view))
    else:
        records = finders.find(src, view)
    return [r for r in records if isinstance(r, Edit)]
