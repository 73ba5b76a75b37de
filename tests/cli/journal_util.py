"""Helpers for the journal's end-to-end tests: a tree with every kind of step, whole snapshots."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import git, tree_bytes

# moves (a swap, a chain, nested froms, a plain move), rewrites, a symlink and an exec-bit file
MAPPING = """\
moves:
  - from: data/north
    to: data/south
  - from: data/south
    to: data/north
  - from: grids/next
    to: grids/current
  - from: grids/current
    to: grids/v2
  - from: ocean/runs
    to: sim/ocean
  - from: ocean/runs/spinup
    to: sim/spinup
  - from: out/hd_results
    to: out/HD
"""

TREE: dict[str, bytes | str] = {
    "migrations.yaml": MAPPING,
    "data/north/a.csv": "north,1\n",
    "data/north/NOTES.txt": "compare with data/south/a.csv; raw in data/north/a.csv\n",
    "data/north/latest": "link:a.csv",
    "data/south/a.csv": "south,2\n",
    "grids/next/g.cfg": "name = next\nreplaces = grids/current/g.cfg\n",
    "grids/current/g.cfg": "name = current\n",
    "ocean/runs/cfg.txt": "restart = ocean/runs/spinup/r.txt\r\nout = ocean/runs/hindcast\r\n",
    "ocean/runs/spinup/r.txt": "restart file\n",
    "out/hd_results/s.csv": "score\n",
    "run.sh": "#!/bin/sh\ncat data/north/a.csv data/south/a.csv out/hd_results/s.csv grids/next/g.cfg\n",
    "README.txt": "grids/current/g.cfg is in use; grids/next/g.cfg is next; ocean/runs/spinup; ocean/runs/x\n",
    "latest": "link:out/hd_results/s.csv",
    "docs/restart": "link:../ocean/runs/spinup/r.txt",
    "keep.txt": "unrelated: data/north_east and out/hd_results_v2\n",
}


def make_repo(git_repo: Any) -> Path:
    root = git_repo(TREE, commit=False)
    (root / "run.sh").chmod(0o755)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "start")
    return root


def snapshot(root: Path) -> dict[str, Any]:
    """Everything undo must restore and resume must reproduce: bytes, modes, links, folders, git."""
    dirs = set()
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = [d for d in dirnames if not (dirpath == str(root) and d == ".git")]
        for d in dirnames:
            full = os.path.join(dirpath, d)
            if not os.path.islink(full):
                dirs.add(os.path.relpath(full, root).replace(os.sep, "/"))
    status = ""
    if (root / ".git").exists():
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                                capture_output=True, text=True, check=True).stdout
    return {"files": tree_bytes(root), "dirs": sorted(dirs), "git": status}


def differences(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    out = []
    for path in sorted(set(want["files"]) | set(got["files"])):
        if want["files"].get(path) != got["files"].get(path):
            out.append(f"file {path}: {want['files'].get(path)!r} != {got['files'].get(path)!r}")
    if want["dirs"] != got["dirs"]:
        out.append(f"folders: extra {sorted(set(got['dirs']) - set(want['dirs']))}, "
                   f"missing {sorted(set(want['dirs']) - set(got['dirs']))}")
    if want["git"] != got["git"]:
        out.append(f"git status:\n{want['git']}---\n{got['git']}")
    return out


def copy_repo(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def journal_dir(root: Path) -> Path:
    return root / ".git" / "pathmove"


def durable_steps(root: Path) -> int:
    """plan.json, one per step, and the final "finished" line (the crash hook's count)."""
    header = json.loads((journal_dir(root) / "plan.json").read_text())
    return len(header["steps"]) + 2
