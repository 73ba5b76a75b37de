"""SPEC §4.2: the YAML rewriter, on the pure finder (no files)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from pathmove import finders, match
from pathmove.edits import Edit, Notice, Review, splice
from pathmove.finders._offsets import ByteOffsets
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source

MAPPING = from_pairs([
    ("outputs/hd_results", "outputs/HD"),
    ("runs/ckpt", "checkpoints/pi05"),
    ("data/raw", "data/it's raw"),  # a destination that needs quoting in YAML
])


def records(src: bytes, mapping: Mapping = MAPPING) -> list:
    return finders.find(Source("c.yaml", "c.yaml", src, "yaml"), mapping)


def rewrite(src: bytes, mapping: Mapping = MAPPING) -> bytes:
    return splice(src, [r for r in records(src, mapping) if isinstance(r, Edit)])


@pytest.mark.parametrize("src", (
    b"a: outputs/hd_results_v2\n",
    b"a: myoutputs/hd_results\n",
    b"a: outputs/hd_results.bak\n",
    b"a: 'outputs/hd_results_v2/x'\n",
    b"outputs: hd_results\n",  # the components, but not the path
    b"a: &hd_results 1\nb: *hd_results\n",  # anchors and aliases stay byte-identical
    b"a: !outputs/hd_results x\n",  # so do tags
    b"url: https://example.org/outputs/hd_results_v2\n",
    b"a: .Values.outputs/hd_results\n",
))
def test_yaml_unchanged(src: bytes) -> None:
    assert rewrite(src) == src


@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b"a: outputs/hd_results/s1.csv\n", b"a: outputs/HD/s1.csv\n", id="plain value"),
    pytest.param(b"outputs/hd_results/x: 1\n", b"outputs/HD/x: 1\n", id="plain key"),
    pytest.param(b"'outputs/hd_results': 1\n", b"'outputs/HD': 1\n", id="quoted key"),
    pytest.param(b"a: 'outputs/hd_results'\n", b"a: 'outputs/HD'\n", id="single-quoted"),
    pytest.param(b"a: \"outputs/hd_results\"\n", b"a: \"outputs/HD\"\n", id="double-quoted"),
    pytest.param(b"a: 'it''s outputs/hd_results'\n", b"a: 'it''s outputs/HD'\n", id="single-quoted with escape"),
    pytest.param(b"a: \"\\t/data/outputs/hd_results\\n\"\n", b"a: \"\\t/data/outputs/HD\\n\"\n",
                 id="double-quoted with escapes"),
    pytest.param(b"a: \"ls\\noutputs/hd_results\\toutputs/hd_results_v2\"\n",
                 b"a: \"ls\\noutputs/HD\\toutputs/hd_results_v2\"\n", id="escape letters next to a path"),
    pytest.param(b"a: 'data/raw/x'\n", b"a: 'data/it''s raw/x'\n", id="single quote escaped in single quotes"),
    pytest.param(b"a: \"data/raw\"\n", b"a: \"data/it's raw\"\n", id="single quote in double quotes"),
    pytest.param(b"run: |\n  cp outputs/hd_results/a .\n  ls runs/ckpt\n",
                 b"run: |\n  cp outputs/HD/a .\n  ls checkpoints/pi05\n", id="literal block"),
    pytest.param(b"run: |-  # reads outputs/hd_results\n  cp outputs/hd_results/a .\n",
                 b"run: |-  # reads outputs/HD\n  cp outputs/HD/a .\n", id="block header comment"),
    pytest.param(b"note: >\n  written under\n  outputs/hd_results; see\n  runs/ckpt\n",
                 b"note: >\n  written under\n  outputs/HD; see\n  checkpoints/pi05\n", id="folded block"),
    pytest.param(b"a: [outputs/hd_results, 'outputs/hd_results_v2', \"runs/ckpt\"]\n",
                 b"a: [outputs/HD, 'outputs/hd_results_v2', \"checkpoints/pi05\"]\n", id="flow sequence"),
    pytest.param(b"- {src: outputs/hd_results, dst: runs/ckpt}\n",
                 b"- {src: outputs/HD, dst: checkpoints/pi05}\n", id="flow mapping"),
    pytest.param(b"a: &x outputs/hd_results   # from outputs/hd_results\nb: *x\n",
                 b"a: &x outputs/HD   # from outputs/HD\nb: *x\n", id="anchor and comment"),
    pytest.param(b"# outputs/hd_results\n  #  runs/ckpt\nc: a#outputs/hd_results\n",
                 b"# outputs/HD\n  #  checkpoints/pi05\nc: a#outputs/HD\n", id="comments and a '#' in a scalar"),
    pytest.param(b"a: see\n  outputs/hd_results and\n  more\n", b"a: see\n  outputs/HD and\n  more\n",
                 id="multi-line plain"),
    pytest.param(b"a: \"outputs/hd_results\\\n  /x\"\n", b"a: \"outputs/HD\\\n  /x\"\n", id="escaped line break after"),
    pytest.param(b"a: outputs/hd_results\n---\nb: outputs/hd_results\n...\n---\n- outputs/hd_results\n",
                 b"a: outputs/HD\n---\nb: outputs/HD\n...\n---\n- outputs/HD\n", id="every document"),
    pytest.param(b"a: outputs/hd_results\r\nb: 'x'  # runs/ckpt\r\n", b"a: outputs/HD\r\nb: 'x'  # checkpoints/pi05\r\n",
                 id="CRLF"),
    pytest.param(b"\xef\xbb\xbfa: \xc3\xa9t\xc3\xa9 outputs/hd_results\nb: \"\xe2\x82\xac\" # outputs/hd_results\n",
                 b"\xef\xbb\xbfa: \xc3\xa9t\xc3\xa9 outputs/HD\nb: \"\xe2\x82\xac\" # outputs/HD\n", id="BOM and non-ASCII"),
    pytest.param("a: \U0001F600 outputs/hd_results # \U0001F600 runs/ckpt\n".encode(),
                 "a: \U0001F600 outputs/HD # \U0001F600 checkpoints/pi05\n".encode(), id="astral characters"),
))
def test_yaml_rewrites(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


@pytest.mark.parametrize(("src", "words"), (
    pytest.param(b"a: \"outputs/\\\n  hd_results\"\n", "line fold", id="path broken by an escaped line break"),
    pytest.param(b"a: data/raw/x\n", "quoting", id="plain scalar would need quotes"),
    pytest.param(b"a: \"outputs/hd\\x5Fresults\"\n", "escapes", id="path spelled with an escape"),
    pytest.param(b"outputs/hd_results: 1\noutputs/HD: 2\n", "another key", id="rewritten key collides"),
))
def test_yaml_review_instead_of_a_wrong_rewrite(src: bytes, words: str) -> None:
    recs = records(src)
    assert not [r for r in recs if isinstance(r, Edit)]
    reviews = [r for r in recs if isinstance(r, Review)]
    assert len(reviews) == 1 and words in reviews[0].message
    assert reviews[0].kind == "yaml-scalar"


@pytest.mark.parametrize("src", (
    pytest.param(b"image: {{ .Values.image }}\n{{- if .Values.x }}\nout: outputs/hd_results\n{{- end }}\n", id="helm"),
    pytest.param(b"a:\n\tb: outputs/hd_results\n", id="tab indentation"),
    pytest.param(b"a: [outputs/hd_results\n", id="unclosed flow"),
    pytest.param(b"a: \xe9 outputs/hd_results\n", id="latin-1"),
))
def test_unparsable_yaml_falls_back_to_text_rule(src: bytes) -> None:
    recs = records(src)
    notices = [r for r in recs if isinstance(r, Notice)]
    assert len(notices) == 1 and "c.yaml" == notices[0].path and "yaml parse failed" in notices[0].message
    edits = [r for r in recs if isinstance(r, Edit)]
    assert [e.kind for e in edits] == ["text"]
    assert splice(src, edits) == src.replace(b"outputs/hd_results", b"outputs/HD")


@pytest.mark.parametrize(("text", "base", "pairs"), (
    ("abc", 0, [(0, 0), (3, 3)]),
    ("a\u00e9b", 0, [(1, 1), (2, 3), (3, 4)]),
    ("\u20acx\r\ny", 3, [(0, 3), (1, 6), (2, 7), (4, 9)]),
    ("\U0001F600a", 0, [(1, 4), (2, 5)]),
    ("a\udce9b", 0, [(2, 2), (3, 3)]),  # surrogateescape: one byte
))
def test_char_index_to_byte_offset(text: str, base: int, pairs: list[tuple[int, int]]) -> None:
    to_byte = ByteOffsets(text, base)
    for index, offset in pairs:
        assert to_byte(index) == offset
        assert offset == base + len(text[:index].encode("utf-8", "surrogateescape"))


# ---- property: the result loads as the original with the paths replaced -----------------
_PIECES = ["outputs/hd_results", "outputs/hd_results_v2", "runs/ckpt", "data/raw", "/", "x", " ", "\u00e9", "'",
           '"', "\\", ": ", " #", "-", ".", "\t", "\n", "a.csv", "outputs", "hd_results"]
_strings = st.lists(st.sampled_from(_PIECES), min_size=0, max_size=6).map("".join)
_keys = st.lists(st.sampled_from(["outputs/hd_results", "runs/ckpt", "k", "/", "x", "'", " "]), min_size=1,
                 max_size=4).map("".join)
_docs = st.recursive(
    _strings,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=10,
)


def _expected(value: object, mapping: Mapping) -> object:
    """The value with every path replaced, as SPEC §4 reads a string."""
    if isinstance(value, str):
        raw = value.encode()
        out, pos = [], 0
        for m in match.find_all(raw, mapping.pattern):
            out += [raw[pos:m.start], (mapping.rewrite(m.old, m.tail) or m.old).encode()]
            pos = m.end
        return b"".join(out + [raw[pos:]]).decode()
    if isinstance(value, list):
        return [_expected(v, mapping) for v in value]
    if isinstance(value, dict):
        return {_expected(k, mapping): _expected(v, mapping) for k, v in value.items()}
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(_docs, min_size=1, max_size=2),
       style=st.sampled_from([None, "'", '"', "|", ">"]),
       flow=st.sampled_from([None, True, False]),
       width=st.sampled_from([12, 80]))
def test_result_loads_as_original_with_paths_replaced(docs: list, style: str | None, flow: bool | None,
                                                      width: int) -> None:
    src = yaml.safe_dump_all(docs, default_style=style, default_flow_style=flow, width=width,
                             allow_unicode=True).encode()
    original = list(yaml.safe_load_all(src))  # (the dumper does not round-trip every folded value)
    recs = records(src)
    result = splice(src, [r for r in recs if isinstance(r, Edit)])
    loaded = list(yaml.safe_load_all(result))
    if not any(isinstance(r, Review) for r in recs):
        assert loaded == [_expected(d, MAPPING) for d in original]
    else:
        # a scalar left for review keeps its old value; every other one is rewritten
        assert _agrees(loaded, original)


def _agrees(loaded: object, orig: object) -> bool:
    if isinstance(orig, str):
        return loaded in (orig, _expected(orig, MAPPING))
    if isinstance(orig, list):
        return isinstance(loaded, list) and len(loaded) == len(orig) and all(map(_agrees, loaded, orig))
    if isinstance(orig, dict):
        if not isinstance(loaded, dict) or len(loaded) != len(orig):
            return False
        for key, value in orig.items():
            found = [k for k in (key, _expected(key, MAPPING)) if k in loaded]
            if not found or not _agrees(loaded[found[0]], value):
                return False
        return True
    return loaded == orig
