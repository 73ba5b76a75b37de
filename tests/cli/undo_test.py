"""`pathmove undo [--force]` (SPEC §3) and apply run twice, on the swap/chain repository."""

from __future__ import annotations

from pathlib import Path

from tests.cli.journal_util import differences, journal_dir, make_repo, snapshot
from tests.conftest import run_pathmove


def test_undo_restores_everything_and_leaves_nothing(git_repo) -> None:
    root = make_repo(git_repo)
    start = snapshot(root)
    run_pathmove(root, "apply", check_rc=0)
    applied = snapshot(root)
    assert "sim" in applied["dirs"] and "ocean" not in applied["dirs"]  # created, pruned
    assert journal_dir(root).is_dir()

    run_pathmove(root, "undo", check_rc=0)
    assert differences(start, snapshot(root)) == []  # bytes, modes, links, folders, git status
    assert not journal_dir(root).exists()
    proc = run_pathmove(root, "undo", check_rc=0)  # SPEC §5: a no-op, exit 0
    assert "nothing to undo" in proc.stdout
    assert differences(start, snapshot(root)) == []


def test_undo_refuses_naming_changed_files_unless_forced(git_repo) -> None:
    root = make_repo(git_repo)
    start = snapshot(root)
    run_pathmove(root, "apply", check_rc=0)
    with open(root / "run.sh", "ab") as fh:
        fh.write(b"echo later work\n")
    (root / "data/south/NOTES.txt").unlink()
    changed = snapshot(root)

    proc = run_pathmove(root, "undo", check_rc=2)
    assert "2 files changed since apply" in proc.stderr
    assert "run.sh" in proc.stderr and "data/south/NOTES.txt" in proc.stderr and "--force" in proc.stderr
    assert differences(changed, snapshot(root)) == []  # refused: nothing touched

    run_pathmove(root, "undo", "--force", check_rc=0)
    assert differences(start, snapshot(root)) == []
    assert not journal_dir(root).exists()


def test_second_apply_on_its_own_uncommitted_result_changes_nothing(git_repo) -> None:
    root = make_repo(git_repo)
    run_pathmove(root, "apply", check_rc=0)
    applied = snapshot(root)
    proc = run_pathmove(root, "apply", check_rc=0)  # no --allow-dirty: the journal proves it
    assert "Already applied" in proc.stdout
    assert differences(applied, snapshot(root)) == []


def test_undo_after_user_commits_other_files(git_repo) -> None:
    """Files apply never touched are the user's: undo leaves them as they are."""
    root = make_repo(git_repo)
    run_pathmove(root, "apply", check_rc=0)
    (root / "new_file.txt").write_text("written after apply\n")
    run_pathmove(root, "undo", check_rc=0)
    assert (root / "new_file.txt").read_text() == "written after apply\n"
    assert (root / "data/north/NOTES.txt").read_bytes().startswith(b"compare with data/south/a.csv")


def test_undo_of_an_interrupted_undo(git_repo, tmp_path: Path) -> None:
    """undo logs its own steps: killed halfway, it runs again to the end."""
    root = make_repo(git_repo)
    start = snapshot(root)
    run_pathmove(root, "apply", check_rc=0)
    # apply's crash points: plan.json + steps + finished; undo's follow: "undo", then each step
    proc = run_pathmove(root, "undo", env={"PATHMOVE_CRASH_AFTER": "5"})
    assert proc.returncode == 137
    proc = run_pathmove(root, "apply")
    assert proc.returncode == 2 and "pathmove undo" in proc.stderr
    run_pathmove(root, "undo", check_rc=0)
    assert differences(start, snapshot(root)) == []
