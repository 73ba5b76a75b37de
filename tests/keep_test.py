"""SPEC §4 `pathmove: keep`, in every language, and edits.resolve_overlaps (one owner per span)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pathmove import plan as plan_mod
from pathmove.edits import Edit, keep_lines, resolve_overlaps, splice
from pathmove.mapping import from_pairs
from tests.conftest import run_pathmove, write_tree

MAPPING = from_pairs([("outputs/hd_results", "outputs/HD")])

KEPT = {
    "a.txt": b"old layout: outputs/hd_results  pathmove: keep\nnew: outputs/hd_results\n",
    "b.py": b'OLD = "outputs/hd_results"  # pathmove: keep\nNEW = "outputs/hd_results"\n',
    "c.yaml": b"old: outputs/hd_results  # pathmove: keep\nnew: outputs/hd_results\n",
    "d.md": b"Was [here](outputs/hd_results/x.csv) <!-- pathmove: keep -->\n\nNow outputs/hd_results.\n",
    "e.sh": b"cp -r outputs/hd_results /tmp  # pathmove: keep\nls outputs/hd_results\n",
    "f.ipynb": json.dumps({"cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": [
        "old outputs/hd_results <!-- pathmove: keep -->\n", "new outputs/hd_results\n"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1).encode() + b"\n",
}


def test_keep_lines_spans() -> None:
    data = b"a\nb pathmove: keep\r\nc\npathmove: keep"
    assert keep_lines(data) == [(2, 19), (22, 36)]
    assert keep_lines(b"pathmove:keep") == []


@pytest.mark.parametrize("name", sorted(KEPT))
def test_keep_line_is_never_rewritten(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, {name: KEPT[name], "outputs/HD/x.csv": b"x\n"})
    p = plan_mod.build(tmp_path, MAPPING, mode="plan", use_git=False)
    (change,) = p.changes
    new = change.new_data
    kept_line = KEPT[name].split(b"\n")[3 if name == "f.ipynb" else 0]
    assert kept_line in new  # byte for byte
    assert new.count(b"outputs/HD") == 1  # the other line is rewritten
    v = plan_mod.build(tmp_path, MAPPING, mode="verify", use_git=False)
    assert [e.path for e in v.edits] == [name]  # only the unkept line is stale
    (tmp_path / name).write_bytes(new)
    v = plan_mod.build(tmp_path, MAPPING, mode="verify", use_git=False)
    assert v.edits == [] and v.reviews == []  # the kept line counts as kept, not stale


def test_verify_and_check_count_kept_lines_as_kept(git_repo) -> None:
    root = git_repo({"notes.txt": "history: outputs/hd_results  (pathmove: keep)\n", "outputs/HD/a": "x\n",
                     "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n"})
    run_pathmove(root, "verify", check_rc=0)
    run_pathmove(root, "check", "notes.txt", check_rc=0)
    (root / "notes.txt").write_text("history: outputs/hd_results\n")
    run_pathmove(root, "check", "notes.txt", check_rc=1)


def _e(start: int, end: int, new: bytes, kind: str) -> Edit:
    data = b"REPO / 'outputs' / 'benchmark_results' / x"
    return Edit("m.py", start, end, data[start:end], new, kind)


def test_resolve_overlaps_keeps_the_wider_edit_and_the_rest_of_the_file() -> None:
    data = b"REPO / 'outputs' / 'benchmark_results' / x"
    chain = _e(7, 38, b"'outputs' / 'DLPFC'", "py-chain")
    inner = _e(20, 37, b"DLPFC", "py-string")
    partial = _e(8, 30, b"zzz", "other")
    far = _e(0, 4, b"ROOT", "py-name")
    got = resolve_overlaps([inner, chain, partial, far, chain])
    assert got == [far, chain]
    assert splice(data, got) == b"ROOT / 'outputs' / 'DLPFC' / x"


def test_resolve_overlaps_without_conflict_keeps_everything() -> None:
    a, b = _e(8, 15, b"o", "t"), _e(20, 37, b"D", "t")
    assert resolve_overlaps([b, a]) == [a, b]
