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
    from pathmove.edits import Edit, splice

    return splice(data, [e for e in text.find(Source("f.txt", "f.txt", data, "text"), mapping) if isinstance(e, Edit)])


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


# ---- SPEC §4 on decoded characters: Unicode categories, spaceless scripts, non-UTF-8 files ----
@pytest.mark.parametrize("src", [
    "outputs/hd_resultsé", "éoutputs/hd_results", "outputs/hd_results\u0301",  # letter, combining mark
    "outputs/hd_results٣", "ñoutputs/hd_results", "outputs/hd_results.é",  # Arabic-Indic digit; "." inside a name
    "Ωoutputs/hd_results",
])
def test_unicode_name_characters_are_not_boundaries(src: str) -> None:
    assert rewrite(src.encode()) == src.encode()


@pytest.mark.parametrize(("src", "expected"), [
    pytest.param("“outputs/hd_results”", "“outputs/HD”", id="typographic double quotes"),
    pytest.param("‘outputs/hd_results/s.csv’", "‘outputs/HD/s.csv’", id="typographic single quotes"),
    pytest.param("→outputs/hd_results", "→outputs/HD", id="arrow"),
    pytest.param("«outputs/hd_results»", "«outputs/HD»", id="guillemets"),
    pytest.param("结果见（outputs/hd_results）。", "结果见（outputs/HD）。", id="full-width parentheses"),
    pytest.param("结果保存在outputs/hd_results中", "结果保存在outputs/HD中", id="Han on both sides"),
    pytest.param("結果はoutputs/hd_resultsにあります", "結果はoutputs/HDにあります", id="Hiragana"),
    pytest.param("フォルダoutputs/hd_resultsデータ", "フォルダoutputs/HDデータ", id="Katakana"),
    pytest.param("see outputs/hd_results。", "see outputs/HD。", id="ideographic full stop"),
    pytest.param("outputs/hd_results：done、ok", "outputs/HD：done、ok", id="full-width colon"),
    pytest.param("\u00a0outputs/hd_results\u3000", "\u00a0outputs/HD\u3000", id="no-break and ideographic space"),
])
def test_unicode_boundaries(src: str, expected: str) -> None:
    assert rewrite(src.encode()) == expected.encode()


def test_ideographic_from_keeps_the_ordinary_rule() -> None:
    m = from_pairs([("结果/数据", "结果/新数据")])
    assert rewrite("看结果/数据".encode(), m) == "看结果/数据".encode()  # a Han neighbour of a Han edge is a name char
    assert rewrite("看 结果/数据。".encode(), m) == "看 结果/新数据。".encode()
    assert rewrite("结果/数据中".encode(), m) == "结果/数据中".encode()


def test_longer_from_rejected_by_a_letter_falls_back_to_the_shorter() -> None:
    m = from_pairs([("a/b", "x/y"), ("a/b/c", "z")])
    assert rewrite("a/b/cé a/b/c“".encode(), m) == "x/y/cé z“".encode()


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "gbk"])
def test_a_file_that_is_not_utf8_is_judged_bytewise(encoding: str) -> None:
    src = {"cp1252": "“outputs/hd_results”", "latin-1": "«outputs/hd_results»",
           "gbk": "结果保存在outputs/hd_results中"}[encoding].encode(encoding)
    assert rewrite(src) == src  # every byte >= 0x80 is a name character there
    assert [m.start for m in match.find_all(src, MAPPING.pattern, utf8=False)] == []


def is_name_char_slow(ch: str, edge: str) -> bool:
    import unicodedata

    def spaceless(c: str) -> bool:
        name = unicodedata.name(c, "")
        return name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA"))
    if ch in "_-.":
        return True
    if unicodedata.category(ch)[0] not in "LMN":
        return False
    return not (spaceless(ch) and not spaceless(edge))


def slow_find_text(text: str, olds: list[str]) -> list[tuple[int, int]]:
    """SPEC §4 on the decoded text, character by character; spans in UTF-8 bytes."""
    def name_at(i: int, edge: str) -> bool:  # the "x." rule: a dot run is a name only before a name char
        if i >= len(text) or not is_name_char_slow(text[i], edge):
            return False
        if text[i] == ".":
            j = i
            while j < len(text) and text[j] == ".":
                j += 1
            return j < len(text) and is_name_char_slow(text[j], edge)
        return True

    out, i = [], 0
    while i < len(text):
        hit = None
        for old in sorted(olds, key=len, reverse=True):
            if text.startswith(old, i) and not (i > 0 and is_name_char_slow(text[i - 1], old[0])) \
                    and not name_at(i + len(old), old[-1]):
                hit = (i, i + len(old))
                break
        if hit:
            out.append((len(text[:hit[0]].encode()), len(text[:hit[1]].encode())))
            i = hit[1]
        else:
            i += 1
    return out


uni_filler = st.sampled_from(["", " ", "/", ".", "a", "“", "”", "’", "→", "«", "»", "（", "）", "。", "、", "：",
                              "é", "\u0301", "中", "保存", "に", "デ", "ー", "Ω", "٣", "\u3000", "-", "结果/"])
uni_segment = st.text(alphabet="ab_-.中", min_size=1, max_size=4).filter(
    lambda s: s.strip(".") == s and s not in (".", ".."))
uni_path = st.lists(uni_segment, min_size=1, max_size=3).map("/".join)


@settings(max_examples=300, deadline=None)
@given(olds=st.lists(uni_path, min_size=1, max_size=3, unique=True),
       parts=st.lists(st.one_of(uni_filler, uni_path), max_size=8))
def test_unicode_matcher_equals_reference(olds: list[str], parts: list[str]) -> None:
    text_ = "".join(parts + [olds[0]] + parts[::-1])
    pattern = match.compile_pattern(olds)
    got = [(m.start, m.end) for m in match.find_all(text_.encode(), pattern)]
    assert got == slow_find_text(text_, olds)
