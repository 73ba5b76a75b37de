"""SPEC §4.6: archived documents are left alone, bulk-rewritten on request, counted apart by verify."""

from __future__ import annotations

import json

from tests.conftest import git, run_pathmove, tree_bytes

MAPPING = ("moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"
           "archived:\n  - docs/archive/**\n  - '*.old.md'\n")
OLD_2023 = b"Results of 2023 in outputs/hd_results/a.csv\nalso outputs/hd_results and outputs/hd_results_v2.\n"
OLD_2022 = b"outputs/hd_results once\n"
TREE = {
    "migrations.yaml": MAPPING,
    "outputs/hd_results/a.csv": "x\n",
    "docs/archive/2023.md": OLD_2023,
    "docs/archive/2022/notes.txt": OLD_2022,
    "notes.old.md": b"no reference here\n",
    "docs/current.md": "Now in outputs/hd_results/a.csv\n",
}


def test_apply_leaves_archived_files_and_verify_counts_them_apart(git_repo) -> None:
    root = git_repo(TREE)
    proc = run_pathmove(root, "apply", check_rc=0, env={"NO_COLOR": "1"})
    assert "2 archived file(s) hold old paths and were left as they are" in proc.stdout
    after = tree_bytes(root)
    assert after["docs/archive/2023.md"][1] == OLD_2023 and after["docs/archive/2022/notes.txt"][1] == OLD_2022
    assert after["docs/current.md"][1] == b"Now in outputs/HD/a.csv\n"

    out = run_pathmove(root, "verify", check_rc=0, env={"NO_COLOR": "1"}).stdout
    assert "3 stale reference(s) in 2 archived file(s) (not counted" in out
    doc = json.loads(run_pathmove(root, "verify", "--json", check_rc=0).stdout)
    assert doc["findings"] == [] and doc["summary"]["archived_references"] == 3
    assert sorted((a["path"], a["references"]) for a in doc["archived"]) == [
        ("docs/archive/2022/notes.txt", 1), ("docs/archive/2023.md", 2)]

    run_pathmove(root, "verify", "--include-archived", check_rc=1)
    doc = json.loads(run_pathmove(root, "verify", "--json", "--include-archived", check_rc=1).stdout)
    assert sorted((f["path"], f["line"], f["archived"]) for f in doc["findings"]) == [
        ("docs/archive/2022/notes.txt", 1, True), ("docs/archive/2023.md", 1, True), ("docs/archive/2023.md", 2, True)]
    assert tree_bytes(root) == after


def test_archived_bulk_rewrites_them_with_a_count_per_file(git_repo) -> None:
    root = git_repo(TREE)
    proc = run_pathmove(root, "apply", "--archived-bulk", check_rc=0, env={"NO_COLOR": "1"})
    assert "archived docs/archive/2023.md: 2 reference(s) rewritten" in proc.stdout
    assert "archived docs/archive/2022/notes.txt: 1 reference(s) rewritten" in proc.stdout
    assert (root / "docs/archive/2023.md").read_bytes() == \
        b"Results of 2023 in outputs/HD/a.csv\nalso outputs/HD and outputs/hd_results_v2.\n"
    assert (root / "notes.old.md").read_bytes() == b"no reference here\n"
    run_pathmove(root, "verify", "--include-archived", check_rc=0)
    assert "docs/archive/2023.md" in git(root, "status", "--porcelain")
