"""SPEC §5, proved the SQLite way: die after every durable step, then resume, or undo."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cli.journal_util import copy_repo, differences, durable_steps, journal_dir, make_repo, snapshot
from tests.conftest import run_pathmove

WORKERS = min(4, (os.cpu_count() or 1) * 2)


def _crash_then_recover(start_root: Path, work: Path, k: int, start: dict, expected: dict) -> list[str]:
    """Crash apply after its k-th durable step; one copy resumes, the other undoes."""
    root = copy_repo(start_root, work / f"k{k}")
    crashed = run_pathmove(root, "apply", env={"PATHMOVE_CRASH_AFTER": str(k)})
    if crashed.returncode != 137:
        return [f"K={k}: expected the crash hook to fire, got exit {crashed.returncode}: {crashed.stderr}"]
    undo_root = copy_repo(root, work / f"k{k}-undo")
    problems = []
    resumed = run_pathmove(root, "apply")
    if resumed.returncode != 0:
        problems.append(f"K={k}: apply after the crash exit {resumed.returncode}: {resumed.stderr}")
    problems += [f"K={k} resume: {d}" for d in differences(expected, snapshot(root))]
    undone = run_pathmove(undo_root, "undo")
    if undone.returncode != 0:
        problems.append(f"K={k}: undo after the crash exit {undone.returncode}: {undone.stderr}")
    problems += [f"K={k} undo: {d}" for d in differences(start, snapshot(undo_root))]
    if journal_dir(undo_root).exists():
        problems.append(f"K={k}: undo left the journal behind")
    return problems


def test_every_crash_point_resumes_and_undoes(git_repo, tmp_path: Path) -> None:
    start_root = make_repo(git_repo)
    start = snapshot(start_root)
    ref = copy_repo(start_root, tmp_path / "uninterrupted")
    run_pathmove(ref, "apply", check_rc=0)
    expected = snapshot(ref)
    assert expected["files"]["run.sh"][2] == 0o755 and "latest" in expected["files"]
    total = durable_steps(ref)
    assert total > 20  # moves through the staging folder, writes and links: each a crash point
    work = tmp_path / "crashes"
    work.mkdir()
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda k: _crash_then_recover(start_root, work, k, start, expected),
                                range(1, total + 1)))
    survived = sum(1 for r in results if not r)
    print(f"{survived} of {total} crash points survived")  # the figure for the record (pytest -s)
    failures = [p for r in results for p in r]
    assert survived == total, f"{survived} of {total} crash points survived:\n" + "\n".join(failures[:20])


@pytest.mark.parametrize("k", [2, 17])
def test_crash_outside_git_keeps_the_journal_outside_the_tree(tmp_path: Path, k: int) -> None:
    """Without git the journal lives in $XDG_STATE_HOME; resume and undo work from there."""
    from tests.cli.journal_util import TREE
    from tests.conftest import tree_bytes, write_tree

    def fresh(name: str) -> Path:
        root = tmp_path / name
        root.mkdir()
        write_tree(root, TREE)
        (root / "run.sh").chmod(0o755)
        return root

    ref = fresh("ref")
    start = tree_bytes(ref)
    run_pathmove(ref, "apply", check_rc=0)
    expected = tree_bytes(ref)
    state = Path(os.environ["XDG_STATE_HOME"]) / "pathmove" / "journals"
    assert len(list(state.iterdir())) == 1  # the journal is outside the tree ...
    assert not any(".pathmove" in p or "journal" in p for p in expected)  # ... and nothing of it inside

    for then, want in (("apply", expected), ("undo", start)):
        root = fresh(f"{then}{k}")
        run_pathmove(root, "apply", check_rc=137, env={"PATHMOVE_CRASH_AFTER": str(k)})
        run_pathmove(root, then, check_rc=0)
        assert tree_bytes(root) == want
    run_pathmove(ref, "undo", check_rc=0)
    assert tree_bytes(ref) == start
    assert len(list(state.iterdir())) == 1  # the resumed apply's; every undo removed its own
