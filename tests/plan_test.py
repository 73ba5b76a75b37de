"""plan: the mapping against the tree (SPEC §2) and every edit, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathmove import plan
from pathmove.errors import ConflictError
from pathmove.mapping import from_pairs
from tests.conftest import tree_bytes, write_tree


def moves_of(root: Path, pairs: list[tuple[str, str]]) -> list[tuple[str, str, str, bool]]:
    return [(m.old, m.new, m.status, m.is_dir) for m in plan.classify_moves(root, from_pairs(pairs))]


def test_move_and_already_moved(tmp_path: Path) -> None:
    write_tree(tmp_path, {"outputs/hd_results/a.csv": "a", "docs/figures/f.png": "b", "notes.txt": "c"})
    assert moves_of(tmp_path, [("outputs/hd_results", "outputs/HD"), ("docs/figs", "docs/figures"),
                               ("notes.txt", "docs/notes.txt")]) == [
        ("outputs/hd_results", "outputs/HD", "move", True),
        ("docs/figs", "docs/figures", "already", True),
        ("notes.txt", "docs/notes.txt", "move", False),
    ]


def test_swap_chain_and_nested_are_not_conflicts(tmp_path: Path) -> None:
    write_tree(tmp_path, {"m/north/a": "", "m/south/b": "", "g/next/c": "", "g/current/d": "",
                          "ocean/runs/x": "", "ocean/runs/spinup/y": ""})
    got = moves_of(tmp_path, [("m/north", "m/south"), ("m/south", "m/north"), ("g/next", "g/current"),
                              ("g/current", "g/v2023"), ("ocean/runs", "simulations/ocean"),
                              ("ocean/runs/spinup", "simulations/spinup")])
    assert [s for _, _, s, _ in got] == ["move"] * 6


def test_every_conflict_listed_at_once(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/f": "", "b/f": "", "c/f": "", "d": "a file", "e/f": ""})
    with pytest.raises(ConflictError) as info:
        plan.classify_moves(tmp_path, from_pairs([
            ("a", "b"),          # b exists and does not move away
            ("gone", "nowhere"),  # neither side exists
            ("c", "d/c"),        # a parent of the destination is a file
            ("e", "x/y"),        # fine
        ]))
    message = str(info.value)
    assert "moves[0]" in message and "'b' already exists" in message
    assert "moves[1]" in message and "neither 'gone' nor its destination 'nowhere'" in message
    assert "moves[2]" in message and "'d' is a file" in message
    assert "moves[3]" not in message


def test_destination_freed_by_another_move_is_not_a_conflict(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/f": "", "b/g": ""})
    assert [s for *_, s, _ in moves_of(tmp_path, [("a", "b"), ("b", "c")])] == ["move", "move"]


def test_collisions_between_results(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/f.txt": "1", "b/f.txt": "2", "a/g.txt": "3"})
    m = from_pairs([("a", "c"), ("b/f.txt", "c/f.txt")])
    moves = plan.classify_moves(tmp_path, m)
    with pytest.raises(ConflictError, match="'a/f.txt' and 'b/f.txt' would both become 'c/f.txt'"):
        plan.check_collisions(["a/f.txt", "a/g.txt", "b/f.txt"], m, moves, tmp_path)
    # a moved file landing on one that stays where it is
    write_tree(tmp_path, {"keep/f.txt": "4"})
    m2 = from_pairs([("a/f.txt", "keep/f.txt")])
    with pytest.raises(ConflictError):
        plan.classify_moves(tmp_path, m2)


def test_build_lists_edits_changes_nothing_and_holds_archived_back(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "migrations.yaml": "moves:\n  - from: outputs/hd_results\n    to: outputs/HD\n",
        "outputs/hd_results/README.txt": "here: outputs/hd_results\n",
        "run.sh": "cat outputs/hd_results/a outputs/hd_results_v2/b\n",
        "docs/archive/2023.txt": "outputs/hd_results and outputs/hd_results\n",
        "img.bin": b"\0outputs/hd_results",
    })
    before = tree_bytes(tmp_path)
    m = from_pairs([("outputs/hd_results", "outputs/HD")], archived=("docs/archive/**",), source="migrations.yaml")
    p = plan.build(tmp_path, m, mode="plan", use_git=False)
    assert tree_bytes(tmp_path) == before
    assert [(c.path, c.new_path, len(c.edits)) for c in p.changes] == [
        ("outputs/hd_results/README.txt", "outputs/HD/README.txt", 1), ("run.sh", "run.sh", 1)]
    assert p.changes[1].new_data == b"cat outputs/HD/a outputs/hd_results_v2/b\n"
    assert [(c.path, len(c.edits)) for c in p.archived] == [("docs/archive/2023.txt", 2)]
    assert p.files_listed == 5 and p.skips == []  # binaries are skipped silently in a full scan
    bulk = plan.build(tmp_path, m, mode="plan", use_git=False, archived_bulk=True)
    assert [c.path for c in bulk.changes if c.archived] == ["docs/archive/2023.txt"] and bulk.archived == []


def test_verify_mode_sees_the_tree_as_it_is(tmp_path: Path) -> None:
    write_tree(tmp_path, {"outputs/HD/a": "", "run.sh": "outputs/hd_results outputs/HD\n"})
    m = from_pairs([("outputs/hd_results", "outputs/HD")])
    v = plan.build(tmp_path, m, mode="verify", use_git=False)
    assert v.moves == [] and [(e.path, e.old) for e in v.edits] == [("run.sh", b"outputs/hd_results")]
    # check: only the named files are read
    only = plan.build(tmp_path, m, mode="verify", use_git=False, only=["outputs/HD/a"])
    assert only.edits == [] and only.files_listed == 1


def test_a_from_inside_its_own_destination_is_not_rewritten_twice(tmp_path: Path) -> None:
    write_tree(tmp_path, {"notes.md": "n\n", "data/raw/a": "", "README.txt":
                          "notes.md ./notes.md /abs/notes.md docs/notes.md data/raw old/data/raw\n"})
    m = from_pairs([("notes.md", "docs/notes.md"), ("data/raw", "old/data/raw")])
    p = plan.build(tmp_path, m, mode="plan", use_git=False)
    (change,) = p.changes
    # already-new spellings (`docs/notes.md`, `old/data/raw`) stay; an absolute prefix is still a reference
    assert change.new_data == b"docs/notes.md ./docs/notes.md /abs/docs/notes.md docs/notes.md old/data/raw old/data/raw\n"
    write_tree(tmp_path, {"docs/notes.md": "n\n", "old/data/raw/a": ""})
    (tmp_path / "README.txt").write_bytes(change.new_data)
    v = plan.build(tmp_path, m, mode="verify", use_git=False)
    assert v.edits == [] and v.reviews == []


def test_a_single_component_from_is_warned_about(tmp_path: Path) -> None:
    write_tree(tmp_path, {"data/a.csv": "x", "n.txt": "the data is in data/a.csv\n", "deep/x/f": ""})
    one = plan.build(tmp_path, from_pairs([("data", "datasets")]), use_git=False)
    assert [n.message for n in one.notices if "single path component" in n.message]
    assert len(one.edits) == 2  # SPEC §4 still decides: both words are references
    two = plan.build(tmp_path, from_pairs([("deep/x", "deep/y")]), use_git=False)
    assert not [n for n in two.notices if "single path component" in n.message]
