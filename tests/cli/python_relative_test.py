"""End to end (SPEC §4.1): a script moved one folder deeper still reads the files it
read before, through every form of path relative to itself; undo restores the tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, run_pathmove, tree_bytes

SCRIPT = '''\
"""Prints where each of its paths leads."""
import os
import sys
from os.path import dirname, join
from pathlib import Path

CFG = Path(__file__).parent.parent / "configs" / "a.yaml"
CFG2 = os.path.join(os.path.dirname(__file__), "..", "configs", "a.yaml")
ROOT = Path(__file__).resolve().parents[1]
CFG3 = ROOT / "configs" / "a.yaml"
HERE = os.path.dirname(os.path.abspath(__file__))
CFG4 = os.path.join(HERE, "../configs/a.yaml")
CFG5 = Path(__file__).absolute().parent.joinpath("..", "configs", "a.yaml")
CFG6 = join(dirname(dirname(os.path.realpath(__file__))), "configs", "b.yaml")
LOCAL = Path(__file__).parent / "local.txt"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shared  # noqa: E402  (found through the sys.path entry above)


def main():
    for name, p in (("CFG", CFG), ("CFG2", CFG2), ("CFG3", CFG3), ("CFG4", CFG4), ("CFG5", CFG5),
                    ("CFG6", CFG6), ("LOCAL", LOCAL), ("SHARED", shared.__file__)):
        print(name, os.path.realpath(p), os.path.exists(p))


if __name__ == "__main__":
    main()
'''

TREE: dict[str, bytes | str] = {
    "configs/a.yaml": "a: 1\n",
    "configs/b.yaml": "b: 2\n",
    "shared.py": "VALUE = 1\n",
    "scripts/run.py": SCRIPT,
    "scripts/local.txt": "beside the script\n",
}


def _run(root: Path, script: str) -> dict[str, tuple[str, bool]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run([sys.executable, script], cwd=root, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for line in proc.stdout.splitlines():
        name, path, exists = line.split(" ")
        out[name] = (os.path.relpath(path, os.path.realpath(root)), exists == "True")
    return out


REBASED = ["CFG", "CFG2", "ROOT", "HERE", "CFG5", "CFG6", "LOCAL",
           "sys.path.insert(0, str(Path(__file__).resolve().parents[1]))"]


@pytest.mark.parametrize(("moves", "renamed", "changed"), (
    ("  - from: scripts/run.py\n    to: scripts/train/run.py\n", {}, REBASED),
    ("  - from: scripts/run.py\n    to: scripts/train/run.py\n  - from: configs\n    to: conf\n",
     {"configs/a.yaml": "conf/a.yaml", "configs/b.yaml": "conf/b.yaml"},
     ["CFG", "CFG2", "ROOT", "CFG3", "HERE", "CFG4", "CFG5", "CFG6", "LOCAL", REBASED[-1]]),
), ids=("script moves", "script and configs move"))
def test_a_moved_script_reads_the_same_files(git_repo, moves: str, renamed: dict[str, str],  # type: ignore[no-untyped-def]
                                             changed: list[str]) -> None:
    root = git_repo({**TREE, "migrations.yaml": "moves:\n" + moves})
    before = _run(root, "scripts/run.py")
    assert before == {"CFG": ("configs/a.yaml", True), "CFG2": ("configs/a.yaml", True),
                      "CFG3": ("configs/a.yaml", True), "CFG4": ("configs/a.yaml", True),
                      "CFG5": ("configs/a.yaml", True), "CFG6": ("configs/b.yaml", True),
                      "LOCAL": ("scripts/local.txt", True), "SHARED": ("shared.py", True)}
    start = tree_bytes(root)

    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert plan["review"] == []
    assert {f["kind"] for f in plan["findings"]} >= {"py-relative"}
    run_pathmove(root, "apply", check_rc=0)
    run_pathmove(root, "verify", check_rc=0)

    after = _run(root, "scripts/train/run.py")
    assert after == {name: (renamed.get(path, path), exists) for name, (path, exists) in before.items()}
    moved = (root / "scripts/train/run.py").read_text()
    assert 'Path(__file__).parent.parent.parent / "' in moved
    assert "ROOT = Path(__file__).resolve().parents[2]\n" in moved
    assert "sys.path.insert(0, str(Path(__file__).resolve().parents[2]))\n" in moved
    assert 'LOCAL = Path(__file__).parent.parent / "local.txt"\n' in moved
    # nothing else in the script changed: the same lines, apart from the rewritten ones
    assert len(SCRIPT.splitlines()) == len(moved.splitlines())
    assert [a.split(" = ")[0] for a, b in zip(SCRIPT.splitlines(), moved.splitlines()) if a != b] == changed

    run_pathmove(root, "undo", check_rc=0)
    assert tree_bytes(root) == start
    assert git(root, "status", "--porcelain") == ""


def test_a_place_that_cannot_be_rebased_is_reviewed_until_it_changes(git_repo) -> None:  # type: ignore[no-untyped-def]
    root = git_repo({
        "configs/a.yaml": "a: 1\n",
        "scripts/run.py": 'from pathlib import Path\n\nUP = 1\nCFG = Path(__file__).parents[UP] / "configs" / "a.yaml"\n',
        "migrations.yaml": "moves:\n  - from: scripts/run.py\n    to: scripts/train/run.py\n",
    })
    plan = json.loads(run_pathmove(root, "plan", "--json", check_rc=0).stdout)
    assert [(r["path"], r["line"], r["kind"]) for r in plan["review"]] == [("scripts/run.py", 4, "py-review")]
    assert "parents" in plan["review"][0]["message"] and plan["findings"] == []

    run_pathmove(root, "apply", check_rc=1)  # moved, nothing rewritten, the place listed
    verify = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)
    assert [(r["path"], r["line"]) for r in verify["review"]] == [("scripts/train/run.py", 4)]

    moved = root / "scripts/train/run.py"
    moved.write_text(moved.read_text().replace("UP = 1", "UP = 2"))  # not the reviewed line: still listed
    run_pathmove(root, "verify", check_rc=1)
    moved.write_text(moved.read_text().replace("parents[UP]", "parents[2]"))  # a person fixed it
    run_pathmove(root, "verify", check_rc=0)
