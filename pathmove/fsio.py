"""Reading files and the only writer of file contents: atomic replace, mode kept (SPEC §5)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

BINARY_SNIFF = 8192
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def read(path: Path, size: int = -1) -> bytes:
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


def write_atomic(path: Path, data: bytes, mode: int | None = None, *, sync: bool = True) -> None:
    """Replace path with data: temp file beside it, fsync, mode copied, os.replace.

    sync=False leaves flushing to the caller (the journal syncs once after many writes):
    the replace is atomic all the same, and a killed process loses nothing.
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
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if sync:
        fsync_dir(path.parent)


def sync_all() -> None:
    """Flush every pending write to disk (one call after a batch of unsynced writes)."""
    if hasattr(os, "sync"):
        os.sync()


def write_link_atomic(path: Path, target: str) -> None:
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
    fsync_dir(path.parent)
