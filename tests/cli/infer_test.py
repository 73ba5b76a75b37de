"""End to end: `pathmove infer` on moves made by hand, by git mv, across a commit; then apply."""

from __future__ import annotations

import os

import yaml

from pathmove import finders
from tests.conftest import git, run_pathmove, tree_bytes

TREE = {
    "outputs/hd_results/a.csv": "a,1\n" * 20,
    "outputs/hd_results/b.csv": "b,2\n" * 20,
    "outputs/hd_results/plots/c.txt": "plot c\n" * 20,
    "outputs/hd_results_v2/keep.csv": "v2\n",
    "docs/setup.md": "# Setup\n\nSee [scores](../outputs/hd_results/a.csv).\n" + "text\n" * 20,
    "docs/index.md": "Start with [setup](setup.md).\n",
    "scripts/run.py": 'SRC = "outputs/hd_results/a.csv"\nOLD = "outputs/hd_results_v2/keep.csv"\n',
}


def moves(stdout: str) -> list[tuple[str, str]]:
    return [(e["from"], e["to"]) for e in yaml.safe_load(stdout)["moves"]]


def test_git_mv_then_apply_rewrites_and_verifies(git_repo) -> None:
    root = git_repo(TREE)
    git(root, "mv", "outputs/hd_results", "outputs/HD")
    git(root, "mv", "docs/setup.md", "docs/guide-setup.md")
    proc = run_pathmove(root, "infer", check_rc=0)
    assert moves(proc.stdout) == [("docs/setup.md", "docs/guide-setup.md"), ("outputs/hd_results", "outputs/HD")]
    assert "outputs/hd_results  # folder, 3 files\n" in proc.stdout
    assert "docs/setup.md  # 1 file\n" in proc.stdout

    run_pathmove(root, "infer", "--write", check_rc=0)
    assert moves((root / "migrations.yaml").read_text()) == moves(proc.stdout)
    before = tree_bytes(root)
    run_pathmove(root, "apply", check_rc=0)  # the hand-made moves do not make the tree dirty
    after = tree_bytes(root)
    assert after["scripts/run.py"][1] == b'SRC = "outputs/HD/a.csv"\nOLD = "outputs/hd_results_v2/keep.csv"\n'
    if "markdown" in finders.REGISTRY:  # a relative link needs the Markdown finder (SPEC §4.3)
        assert after["docs/index.md"][1] == b"Start with [setup](guide-setup.md).\n"
    assert after["docs/guide-setup.md"][1].startswith(b"# Setup\n\nSee [scores](../outputs/HD/a.csv).\n")
    assert set(after) - {"migrations.yaml"} == set(before) - {"migrations.yaml"}  # nothing moved again
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "undo", check_rc=0)
    assert tree_bytes(root) == before


def test_moved_by_hand_pairs_untracked_files(git_repo) -> None:
    root = git_repo(TREE)
    os.rename(root / "outputs/hd_results", root / "outputs/HD")  # a file manager: git sees deletes + untracked
    status = git(root, "status", "--porcelain")
    assert "?? outputs/HD/" in status
    proc = run_pathmove(root, "infer", check_rc=0)
    assert moves(proc.stdout) == [("outputs/hd_results", "outputs/HD")]
    assert git(root, "status", "--porcelain") == status  # the index is not touched


def test_across_a_commit_with_small_edits(git_repo) -> None:
    root = git_repo(TREE)
    git(root, "mv", "outputs/hd_results", "results")
    (root / "results/a.csv").write_text("a,1\n" * 19 + "a,one\n")  # edited after the move, still similar
    git(root, "commit", "-qam", "reorganise")
    proc = run_pathmove(root, "infer", check_rc=1)  # nothing since HEAD
    assert "no renames between HEAD" in proc.stderr
    proc = run_pathmove(root, "infer", "HEAD~1", check_rc=0)
    assert moves(proc.stdout) == [("outputs/hd_results", "results")]
    assert "3 files, 1 edited too" in proc.stdout


def test_partial_move_stays_file_entries(git_repo) -> None:
    root = git_repo(TREE)
    (root / "outputs/HD").mkdir()
    git(root, "mv", "outputs/hd_results/a.csv", "outputs/HD/a.csv")
    proc = run_pathmove(root, "infer", check_rc=0)
    assert moves(proc.stdout) == [("outputs/hd_results/a.csv", "outputs/HD/a.csv")]
    run_pathmove(root, "infer", "--write", check_rc=0)
    run_pathmove(root, "apply", check_rc=0)
    assert (root / "scripts/run.py").read_text().startswith('SRC = "outputs/HD/a.csv"\n')
    assert (root / "docs/setup.md").read_text().startswith("# Setup\n\nSee [scores](../outputs/HD/a.csv).\n")


def test_no_renames_and_overwrite_refused(git_repo) -> None:
    root = git_repo(TREE)
    proc = run_pathmove(root, "infer", check_rc=1)
    assert "nothing to infer" in proc.stderr and proc.stdout == ""
    (root / "outputs/hd_results/a.csv").unlink()  # a delete is not a rename
    run_pathmove(root, "infer", check_rc=1)

    git(root, "checkout", "--", ".")
    git(root, "mv", "outputs/hd_results", "outputs/HD")
    (root / "migrations.yaml").write_text("# my plan\n")
    proc = run_pathmove(root, "infer", "--write", check_rc=2)
    assert "already exists" in proc.stderr and "--force" in proc.stderr
    assert (root / "migrations.yaml").read_text() == "# my plan\n"
    run_pathmove(root, "infer", "--write", "--force", check_rc=0)
    assert moves((root / "migrations.yaml").read_text()) == [("outputs/hd_results", "outputs/HD")]
    proc = run_pathmove(root, "infer", "--write", "-m", "meta/moves.yaml", check_rc=2)
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    (root / "meta").mkdir()
    run_pathmove(root, "infer", "--write", "-m", "meta/moves.yaml", check_rc=0)
    assert (root / "meta/moves.yaml").read_text() == (root / "migrations.yaml").read_text()


def test_bad_revision_is_named(git_repo) -> None:
    root = git_repo(TREE)
    proc = run_pathmove(root, "infer", "no-such-branch", check_rc=2)
    assert "no-such-branch" in proc.stderr and "Traceback" not in proc.stderr


def test_other_uncommitted_work_still_makes_the_tree_dirty(git_repo) -> None:
    root = git_repo(TREE)
    git(root, "mv", "outputs/hd_results", "outputs/HD")
    run_pathmove(root, "infer", "--write", check_rc=0)
    (root / "docs/index.md").write_text("unsaved work\n")
    before = tree_bytes(root)
    proc = run_pathmove(root, "apply", check_rc=2)
    assert "docs/index.md" in proc.stderr and "outputs/HD" not in proc.stderr
    assert tree_bytes(root) == before


def test_infer_writes_nothing(git_repo) -> None:
    root = git_repo(TREE)
    os.rename(root / "outputs/hd_results", root / "outputs/HD")
    (root / "outputs/HD/a.csv").write_text("a,1\n" * 19 + "edited\n")
    git(root, "mv", "docs/setup.md", "docs/guide.md")

    def objects() -> set[str]:
        return {os.path.join(d, f) for d, _, fs in os.walk(root / ".git/objects") for f in fs}

    before, index = objects(), (root / ".git/index").read_bytes()
    proc = run_pathmove(root, "infer", check_rc=0)
    assert moves(proc.stdout) == [("docs/setup.md", "docs/guide.md"), ("outputs/hd_results", "outputs/HD")]
    empty_blob = str(root / ".git/objects/e6/9de29bb2d1d6434b8b29ae775ad8c2e48c5391")  # what "intent to add" records
    assert objects() - {empty_blob} == before and (root / ".git/index").read_bytes() == index


def _move_5000_edited(root) -> None:
    """5,000 files moved to new names and edited: only git's inexact detection can pair them."""
    for i in range(5000):
        old = root / "big" / f"f{i:04d}.txt"
        new = root / "moved" / f"g{i:04d}.txt"
        new.parent.mkdir(exist_ok=True)
        new.write_bytes(old.read_bytes() + b"edited\n")
        old.unlink()
    (root / "big").rmdir()


def _big_repo(git_repo):
    return git_repo({f"big/f{i:04d}.txt": f"file {i}\n" + "a line every file shares\n" * 5 for i in range(5000)})


def test_infer_5000_edited_moves_past_git_default_rename_limit(git_repo) -> None:
    root = _big_repo(git_repo)
    _move_5000_edited(root)
    proc = run_pathmove(root, "infer", check_rc=0)
    found = moves(proc.stdout)  # every file renamed too: one entry per file, all of them
    assert found == [(f"big/f{i:04d}.txt", f"moved/g{i:04d}.txt") for i in range(5000)], proc.stdout[:500]
    assert "gave up" not in proc.stdout + proc.stderr


def test_infer_says_when_git_gave_up_on_renames(git_repo) -> None:
    from pathmove import infer, repo

    root = git_repo({f"d/f{i}.txt": f"file {i}\n" + "shared\n" * 5 for i in range(30)})
    for i in range(30):
        (root / f"e{i}.txt").write_bytes((root / f"d/f{i}.txt").read_bytes() + b"edited\n")
        (root / f"d/f{i}.txt").unlink()
    commit = repo.resolve_commit(root, "HEAD")
    found = repo.renames_since(root, commit, rename_limit=5)  # what git's default does to 5,000
    assert found.renames == [] and "rename detection was skipped" in found.warning
    assert len(repo.renames_since(root, commit).renames) == 30
    text = infer.to_yaml(infer.Inference("HEAD", commit, [], [], found.warning))
    assert "# WARNING: git gave up on rename detection" in text and "diff.renameLimit" in text
