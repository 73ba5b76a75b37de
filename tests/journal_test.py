"""The journal store: typed steps through their one JSON conversion, the log, the blobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathmove.errors import JournalError
from pathmove.journal import Kept, LinkStep, MoveStep, Record, Store, WriteStep, from_json, parse_log, sha, to_json

ORIG = b"caf\xe9 data/north/a.csv\r\n\x00\xff"  # not UTF-8, CRLF, NUL: bytes survive JSON
NEW = b"caf\xe9 data/south/a.csv\r\n\x00\xff"
WRITE = WriteStep("x/f.txt", "old/f.txt", sha(ORIG), sha(NEW), 0o755, 0o644, ((10, 15, b"south"),), ((10, 15),), ((0, 4),))
RECORD = Record("d1g35t", True, (MoveStep("old", "x"), WRITE, LinkStep("l", "l", "a\udcff", "b")),
                created=("x",), prune=("p",), moves=(("old", "x"),), kept=(Kept("k", sha(b"k"), ((1, 2),)),),
                blobs={sha(ORIG): (0, len(ORIG))}, root="/r")


def test_record_round_trips_through_json() -> None:
    assert from_json(to_json(RECORD)) == RECORD


def test_store_begin_load_blob_and_new_content(tmp_path: Path) -> None:
    store = Store(tmp_path)  # not a git top-level: the journal lives under XDG_STATE_HOME
    assert store.load() is None and not store.exists()
    record = store.begin(RECORD, {sha(ORIG): ORIG})
    assert store.load() == record
    assert store.blob(record, WRITE.orig) == ORIG
    assert store.new_content(record, WRITE) == NEW
    assert not str(store.dir).startswith(str(tmp_path))  # never inside the tree
    store.mark("done 0")
    store.append_log(["done 1", "done 2"])
    log = store.log()
    assert log.done == {0, 1, 2} and log.first_pending == 3 and not log.finished and not log.undoing
    store.remove()
    assert not store.exists()


def test_damaged_blob_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path)
    record = store.begin(RECORD, {sha(ORIG): b"X" * len(ORIG)})  # wrong bytes under the hash
    with pytest.raises(JournalError, match="damaged"):
        store.blob(record, WRITE.orig)


def test_log_parsing_ignores_a_line_cut_short() -> None:
    log = parse_log("done 0\ndone 1\nfinished\nundo\nundone 1\nundone")
    assert log.done == {0, 1} and log.finished and log.undoing and log.undone == {1}
