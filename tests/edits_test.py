"""edits.splice: the only builder of new contents; refuses overlaps and mismatches (STYLE §2)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove.edits import Edit, OverlapError, dedupe, shift, splice


def edit(start: int, end: int, data: bytes, new: bytes, kind: str = "text") -> Edit:
    return Edit("f", start, end, data[start:end], new, kind)


DATA = b"a outputs/hd_results b\r\n\xef\xbb\xbfc\xe9 outputs/hd_results\n"


def test_splice_replaces_only_the_spans_in_any_order() -> None:
    at = DATA.rindex(b"outputs/")
    first, second = edit(2, 20, DATA, b"outputs/HD"), edit(at, at + 18, DATA, b"outputs/HD")
    expected = b"a outputs/HD b\r\n\xef\xbb\xbfc\xe9 outputs/HD\n"
    assert splice(DATA, [second, first]) == expected
    assert splice(DATA, []) == DATA
    assert splice(b"", []) == b""


def test_splice_insertion_and_deletion() -> None:
    assert splice(b"abc", [Edit("f", 1, 1, b"", b"X", "t"), Edit("f", 2, 3, b"c", b"", "t")]) == b"aXb"


@pytest.mark.parametrize("edits", (
    pytest.param([edit(2, 10, DATA, b"x"), edit(9, 12, DATA, b"y")], id="overlapping"),
    pytest.param([edit(2, 10, DATA, b"x"), edit(2, 10, DATA, b"y")], id="same span twice"),
    pytest.param([edit(2, 20, DATA, b"x"), edit(5, 6, DATA, b"y")], id="nested"),
))
def test_splice_refuses_overlaps(edits: list[Edit]) -> None:
    with pytest.raises(OverlapError, match="overlapping"):
        splice(DATA, edits)


def test_splice_refuses_old_mismatch() -> None:
    with pytest.raises(OverlapError, match="expects b'outputs'"):
        splice(b"a inputs/x", [Edit("f", 2, 9, b"outputs", b"x", "text")])
    with pytest.raises(OverlapError):
        splice(b"short", [Edit("f", 3, 9, b"rt and more", b"x", "text")])


def test_dedupe_drops_duplicates_and_inner_edits() -> None:
    wide, inner, other = edit(2, 20, DATA, b"W"), edit(10, 20, DATA, b"I"), edit(30, 40, DATA, b"O")
    assert dedupe([other, inner, wide, wide]) == [wide, other]


@st.composite
def data_and_edits(draw: st.DrawFn) -> tuple[bytes, list[Edit]]:
    data = draw(st.binary(max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=10)))
    pairs = list(zip(cuts[::2], cuts[1::2]))
    edits = [edit(a, b, data, draw(st.binary(max_size=5))) for a, b in pairs]
    return data, draw(st.permutations(edits))


@settings(max_examples=300, deadline=None)
@given(data_and_edits())
def test_splice_changes_no_byte_outside_the_spans(case: tuple[bytes, list[Edit]]) -> None:
    data, edits = case
    out = splice(data, edits)
    # walk the spans in order: every byte between them is copied unchanged
    pos_in, pos_out = 0, 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        gap = e.start - pos_in
        assert out[pos_out:pos_out + gap] == data[pos_in:e.start]
        pos_out += gap
        assert out[pos_out:pos_out + len(e.new)] == e.new
        pos_out += len(e.new)
        pos_in = e.end
    assert out[pos_out:] == data[pos_in:]
    # and splicing the inverse edits gives the original back
    inverse, shift = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        start = e.start + shift
        inverse.append(Edit("f", start, start + len(e.new), e.new, e.old, "text"))
        shift += len(e.new) - len(e.old)
    assert splice(out, inverse) == data


@pytest.mark.parametrize("offset, at_insertion, expected", [
    (0, True, 0),      # nothing before it
    (4, True, 6),      # "ab" -> "abcd" at 0..2 ends before it: +2
    (4, False, 6),
    (6, True, 11),     # +2, and the insertion at 6 ("xyz") comes before it
    (6, False, 8),     # ... unless the insertion belongs to what starts at 6
    (10, True, 14),    # "ij" -> "i" at 8..10 ends at it: -1
])
def test_shift_carries_an_offset_through_the_edits(offset: int, at_insertion: bool, expected: int) -> None:
    data = b"abcdefghij"
    edits = [Edit("f", 0, 2, b"ab", b"abcd", "text"), Edit("f", 6, 6, b"", b"xyz", "text"),
             Edit("f", 8, 10, b"ij", b"i", "text")]
    assert shift(offset, edits, at_insertion=at_insertion) == expected
    if offset in (0, 4, 10):  # an untouched byte: the same byte after splicing
        out = splice(data, edits)
        assert out[expected:expected + 1] == data[offset:offset + 1]
