"""Common options before or after the command; --help and --version (SPEC §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import git, run_pathmove, tree_bytes

MAPPING = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"
TREE = {"meta/moves.yaml": MAPPING, "outputs/hd_results/a.csv": "x\n", "run.sh": "cat outputs/hd_results/a.csv\n"}


@pytest.mark.parametrize("args", (
    pytest.param(("--root", "{root}", "-m", "{root}/meta/moves.yaml", "plan", "--json"), id="both before"),
    pytest.param(("plan", "--json", "--root", "{root}", "--mapping", "{root}/meta/moves.yaml"), id="both after"),
    pytest.param(("--root", "{root}", "plan", "-m", "{root}/meta/moves.yaml", "--json"), id="root before, -m after"),
    pytest.param(("--mapping", "{root}/meta/moves.yaml", "plan", "--root", "{root}", "--json"), id="-m before, root after"),
))
def test_root_and_mapping_either_side(git_repo, tmp_path: Path, args: tuple[str, ...]) -> None:
    root = git_repo(TREE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run_pathmove(root, *(a.format(root=root) for a in args), cwd=elsewhere, check_rc=0)
    doc = json.loads(proc.stdout)
    assert [(f["path"], f["old"], f["new"]) for f in doc["findings"]] == [("run.sh", "outputs/hd_results", "outputs/HD")]
    assert doc["moves"] == [{"from": "outputs/hd_results", "to": "outputs/HD", "status": "move", "type": "dir"}]


def test_mapping_relative_to_cwd_and_default_root_from_a_subfolder(git_repo) -> None:
    root = git_repo(TREE)
    # from a subfolder: the root is the git top-level, -m is relative to where we stand
    proc = run_pathmove(root, "apply", "-m", "../meta/moves.yaml", cwd=root / "outputs", check_rc=0)
    assert "verify: no stale references" in proc.stdout
    assert (root / "run.sh").read_text() == "cat outputs/HD/a.csv\n"
    assert (root / "meta/moves.yaml").read_text() == MAPPING  # the mapping file is never rewritten
    # after apply: plan says "already moved", exit 0
    doc = json.loads(run_pathmove(root, "plan", "--json", "-m", "meta/moves.yaml", check_rc=0).stdout)
    assert doc["moves"][0]["status"] == "already" and doc["findings"] == []
    run_pathmove(root, "verify", "--mapping", "meta/moves.yaml", check_rc=0)


@pytest.mark.parametrize("command", ("plan", "apply", "verify", "check", "undo", "demo"))
def test_help_on_every_command(tmp_path: Path, command: str) -> None:
    proc = run_pathmove(tmp_path, command, "--help", check_rc=0)
    assert f"Usage: pathmove {command}" in proc.stdout and "--help" in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_version_and_bare_help(tmp_path: Path) -> None:
    from pathmove import __version__

    assert run_pathmove(tmp_path, "--version", check_rc=0).stdout == f"pathmove {__version__}\n"
    top = run_pathmove(tmp_path, "--help", check_rc=0).stdout
    for command in ("plan", "apply", "verify", "check", "demo", "--root", "--mapping"):
        assert command in top


def test_plan_with_diff_changes_nothing(git_repo) -> None:
    root = git_repo({**TREE, "migrations.yaml": MAPPING})
    before = tree_bytes(root)
    out = run_pathmove(root, "plan", "--diff", check_rc=0, env={"NO_COLOR": "1"}).stdout
    assert "-cat outputs/hd_results/a.csv" in out and "+cat outputs/HD/a.csv" in out
    assert tree_bytes(root) == before and git(root, "status", "--porcelain") == ""
