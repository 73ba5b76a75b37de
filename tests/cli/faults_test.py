"""Faults seen from outside (SPEC §5): another writer, a read-only file, a full disk, Ctrl-C.

Each stops apply with one clear message; the journal stays consistent, so `apply` finishes
the same migration and `undo` returns the start byte-for-byte.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from pathmove import fsio
from tests.cli.journal_util import copy_repo, differences, journal_dir, make_repo, snapshot
from tests.conftest import git, run_pathmove


@pytest.fixture
def repos(git_repo, tmp_path: Path):
    """The start repository, its snapshot, the uninterrupted result, and K = all moves done."""
    start_root = make_repo(git_repo)
    ref = copy_repo(start_root, tmp_path / "ref")
    run_pathmove(ref, "apply", check_rc=0)
    header = json.loads((journal_dir(ref) / "plan.json").read_text())
    moves_done = 1 + sum(1 for s in header["steps"] if s["op"] == "move")
    return start_root, snapshot(start_root), snapshot(ref), moves_done


def _crashed_before_writes(start_root: Path, dst: Path, k: int) -> Path:
    root = copy_repo(start_root, dst)
    run_pathmove(root, "apply", check_rc=137, env={"PATHMOVE_CRASH_AFTER": str(k)})
    assert not (root / "data" / "north" / "NOTES.txt").exists()  # the swap happened ...
    assert (root / "run.sh").read_bytes().startswith(b"#!/bin/sh\ncat data/north/")  # ... no write yet
    return root


def test_file_rewritten_by_another_program_is_not_clobbered(repos, tmp_path: Path) -> None:
    start_root, start, expected, k = repos
    root = _crashed_before_writes(start_root, tmp_path / "r", k)
    theirs = b"#!/bin/sh\n# reformatted by another tool\ncat data/north/a.csv\n"
    (root / "run.sh").write_bytes(theirs)

    proc = run_pathmove(root, "apply", check_rc=2)
    assert "run.sh changed on disk" in proc.stderr and "not overwritten" in proc.stderr
    assert "pathmove undo" in proc.stderr and "Traceback" not in proc.stderr
    assert (root / "run.sh").read_bytes() == theirs

    proc = run_pathmove(root, "undo", check_rc=2)  # it would lose the other program's change
    assert "run.sh" in proc.stderr and "--force" in proc.stderr
    assert (root / "run.sh").read_bytes() == theirs
    run_pathmove(root, "undo", "--force", check_rc=0)
    assert differences(start, snapshot(root)) == []


def test_change_between_check_and_replace_is_detected(repos, tmp_path: Path, monkeypatch) -> None:
    """The hash check passes, then another writer strikes: size+mtime stop the replace."""
    from pathmove import apply, mapping, steps
    from pathmove.errors import ConcurrentChangeError

    start_root, start, expected, k = repos
    root = _crashed_before_writes(start_root, tmp_path / "r", k)
    theirs = b"written by someone else meanwhile\n"
    real_read = fsio.read_with_stat

    def read_then_someone_writes(path: Path):
        data, st = real_read(path)
        if path.name == "run.sh":
            path.write_bytes(theirs)
        return data, st

    monkeypatch.setattr(steps.fsio, "read_with_stat", read_then_someone_writes)
    with pytest.raises(ConcurrentChangeError, match="run.sh changed on disk"):
        apply.run(root, mapping.load(root / "migrations.yaml", root))
    assert (root / "run.sh").read_bytes() == theirs
    assert not [p for p in os.listdir(root) if "pathmove-tmp" in p]
    run_pathmove(root, "undo", "--force", check_rc=0)
    assert differences(start, snapshot(root)) == []


def test_write_atomic_checks_the_file_right_before_replacing_it(tmp_path: Path) -> None:
    p = tmp_path / "f.txt"
    p.write_bytes(b"one\n")
    _, st = fsio.read_with_stat(p)
    p.write_bytes(b"two, from another program\n")
    with pytest.raises(fsio.ChangedOnDisk):
        fsio.write_atomic(p, b"ours\n", expect=st)
    assert p.read_bytes() == b"two, from another program\n"
    assert os.listdir(tmp_path) == ["f.txt"]  # the temporary file is gone


def test_read_only_file_is_refused_before_any_change(repos, tmp_path: Path) -> None:
    start_root, start, expected, k = repos
    root = copy_repo(start_root, tmp_path / "r")
    (root / "README.txt").chmod(0o444)  # git records no write bit: the tree stays clean
    before = snapshot(root)
    proc = run_pathmove(root, "apply", check_rc=2)
    assert "read-only: README.txt" in proc.stderr and "nothing was changed" in proc.stderr
    assert differences(before, snapshot(root)) == [] and not journal_dir(root).exists()


def test_file_made_read_only_during_apply(repos, tmp_path: Path) -> None:
    start_root, start, expected, k = repos
    root = _crashed_before_writes(start_root, tmp_path / "r", k)
    (root / "run.sh").chmod(0o555)
    undo_root = copy_repo(root, tmp_path / "u")

    proc = run_pathmove(root, "apply", check_rc=2)
    assert "run.sh is read-only" in proc.stderr and "Traceback" not in proc.stderr
    (root / "run.sh").chmod(0o755)
    run_pathmove(root, "apply", check_rc=0)
    assert differences(expected, snapshot(root)) == []

    run_pathmove(undo_root, "apply", check_rc=2)
    run_pathmove(undo_root, "undo", check_rc=0)  # the mode is the journal's too
    assert differences(start, snapshot(undo_root)) == []


def test_disk_full_mid_apply(git_repo, tmp_path: Path) -> None:
    """RLIMIT_FSIZE (ulimit -f) with SIGXFSZ ignored: writes fail with EFBIG, as on a full disk."""
    log = b"".join(b"line %05d of the measurement log\n" % i for i in range(900)) + b"see old/place/x.txt\n"
    small = b"old/place\n"
    root = git_repo({"migrations.yaml": "moves:\n  - from: old/place\n    to: new/much/longer/place\n",
                     "old/place/x.txt": "x\n", "log.txt": log, "small.txt": small})
    start = snapshot(root)
    ref = copy_repo(root, tmp_path / "ref")
    run_pathmove(ref, "apply", check_rc=0)
    expected = snapshot(ref)
    limit = len(log) + len(small) + 1  # the journal's copy of the originals fits; the new log does not
    assert len(expected["files"]["log.txt"][1]) > limit

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([shutil.which("pathmove"), "apply"], cwd=root, capture_output=True, text=True,
                          preexec_fn=small_disk, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    assert "cannot write log.txt: File too large" in proc.stderr and "Traceback" not in proc.stderr
    assert (root / "log.txt").read_bytes() == log
    assert (root / "new/much/longer/place/x.txt").exists()  # stopped mid-apply, after the move
    assert not [p for p in os.listdir(root) if "pathmove-tmp" in p]
    undo_root = copy_repo(root, tmp_path / "u")

    run_pathmove(root, "apply", check_rc=0)
    assert differences(expected, snapshot(root)) == []
    run_pathmove(undo_root, "undo", check_rc=0)
    assert differences(start, snapshot(undo_root)) == []


@pytest.mark.parametrize("k", [1, 6])
def test_ctrl_c_says_how_to_go_on_and_exits_130(repos, tmp_path: Path, k: int) -> None:
    start_root, start, expected, _ = repos
    root = copy_repo(start_root, tmp_path / "r")
    proc = run_pathmove(root, "apply", env={"PATHMOVE_CRASH_AFTER": str(k), "PATHMOVE_CRASH_SIGNAL": "INT"})
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr and "pathmove apply" in proc.stderr and "pathmove undo" in proc.stderr
    assert "Traceback" not in proc.stderr
    undo_root = copy_repo(root, tmp_path / "u")
    run_pathmove(root, "apply", check_rc=0)
    assert differences(expected, snapshot(root)) == []
    run_pathmove(undo_root, "undo", check_rc=0)
    assert differences(start, snapshot(undo_root)) == []


def test_interrupted_apply_of_another_mapping_is_not_mixed_up(repos, tmp_path: Path) -> None:
    start_root, start, expected, k = repos
    root = _crashed_before_writes(start_root, tmp_path / "r", k)
    mapping = root / "migrations.yaml"
    mapping.write_text(mapping.read_text().replace("out/HD", "out/HD2"))
    proc = run_pathmove(root, "apply", check_rc=2)
    assert "different mapping" in proc.stderr and "pathmove undo" in proc.stderr
    git(root, "checkout", "--", "migrations.yaml")
    run_pathmove(root, "apply", check_rc=0)
    assert differences(expected, snapshot(root)) == []
