"""Root discovery and every git call (ls-files -z, mv, status)."""

from __future__ import annotations

import os
import shutil
import re
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple
from typing import Iterable, Iterator

from pathmove.errors import PathmoveError, RootError

# Variables that would point git at another repository than the root we were given.
_GIT_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"
    # reading commands (status) must not rewrite the index to refresh its stat cache: a
    # refused apply leaves the index byte-for-byte as it was (SPEC §5)
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env.setdefault("LC_ALL", "C")
    return env


def git(root: Path, *args: str, check: bool = True, stdin: bytes | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git in root; raise PathmoveError with git's own message on failure."""
    try:
        # a session of its own: Ctrl-C at the terminal stops pathmove between journal steps,
        # never a `git mv` halfway through its index update (SPEC §5)
        proc = subprocess.run(["git", *args], cwd=root, env=env or git_env(), capture_output=True,
                              input=stdin, start_new_session=True)
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
    last = None
    for raw in _stream_z(root, _ls_args(False)):
        # a path with merge conflicts is listed once per stage, the stages side by side
        if raw != last:
            last = raw
            yield os.fsdecode(raw)


def _ls_args(stage: bool) -> list[str]:
    return ["ls-files", "-z", *(["-s"] if stage else []), "--cached", "--others", "--exclude-standard"]


_FIRST_STAGE_RECORD = re.compile(rb"(?:^|(?<=\0))[0-7]{6} [0-9a-f]{7,} [0-3]\t")


class _Background:
    """git running in the background into temporary files (memory stays flat), read later; a
    context manager: leaving it stops git if nobody waited for it."""

    def __init__(self, root: Path, args: list[str]) -> None:
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.what = " ".join(args[:1])
        try:
            self.proc = subprocess.Popen(["git", *args], cwd=root, env=git_env(), stdout=self.out, stderr=self.err,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        except FileNotFoundError:
            self.close()
            raise PathmoveError("git is not installed; pass --no-git to work without it") from None

    def __enter__(self) -> "_Background":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait(self) -> None:
        """Wait for git; PathmoveError with git's own message if it failed."""
        if self.proc.wait() != 0:
            self.err.seek(0)
            msg = self.err.read().decode(errors="replace").strip() or f"exit {self.proc.returncode}"
            raise PathmoveError(f"git {self.what} failed: {msg}")

    def close(self) -> None:
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        self.out.close()
        self.err.close()


class BackgroundListing(_Background):
    """`git ls-files -s` running while git grep searches."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, _ls_args(True))

    def blocks(self) -> Iterator[tuple[bytes, bytes]]:
        """(untracked, tracked) blocks of whole NUL-terminated records, in listing order.

        git lists the untracked files first (bare paths), then the index, each entry as
        "mode sha stage<TAB>path", sorted by path bytes.
        """
        self.wait()
        self.out.seek(0)
        tracked = False
        rest = b""
        while True:
            block = self.out.read(1 << 20)
            if not block:
                if rest:
                    block = b"\0"  # git ends every record with NUL; be lenient all the same
                else:
                    break
            data = rest + block
            cut = data.rfind(b"\0") + 1
            data, rest = data[:cut], data[cut:]
            if tracked:
                yield b"", data
                continue
            first = _FIRST_STAGE_RECORD.search(data)
            if first is None:
                yield data, b""
            else:
                tracked = True
                yield data[:first.start()], data[first.start():]


def _stream_z(root: Path, args: list[str]) -> Iterator[bytes]:
    """The NUL-separated records git prints, yielded while git still runs."""
    try:
        proc = subprocess.Popen(["git", *args], cwd=root, env=git_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise PathmoveError("git is not installed; pass --no-git to work without it") from None
    assert proc.stdout is not None and proc.stderr is not None
    rest = b""
    try:
        while True:
            block = os.read(proc.stdout.fileno(), 1 << 16)
            if not block:
                break
            *records, rest = (rest + block).split(b"\0")
            yield from (r for r in records if r)
        err = proc.stderr.read()
    finally:
        proc.stdout.close()
        if proc.poll() is None:  # the consumer stopped early
            proc.kill()
        proc.wait()
        proc.stderr.close()
    if rest:
        yield rest
    if proc.returncode != 0:
        msg = err.decode(errors="replace").strip() or f"exit {proc.returncode}"
        raise PathmoveError(f"git {args[0]} failed: {msg}")


def grep_files(root: Path, needles: Iterable[bytes]) -> set[str] | None:
    """Tracked files whose bytes in the work tree hold a needle; None if git grep fails.

    The prefilter's first stage in C on every core. git grep skips symbolic links, and
    untracked files are left to the caller (`--untracked` walks the tree a second time,
    while ls-files already does).
    """
    patterns = [a for n in sorted(set(needles)) for a in ("-e", os.fsdecode(n))]
    if not patterns:
        return set()
    try:
        proc = git(root, "--no-pager", "grep", "-l", "-z", "-F", "--no-color", "--no-textconv", *patterns,
                   check=False)
    except (PathmoveError, OSError):  # no git, or too many needles for one command line: read every file
        return None
    if proc.returncode not in (0, 1):
        return None
    return {os.fsdecode(r) for r in proc.stdout.split(b"\0") if r}


def dirty_paths(root: Path) -> list[str]:
    """Tracked files with uncommitted changes (staged or not); untracked files do not count."""
    with DirtyPaths(root) as dirty:
        return dirty.paths()


class DirtyPaths(_Background):
    """dirty_paths with `git status` started now and read later, so that it runs while the
    scan does (apply: 0.05 s of git's own on a 400-file package move)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, ["status", "--porcelain=v1", "-z", "--untracked-files=no"])

    def __enter__(self) -> "DirtyPaths":
        return self

    def paths(self) -> list[str]:
        self.wait()
        self.out.seek(0)
        items = self.out.read().split(b"\0")
        paths = []
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


def finish_index_move(root: Path, src: str, dst: str) -> None:
    """After a `git mv` killed between its rename and its index update: move the index entries too."""
    staged = git(root, "ls-files", "-z", "-s", "--", src).stdout
    if not staged.strip(b"\0") or tracked_under(root, dst):
        return
    info = []
    for item in staged.split(b"\0"):
        if not item:
            continue
        meta, path = item.split(b"\t", 1)
        mode, sha, stage = meta.split(b" ")
        rel = os.fsdecode(path)
        new = dst + rel[len(src):]
        info.append(b"0 " + b"0" * len(sha) + b"\t" + path)
        info.append(mode + b" " + sha + b" " + stage + b"\t" + os.fsencode(new))
    git(root, "update-index", "-z", "--index-info", stdin=b"\0".join(info) + b"\0")


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


# ---- what git already knows about moves (pathmove infer) --------------------------------
class Rename(NamedTuple):
    """A file git pairs across a rename: old path at the revision, new path now, similarity %."""

    old: str
    new: str
    score: int


def resolve_commit(root: Path, rev: str) -> str:
    """The commit id rev names; PathmoveError naming rev when it names none."""
    proc = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    if proc.returncode != 0:
        raise PathmoveError(f"{rev!r} does not name a commit in this repository",
                            hint="infer compares a commit (default HEAD) with the working tree; commit once first")
    return proc.stdout.decode().strip()


def tree_paths(root: Path, commit: str) -> list[str]:
    """Every file in commit's tree, POSIX paths relative to root."""
    out = git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit).stdout
    return [os.fsdecode(p) for p in out.split(b"\0") if p]


class Renames(NamedTuple):
    """The renames git found, and its warning when it gave up on rename detection ("" if not)."""

    renames: list[Rename]
    warning: str


def renames_since(root: Path, commit: str, rename_limit: int | None = None) -> Renames:
    """Renames between commit and the working tree as `git add -A` would see it.

    Staged and unstaged changes and untracked (not ignored) files all count, so a folder moved
    with a file manager pairs with its deleted original by content. Nothing is written: git
    marks the untracked files "intent to add" in a copy of the index (no content is stored),
    and the diff reads the working tree itself.

    git drops renames silently past its rename limit (diff.renameLimit, 1000 by default;
    git-lfs#4770): unless told otherwise, the limit is the number of deleted or added files,
    enough for every pair git could make. If git still gives up, its warning is returned.
    """
    with tempfile.TemporaryDirectory(prefix="pathmove-infer-") as tmp:
        index = Path(tmp) / "index"
        real = git_dir(root) / "index"
        if real.is_file():
            shutil.copyfile(real, index)
        env = git_env()
        env["GIT_INDEX_FILE"] = str(index)
        git(root, "add", "--intent-to-add", "--", ".", env=env)
        if rename_limit is None:
            plain = git(root, "diff", "--no-renames", "-z", "--name-status", "--no-ext-diff", commit, "--",
                        env=env).stdout.split(b"\0")
            statuses = plain[0::2]
            rename_limit = max(1, statuses.count(b"D"), statuses.count(b"A"))
        proc = git(root, "diff", "-M", f"-l{rename_limit}", "-z", "--name-status", "--no-ext-diff",
                   "--no-textconv", commit, "--", env=env)
    out = proc.stdout
    warning = " ".join(line.removeprefix("warning: ").strip()
                       for line in proc.stderr.decode(errors="replace").splitlines()
                       if "rename detection was skipped" in line or "renameLimit" in line)
    fields = out.split(b"\0")
    found: list[Rename] = []
    i = 0
    while i < len(fields):
        status = fields[i].decode(errors="replace")
        i += 1
        if not status:
            continue
        if status[0] in "RC":
            old, new = os.fsdecode(fields[i]), os.fsdecode(fields[i + 1])
            i += 2
            if status[0] == "R":
                found.append(Rename(old, new, int(status[1:] or 100)))
        else:
            i += 1
    return Renames(found, warning)


def same_content(root: Path, commit: str, old: str, path: str) -> bool:
    """True if the file at path now holds exactly what old held at commit."""
    a = git(root, "rev-parse", "--verify", "--quiet", f"{commit}:{old}", check=False)
    b = git(root, "hash-object", "--", path, check=False)
    return a.returncode == 0 and b.returncode == 0 and a.stdout.strip() == b.stdout.strip()
