"""The journal's span arithmetic: where apply's bytes sit, and where they went after later edits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove.edits import Edit, splice
from pathmove.edits import written_spans
from pathmove.vouched import map_spans, overlaps, shift_spans


def _edit(data: bytes, old: bytes, new: bytes, nth: int = 0) -> Edit:
    start = -1
    for _ in range(nth + 1):
        start = data.index(old, start + 1)
    return Edit("f", start, start + len(old), old, new, "text")


def test_written_spans_point_at_the_new_bytes() -> None:
    data = b"a outputs/x b outputs/x c\n"
    edits = [_edit(data, b"outputs/x", b"outputs/LONGER"), _edit(data, b"outputs/x", b"o/y", 1)]
    new = splice(data, edits)
    assert [new[s:e] for s, e in written_spans(edits)] == [b"outputs/LONGER", b"o/y"]


def test_shift_spans_follows_edits_before_them() -> None:
    data = b"x moorings/south y moorings/north\n"
    kept = [(2, 16)]
    fix = [_edit(data, b"moorings/north", b"moorings/south")]
    new = splice(data, fix)
    assert [new[s:e] for s, e in shift_spans(kept, fix)] == [b"moorings/south"]
    edits_before = [_edit(data, b"x", b"xxxx")]
    assert shift_spans(kept, edits_before) == [(5, 19)]


@pytest.mark.parametrize(("old", "new", "kept"), (
    pytest.param(b"a\nSPAN\nb\n", b"a\nSPAN\nb\nadded SPAN\n", [b"SPAN"], id="line appended"),
    pytest.param(b"a\nSPAN\nb\n", b"new first\na\nSPAN\nb\n", [b"SPAN"], id="line prepended"),
    pytest.param(b"see SPAN here\n", b"see SPAN here, and more\n", [b"SPAN"], id="same line edited"),
    pytest.param(b"see SPAN here\r\n", b"x\r\nsee SPAN here\r\n", [b"SPAN"], id="CRLF"),
    pytest.param(b"see SPAN\n", b"gone\n", [], id="line rewritten"),
    pytest.param(b"\xef\xbb\xbfSPAN\n", b"\xef\xbb\xbfSPAN\nSPAN\n", [b"SPAN"], id="BOM, copy added"),
))
def test_map_spans(old: bytes, new: bytes, kept: list[bytes]) -> None:
    start = old.index(b"SPAN")
    mapped = map_spans(old, new, [(start, start + 4)])
    assert [new[s:e] for s, e in mapped] == kept
    if kept:  # the span apply wrote, not the copy someone added after it
        assert mapped[0][0] == new.index(b"SPAN")


def test_overlaps() -> None:
    spans = [(0, 100), (10, 20), (130, 140)]
    assert overlaps(spans, 50, 60) and overlaps(spans, 135, 150) and overlaps(spans, 140, 140)
    assert not overlaps(spans, 100, 130) and not overlaps(spans, 141, 150)


@settings(max_examples=100, deadline=None)
@given(prefix=st.binary(max_size=40), suffix=st.binary(max_size=40), added=st.binary(max_size=40))
def test_unchanged_text_around_a_span_keeps_it(prefix: bytes, suffix: bytes, added: bytes) -> None:
    old = prefix + b"\n<<span>>\n" + suffix
    start = len(prefix) + 1
    new = added + b"\n" + old + b"\n" + added
    mapped = map_spans(old, new, [(start, start + 8)])
    assert b"<<span>>" in [new[s:e] for s, e in mapped]
