"""Real interruptions at random moments (SPEC §5): SIGKILL or SIGINT to a running `pathmove apply`."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.journal_util import TREE, copy_repo, differences, snapshot
from tests.conftest import BIN, git, run_pathmove

# many small files to rewrite: apply takes long enough to be hit in the middle
BIG_TREE = {**TREE, **{f"notes/n{i:03d}.txt": f"run {i}: data/north/a.csv vs data/south/a.csv\n"
                       for i in range(120)}}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, float]:
    base = tmp_path_factory.mktemp("kill")
    with pytest.MonkeyPatch.context() as mp:  # the autouse isolation is per test; this runs once
        mp.setenv("HOME", str(base))
        mp.setenv("GIT_CONFIG_GLOBAL", str(base / ".gitconfig"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        return _template(base)


def _template(base: Path) -> tuple[Path, dict, dict, float]:
    from tests.conftest import write_tree

    start_root = base / "start"
    start_root.mkdir()
    write_tree(start_root, BIG_TREE)
    (start_root / "run.sh").chmod(0o755)
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@e"}
    for args in (["init", "-q"], ["config", "commit.gpgSign", "false"], ["add", "-A"],
                 ["commit", "-q", "--no-verify", "-m", "start"]):
        subprocess.run(["git", *args], cwd=start_root, check=True, env=env, capture_output=True)
    ref = copy_repo(start_root, base / "ref")
    t0 = time.monotonic()
    run_pathmove(ref, "apply", check_rc=0)
    return start_root, snapshot(start_root), snapshot(ref), time.monotonic() - t0


def _interrupt(root: Path, sig: int, delay: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen([shutil.which("pathmove"), "apply"], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    time.sleep(delay)
    proc.send_signal(sig)  # to pathmove itself, as `kill -9 PID` would; its git children finish
    out, err = proc.communicate()
    for _ in range(300):  # wait for orphaned git children, like a user's shell would
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("seed", range(int(os.environ.get("PATHMOVE_KILL_RUNS", "6"))))
def test_kill_9_at_a_random_moment_then_resume_or_undo(template, tmp_path: Path, seed: int) -> None:
    start_root, start, expected, seconds = template
    rng = random.Random(seed)
    root = copy_repo(start_root, tmp_path / "r")
    _interrupt(root, signal.SIGKILL, rng.uniform(0.15, 1.0) * seconds)
    if seed % 2 == 0:
        run_pathmove(root, "apply", check_rc=0)
        assert differences(expected, snapshot(root)) == []
    else:
        run_pathmove(root, "undo", check_rc=0)  # SPEC §5: whatever the moment, undo answers 0
        assert differences(start, snapshot(root)) == []
        assert not (root / ".git" / "pathmove").exists()


@pytest.mark.parametrize("seed", range(3))
def test_kill_9_while_planning_then_undo(template, tmp_path: Path, seed: int) -> None:
    """Killed before (or just after) the journal's plan is written: undo is a no-op, exit 0."""
    start_root, start, _, _ = template
    probe = copy_repo(start_root, tmp_path / "probe")
    t0 = time.monotonic()
    run_pathmove(probe, "apply", check_rc=137, env={"PATHMOVE_CRASH_AFTER": "1"})  # dies once plan.json is written
    planning = time.monotonic() - t0
    root = copy_repo(start_root, tmp_path / "r")
    _interrupt(root, signal.SIGKILL, random.Random(200 + seed).uniform(0.1, 1.0) * planning)
    proc = run_pathmove(root, "undo", check_rc=0)
    assert "nothing to undo" in proc.stdout or "undone" in proc.stdout
    assert differences(start, snapshot(root)) == []
    assert not (root / ".git" / "pathmove").exists()
    for probe_root in (probe,):  # the probe stopped right after its plan: undo says so, changes nothing
        proc = run_pathmove(probe_root, "undo", check_rc=0)
        assert "had not changed anything" in proc.stdout
        assert differences(start, snapshot(probe_root)) == []


@pytest.mark.parametrize("seed", range(2))
def test_ctrl_c_at_a_random_moment(template, tmp_path: Path, seed: int) -> None:
    start_root, start, expected, seconds = template
    rng = random.Random(100 + seed)
    root = copy_repo(start_root, tmp_path / "r")
    proc = _interrupt(root, signal.SIGINT, rng.uniform(0.3, 0.9) * seconds)
    # What the signal hit is read from the disk, not from timing: Python starting, planning,
    # a step, verifying, or the interpreter shutting down after a finished apply.
    assert proc.returncode in (0, 130, -signal.SIGINT), proc.stderr
    assert "Traceback" not in proc.stderr
    plan_json = root / ".git" / "pathmove" / "plan.json"
    log = root / ".git" / "pathmove" / "log"
    finished = log.exists() and "finished" in log.read_text().splitlines()
    if not plan_json.exists():  # nothing began
        assert differences(start, snapshot(root)) == []
    elif finished:  # the apply ended; the signal hit verify, the report or the shutdown
        assert differences(expected, snapshot(root)) == []
    else:  # stopped between two steps, and said how to go on
        assert proc.returncode == 130 and "pathmove apply" in proc.stderr and "pathmove undo" in proc.stderr
    if proc.returncode == 130 and "nothing was changed" in proc.stderr:
        assert differences(start, snapshot(root)) == []
    undo_root = copy_repo(root, tmp_path / "u")
    run_pathmove(root, "apply", check_rc=0)
    assert differences(expected, snapshot(root)) == []
    run_pathmove(undo_root, "undo", check_rc=0)
    assert differences(start, snapshot(undo_root)) == []
    assert git(undo_root, "status", "--porcelain") == ""
