"""Moves through real `git mv` (SPEC §2, §5): nested froms, swap, chain, history kept, symlinks re-pointed."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import git, run_pathmove, tree_bytes

ROTATE = """moves:
  - from: moorings/north
    to: moorings/south
  - from: moorings/south
    to: moorings/north
  - from: grids/next
    to: grids/current
  - from: grids/current
    to: grids/v2023
  - from: ocean/runs
    to: simulations/ocean
  - from: ocean/runs/spinup
    to: simulations/spinup
"""


def lines(n: int, tag: str) -> str:
    return "".join(f"{tag} measurement {i}, station data {i * 7}\n" for i in range(n))


TREE = {
    "migrations.yaml": ROTATE,
    "moorings/north/n_adcp.csv": lines(12, "north"),
    "moorings/south/s_ctd.csv": lines(12, "south"),
    "moorings/north_east/ne.csv": "decoy\n",
    "grids/next/next.nc.txt": lines(12, "next"),
    "grids/current/current.nc.txt": lines(12, "current"),
    "ocean/runs/r1/log.txt": lines(12, "r1"),
    "ocean/runs/spinup/s.txt": lines(12, "spinup"),
    "ocean/runs/spinup_v0/v.txt": lines(12, "v0"),
    "analysis.sh": (
        "cp moorings/north/n_adcp.csv moorings/south/s_ctd.csv moorings/north_east/ne.csv\n"
        "diff grids/next grids/current grids/nextgen\n"
        "ls ocean/runs ocean/runs/spinup ocean/runs/spinup_v0 ocean/runs_old\n"
    ),
}
EXPECTED_SH = (
    b"cp moorings/south/n_adcp.csv moorings/north/s_ctd.csv moorings/north_east/ne.csv\n"
    b"diff grids/current grids/v2023 grids/nextgen\n"
    b"ls simulations/ocean simulations/spinup simulations/ocean/spinup_v0 ocean/runs_old\n"
)
WHERE = {  # old path → new path
    "moorings/north/n_adcp.csv": "moorings/south/n_adcp.csv",
    "moorings/south/s_ctd.csv": "moorings/north/s_ctd.csv",
    "grids/next/next.nc.txt": "grids/current/next.nc.txt",
    "grids/current/current.nc.txt": "grids/v2023/current.nc.txt",
    "ocean/runs/r1/log.txt": "simulations/ocean/r1/log.txt",
    "ocean/runs/spinup/s.txt": "simulations/spinup/s.txt",
    "ocean/runs/spinup_v0/v.txt": "simulations/ocean/spinup_v0/v.txt",
}


def test_swap_chain_nested_with_history(git_repo) -> None:
    root = git_repo(TREE)
    before = tree_bytes(root)
    run_pathmove(root, "apply", check_rc=0)
    after = tree_bytes(root)
    for old, new in WHERE.items():
        assert after[new] == before[old], new
    assert after["moorings/north_east/ne.csv"] == before["moorings/north_east/ne.csv"]
    assert after["analysis.sh"][1] == EXPECTED_SH
    assert not (root / "ocean" / "runs").exists() and not (root / "grids" / "next").exists()
    # every move went through git: the index holds the renames
    staged = git(root, "diff", "--cached", "--name-status", "-M")
    for old, new in WHERE.items():
        assert f"{old}\t{new}" in staged, (old, new, staged)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "migrate")
    for old, new in WHERE.items():
        log = git(root, "log", "--follow", "--name-only", "--format=%s", "--", new)
        assert log.split() == ["migrate", new, "start", old], log
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "apply", check_rc=0)  # again: nothing changes
    assert tree_bytes(root) == after


def test_symlinks_repointed(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": "moves:\n  - from: runs/checkpoints_old\n    to: checkpoints/pi05\n",
        "runs/checkpoints_old/step_9/model.txt": "weights\n",
        "runs/checkpoints_old/latest": "link:step_9",
        "runs/checkpoints_old/cfg": "link:../../configs/a.yaml",
        "runs/latest": "link:checkpoints_old/step_9",
        "configs/a.yaml": "a: 1\n",
        "outside": "link:../elsewhere/runs/checkpoints_old",
    })
    run_pathmove(root, "apply", check_rc=0)
    # a relative link inside the moved folder still reaches its sibling
    assert os.readlink(root / "checkpoints/pi05/latest") == "step_9"
    assert (root / "checkpoints/pi05/latest/model.txt").read_text() == "weights\n"
    assert os.readlink(root / "checkpoints/pi05/cfg") == "../../configs/a.yaml"
    assert (root / "checkpoints/pi05/cfg").read_text() == "a: 1\n"
    # a link pointing into the moved folder is re-pointed; one out of the root is left alone
    assert os.readlink(root / "runs/latest") == "../checkpoints/pi05/step_9"
    assert (root / "runs/latest/model.txt").read_text() == "weights\n"
    assert os.readlink(root / "outside") == "../elsewhere/runs/checkpoints_old"
    run_pathmove(root, "verify", check_rc=0)


def test_file_move_creates_parents_and_already_moved(git_repo) -> None:
    root = git_repo({
        "migrations.yaml": ("moves:\n  - from: notes.md\n    to: docs/deep/er/notes.md\n"
                            "  - from: docs/figs\n    to: docs/figures\n"),
        "notes.md": "# notes\n",
        "docs/figures/f.txt": "moved by hand already\n",
        "README.txt": "see notes.md and docs/figs/f.txt\n",
    })
    run_pathmove(root, "apply", check_rc=0)
    assert (root / "docs/deep/er/notes.md").read_text() == "# notes\n" and not (root / "notes.md").exists()
    assert (root / "README.txt").read_text() == "see docs/deep/er/notes.md and docs/figures/f.txt\n"
    assert "R  notes.md -> docs/deep/er/notes.md" in git(root, "status", "--short")
    # `notes.md` now sits at a component boundary inside its own new path: not stale
    run_pathmove(root, "verify", check_rc=0)


def test_partly_tracked_folder_moves_whole(git_repo) -> None:
    root = git_repo({"migrations.yaml": "moves:\n  - from: data/raw\n    to: data/v1\n",
                     ".gitignore": "*.tmp\n", "data/raw/a.csv": "a\n"})
    (root / "data/raw/untracked.csv").write_text("u\n")
    (root / "data/raw/ignored.tmp").write_text("i\n")
    run_pathmove(root, "apply", check_rc=0)
    assert sorted(p.name for p in (root / "data/v1").iterdir()) == ["a.csv", "ignored.tmp", "untracked.csv"]
    assert not Path(root / "data/raw").exists()
