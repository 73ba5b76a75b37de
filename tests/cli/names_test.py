"""SPEC §5: exit 2 means nothing changed. Every mapping the filesystem or git cannot carry out
is refused before the first write: the tree, the git index and the journal folder stay
byte-for-byte as they were (here: the finished journal of an earlier apply)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cli.journal_util import journal_dir
from tests.conftest import BIN, git, run_pathmove, tree_bytes

DEEP = "/".join(["deep" + "d" * 195] * 15)  # a path of about 3,000 bytes under data/raw
TREE: dict[str, bytes | str] = {
    "data/raw/a.csv": "x,1\n",
    "data/raw/" + DEEP + "/f.txt": "deep\n",
    "data/north/n.csv": "north\n",
    "data/south/s.csv": "south\n",
    "old/notes.txt": "see old/notes.txt and data/raw/a.csv\n",
    "run.sh": "cat data/raw/a.csv data/north/n.csv\n",
}


def _mapping(pairs: list[tuple[str, str]]) -> str:
    # JSON strings are YAML double-quoted scalars: escapes such as \0 and \ud800 reach the loader
    import json

    return "moves:\n" + "".join(f"  - from: {json.dumps(a)}\n    to: {json.dumps(b)}\n" for a, b in pairs)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("names")
    root = base / "repo"
    root.mkdir()
    env = {"HOME": str(base), "GIT_CONFIG_GLOBAL": str(base / ".gitconfig"),
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@e",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@e", "XDG_STATE_HOME": str(base / ".state"),
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    with pytest.MonkeyPatch.context() as mp:  # the autouse isolation is per test; this runs once
        for k, v in env.items():
            mp.setenv(k, v)
        from tests.conftest import write_tree

        write_tree(root, TREE)
        git(root, "-c", "init.defaultBranch=main", "init", "-q")
        git(root, "config", "commit.gpgSign", "false")
        git(root, "add", "-A")
        git(root, "commit", "-q", "--no-verify", "-m", "start")
        # an earlier, finished apply: its journal must survive a refused one untouched
        (root / "first.yaml").write_text(_mapping([("old", "archive/old")]))
        run_pathmove(root, "apply", "-m", "first.yaml", check_rc=0)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--no-verify", "-m", "first")
    assert (journal_dir(root) / "plan.json").is_file()
    return root


def _state(root: Path) -> tuple[dict[str, tuple[str, bytes, int]], bytes, dict[str, tuple[str, bytes, int]]]:
    return tree_bytes(root), (root / ".git" / "index").read_bytes(), tree_bytes(journal_dir(root))


CASES = [
    pytest.param([("data/raw", "data/" + "n" * 256)], "256 bytes", id="component over 255 bytes"),
    pytest.param([("data/raw", "data/" + "é" * 128)], "256 bytes", id="component of 128 two-byte characters"),
    pytest.param([("data/raw", "/".join(["p" * 200] * 21))], "the filesystem holds at most", id="whole path too long"),
    pytest.param([("data/raw", "/".join(["q" * 250] * 5))], "makes a path of",
                 id="a file carried along gets a path too long"),
    pytest.param([("data/raw", "data/.git/raw")], "git refuses the path", id=".git component"),
    pytest.param([("data/raw", "data/git~1")], "git refuses the path", id="NTFS short name of .git"),
    pytest.param([("data/raw", "data/a\u0000b")], "control character", id="NUL"),
    pytest.param([("data/raw", "data/a\ud800b")], "not valid YAML", id="lone surrogate"),
    pytest.param([("data", "data/v1")], "inside its own `from`", id="to inside its own from"),
    pytest.param([("data/north", "data/south"), ("data/south", "data/north")], ".pathmove-staging exists",
                 id="staging folder taken"),
    pytest.param([("data/raw", "data/raw2")], "read-only: run.sh", id="read-only file to rewrite"),
]


@pytest.mark.parametrize(("pairs", "message"), CASES)
def test_refused_before_the_first_write(template: Path, tmp_path: Path, pairs: list[tuple[str, str]],
                                        message: str) -> None:
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    (root / "bad.yaml").write_text(_mapping(pairs), encoding="utf-8", errors="surrogatepass")
    if "staging" in message:
        (root / ".pathmove-staging").mkdir()
    if "read-only" in message:
        (root / "run.sh").chmod(0o444)
    before = _state(root)
    # plan lists read-only files among its findings; apply refuses them
    for command in ("apply",) if "read-only" in message else ("plan", "apply"):
        proc = run_pathmove(root, command, "-m", "bad.yaml")
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert _state(root) == before  # tree, index, journal: byte for byte
    proc = run_pathmove(root, "undo", check_rc=0)  # the earlier apply is still undoable
    assert "undone" in proc.stdout
    assert not (root / "archive").exists() and (root / "old" / "notes.txt").is_file()
