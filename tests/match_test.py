from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove import match
from pathmove.finders import text
from pathmove.mapping import from_pairs
from pathmove.scan import Source

MAPPING = from_pairs([("outputs/hd_results", "outputs/HD"), ("outputs/benchmark_results", "outputs/DLPFC")])


def rewrite(data: bytes, mapping=MAPPING) -> bytes:
    from pathmove.edits import splice

    return splice(data, list(text.find(Source("f.txt", "f.txt", data, "text"), mapping)))


@pytest.mark.parametrize("src", [
    b"outputs/hd_results_v2", b"outputs/hd_results.bak", b"myoutputs/hd_results", b"Outputs/hd_results",
    b"outputs/hd_results-old", b"x.outputs/hd_results", b"outputs/hd_resultsXYZ", b"outputs/hd_results\xc3\xa9",
])
def test_not_references(src: bytes) -> None:
    assert rewrite(src) == src


@pytest.mark.parametrize(("src", "expected"), [
    (b"outputs/hd_results", b"outputs/HD"),
    (b"./outputs/hd_results/", b"./outputs/HD/"),
    (b'"outputs/hd_results/s1.csv"', b'"outputs/HD/s1.csv"'),
    (b"/data/proj/outputs/hd_results", b"/data/proj/outputs/HD"),
    (b"see outputs/hd_results.", b"see outputs/HD."),
    (b"see outputs/hd_results...", b"see outputs/HD..."),
    (b"a\\outputs/hd_results\\b", b"a\\outputs/HD\\b"),
    (b"outputs/hd_results,outputs/benchmark_results", b"outputs/HD,outputs/DLPFC"),
    (b"outputs/hd_results\r\n", b"outputs/HD\r\n"),
])
def test_references(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


def test_longest_from_wins() -> None:
    m = from_pairs([("ocean/runs", "simulations/ocean"), ("ocean/runs/spinup", "simulations/spinup")])
    assert rewrite(b"ocean/runs/spinup/x ocean/runs/spinup_v0 ocean/runs", m) == \
        b"simulations/spinup/x simulations/ocean/spinup_v0 simulations/ocean"


def test_swap_and_chain_rewrite_once() -> None:
    m = from_pairs([("m/north", "m/south"), ("m/south", "m/north"), ("g/next", "g/current"), ("g/current", "g/v2023")])
    assert rewrite(b"m/north m/south g/next g/current", m) == b"m/south m/north g/current g/v2023"


# ---- properties against a slow, obviously correct reference ------------------------------
NAME = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") | set(range(0x80, 0x100))


def is_name_at(data: bytes, i: int) -> bool:
    """SPEC §4 by the letter: a name char, except a '.' followed by a non-name char or the end."""
    if i < 0 or i >= len(data) or data[i] not in NAME:
        return False
    if data[i] == ord("."):
        j = i
        while j < len(data) and data[j] == ord("."):
            j += 1
        return j < len(data) and data[j] in NAME
    return True


def slow_find(data: bytes, olds: list[str]) -> list[tuple[int, int]]:
    out = []
    i = 0
    while i < len(data):
        hit = None
        for old in sorted(olds, key=len, reverse=True):
            o = old.encode()
            if data.startswith(o, i) and not (i > 0 and data[i - 1] in NAME) and not is_name_at(data, i + len(o)):
                hit = (i, i + len(o))
                break
        if hit:
            out.append(hit)
            i = hit[1]
        else:
            i += 1
    return out


segment = st.text(alphabet="abcx_-.", min_size=1, max_size=4).filter(lambda s: s.strip(".") == s and s not in (".", ".."))
path = st.lists(segment, min_size=1, max_size=3).map("/".join)
filler = st.sampled_from([b"", b" ", b"/", b"\\", b".", b"..", b"a", b"_", b"-", b'"', b"\n", b"x/", b"\xc3\xa9", b"(", b"1"])


@settings(max_examples=300, deadline=None)
@given(olds=st.lists(path, min_size=1, max_size=3, unique=True), parts=st.lists(st.one_of(filler, path.map(str.encode)), max_size=8))
def test_matcher_equals_reference(olds: list[str], parts: list[bytes]) -> None:
    data = b"".join(parts + [olds[0].encode()] + parts[::-1])
    pattern = match.compile_pattern(olds)
    got = [(m.start, m.end) for m in match.find_all(data, pattern)]
    assert got == slow_find(data, olds)


@settings(max_examples=200, deadline=None)
@given(a=path, b=path, parts=st.lists(st.one_of(filler, st.just(b"A"), st.just(b"B")), max_size=10))
def test_swap_never_rewrites_twice(a: str, b: str, parts: list[bytes]) -> None:
    if a == b or a.startswith(b + "/") or b.startswith(a + "/"):
        return
    m = from_pairs([(a, b), (b, a)])
    data = b"".join(a.encode() if p == b"A" else b.encode() if p == b"B" else p for p in parts)
    out = rewrite(data, m)
    # each reference rewritten once, from its own spelling: exactly the reference's spans, swapped
    # (swapping back is no property: new text can form new boundaries with its neighbours)
    expected, pos = [], 0
    for start, end in slow_find(data, [a, b]):
        expected += [data[pos:start], (b if data[start:end] == a.encode() else a).encode()]
        pos = end
    assert out == b"".join(expected) + data[pos:]
