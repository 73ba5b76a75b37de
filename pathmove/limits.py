"""What the filesystem and git can hold, checked before the first write (SPEC §5: exit 2 means nothing changed).

For every entry that moves now:
- each component of `to` fits the name limit (`PC_NAME_MAX`, in bytes) of the filesystem it
  lands on, and the whole path of every file and folder carried along fits `PC_PATH_MAX`
  (also through the staging folder a swap or chain passes through). The filesystem is that
  of the nearest existing ancestor of `to`.
- `to` is on the same filesystem as `from` (a rename cannot cross filesystems).
- git accepts `to` as a path (`.git` components, and what core.protectNTFS/HFS refuse):
  `git mv` renames the file first and then leaves the refused path out of the index.
- the folders a move or a write changes are writable by the user.
Characters: a POSIX filesystem refuses only NUL (and `/` inside a name); the mapping refuses
NUL and newline itself (mapping.py). Everything else a name may hold is left to the checks
above, which ask the filesystem and git rather than guessing.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from pathlib import Path

from pathmove import repo
from pathmove.errors import ConflictError
from pathmove.journal import STAGING

_NAME_MAX = 255  # where pathconf cannot tell
_PATH_MAX = 4096


def check(root: Path, moves: list[tuple[str, str, str]], use_git: bool) -> None:
    """Raise ConflictError listing every move the filesystem or git cannot carry out.

    moves: (where, old, new) of each entry that moves now.
    """
    staging = needs_staging([(old, new) for _, old, new in moves])
    problems: list[str] = []
    root_b = os.fsencode(root)
    for i, (where, old, new) in enumerate(moves):
        anchor = nearest_existing(root, new)
        name_max, path_max = _pathconf(anchor)
        for part in new.split("/"):
            size = len(os.fsencode(part))
            if size > name_max:
                problems.append(f"{where}: `to` component {_short(part)!r} is {size} bytes; "
                                f"the filesystem holds at most {name_max}")
        longest = _longest_suffix(root / old)
        total = len(root_b) + 1 + len(os.fsencode(new)) + longest
        if total >= path_max:
            problems.append(f"{where}: moving {old!r} to {new!r} makes a path of {total} bytes; "
                            f"the filesystem holds at most {path_max - 1}")
        if staging:
            through = len(root_b) + len(f"/{STAGING}/{i}") + longest
            if through >= path_max:
                problems.append(f"{where}: {old!r} passes through {STAGING}/ as a path of {through} bytes; "
                                f"the filesystem holds at most {path_max - 1}")
        try:
            src_dev = os.lstat(root / old).st_dev
            if os.stat(anchor).st_dev != src_dev or (staging and os.stat(root).st_dev != src_dev):
                problems.append(f"{where}: {old!r} and {new!r} are on different filesystems; "
                                "a move cannot cross them")
        except OSError:
            pass
        for folder in (root / posixpath.dirname(old), anchor):
            if not os.access(folder, os.W_OK | os.X_OK):
                problems.append(f"{where}: folder {_rel(root, folder)!r} is not writable")
    if staging and not os.access(root, os.W_OK | os.X_OK):
        problems.append(f"the root is not writable (swaps and chains pass through {STAGING}/)")
    if staging and os.path.lexists(root / STAGING):
        problems.append(f"{STAGING} exists in the root; apply needs it for swaps and chains (remove it)")
    if use_git:
        refused = git_refuses(root, [new for _, _, new in moves])
        problems += [f"{where}: git refuses the path {new!r} (it would move the files but leave them "
                     "out of the index)" for where, _, new in moves if new in refused]
    if problems:
        raise ConflictError("the mapping does not fit the filesystem:\n  " + "\n  ".join(problems))


def unwritable(root: Path, rels: list[str]) -> list[str]:
    """Files apply would rewrite whose folder it cannot write (write_atomic makes its temporary file there)."""
    return [rel for rel in rels if not os.access(root / posixpath.dirname(rel), os.W_OK | os.X_OK)]


def needs_staging(moves: list[tuple[str, str]]) -> bool:
    """Swaps and chains (a `to` that is, or is inside or around, another `from`) go through a staging folder."""
    return any(related(new, old) for _, new in moves for old, _ in moves)


def related(a: str, b: str) -> bool:
    """a and b are the same path, or one is inside the other."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def nearest_existing(root: Path, rel: str) -> Path:
    """The deepest existing folder on the way to root/rel: the filesystem rel lands on."""
    probe = posixpath.dirname(rel)
    while probe and not os.path.isdir(root / probe):
        probe = posixpath.dirname(probe)
    return root / probe if probe else root


def git_refuses(root: Path, paths: list[str]) -> set[str]:
    """The paths git would not take into its index, asked of git itself (a scratch index)."""
    if not paths:
        return set()
    empty = repo.git(root, "hash-object", "--stdin", stdin=b"").stdout.strip()
    lines = b"".join(b"100644 " + empty + b" 0\t" + os.fsencode(p) + b"\0" for p in paths)
    with tempfile.TemporaryDirectory(prefix="pathmove-paths-") as tmp:
        env = {**repo.git_env(), "GIT_INDEX_FILE": os.path.join(tmp, "index")}
        repo.git(root, "update-index", "-z", "--index-info", stdin=lines, env=env)
        taken = repo.git(root, "ls-files", "-z", env=env).stdout
    accepted = {os.fsdecode(p) for p in taken.split(b"\0") if p}
    return {p for p in paths if p not in accepted}


def _pathconf(folder: Path) -> tuple[int, int]:
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = -1
    try:
        path_max = os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        path_max = -1
    return (name_max if name_max > 0 else _NAME_MAX), (path_max if path_max > 0 else _PATH_MAX)


def _longest_suffix(src: Path) -> int:
    """Bytes the longest path under src adds to it ("/a/b.txt"): everything moves, ignored files too."""
    if not src.is_dir() or src.is_symlink():
        return 0
    base = len(os.fsencode(src))
    longest = 0
    for dirpath, dirnames, filenames in os.walk(src):
        for name in dirnames + filenames:
            longest = max(longest, len(os.fsencode(os.path.join(dirpath, name))) - base)
    return longest


def _short(part: str) -> str:
    return part if len(part) <= 40 else part[:20] + "…" + part[-10:]


def _rel(root: Path, folder: Path) -> str:
    rel = os.path.relpath(folder, root)
    return "." if rel == "." else Path(rel).as_posix()
