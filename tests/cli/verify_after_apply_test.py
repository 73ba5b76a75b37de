"""verify after a swap or a chain (SPEC §3): the journal's spans tell current from stale."""

from __future__ import annotations

import json
import shutil

from tests.cli.journal_util import journal_dir, make_repo
from tests.conftest import run_pathmove

STALE = b"\nThe grid in use was grids/current/g.cfg before.\n"


def _applied(git_repo):
    root = make_repo(git_repo)
    run_pathmove(root, "apply", check_rc=0)
    run_pathmove(root, "verify", check_rc=0)  # grids/current and data/north exist again: still clean
    return root


def test_new_line_naming_a_swapped_or_chained_path_is_stale(git_repo) -> None:
    root = _applied(git_repo)
    readme = root / "README.txt"
    applied = readme.read_bytes()
    assert b"grids/current/g.cfg" in applied  # apply wrote it: the former grids/next
    readme.write_bytes(applied + STALE)
    (root / "added.txt").write_text("raw data in data/north/a.csv\n")

    run_pathmove(root, "verify", check_rc=1)
    doc = json.loads(run_pathmove(root, "verify", "--json", check_rc=1).stdout)
    found = sorted((f["path"], f["line"], f["old"], f["new"]) for f in doc["findings"])
    assert found == [("README.txt", 3, "grids/current", "grids/v2"), ("added.txt", 1, "data/north", "data/south")]
    run_pathmove(root, "check", "README.txt", check_rc=1)

    run_pathmove(root, "check", "--fix", "README.txt", "added.txt")
    assert readme.read_bytes() == applied + STALE.replace(b"grids/current", b"grids/v2")
    assert (root / "added.txt").read_text() == "raw data in data/south/a.csv\n"
    run_pathmove(root, "check", "README.txt", "added.txt", check_rc=0)  # check --fix remembers its spans
    run_pathmove(root, "verify", check_rc=0)


def test_edits_elsewhere_in_the_file_keep_apply_spans(git_repo) -> None:
    root = _applied(git_repo)
    notes = root / "data/south/NOTES.txt"  # moved in the swap and rewritten
    applied = notes.read_bytes()
    notes.write_bytes(b"# header added later\n\n" + applied.replace(b"compare with", b"Compare it with") + b"more\n")
    run_pathmove(root, "verify", check_rc=0)
    link_dir = root / "data/south"
    assert (link_dir / "latest").is_symlink()  # moved, kept: its target is current, not stale
    run_pathmove(root, "check", "data/south/latest", "data/south/NOTES.txt", check_rc=0)


def test_without_the_journal_an_existing_destination_is_current(git_repo) -> None:
    root = _applied(git_repo)
    (root / "README.txt").write_bytes((root / "README.txt").read_bytes() + STALE)
    run_pathmove(root, "verify", check_rc=1)
    shutil.rmtree(journal_dir(root))
    run_pathmove(root, "verify", check_rc=0)  # the live rule: grids/current exists, so it may be meant


def test_verify_warns_and_check_fix_refuses_while_an_apply_is_pending(git_repo) -> None:
    root = make_repo(git_repo)
    run_pathmove(root, "apply", check_rc=137, env={"PATHMOVE_CRASH_AFTER": "5"})
    proc = run_pathmove(root, "verify", check_rc=1)
    assert "interrupted apply" in proc.stderr and "pathmove undo" in proc.stderr
    before = (root / "README.txt").read_bytes()
    proc = run_pathmove(root, "check", "--fix", "README.txt", check_rc=2)
    assert "nothing was fixed" in proc.stderr
    assert (root / "README.txt").read_bytes() == before
    run_pathmove(root, "apply", check_rc=0)
    run_pathmove(root, "verify", check_rc=0)
