"""fsio: the only writer of bytes — atomic, mode kept, bytes exactly as given (SPEC §5)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pathmove import fsio


@pytest.mark.parametrize("data", (
    pytest.param(b"\xef\xbb\xbfoutputs/HD\r\nline two\r\n", id="BOM and CRLF"),
    pytest.param(b"r\xe9sultats: outputs/HD\n", id="latin-1"),
    pytest.param(b"no trailing newline", id="no trailing newline"),
    pytest.param(b"", id="empty"),
    pytest.param(b"mixed\r\nends\nand\rcr", id="mixed line endings"),
))
def test_write_atomic_writes_exact_bytes_and_keeps_mode(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "run.sh"
    path.write_bytes(b"old contents\n")
    path.chmod(0o750)
    fsio.write_atomic(path, data)
    assert path.read_bytes() == data
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o750
    assert os.listdir(tmp_path) == ["run.sh"]  # no temporary file left beside it


def test_write_atomic_replaces_the_inode_and_honours_explicit_mode(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"a")
    path.chmod(0o644)
    before = os.stat(path).st_ino
    hard = tmp_path / "hard"
    os.link(path, hard)
    fsio.write_atomic(path, b"b", mode=0o600)
    # a rename, not an in-place write: the old inode (still seen through the hard link) is intact
    assert os.stat(path).st_ino != before and hard.read_bytes() == b"a"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    fsio.write_atomic(tmp_path / "new.txt", b"n")
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o644


def test_write_atomic_leaves_no_temp_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "d"
    path.mkdir()  # replacing a directory with a file fails at os.replace
    with pytest.raises(OSError):
        fsio.write_atomic(path, b"x", mode=0o644)
    assert os.listdir(tmp_path) == ["d"] and path.is_dir()


def test_write_link_atomic(tmp_path: Path) -> None:
    link = tmp_path / "latest"
    os.symlink("runs/old", link)
    fsio.write_link_atomic(link, "runs/new")
    assert os.readlink(link) == "runs/new"
    assert sorted(os.listdir(tmp_path)) == ["latest"]


@pytest.mark.parametrize(("data", "binary"), (
    (b"plain", False), (b"\x00", True), (b"x" * 8191 + b"\x00", True), (b"x" * 8192 + b"\x00", False),
    (b"\xff\xfe latin or utf-16 without NUL", False),
))
def test_is_binary_looks_at_the_first_8_kib(data: bytes, binary: bool) -> None:
    assert fsio.is_binary(data) is binary
