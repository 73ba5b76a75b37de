"""The plain-text rule (SPEC §4, §4.4) on whole files: two tables, as STYLE §6 asks."""

from __future__ import annotations

import pytest

from pathmove.edits import Edit, splice
from pathmove.finders import text
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source

MAPPING = from_pairs([
    ("outputs/benchmark_results", "outputs/DLPFC"),
    ("outputs/hd_results", "outputs/HD"),
    ("outputs/rm_ideal_benchmark", "outputs/rm_ideal/cross_section"),
])


def rewrite(src: bytes, path: str = "f.txt", mapping: Mapping = MAPPING) -> bytes:
    return splice(src, [e for e in text.find(Source(path, path, src, "text"), mapping) if isinstance(e, Edit)])


@pytest.mark.parametrize("src", (
    b"outputs/hd_results_v2/a.csv\n",
    b"outputs/hd_results.bak\n",
    b"outputs/hd_results-old\n",
    b"myoutputs/hd_results\n",
    b"Outputs/HD_results\n",
    b"outputs/benchmark_results2\n",
    b"outputs/rm_ideal_benchmark_old\n",
    pytest.param(b"outputs/hd_results.tar.gz\n", id="file next to the folder"),
    pytest.param(b"outputs/hd_results\xc3\xa9\n", id="non-ASCII letter continues the name"),
    pytest.param(b"outputs / hd_results\n", id="spaces are not a path"),
    pytest.param(b"outputs/HD/a.csv\n", id="new path"),
    pytest.param(b"", id="empty"),
))
def test_text_unchanged(src: bytes) -> None:
    assert rewrite(src) == src


@pytest.mark.parametrize(("src", "expected"), (
    (b"cat outputs/hd_results/s1.csv\n", b"cat outputs/HD/s1.csv\n"),
    (b'{"dir": "outputs/benchmark_results"}', b'{"dir": "outputs/DLPFC"}'),
    (b"ls outputs/rm_ideal_benchmark/", b"ls outputs/rm_ideal/cross_section/"),
    pytest.param(b"OUT=./outputs/hd_results\r\nrm -r $OUT\r\n", b"OUT=./outputs/HD\r\nrm -r $OUT\r\n", id="CRLF"),
    pytest.param(b"\xef\xbb\xbfoutputs/hd_results\n", b"\xef\xbb\xbfoutputs/HD\n", id="BOM"),
    pytest.param(b"r\xe9sultats: outputs/hd_results (\xe9t\xe9)\n", b"r\xe9sultats: outputs/HD (\xe9t\xe9)\n",
                 id="latin-1 bytes kept"),
    pytest.param(b"see outputs/hd_results.", b"see outputs/HD.", id="sentence dot"),
    pytest.param(b"/data/proj/outputs/hd_results", b"/data/proj/outputs/HD", id="absolute prefix"),
    pytest.param(b"C:\\proj\\outputs/hd_results\\x", b"C:\\proj\\outputs/HD\\x", id="after and before backslash"),
    pytest.param(b"outputs/hd_results outputs/benchmark_results outputs/hd_results_v2",
                 b"outputs/HD outputs/DLPFC outputs/hd_results_v2", id="several froms and a decoy on one line"),
    pytest.param(b"/outputs/hd_results:/outputs/hd_results", b"/outputs/HD:/outputs/HD", id="PATH-like list"),
    pytest.param(b'"source": ["cp outputs/hd_results/a .\\n"]', b'"source": ["cp outputs/HD/a .\\n"]',
                 id="notebook JSON escape after the path"),
    pytest.param(b"outputs/hd_results", b"outputs/HD", id="no trailing newline"),
))
def test_text_rewrites(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


def test_edits_are_spans_in_the_original_bytes() -> None:
    src = b"\xef\xbb\xbfa\r\nb outputs/hd_results\n"
    (e,) = text.find(Source("x/run.sh", "x/run.sh", src, "text"), MAPPING)
    assert e == Edit("x/run.sh", 8, 26, b"outputs/hd_results", b"outputs/HD", "text")


def test_find_in_a_region_keeps_whole_file_offsets() -> None:
    src = b"outputs/hd_results | outputs/hd_results | outputs/hd_results"
    edits = list(text.find_in("r.md", src, MAPPING, 21, 39, "md-text"))
    assert [(e.start, e.end, e.kind) for e in edits] == [(21, 39, "md-text")]


def test_live_destinations_are_not_stale() -> None:
    swap = from_pairs([("m/north", "m/south"), ("m/south", "m/north")])
    src = b"m/north/a m/south/b\n"
    assert rewrite(src, mapping=swap) == b"m/south/a m/north/b\n"
    # verify mode after the swap: both sides exist, so neither is stale without the journal
    assert rewrite(src, mapping=swap.with_live(["m/north", "m/south"])) == src
    assert rewrite(src, mapping=swap.with_live(["m/south"])) == b"m/south/a m/south/b\n"
