"""Reading files and the only writer of file contents: atomic replace, mode kept (SPEC §5)."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

BINARY_SNIFF = 8192
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


class ChangedOnDisk(Exception):
    """The file changed after it was read: write_atomic did not replace it (SPEC §5)."""


def read(path: Path | str, size: int = -1) -> bytes:
    """The bytes of a file; size, when known from a stat, saves a system call per file."""
    fd = os.open(path, _READ_FLAGS)
    try:
        if size < 0:
            size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)  # one byte more than the stat said: at the end, or it grew
        if len(data) == size:
            return data
        parts = [data]  # the file changed size, or is too large for one read: read to the end
        while True:
            more = os.read(fd, 1 << 20)
            if not more:
                return b"".join(parts)
            parts.append(more)
    finally:
        os.close(fd)


def read_range(path: Path, offset: int, size: int) -> bytes:
    """size bytes of a file from offset (a blob in the journal's pack)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        return os.pread(fd, size, offset)
    finally:
        os.close(fd)


def read_with_stat(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a file and its status taken from the same open file."""
    with open(path, "rb") as fh:
        return fh.read(), os.fstat(fh.fileno())


def same_file_state(a: os.stat_result, b: os.stat_result) -> bool:
    """Size, mtime and inode unchanged: nobody rewrote the file in between."""
    return (a.st_size, a.st_mtime_ns, a.st_ino, a.st_dev) == (b.st_size, b.st_mtime_ns, b.st_ino, b.st_dev)


def is_binary(data: bytes) -> bool:
    """SPEC §4.5: a NUL byte in the first 8 KiB makes a file binary."""
    return b"\0" in data[:BINARY_SNIFF]


def fsync_dir(path: Path) -> None:
    """Make a rename or creation in directory path durable."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int | None = None, expect: os.stat_result | None = None,
                 sync_dir: bool = True, sync: bool = True) -> None:
    """Replace path with data: temp file beside it, fsync, mode copied, os.replace.

    With expect (the status of path when its contents were read), the replace happens only
    if path still has that size, mtime and inode, checked right before os.replace.
    sync_dir=False leaves the folder's fsync to the caller (the journal batches them);
    sync=False leaves all flushing to the caller (one fsio.sync_all after a batch): the
    replace is atomic all the same, and a killed process loses nothing.
    """
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".pathmove-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if expect is not None and not same_file_state(expect, os.stat(path)):
            raise ChangedOnDisk(str(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if sync and sync_dir:
        fsync_dir(path.parent)


def sync_all() -> None:
    """Flush every pending write to disk (one call after a batch of unsynced writes)."""
    if hasattr(os, "sync"):
        os.sync()


def write_link_atomic(path: Path, target: str, sync_dir: bool = True) -> None:
    """Re-point a symbolic link atomically: a new link beside it, then os.replace."""
    tmp = path.parent / f".{path.name}.pathmove-tmp-link"
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if sync_dir:
        fsync_dir(path.parent)


def append(path: Path, data: bytes) -> int:
    """Append data to path (created if absent) and fsync it; the offset it was written at."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        offset = os.lseek(fd, 0, os.SEEK_END)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        return offset
    finally:
        os.close(fd)


def make_dirs(path: Path) -> None:
    """Create path and its missing parents."""
    path.mkdir(parents=True, exist_ok=True)


def remove_file(path: Path) -> None:
    """Remove a file or symbolic link; gone already is fine."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def remove_empty_dir(path: Path) -> bool:
    """Remove path if it is an empty folder; False when it is not (or is not there)."""
    try:
        os.rmdir(path)
    except OSError:
        return False
    return True


def remove_empty_dirs_up(root: Path, rel: str) -> None:
    """Remove root/rel, then its parents while they are empty; never root itself."""
    while rel and remove_empty_dir(root / rel):
        rel = os.path.dirname(rel)


def remove_tree(path: Path) -> None:
    """Remove a folder and everything in it (the journal's own folder); absent is fine."""
    shutil.rmtree(path, ignore_errors=True)


def set_mode(path: Path, mode: int) -> None:
    """Set the permission bits of path."""
    os.chmod(path, mode)


def clear_temporaries(path: Path) -> None:
    """Remove what an interrupted write_atomic or write_link_atomic of path left beside it."""
    Temporaries().clear(path)


class Temporaries:
    """clear_temporaries for many files: each folder is listed once, not once per file (a
    package move writes hundreds of files in one folder). Call forget() after a move, which
    can bring a folder's leftovers along."""

    _SUFFIXES = (".pathmove-tmp", ".pathmove-tmp-link")

    def __init__(self) -> None:
        self._by_dir: dict[Path, list[str]] = {}

    def forget(self) -> None:
        self._by_dir.clear()

    def clear(self, path: Path) -> None:
        names = self._by_dir.get(path.parent)
        if names is None:
            try:
                names = [n for n in os.listdir(path.parent) if n.endswith(self._SUFFIXES)]
            except OSError:
                names = []
            self._by_dir[path.parent] = names
        prefix = f".{path.name}."
        for name in [n for n in names if n.startswith(prefix)]:
            with contextlib.suppress(OSError):
                os.unlink(path.parent / name)
            names.remove(name)


