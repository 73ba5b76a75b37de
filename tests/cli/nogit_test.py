"""Without git: plain renames, .gitignore files honoured, journal outside the tree, undo (SPEC §4.5, §5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_pathmove, tree_bytes, write_tree

TREE = {
    "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
    ".gitignore": "*.log\ncache/\n",
    "outputs/hd_results/a.csv": "x\n",
    "outputs/hd_results/run.log": "ignored, but it moves with its folder\n",
    "outputs/hd_results_v2/b.csv": "y\n",
    "run.sh": "cat outputs/hd_results/a.csv outputs/hd_results_v2/b.csv\n",
    "train.log": "outputs/hd_results is mentioned in an ignored log\n",
    "cache/c.txt": "outputs/hd_results in an ignored folder\n",
    "sub/.gitignore": "!keep.log\n",
    "sub/keep.log": "outputs/hd_results re-included by sub/.gitignore\n",
}


@pytest.mark.parametrize("flag", (("--no-git",), ()), ids=("--no-git", "no repository"))
def test_apply_without_git_then_undo(tmp_path: Path, flag: tuple[str, ...]) -> None:
    root = tmp_path / "plain"
    write_tree(root, TREE)
    before = tree_bytes(root)
    proc = run_pathmove(root, "apply", *flag, check_rc=0)
    assert "verify: no stale references" in proc.stdout
    after = tree_bytes(root)
    expected = dict(before)
    for rel in ("a.csv", "run.log"):
        expected[f"outputs/HD/{rel}"] = expected.pop(f"outputs/hd_results/{rel}")
    expected["run.sh"] = ("file", b"cat outputs/HD/a.csv outputs/hd_results_v2/b.csv\n", before["run.sh"][2])
    expected["sub/keep.log"] = ("file", b"outputs/HD re-included by sub/.gitignore\n", before["sub/keep.log"][2])
    # ignored files keep their text; no journal or temporary file in the tree
    assert after == expected
    assert not (root / ".git").exists()
    run_pathmove(root, "verify", *flag, check_rc=0)
    run_pathmove(root, "undo", *flag, check_rc=0)
    assert tree_bytes(root) == before
    assert sorted(p.name for p in (root / "outputs").iterdir()) == ["hd_results", "hd_results_v2"]


def test_no_git_inside_a_repository_renames_without_staging(git_repo) -> None:
    root = git_repo({k: v for k, v in TREE.items() if not k.endswith(".log") and not k.startswith("cache")})
    run_pathmove(root, "apply", "--no-git", check_rc=0)
    assert (root / "outputs/HD/a.csv").read_text() == "x\n"
    from tests.conftest import git

    status = git(root, "status", "--porcelain")
    # a plain rename: git sees a deletion and an untracked folder, nothing staged
    assert " D outputs/hd_results/a.csv" in status and "?? outputs/HD/" in status
