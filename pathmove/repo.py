"""Root discovery and every git call (ls-files -z, mv, status)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator

from pathmove.errors import PathmoveError, RootError

# Variables that would point git at another repository than the root we were given.
_GIT_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("LC_ALL", "C")
    return env


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run git in root; raise PathmoveError with git's own message on failure."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, env=git_env(), capture_output=True)
    except FileNotFoundError:
        raise PathmoveError("git is not installed; pass --no-git to work without it") from None
    if check and proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip() or f"exit {proc.returncode}"
        raise PathmoveError(f"git {' '.join(args[:2])} failed: {msg}")
    return proc


def toplevel(cwd: Path) -> Path | None:
    """The git top-level of cwd, or None outside a work tree."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, env=git_env(), capture_output=True
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    if proc.returncode != 0:
        return None
    return Path(os.fsdecode(proc.stdout.strip()))


def find_root(root: str | None, cwd: Path | None = None) -> Path:
    """SPEC §2: --root, else the git top-level of the working directory, else the working directory."""
    cwd = cwd or Path.cwd()
    if root is not None:
        p = (cwd / root).resolve() if not os.path.isabs(root) else Path(root).resolve()
        if not p.exists():
            raise RootError(f"root directory does not exist: {root}")
        if not p.is_dir():
            raise RootError(f"root is not a directory: {root}")
        return p
    top = toplevel(cwd)
    return top.resolve() if top else cwd.resolve()


def is_git(root: Path) -> bool:
    """True if root is the top-level of a git work tree."""
    top = toplevel(root)
    return top is not None and os.path.realpath(top) == os.path.realpath(root)


def git_dir(root: Path) -> Path:
    out = git(root, "rev-parse", "--absolute-git-dir").stdout.strip()
    return Path(os.fsdecode(out))


def ls_files(root: Path) -> list[str]:
    """Tracked plus untracked-but-not-ignored files (SPEC §4.5), POSIX paths relative to root."""
    return list(iter_ls_files(root))


def iter_ls_files(root: Path) -> Iterator[str]:
    """ls_files as a stream: paths are yielded while git is still listing (huge repositories)."""
    args = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        proc = subprocess.Popen(args, cwd=root, env=git_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise PathmoveError("git is not installed; pass --no-git to work without it") from None
    assert proc.stdout is not None and proc.stderr is not None
    last = None
    rest = b""
    try:
        while True:
            block = proc.stdout.read1(1 << 16)
            if not block:
                break
            *names, rest = (rest + block).split(b"\0")
            for raw in names:
                # a path with merge conflicts is listed once per stage, the stages side by side
                if raw and raw != last:
                    last = raw
                    yield os.fsdecode(raw)
        err = proc.stderr.read()
    finally:
        proc.stdout.close()
        if proc.poll() is None:  # the consumer stopped early
            proc.kill()
        proc.wait()
        proc.stderr.close()
    if rest and rest != last:
        yield os.fsdecode(rest)
    if proc.returncode != 0:
        msg = err.decode(errors="replace").strip() or f"exit {proc.returncode}"
        raise PathmoveError(f"git ls-files failed: {msg}")


def dirty_paths(root: Path) -> list[str]:
    """Tracked files with uncommitted changes (staged or not); untracked files do not count."""
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no").stdout
    paths = []
    items = out.split(b"\0")
    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if len(item) < 4:
            continue
        status, path = item[:2], os.fsdecode(item[3:])
        if status[:1] in (b"R", b"C"):
            i += 1  # the rename's source follows as its own field
        paths.append(path)
    return paths


def tracked_under(root: Path, rel: str) -> bool:
    """True if git tracks rel or anything under it."""
    out = git(root, "ls-files", "-z", "--", rel).stdout
    return bool(out.strip(b"\0"))


def move(root: Path, src: str, dst: str, use_git: bool) -> None:
    """Rename src to dst (both relative to root) with `git mv` when tracked; never overwrites."""
    s, d = root / src, root / dst
    if os.path.lexists(d):
        raise PathmoveError(f"refusing to move {src} → {dst}: {dst} exists")
    d.parent.mkdir(parents=True, exist_ok=True)
    if use_git and tracked_under(root, src):
        git(root, "mv", "-k", "--", src, dst)
        if os.path.lexists(s) and not os.path.lexists(d):
            raise PathmoveError(f"git mv {src} {dst} did not move it")
        if os.path.lexists(s) and os.path.isdir(s) and not os.path.islink(s):
            # git mv -k leaves untracked content behind when the folder is partly tracked
            _merge_rest(s, d)
    else:
        os.rename(s, d)


def _merge_rest(src: Path, dst: Path) -> None:
    """Move what git left in src (untracked or ignored files) into dst, never overwriting."""
    for dirpath, dirnames, filenames in os.walk(src, topdown=False):
        rel = os.path.relpath(dirpath, src)
        target_dir = dst if rel == "." else dst / rel
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            target = target_dir / name
            if os.path.lexists(target):
                raise PathmoveError(f"refusing to overwrite {target}")
            os.rename(os.path.join(dirpath, name), target)
        try:
            os.rmdir(dirpath)
        except OSError:
            pass
