"""scan: which files are listed, which are read, and as what (SPEC §4.5, STYLE §2 prefilter)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pathmove.mapping import from_pairs
from pathmove.scan import Scanner, Skip, Source, kind_of, list_files
from tests.conftest import git, write_tree

MAPPING = from_pairs([("outputs/hd_results", "outputs/HD")], archived=("docs/archive/**",),
                     exclude=("third_party/**",), source="migrations.yaml")


def test_git_lists_tracked_and_untracked_not_ignored(git_repo) -> None:
    root = git_repo({
        ".gitignore": "*.log\nbuild/\n",
        "a.py": "x\n",
        "sub/b.txt": "y\n",
        "forced.log": "z\n",
    })
    write_tree(root, {"new.txt": "n\n", "sub/new.md": "m\n", "run.log": "ignored\n", "build/out.txt": "ignored\n"})
    git(root, "add", "-f", "forced.log")
    git(root, "commit", "-qm", "force-add an ignored file")
    assert sorted(list_files(root, use_git=True)) == [
        ".gitignore", "a.py", "forced.log", "new.txt", "sub/b.txt", "sub/new.md"]


def test_git_lists_paths_with_odd_characters(git_repo) -> None:
    root = git_repo({"sp ace/ü.txt": "a\n", "new\nline.txt": "b\n", "[red].md": "c\n"})
    assert sorted(list_files(root, use_git=True)) == sorted(["sp ace/ü.txt", "new\nline.txt", "[red].md"])


def test_walk_honours_nested_gitignore(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".gitignore": "*.log\n/cache/\n",
        "a.txt": "a\n",
        "x.log": "ignored\n",
        "cache/c.txt": "ignored dir\n",
        "sub/cache/kept.txt": "/cache/ is anchored to the root\n",
        "sub/.gitignore": "tmp/\n!keep.log\n",
        "sub/keep.log": "re-included by the deeper file\n",
        "sub/drop.log": "still ignored\n",
        "sub/tmp/t.txt": "ignored by sub/.gitignore\n",
        "tmp/t.txt": "sub's pattern does not reach here\n",
        ".git/config": "never listed\n",
        "deep/.git/HEAD": "nested repository internals\n",
    })
    assert sorted(list_files(tmp_path, use_git=False)) == [
        ".gitignore", "a.txt", "sub/.gitignore", "sub/cache/kept.txt", "sub/keep.log", "tmp/t.txt"]


def test_walk_does_not_follow_symlinked_directories(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.txt": "outputs/hd_results\n"})
    root = tmp_path / "root"
    write_tree(root, {"a.txt": "a\n"})
    os.symlink(outside, root / "ext")
    assert sorted(list_files(root, use_git=False)) == ["a.txt", "ext"]
    src = Scanner(root, MAPPING, translate_moves=True).source("ext")
    # the link itself is the source: its target, never the files behind it
    assert src == Source("ext", "ext", os.fsencode(str(outside)), "symlink", False)


def test_scanner_skips_what_is_never_touched(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"f.txt": "outputs/hd_results\n"})
    root = tmp_path / "root"
    write_tree(root, {
        "migrations.yaml": "moves: outputs/hd_results\n",
        "third_party/lib.py": "outputs/hd_results\n",
        "img.png": b"\x89PNG\0outputs/hd_results",
        "late_nul.bin": b"outputs/hd_results " + b"x" * 9000 + b"\0",
        ".git/x": "outputs/hd_results\n",
    })
    os.symlink(outside, root / "ext")
    s = Scanner(root, MAPPING, translate_moves=True)
    assert s.source("migrations.yaml") is None
    assert s.source("third_party/lib.py") is None
    assert s.source(".git/x") is None
    assert s.source("img.png") == Skip("img.png", "binary")
    assert s.source("ext/f.txt") == Skip("ext/f.txt", "outside the root")
    assert s.source("deleted_but_tracked.txt") is None  # git still lists it; nothing to read
    # SPEC §4.5: only a NUL in the first 8 KiB makes a file binary
    late = s.source("late_nul.bin")
    assert isinstance(late, Source) and late.kind == "text"


def test_scanner_kinds_archived_and_prefilter(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "a.py": "p = 'outputs/hd_results'\n",
        "docs/archive/old.md": "outputs/hd_results\n",
        "docs/new.md": "outputs/hd_results\n",
        "plain.txt": "nothing to see\n",
        "outputs/hd_results/s.csv": "no reference inside\n",
    })
    s = Scanner(tmp_path, MAPPING, translate_moves=True)
    assert s.source("a.py") == Source("a.py", "a.py", b"p = 'outputs/hd_results'\n", "python", False)
    old = s.source("docs/archive/old.md")
    assert isinstance(old, Source) and old.archived and old.kind == "markdown"
    new = s.source("docs/new.md")
    assert isinstance(new, Source) and not new.archived
    # prefilter: no `from` component in the bytes → not read further ...
    assert s.source("plain.txt") is None
    assert isinstance(s.source("plain.txt", prefilter=False), Source)
    # ... unless the file itself moves
    moved = s.source("outputs/hd_results/s.csv")
    assert isinstance(moved, Source) and moved.new_path == "outputs/HD/s.csv"
    # verify mode: nothing moves
    assert Scanner(tmp_path, MAPPING, translate_moves=False).source("outputs/hd_results/s.csv") is None


@pytest.mark.parametrize(("path", "kind"), (
    ("a.py", "python"), ("a.PYI", "python"), ("c.yml", "yaml"), ("c.yaml", "yaml"), ("r.md", "markdown"),
    ("r.markdown", "markdown"), ("n.ipynb", "notebook"), ("run.sh", "text"), ("Makefile", "text"),
    (".gitignore", "text"), ("dir.py/file", "text"),
))
def test_kind_of(path: str, kind: str) -> None:
    assert kind_of(path) == kind
