"""infer.fold on tables of renames, and the round trip on generated repositories."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathmove import infer, mapping
from pathmove.repo import Rename
from tests.conftest import git, write_tree


def fold(renames: list[tuple[str, str]], before: set[str], now: set[str], scores: dict[str, int] | None = None,
         same: set[tuple[str, str]] = frozenset()) -> list[tuple[str, str, int]]:
    """fold against an imaginary tree: `before` files at the revision, `now` files today."""
    dirs_now = {p.rsplit("/", k)[0] for p in now for k in range(1, p.count("/") + 1)}
    rs = [Rename(o, n, (scores or {}).get(o, 100)) for o, n in renames]
    moves = infer.fold(rs, before, lambda p: p in now or p in dirs_now, lambda p: p in dirs_now,
                       lambda o, n: (o, n) in same)
    return [(m.old, m.new, m.files) for m in moves]


def moved(before: set[str], pairs: dict[str, str]) -> set[str]:
    return {pairs.get(p, p) for p in before}


A = {"out/hd/a.csv", "out/hd/b.csv", "out/hd/sub/c.csv", "out/keep.txt"}


@pytest.mark.parametrize(("pairs", "before", "expected"), (
    pytest.param({"out/hd/a.csv": "out/HD/a.csv", "out/hd/b.csv": "out/HD/b.csv", "out/hd/sub/c.csv": "out/HD/sub/c.csv"},
                 A, [("out/hd", "out/HD", 3)], id="whole folder"),
    pytest.param({"out/hd/a.csv": "res/hd/a.csv", "out/hd/b.csv": "res/hd/b.csv", "out/hd/sub/c.csv": "res/hd/sub/c.csv"},
                 A, [("out/hd", "res/hd", 3)], id="folder to a new parent"),
    pytest.param({"out/hd/a.csv": "out/HD/a.csv", "out/hd/b.csv": "out/HD/b.csv"},
                 A, [("out/hd/a.csv", "out/HD/a.csv", 1), ("out/hd/b.csv", "out/HD/b.csv", 1)],
                 id="folder partly moved: file entries"),
    pytest.param({"out/hd/a.csv": "out/HD/a.csv", "out/hd/b.csv": "out/HD/b2.csv", "out/hd/sub/c.csv": "out/HD/sub/c.csv"},
                 A, [("out/hd", "out/HD", 2), ("out/hd/b.csv", "out/HD/b2.csv", 1)],
                 id="moved folder with a file renamed inside"),
    pytest.param({"out/hd/a.csv": "x/a.csv", "out/hd/b.csv": "y/b.csv", "out/hd/sub/c.csv": "y/sub/c.csv"},
                 A, [("out/hd", "y", 2), ("out/hd/a.csv", "x/a.csv", 1)], id="split, majority wins"),
    pytest.param({"out/hd/a.csv": "out/HD/a.csv", "out/hd/b.csv": "out/HD/b.csv", "out/hd/sub/c.csv": "out/HD/sub/c.csv"},
                 A | {"out/HD/old.csv"}, [("out/hd/a.csv", "out/HD/a.csv", 1), ("out/hd/b.csv", "out/HD/b.csv", 1),
                                          ("out/hd/sub", "out/HD/sub", 1)],
                 id="destination folder existed: no claim it was created"),
    pytest.param({"p/a/x/f": "q/a/x/f", "p/a/y/g": "q/a/y/g", "p/b": "q/b"},
                 {"p/a/x/f", "p/a/y/g", "p/b"}, [("p", "q", 3)], id="shallowest folder"),
    pytest.param({"docs/setup.md": "docs/guide/setup.md"}, {"docs/setup.md", "docs/index.md"},
                 [("docs/setup.md", "docs/guide/setup.md", 1)], id="single file"),
))
def test_fold(pairs: dict[str, str], before: set[str], expected: list[tuple[str, str, int]]) -> None:
    now = moved(before, pairs)
    assert fold(list(pairs.items()), before, now) == expected


def test_identical_files_paired_across_folders_still_fold() -> None:
    # two empty __init__.py: git may pair each with the other's new place
    before = {"a/__init__.py", "a/m.py", "b/__init__.py", "b/n.py"}
    pairs = {"a/__init__.py": "B/__init__.py", "b/__init__.py": "A/__init__.py", "a/m.py": "A/m.py", "b/n.py": "B/n.py"}
    same = {("a/__init__.py", "A/__init__.py"), ("b/__init__.py", "B/__init__.py")}
    assert fold(list(pairs.items()), before, moved(before, pairs), same=same) == [("a", "A", 2), ("b", "B", 2)]


def test_edited_files_are_counted() -> None:
    before = {"x/a", "x/b"}
    pairs = {"x/a": "y/a", "x/b": "y/b"}
    rs = [Rename("x/a", "y/a", 100), Rename("x/b", "y/b", 87)]
    now = moved(before, pairs)
    [m] = infer.fold(rs, before, lambda p: p in now or p == "y", lambda p: p == "y")
    assert (m.files, m.edited, m.min_score) == (2, 1, 87)
    assert "2 files, 1 edited too (similarity 87% or more)" in infer.to_yaml(infer.Inference("HEAD", "0" * 40, [m], rs))


@pytest.mark.parametrize("path", ("a b/c", "1.5", "null", "yes", "ab: c", "#c", "ünï/côdé", "-x", 'q"uote'))
def test_yaml_round_trips_odd_paths(path: str) -> None:
    inf = infer.Inference("HEAD", "0" * 40, [infer.InferredMove(path, path + "2", True, 1, 0, 100)], [])
    m = mapping.parse(infer.to_yaml(inf))
    assert [(e.old, e.new) for e in m.entries] == [(path, path + "2")]


# ---- round trip: random folder moves made with git mv → infer finds exactly them ------------
def _make_tree(rng: random.Random) -> list[str]:
    files = []
    dirs = [""]
    for i in range(rng.randint(4, 9)):
        parent = rng.choice(dirs)
        d = f"{parent}/d{i}" if parent else f"d{i}"
        dirs.append(d)
        for j in range(rng.randint(1, 3)):
            files.append(f"{d}/f{i}_{j}.txt")
    return files


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), how=st.sampled_from(["git mv", "mv", "commit"]))
def test_infer_recovers_the_moves_made(tmp_path_factory: pytest.TempPathFactory, seed: int, how: str) -> None:
    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("roundtrip")
    files = _make_tree(rng)
    write_tree(root, {f: f"content of {f}\n" + "x" * rng.randint(0, 50) + "\n" for f in files})
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    dirs = sorted({f.rsplit("/", 1)[0] for f in files})
    made: dict[str, str] = {}
    for k, src in enumerate(rng.sample(dirs, rng.randint(1, min(3, len(dirs))))):
        # disjoint moves: no source inside or around another move's source or destination
        if any(_near(src, p) for pair in made.items() for p in pair):
            continue
        dest_parent = rng.choice(["", "new", *[d for d in dirs if not _near(d, src)
                                               and not any(_near(d, p) for p in made)]])
        dst = f"{dest_parent}/moved{k}" if dest_parent else f"moved{k}"
        if any(_near(dst, p) for pair in made.items() for p in pair):
            continue
        (root / dst).parent.mkdir(parents=True, exist_ok=True)
        if how == "mv":
            os.rename(root / src, root / dst)
        else:
            git(root, "mv", src, dst)
        made[src] = dst
    if how == "commit":
        git(root, "commit", "-qm", "moves")
    result = infer.infer(root, "HEAD~1" if how == "commit" else "HEAD")
    assert {(m.old, m.new) for m in result.moves} == set(made.items())
    assert all(m.is_dir for m in result.moves)
    assert sum(m.files for m in result.moves) == len(result.renames)


def _near(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def test_no_repository_is_an_error(tmp_path: Path) -> None:
    from pathmove.errors import PathmoveError

    with pytest.raises(PathmoveError, match="git repository"):
        infer.infer(tmp_path)
    assert subprocess.run(["git", "status"], cwd=tmp_path, capture_output=True).returncode != 0
