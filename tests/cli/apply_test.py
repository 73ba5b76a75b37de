"""End to end: the installed pathmove on real git repositories."""

from __future__ import annotations

import json

from tests.conftest import git, run_pathmove, tree_bytes

MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"


def test_plan_changes_nothing_then_apply_verify_undo(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": MAPPING,
        "outputs/hd_results/a.csv": "x\n",
        "outputs/hd_results_v2/b.csv": "y\n",
        "run.sh": "#!/bin/sh\ncat outputs/hd_results/a.csv outputs/hd_results_v2/b.csv\r\n",
    })
    (root / "run.sh").chmod(0o755)
    git(root, "commit", "-qam", "mode")
    before = tree_bytes(root)
    run_pathmove(root, "verify", check_rc=1)
    plan = run_pathmove(root, "plan", "--json", check_rc=0)
    doc = json.loads(plan.stdout)
    assert [(f["path"], f["line"], f["old"], f["new"]) for f in doc["findings"]] == \
        [("run.sh", 2, "outputs/hd_results", "outputs/HD")]
    assert tree_bytes(root) == before

    run_pathmove(root, "apply", check_rc=0)
    after = tree_bytes(root)
    assert after["run.sh"] == ("file", b"#!/bin/sh\ncat outputs/HD/a.csv outputs/hd_results_v2/b.csv\r\n", 0o755)
    assert "outputs/HD/a.csv" in after and "outputs/hd_results/a.csv" not in after
    assert "R  outputs/hd_results/a.csv -> outputs/HD/a.csv" in git(root, "status", "--short")
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "apply", check_rc=0)  # again: recognised, nothing changes
    assert tree_bytes(root) == after

    run_pathmove(root, "undo", check_rc=0)
    assert tree_bytes(root) == before
    assert git(root, "status", "--porcelain") == ""


def test_bad_mapping_names_the_entry_and_changes_nothing(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": MAPPING + "  - from: outputs/x\n    to: ../elsewhere\n",
        "outputs/hd_results/a.csv": "x\n",
        "outputs/x/b": "y\n",
    })
    before = tree_bytes(root)
    proc = run_pathmove(root, "apply", check_rc=2)
    assert "moves[1]" in proc.stderr and "../elsewhere" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_bytes(root) == before


def test_dirty_tree_refused(git_repo) -> None:
    root = git_repo({"migrations.yaml": MAPPING, "outputs/hd_results/a.csv": "x\n", "n.txt": "outputs/hd_results\n"})
    (root / "n.txt").write_text("outputs/hd_results and more\n")
    before = tree_bytes(root)
    proc = run_pathmove(root, "apply", check_rc=2)
    assert "uncommitted" in proc.stderr and "n.txt" in proc.stderr
    assert tree_bytes(root) == before
    run_pathmove(root, "apply", "--allow-dirty", check_rc=0)
    assert (root / "n.txt").read_text() == "outputs/HD and more\n"
