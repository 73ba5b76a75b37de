"""Which files, which kind, and the byte prefilter (SPEC §4.5, STYLE §2)."""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections import Counter
from pathlib import Path
from typing import Any, TYPE_CHECKING, Iterable, Iterator, NamedTuple


from pathmove import fsio, match, repo
from pathmove.mapping import Mapping

if TYPE_CHECKING:
    import pathspec  # imported where used: `check` with no patterns never needs it

# Extension → finder kind; everything else is "text" (SPEC §4.4).
KINDS = {
    ".py": "python",
    ".pyi": "python",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".markdown": "markdown",
    ".ipynb": "notebook",
    ".rst": "rst",
}


class Source(NamedTuple):
    """One file as a finder sees it: where it is, where it ends up, its bytes, its kind."""

    path: str  # POSIX, relative to root, where it is now
    new_path: str  # where it is after the moves (== path in verify mode)
    data: bytes  # file contents, or a symbolic link's target
    kind: str  # "python", "yaml", "markdown", "notebook", "text", "symlink"
    archived: bool = False


class Skip(NamedTuple):
    """A file that was listed but not scanned, and why (binary, outside root, unreadable)."""

    path: str
    reason: str


# Packaging files whose entry points name modules (SPEC §4.1): the text rule plus dotted names.
NAMED_KINDS = {"pyproject.toml": "pyconfig", "setup.cfg": "pyconfig", "mkdocs.yml": "mkdocs", "mkdocs.yaml": "mkdocs"}


def kind_of(path: str) -> str:
    named = NAMED_KINDS.get(posixpath.basename(path))
    if named is not None:
        return named
    sep, dot = path.rfind("/"), path.rfind(".")
    if dot <= sep + 1:  # no extension, or a dot file such as ".gitignore"
        return "text"
    ext = posixpath.splitext(path)[1] if path[sep + 1] == "." else path[dot:]  # "..py": as splitext says
    return KINDS.get(ext.lower(), "text")


def spec_for(patterns: Iterable[str]) -> pathspec.PathSpec[Any] | None:
    lines = list(patterns)
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def list_files(root: Path, use_git: bool) -> list[str]:
    """Candidate files: git's tracked + untracked-not-ignored, or a walk honouring .gitignore."""
    return list(iter_files(root, use_git))


def iter_files(root: Path, use_git: bool) -> Iterator[str]:
    """list_files as a stream, so a huge repository's scan starts before the listing ends."""
    if use_git:
        return repo.iter_ls_files(root)
    return iter(sorted(_walk(root)))  # git's order, so reports read the same with and without git


PREFILTER_ENV = "PATHMOVE_PREFILTER"  # "python": never hand the first stage to git grep


def iter_listing(root: Path, use_git: bool, needles: Iterable[bytes], keep: Iterable[str],
                 listed: Counter[str]) -> Iterator[tuple[str, bool]]:
    """The listed paths a scan must see, and False where their bytes provably hold no needle.

    Every listed path is counted by kind in listed; paths under a keep prefix (the mapping's
    `from`s and `to`s, for moves and collisions) are yielded whatever they hold. In a git
    repository the prefilter's first stage runs in `git grep -F` (C, every core) on the
    tracked files, so only its hits, symbolic links (which git grep skips), untracked files
    and kept paths come back; elsewhere, or if git grep fails, every path does.
    """
    if use_git and os.environ.get(PREFILTER_ENV, "").strip().lower() != "python":
        background = repo.BackgroundListing(root)  # lists while git grep searches
        try:
            hits = repo.grep_files(root, needles)
            if hits is not None:
                yield from _git_listing(hits, background.blocks(), keep, listed)
                return
        finally:
            background.close()
    for rel in iter_files(root, use_git):
        listed[kind_of(rel)] += 1
        yield rel, True


def _git_listing(hits: set[str], blocks: Iterator[tuple[bytes, bytes]], keep: Iterable[str],
                 listed: Counter[str]) -> Iterator[tuple[str, bool]]:
    # At 200,000 files every operation per path counts: the index part of the listing is
    # handled a block at a time by C-level byte operations; Python touches only the paths
    # that come back (git grep's hits, symbolic links, kept paths) and untracked files.
    hit = {os.fsencode(h) for h in hits}
    kept = sorted({os.fsencode(k) for k in keep})
    kept_re = re.compile(b"\t((?:" + b"|".join(re.escape(k) for k in kept) + b")(?:/[^\0]*)?)\0") if kept else None
    links: set[bytes] = set()
    found: set[bytes] = set()
    staged: list[bytes] = []  # paths of merge-conflict entries, listed once per stage
    for untracked, tracked in blocks:
        for raw in untracked.split(b"\0"):
            if raw:  # git grep did not read it: the Python prefilter will
                listed[kind_of(os.fsdecode(raw))] += 1
                yield os.fsdecode(raw), True
        if not tracked:
            continue
        _count_kinds(tracked, listed)
        for m in _LINK_RECORD.finditer(tracked):
            if m.start() == 0 or tracked[m.start() - 1] == 0:
                links.add(m.group(1))
        if kept_re is not None:
            found.update(kept_re.findall(tracked))
        if _CONFLICT.search(tracked):
            staged.extend(m.group(1) for m in _CONFLICT_RECORD.finditer(tracked)
                          if m.start() == 0 or tracked[m.start() - 1] == 0)
    for prev, raw in zip(staged, staged[1:]):
        if raw == prev:  # counted once per stage above: once is right
            listed[kind_of(os.fsdecode(raw))] -= 1
    # the index is sorted by path bytes, so sorting restores the listing's order
    for raw in sorted(hit | links | found):
        yield os.fsdecode(raw), raw in hit or raw in links


_LINK_RECORD = re.compile(rb"120000 [0-9a-f]{7,} [0-3]\t([^\0]*)\0")
_CONFLICT = re.compile(rb" [1-3]\t")
_CONFLICT_RECORD = re.compile(rb"[0-7]{6} [0-9a-f]{7,} [1-3]\t([^\0]*)\0")
_EXTS = tuple(sorted({e.encode() for e in KINDS}))
# a basename of dots and an extension (".py", "..md") has no extension for kind_of
_DOT_NAMES = re.compile(rb"[/\t]\.+(" + b"|".join(re.escape(e[1:]) for e in _EXTS) + rb")\0")


def _count_kinds(tracked: bytes, listed: Counter[str]) -> None:
    """kind_of for every "mode sha stage<TAB>path" record of a block, with byte counts."""
    low = tracked.lower()
    total = tracked.count(b"\0")
    by_ext = {e: low.count(e + b"\0") for e in _EXTS}
    for ext in _DOT_NAMES.findall(low):
        by_ext[b"." + ext] -= 1
    for e, n in by_ext.items():
        if n:
            listed[KINDS[e.decode()]] += n
            total -= n
    for name, kind in NAMED_KINDS.items():
        n = tracked.count(b"\t" + name.encode() + b"\0") + tracked.count(b"/" + name.encode() + b"\0")
        if n:
            listed[kind] += n
            ext = posixpath.splitext(name)[1]
            if ext in KINDS:  # counted by its extension above ("mkdocs.yml")
                listed[KINDS[ext]] -= n
            else:
                total -= n
    if total:
        listed["text"] += total


def _walk(root: Path) -> Iterator[str]:
    """Files below root outside git, honouring every .gitignore found (pathspec)."""
    import pathspec

    specs: list[tuple[str, pathspec.PathSpec[Any]]] = []

    def ignored(rel: str, is_dir: bool) -> bool:
        # As git: specs apply outermost first, and the deepest .gitignore with a matching
        # pattern decides (so a nested `!keep.log` re-includes what the root ignores).
        verdict = False
        for base, spec in specs:
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1:] if base else rel
            include = spec.check_file(sub + ("/" if is_dir else "")).include
            if include is not None:
                verdict = include
        return verdict

    stack = [""]
    while stack:
        rel_dir = stack.pop()
        full = root / rel_dir if rel_dir else root
        gi = full / ".gitignore"
        if gi.is_file():
            try:
                lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
                specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass
        try:
            entries = sorted(os.scandir(full), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.name == ".git":
                continue
            if entry.is_dir(follow_symlinks=False):
                if not ignored(rel, True):
                    stack.append(rel)
            elif not ignored(rel, False):
                yield rel


class Scanner:
    """Turns a list of paths into Sources: never .git, excluded, the mapping, binaries, outside root."""

    def __init__(self, root: Path, mapping: Mapping, translate_moves: bool) -> None:
        self.root = root
        self.mapping = mapping
        self.translate_moves = translate_moves
        self.exclude = spec_for(mapping.exclude)
        self.archived = spec_for(mapping.archived)
        self.real_root = os.path.realpath(root)
        self._root = os.fspath(root)
        from pathmove import sites  # SPEC §4.7: a toctree names a moved page without its suffix

        self.needles = tuple(sorted(set(mapping.needles) | set(sites.needles(mapping))))
        self.sites = mapping.sites
        self.forced: frozenset[str] = self.sites.configs if self.sites is not None else frozenset()
        self.bounded = bounded_pattern(self.needles)
        self.stats: Counter[tuple[str, str]] = Counter()  # (stage, kind) → files; see ScanStats
        self._inside: dict[str, bool] = {}

    def is_excluded(self, rel: str) -> bool:
        if rel == ".git" or rel.startswith(".git/") or "/.git/" in rel:
            return True
        if self.mapping.source is not None and rel == self.mapping.source:
            return True
        return self.exclude is not None and self.exclude.match_file(rel)

    def is_archived(self, rel: str) -> bool:
        return self.archived is not None and self.archived.match_file(rel)

    def new_path(self, rel: str) -> str:
        if not self.translate_moves:
            return rel
        return self.mapping.translate(rel) or rel

    def source(self, rel: str, prefilter: bool = True) -> Source | Skip | None:
        """Read one file; None when the prefilter proves it holds nothing to find."""
        if self.is_excluded(rel):
            return None
        full = os.path.join(self._root, rel)  # a str join: a Path per file costs more than the read
        new = self.new_path(rel)
        try:
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                target = os.fsencode(os.readlink(full))
                self.stats["reached", "symlink"] += 1
                return Source(rel, new, target, "symlink", self.is_archived(rel))
            if not self._dir_inside(rel.rpartition("/")[0]):
                return Skip(rel, "outside the root")
            if not stat.S_ISREG(st.st_mode):
                return None
            data = fsio.read(full, st.st_size)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return Skip(rel, f"unreadable: {exc.strerror}")
        if fsio.is_binary(data):
            return Skip(rel, "binary")
        kind = kind_of(rel)
        if kind == "text" and self.sites is not None and rel.endswith(".txt") and self.sites.srcdir_of(rel) is not None:
            kind = "rst"  # SPEC §4.7: `.txt` under a Sphinx source folder is reStructuredText
        if prefilter and new == rel and rel not in self.forced:
            # STYLE §2: only a file holding the last component of some `from` can refer to it;
            # `in` is the fast test, the boundary pattern then drops "hd_results_v2"-only files
            if not any(n in data for n in self.needles):
                return None
            self.stats["named", kind] += 1
            if self.bounded is not None and not self.bounded.search(data):
                return None
        self.stats["reached", kind] += 1
        return Source(rel, new, data, kind, self.is_archived(rel))

    def _dir_inside(self, rel_dir: str) -> bool:
        """True if rel_dir resolves inside the root (symbolic links are never followed out)."""
        inside = self._inside.get(rel_dir)
        if inside is None:
            real = os.path.realpath(os.path.join(self._root, rel_dir)) if rel_dir else self.real_root
            inside = real == self.real_root or real.startswith(self.real_root + os.sep)
            self._inside[rel_dir] = inside
        return inside


# The prefilter's second stage: a needle not followed by a name character ("hd_results_v2"
# cannot hold "hd_results", SPEC §4), and not preceded by one unless the byte before ends an
# escape (\n, \x2f, \u002f) that a parser decodes into a separator. "." counts as a
# boundary on both sides: "pkg.hd_results" is a module path, "hd_results." ends a sentence.
_NAME = rb"A-Za-z0-9_\-\x80-\xff"
_NAME_BYTES = frozenset(b for b in range(256) if re.match(rb"[" + _NAME + rb"]", bytes([b])) and b != 0x2E)


class Bounded:
    """Does data hold a needle at a component boundary?"""

    def __init__(self, needles: Iterable[bytes]) -> None:
        self.needles = sorted(set(needles))

    def search(self, data: bytes) -> bool:
        # bytes.find per needle: a C substring search, faster than one alternation regex
        for n in self.needles:
            first = match.char_at(n, 0) or "a"
            last = match.char_before(n, len(n)) or "a"
            i = data.find(n)
            while i >= 0:
                j = i + len(n)
                # a neighbour byte >= 0x80 is judged on its decoded character by match.py,
                # the one boundary test (SPEC §4: "结果保存在outputs/hd_results中" holds one)
                if (j == len(data) or data[j] not in _NAME_BYTES
                        or data[j] >= 0x80 and match.boundary_after(data, j, last)) and (
                        i == 0 or data[i - 1] not in _NAME_BYTES
                        or data[i - 1] >= 0x80 and match.boundary_before(data, i, first)
                        or match.escape_ends_at(data, i)):
                    return True
                i = data.find(n, i + 1)
        return False


def bounded_pattern(needles: Iterable[bytes]) -> Bounded | None:
    """The prefilter's second stage for these needles (None without needles)."""
    needles = list(needles)
    return Bounded(needles) if needles else None


class ScanStats(NamedTuple):
    """How many files of each kind were listed, held a needle, and reached their finder."""

    listed: dict[str, int]  # by the kind their name gives
    named: dict[str, int]
    reached: dict[str, int]

    @classmethod
    def of(cls, counts: Counter[tuple[str, str]]) -> "ScanStats":
        per: dict[str, dict[str, int]] = {"listed": {}, "named": {}, "reached": {}}
        for (stage, kind), n in sorted(counts.items()):
            per[stage][kind] = n
        return cls(per["listed"], per["named"], per["reached"])
