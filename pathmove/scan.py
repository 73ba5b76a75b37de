"""Which files, which kind, and the byte prefilter (SPEC §4.5, STYLE §2)."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import pathspec

from pathmove import fsio, repo
from pathmove.mapping import Mapping

# Extension → finder kind; everything else is "text" (SPEC §4.4).
KINDS = {
    ".py": "python",
    ".pyi": "python",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".md": "markdown",
    ".markdown": "markdown",
    ".ipynb": "notebook",
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
NAMED_KINDS = {"pyproject.toml": "pyconfig", "setup.cfg": "pyconfig"}


def kind_of(path: str) -> str:
    named = NAMED_KINDS.get(posixpath.basename(path))
    if named is not None:
        return named
    return KINDS.get(posixpath.splitext(path)[1].lower(), "text")


def spec_for(patterns: Iterable[str]) -> pathspec.PathSpec | None:
    lines = list(patterns)
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def list_files(root: Path, use_git: bool) -> list[str]:
    """Candidate files: git's tracked + untracked-not-ignored, or a walk honouring .gitignore."""
    if use_git:
        return repo.ls_files(root)
    return sorted(_walk(root))  # git's order, so reports read the same with and without git


def _walk(root: Path) -> Iterator[str]:
    """Files below root outside git, honouring every .gitignore found (pathspec)."""
    specs: list[tuple[str, pathspec.PathSpec]] = []

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
        self.needles = mapping.needles

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
        full = self.root / rel
        new = self.new_path(rel)
        try:
            if os.path.islink(full):
                target = os.fsencode(os.readlink(full))
                return Source(rel, new, target, "symlink", self.is_archived(rel))
            real = os.path.realpath(full)
            if real != self.real_root and not real.startswith(self.real_root + os.sep):
                return Skip(rel, "outside the root")
            if not os.path.isfile(full):
                return None
            data = fsio.read(full)
        except OSError as exc:
            return Skip(rel, f"unreadable: {exc.strerror}")
        if fsio.is_binary(data):
            return Skip(rel, "binary")
        kind = kind_of(rel)
        if prefilter and new == rel and not any(n in data for n in self.needles):
            if not _needs_unfiltered(kind):
                return None
        return Source(rel, new, data, kind, self.is_archived(rel))


def _needs_unfiltered(kind: str) -> bool:
    # Hook for finders whose references need not contain a `from`'s last component
    # (none yet; package moves add dotted module names to the needles instead).
    return False
