"""pathmove infer: the mapping for moves already made, read from the renames git sees.

Many people move folders first (git mv, a file manager, a script) and fix references
afterwards. git already pairs each moved file with its original by content; `fold` turns
those file renames into the fewest entries that explain them: a folder whose files all went
to one new folder is one directory entry, a folder only partly moved stays as file entries.
Every entry it prints is "already moved" in the sense of SPEC §2 (its `from` is gone, its
`to` exists), so `apply` on the result moves nothing and rewrites every reference.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import yaml

from pathmove import repo
from pathmove.repo import Rename
from pathmove.words import plural


class InferredMove(NamedTuple):
    """One mapping entry and the renames it explains."""

    old: str
    new: str
    is_dir: bool
    files: int  # renames this entry explains
    edited: int  # of those, files whose content changed too
    min_score: int  # lowest similarity among them (100: identical)


class Inference(NamedTuple):
    rev: str
    commit: str
    moves: list[InferredMove]
    renames: list[Rename]
    warning: str = ""  # git gave up on rename detection: some moves may be missing


def infer(root: Path, rev: str = "HEAD") -> Inference:
    """The moves between rev and the working tree (staged, unstaged and untracked)."""
    if not repo.is_git(root):
        from pathmove.errors import PathmoveError

        raise PathmoveError(f"infer needs a git repository; {root} is not the top of one")
    commit = repo.resolve_commit(root, rev)
    renames, warning = repo.renames_since(root, commit)
    if not renames:
        return Inference(rev, commit, [], [], warning)
    before = set(repo.tree_paths(root, commit))

    def same(old: str, new: str) -> bool:
        return repo.same_content(root, commit, old, new)

    moves = fold(renames, before, lambda p: os.path.lexists(root / p), lambda p: (root / p).is_dir(), same)
    return Inference(rev, commit, moves, renames, warning)


# ---- folding file renames into directory moves ----------------------------------------------
def fold(
    renames: Iterable[Rename],
    before: set[str],
    exists: Callable[[str], bool],
    is_dir: Callable[[str], bool],
    same: Callable[[str, str], bool] = lambda old, new: False,
) -> list[InferredMove]:
    """The fewest entries whose translation (longest `from` wins, SPEC §2) sends every old path to its new one.

    A directory entry P → Q is considered when some renamed file keeps its path below P
    (`P/x/f → Q/x/f`), P is gone, Q is a folder now that did not exist at the revision
    (a move creates its destination) and most renamed files under P went to Q; files
    under P that went elsewhere get entries of their own. Shallow folders are tried first,
    so a whole moved tree is one entry.
    """
    pairs = {r.old: r for r in renames}
    before_dirs = _with_parents(before)
    chosen: dict[str, str] = {}
    for old_dir, new_dir in _candidates(pairs.values()):
        if old_dir in chosen or new_dir in chosen.values():
            continue
        if _translate(chosen, old_dir) == new_dir:
            continue  # a parent entry already says this
        if exists(old_dir) or not is_dir(new_dir) or new_dir in before_dirs:
            continue
        under = [r for r in pairs.values() if r.old.startswith(old_dir + "/")]
        right = [r for r in under if _lands(r, new_dir + r.old[len(old_dir):], pairs, same)]
        if 2 * len(right) <= len(under):
            continue  # a folder split between places: deeper entries say it better
        correct_now = sum(1 for r in under if _lands(r, _translate(chosen, r.old), pairs, same))
        if len(right) > correct_now:
            chosen[old_dir] = new_dir
    for r in pairs.values():
        if not _lands(r, _translate(chosen, r.old), pairs, same):
            chosen[r.old] = r.new
    return _describe(chosen, pairs, same)


def _candidates(renames: Iterable[Rename]) -> list[tuple[str, str]]:
    """(old folder, new folder) pairs read off each rename's common trailing components."""
    votes: dict[tuple[str, str], int] = {}
    for r in renames:
        a, b = r.old.split("/"), r.new.split("/")
        k = 1
        while k < len(a) and k < len(b) and a[-k] == b[-k]:
            pair = ("/".join(a[:-k]), "/".join(b[:-k]))
            if pair[0] != pair[1]:
                votes[pair] = votes.get(pair, 0) + 1
            k += 1
    return sorted(votes, key=lambda p: (p[0].count("/"), -votes[p], p))


def _owner(chosen: dict[str, str], path: str) -> str | None:
    """SPEC §2 on the entries chosen so far: the longest `from` that is path or a parent of it."""
    probe = path
    while True:
        if probe in chosen:
            return probe
        cut = probe.rfind("/")
        if cut <= 0:
            return None
        probe = probe[:cut]


def _translate(chosen: dict[str, str], path: str) -> str | None:
    owner = _owner(chosen, path)
    return None if owner is None else chosen[owner] + path[len(owner):]


def _lands(r: Rename, target: str | None, pairs: dict[str, Rename], same: Callable[[str, str], bool]) -> bool:
    """True if sending r.old to target is right: git's pairing, or a file with the same bytes.

    git pairs identical files (empty `__init__.py`s) by name heuristics, sometimes across
    folders; a target holding exactly the old content is as good a destination.
    """
    if target is None:
        return False
    if target == r.new:
        return True
    return r.score == 100 and any(p.new == target for p in pairs.values()) and same(r.old, target)


def _describe(chosen: dict[str, str], pairs: dict[str, Rename], same: Callable[[str, str], bool]) -> list[InferredMove]:
    explained: dict[str, list[Rename]] = {old: [] for old in chosen}
    for r in pairs.values():
        owner = _owner(chosen, r.old)
        if owner is not None:
            explained[owner].append(r)
    moves = []
    for old, new in sorted(chosen.items()):
        rs = explained[old]
        is_dir = old not in pairs or pairs[old].new != new
        moves.append(InferredMove(old, new, is_dir, len(rs), sum(1 for r in rs if r.score < 100),
                                  min((r.score for r in rs), default=100)))
    return moves


def _with_parents(paths: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for p in paths:
        while p and p not in out:
            out.add(p)
            p = posixpath.dirname(p)
    return out


# ---- the mapping file -------------------------------------------------------------------------
_PLAIN = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./+-]*$")  # no character YAML gives a meaning


def to_yaml(inference: Inference) -> str:
    """The mapping as YAML for migrations.yaml, one comment per entry with what it explains."""
    n = sum(m.files for m in inference.moves)
    lines = [
        f"# Inferred by `pathmove infer {inference.rev}` from {plural(n, 'file rename')} git sees between",
        f"# {inference.rev} ({inference.commit[:12]}) and the working tree. Every entry is already moved:",
        "# `pathmove apply` moves nothing and rewrites the references to the old paths.",
        *([f"# WARNING: {GAVE_UP}", f"# (git: {inference.warning})"] if inference.warning else []),
        "moves:",
    ]
    for m in inference.moves:
        lines.append(f"  - from: {_scalar(m.old)}  # {_explains(m)}")
        lines.append(f"    to: {_scalar(m.new)}")
    return "\n".join(lines) + "\n"


GAVE_UP = "git gave up on rename detection; some moves may be missing from this mapping"


def _explains(m: InferredMove) -> str:
    what = f"{m.files} file{'s' if m.files != 1 else ''}" if m.is_dir else "1 file"
    if m.edited:
        what += f", {m.edited} edited too (similarity {m.min_score}% or more)" if m.is_dir else \
            f", edited too ({m.min_score}% similar)"
    return ("folder, " if m.is_dir else "") + what


def _scalar(path: str) -> str:
    # plain when YAML reads it back as this very string (not 1.5, null, yes …); otherwise a
    # JSON string, which is a valid YAML double-quoted scalar for any path
    if _PLAIN.match(path) and yaml.safe_load(path) == path:
        return path
    return json.dumps(path, ensure_ascii=False)


def write_mapping(path: Path, text: str, force: bool) -> None:
    """Write the inferred mapping; an existing file is kept unless force (it may hold a plan)."""
    from pathmove import fsio
    from pathmove.errors import PathmoveError

    if os.path.lexists(path) and not force:
        raise PathmoveError(f"{path} already exists; not overwritten",
                            hint="pass --force to replace it, or -m FILE to write elsewhere")
    if not path.parent.is_dir():
        raise PathmoveError(f"cannot write {path}: folder {path.parent} does not exist")
    fsio.write_atomic(path, text.encode())
