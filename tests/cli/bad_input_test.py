"""Every bad input: exit 2, one clear message, and nothing changed anywhere (SPEC §2, §3, §5)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import git, run_pathmove, tree_bytes, write_tree

GOOD = "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"
TREE = {
    "outputs/hd_results/a.csv": "x\n",
    "outputs/benchmark_results/b.csv": "y\n",
    "outputs/DLPFC/keep.txt": "an existing folder\n",
    "run.sh": "cat outputs/hd_results/a.csv outputs/benchmark_results/b.csv\n",
}


def entry(old: str, new: str) -> str:
    return f"  - from: {old}\n    to: {new}\n"


# (mapping text, fragments of the one error line)
CASES = (
    pytest.param("moves:\n  - from: a\n   to: b\n", ("not valid YAML",), id="bad YAML"),
    pytest.param(GOOD + "exclud:\n  - x\n", ("unknown top-level key", "'exclud'"), id="unknown top-level key"),
    pytest.param(GOOD + "  - from: outputs/x\n    too: outputs/y\n", ("moves[1]", "line 4", "'too'"),
                 id="unknown entry key"),
    pytest.param(GOOD + "  - to: outputs/y\n", ("moves[1]", "missing `from:`"), id="missing from"),
    pytest.param(GOOD + "  - from: outputs/benchmark_results\n", ("moves[1]", "missing `to:`"), id="missing to"),
    pytest.param("moves:\n  from: a\n  to: b\n", ("`moves` must be a list",), id="moves not a list"),
    pytest.param("moves: []\n", ("`moves` is empty",), id="empty moves"),
    pytest.param("", ("empty",), id="empty file"),
    pytest.param(GOOD + entry("/abs/outputs", "outputs/y"), ("moves[1]", "'/abs/outputs'", "absolute"),
                 id="absolute from"),
    pytest.param(GOOD + entry("outputs/benchmark_results", "/tmp/DLPFC"), ("moves[1]", "'/tmp/DLPFC'", "absolute"),
                 id="absolute to"),
    pytest.param(GOOD + entry("outputs/benchmark_results", "../outside"), ("moves[1]", "'../outside'", ".."),
                 id="to escapes the root"),
    pytest.param(entry("outputs/../run.sh", "x.sh").join(("moves:\n", "")), ("moves[0]", "'outputs/../run.sh'"),
                 id="'..' segment"),
    pytest.param(GOOD + entry("outputs/link/x", "outputs/y"), ("moves[1]", "'outputs/link/x'", "outside the root"),
                 id="escape through a symlink"),
    pytest.param(GOOD + entry("'outputs\\benchmark_results'", "outputs/y"), ("moves[1]", "POSIX"), id="backslashes"),
    pytest.param(GOOD + entry("outputs/hd_results", "outputs/other"), ("moves[1]", "duplicate `from`"),
                 id="duplicate from"),
    pytest.param(GOOD + entry("outputs/benchmark_results", "outputs/HD"), ("moves[1]", "duplicate `to`", "'outputs/HD'"),
                 id="duplicate to"),
    pytest.param(GOOD + entry("outputs/benchmark_results", "./outputs/benchmark_results/"),
                 ("moves[1]", "same path"), id="from == to"),
    pytest.param(GOOD + entry("outputs/benchmark_results", "outputs/DLPFC"),
                 ("moves[1]", "'outputs/DLPFC' already exists"), id="destination exists"),
    pytest.param(GOOD + entry("outputs/rm_ideal_benchmark", "outputs/rm_ideal/cross_section"),
                 ("moves[1]", "neither 'outputs/rm_ideal_benchmark' nor its destination"), id="from missing, no to"),
    pytest.param(GOOD + entry("outputs/benchmark_results", "run.sh/DLPFC"), ("moves[1]", "'run.sh' is a file"),
                 id="destination under a file"),
)


def snapshot(tmp_path: Path, root: Path) -> tuple[dict, bytes, str]:
    """Everything under tmp_path (the repository, its .git and the folder beside it), and git's view."""
    return tree_bytes(tmp_path), (root / ".git" / "index").read_bytes(), git(root, "status", "--porcelain")


def assert_one_clear_message(proc: subprocess.CompletedProcess[str], fragments: tuple[str, ...]) -> None:
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.startswith("error: ")
    assert proc.stderr.count("error:") == 1
    for fragment in fragments:
        assert fragment in proc.stderr, (fragment, proc.stderr)


@pytest.fixture
def repo_beside_outside(git_repo, tmp_path: Path) -> Path:
    write_tree(tmp_path, {"outside/data.txt": "outputs/hd_results\n"})
    root = git_repo(TREE)
    (root / "outputs" / "link").symlink_to(tmp_path / "outside")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "link")
    return root


@pytest.mark.parametrize(("text", "fragments"), CASES)
def test_bad_mapping_exit_2_nothing_changed(repo_beside_outside: Path, tmp_path: Path, text: str,
                                            fragments: tuple[str, ...]) -> None:
    root = repo_beside_outside
    (root / "migrations.yaml").write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "mapping", "--allow-empty")
    before = snapshot(tmp_path, root)
    for command in ("apply", "plan"):
        assert_one_clear_message(run_pathmove(root, command), fragments)
    assert snapshot(tmp_path, root) == before


def test_missing_mapping_file(repo_beside_outside: Path, tmp_path: Path) -> None:
    root = repo_beside_outside
    before = snapshot(tmp_path, root)
    for args in (("apply",), ("verify",), ("-m", "meta/nope.yaml", "apply"), ("check", "run.sh")):
        proc = run_pathmove(root, *args)
        assert_one_clear_message(proc, ("mapping file not found",))
    assert snapshot(tmp_path, root) == before


def test_root_that_does_not_exist(tmp_path: Path) -> None:
    write_tree(tmp_path, {"migrations.yaml": GOOD})
    before = tree_bytes(tmp_path)
    for args in (("--root", "no/such/dir", "apply"), ("apply", "--root", str(tmp_path / "gone")),
                 ("--root", "migrations.yaml", "plan")):
        proc = run_pathmove(tmp_path, *args)
        assert_one_clear_message(proc, ("root",))
    assert tree_bytes(tmp_path) == before


def test_mapping_checked_before_the_dirty_tree(repo_beside_outside: Path, tmp_path: Path) -> None:
    """Exit 2 for a bad mapping even on a dirty tree, and the uncommitted edit survives."""
    root = repo_beside_outside
    (root / "migrations.yaml").write_text(GOOD + entry("outputs/hd_results", "x"))
    (root / "run.sh").write_text("edited, not committed\n")
    before = snapshot(tmp_path, root)
    assert_one_clear_message(run_pathmove(root, "apply", "--allow-dirty"), ("duplicate `from`",))
    assert snapshot(tmp_path, root) == before
