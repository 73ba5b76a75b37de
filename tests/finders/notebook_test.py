"""Notebooks: each cell's edits land on the exact JSON bytes they came from."""

from __future__ import annotations

import json
import sys
import types

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove import finders
from pathmove.edits import Edit, Notice, splice
from pathmove.finders import text
from pathmove.mapping import from_pairs
from pathmove.scan import Source

MAPPING = from_pairs([("outputs/hd_results", "outputs/HD"), ("data/raw", "data/ré")])
HAS_PYTHON = "python" in finders.REGISTRY


def nb(*cells: dict, meta: dict | None = None, ascii_only: bool = False) -> bytes:
    cells = tuple(dict(c, id=f"{c['id']}{i}") for i, c in enumerate(cells))
    doc = {"cells": list(cells), "metadata": meta or {}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(doc, indent=1, ensure_ascii=ascii_only) + "\n").encode()


def code(source, outputs=()) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {}, "outputs": list(outputs),
            "source": source}


def md(source) -> dict:
    return {"cell_type": "markdown", "id": "m", "metadata": {}, "source": source}


def records(data: bytes, path: str = "nb/a.ipynb", mapping=MAPPING) -> list:
    return finders.find(Source(path, path, data, "notebook"), mapping)


def rewrite(data: bytes, mapping=MAPPING) -> bytes:
    return splice(data, [r for r in records(data, mapping=mapping) if isinstance(r, Edit)])


@pytest.mark.parametrize("data", (
    pytest.param(nb(code('x = "outputs/hd_results_v2/a"\n')), id="longer name"),
    pytest.param(nb(code("myoutputs/hd_results\n")), id="inside a name"),
    pytest.param(nb(md("[x](https://example.org/outputs/hd_results.bak)")), id="suffix"),
    pytest.param(nb(code('"outputs\\\\hd_results"')), id="backslash in the value is not a slash"),
    pytest.param(nb(code("x = 1"), meta={"note": "outputs/hd_results_old"}), id="metadata decoy"),
))
def test_notebook_unchanged(data: bytes) -> None:
    assert rewrite(data) == data


@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(nb(code(['df = read("outputs/hd_results/a.csv")\n', "x = 1\n"])),
                 nb(code(['df = read("outputs/HD/a.csv")\n', "x = 1\n"])), id="source as lines"),
    pytest.param(nb(code('df = read("outputs/hd_results/a.csv")\nx = 1')),
                 nb(code('df = read("outputs/HD/a.csv")\nx = 1')), id="source as one string"),
    pytest.param(nb(md(["See [s](../outputs/hd_results/s.csv)\n", "and `outputs/hd_results`."])),
                 nb(md(["See [s](../outputs/HD/s.csv)\n", "and `outputs/HD`."])), id="markdown cell"),
    pytest.param(nb(code("!ls outputs/hd_results\n%cd outputs/hd_results\n")),
                 nb(code("!ls outputs/HD\n%cd outputs/HD\n")), id="magics"),
    pytest.param(nb(code("%%bash\nls outputs/hd_results\n")),
                 nb(code("%%bash\nls outputs/HD\n")), id="bash cell"),
    pytest.param(nb(code("x = 1", outputs=[{"name": "stdout", "output_type": "stream",
                                            "text": ["saved outputs/hd_results/a.csv\n"]}])),
                 nb(code("x = 1", outputs=[{"name": "stdout", "output_type": "stream",
                                            "text": ["saved outputs/HD/a.csv\n"]}])), id="output text"),
    pytest.param(nb(code("x = 1"), meta={"data": "outputs/hd_results"}),
                 nb(code("x = 1"), meta={"data": "outputs/HD"}), id="metadata"),
    pytest.param(nb(code("read(\"data/raw/é.csv\")"), ascii_only=True),
                 nb(code("read(\"data/ré/é.csv\")"), ascii_only=True), id="ASCII-only file stays ASCII"),
    pytest.param(nb(code("read(\"data/raw/é.csv\")")),
                 nb(code("read(\"data/ré/é.csv\")")), id="UTF-8 file stays UTF-8"),
    pytest.param(nb(code("s = '\"outputs/hd_results\"\\t\\u2603'")),
                 nb(code("s = '\"outputs/HD\"\\t\\u2603'")), id="escapes around the path"),
    pytest.param(nb(code({"cell": 1}), meta={"kernelspec": {"language": "R"}}),
                 nb(code({"cell": 1}), meta={"kernelspec": {"language": "R"}}), id="odd source left alone"),
    pytest.param(nb(code('read.csv("outputs/hd_results/a.csv")'), meta={"kernelspec": {"language": "R"}}),
                 nb(code('read.csv("outputs/HD/a.csv")'), meta={"kernelspec": {"language": "R"}}),
                 id="R notebook: plain-text rule"),
))
def test_notebook_rewrites(src: bytes, expected: bytes) -> None:
    out = rewrite(src)
    assert out == expected
    nbformat.reads(out.decode(), as_version=4)


def test_escaped_slash_maps_back_to_the_escape() -> None:
    # `\/` is a legal JSON spelling of "/": the decoded source holds the path, the edit covers the escape
    data = b'{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], ' \
           b'"source": ["x = \\"outputs\\/hd_results\\"\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    edits = [r for r in records(data) if isinstance(r, Edit)]
    assert [e.old for e in edits] == [b"outputs\\/hd_results"]
    assert json.loads(rewrite(data))["cells"][0]["source"] == ['x = "outputs/HD"\n']


def test_crlf_bom_and_whitespace_kept() -> None:
    data = b"\xef\xbb\xbf" + nb(code("p = 'outputs/hd_results'")).replace(b"\n", b"\r\n")
    assert rewrite(data) == b"\xef\xbb\xbf" + nb(code("p = 'outputs/HD'")).replace(b"\n", b"\r\n")


def test_invalid_json_falls_back_to_text_with_a_warning() -> None:
    data = b'{"cells": [ "outputs/hd_results" \n'
    recs = records(data)
    assert any(isinstance(r, Notice) and "parse failed" in r.message for r in recs)
    assert rewrite(data) == b'{"cells": [ "outputs/HD" \n'


def test_nbformat3_input_is_code() -> None:
    doc = {"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["p = 'outputs/hd_results'"], "outputs": [], "language": "python"},
        {"cell_type": "heading", "level": 1, "source": ["outputs/hd_results"]}]}]}
    out = json.loads(rewrite(json.dumps(doc).encode()))
    cells = out["worksheets"][0]["cells"]
    assert cells[0]["input"] == ["p = 'outputs/HD'"] and cells[1]["source"] == ["outputs/HD"]


# ---- the span mapping, with a stand-in cell finder ----------------------------------------
def _fake_python(source: Source, mapping) -> list[Edit]:
    """Rewrites one multi-line chain, like the Python finder merging segments."""
    old = b'Path("outputs") /\n    "hd_results"'
    at = source.data.find(old)
    return [Edit(source.path, at, at + len(old), old, b'Path("outputs/HD")', "py-chain")] if at >= 0 else []


@pytest.fixture
def fake_python(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("pathmove.finders._fake_python")
    module.find = _fake_python  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pathmove.finders._fake_python", module)
    monkeypatch.setitem(finders.REGISTRY, "python", "_fake_python")


def test_edit_across_lines_of_a_list_source(fake_python: None) -> None:
    src = nb(code(["p = 1\n"]), code(["x = (Path(\"outputs\") /\n", "    \"hd_results\")\n", "y = 2\n"]))
    out = rewrite(src)
    assert json.loads(out)["cells"][1]["source"] == ['x = (Path("outputs/HD")', ")\n", "y = 2\n"]
    kinds = {r.kind for r in records(src) if isinstance(r, Edit)}
    assert kinds == {"py-chain"}
    nbformat.reads(out.decode(), as_version=4)


def test_code_cells_are_read_as_one_module(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    def spy(source: Source, mapping) -> list[Edit]:
        seen.append(source.data)
        return []

    module = types.ModuleType("pathmove.finders._spy")
    module.find = spy  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pathmove.finders._spy", module)
    monkeypatch.setitem(finders.REGISTRY, "python", "_spy")
    records(nb(code("OUT = Path('outputs')"), md("# hd_results"), code(["%time x = 1\n", "p = OUT / 'hd_results'"])))
    assert seen == [b"OUT = Path('outputs')\n#time x = 1\np = OUT / 'hd_results'"]


# ---- the real Python finder ---------------------------------------------------------------
@pytest.mark.skipif(not HAS_PYTHON, reason="the Python finder is not registered yet")
@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(nb(code('p = Path("outputs") / "hd_results" / name\n')),
                 nb(code('p = Path("outputs") / "HD" / name\n')), id="chain in a cell"),
    pytest.param(nb(code(['OUT = Path("outputs")\n']), md("text"), code(['p = OUT / "hd_results"\n'])),
                 nb(code(['OUT = Path("outputs")\n']), md("text"), code(['p = OUT / "HD"\n'])),
                 id="base bound in an earlier cell"),
    pytest.param(nb(code(["%matplotlib inline\n", 'p = os.path.join("outputs", "hd_results")\n'])),
                 nb(code(["%matplotlib inline\n", 'p = os.path.join("outputs", "HD")\n'])), id="after a magic"),
))
def test_python_cells(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


# ---- property: the notebook says what the text rule says about each decoded source ---------
_pieces = st.sampled_from(["outputs/hd_results", "outputs/hd_results_v2", "data/raw/", "\n", '"', "\\", "é",
                           "\t", "☃", "\x01", " ", "/", "x", "💡"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_pieces, max_size=12).map("".join), min_size=1, max_size=4), st.booleans(),
       st.booleans())
def test_each_string_rewritten_as_its_decoded_text(sources: list[str], as_lines: bool, ascii_only: bool) -> None:
    # code cells of an R notebook: decoded, then the plain-text rule, whichever finders exist
    cells = [code(s.splitlines(keepends=True) if as_lines else s) for s in sources]
    data = nb(*cells, meta={"kernelspec": {"language": "R"}}, ascii_only=ascii_only)
    out = rewrite(data)
    got = [c["source"] for c in json.loads(out)["cells"]]
    got = ["".join(s) if isinstance(s, list) else s for s in got]
    want = [splice(s.encode(), [e for e in text.find(Source("x", "x", s.encode(), "text"), MAPPING) if isinstance(e, Edit)]).decode()
            for s in sources]
    assert got == want
    assert out.isascii() or not ascii_only


@pytest.mark.skipif("markdown" not in finders.REGISTRY, reason="the Markdown finder is not registered yet")
def test_markdown_links_resolve_from_the_notebook() -> None:
    moving = from_pairs([("outputs/hd_results", "outputs/HD"), ("nb", "notebooks/nb")])
    data = nb(md(["[a](../outputs/hd_results/s.csv) [b](outputs/hd_results/s.csv) [c](other.ipynb)"]))
    src = Source("nb/a.ipynb", "notebooks/nb/a.ipynb", data, "notebook")
    out = splice(data, [r for r in finders.find(src, moving) if isinstance(r, Edit)])
    # b resolves to nb/outputs/…, which does not move; c moves with the notebook
    assert json.loads(out)["cells"][0]["source"] == \
        ["[a](../../outputs/HD/s.csv) [b](outputs/hd_results/s.csv) [c](other.ipynb)"]


def _text_as_python(source: Source, mapping) -> list[Edit]:
    return list(text.find_in(source.path, source.data, mapping, 0, len(source.data), "py-string"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(_pieces, max_size=10).map("".join), min_size=1, max_size=4), st.booleans())
def test_code_cells_joined_map_back_exactly(sources: list[str], ascii_only: bool) -> None:
    # the joined module (cells separated by inserted newlines) maps every span to its own cell
    from unittest import mock

    module = types.ModuleType("pathmove.finders._text_as_python")
    module.find = _text_as_python  # type: ignore[attr-defined]
    with mock.patch.dict(sys.modules, {"pathmove.finders._text_as_python": module}), \
            mock.patch.dict(finders.REGISTRY, {"python": "_text_as_python"}):
        data = nb(*[code(s.splitlines(keepends=True)) for s in sources], ascii_only=ascii_only)
        out = rewrite(data)
    got = ["".join(c["source"]) for c in json.loads(out)["cells"]]
    want = [splice(s.encode(), [e for e in text.find(Source("x", "x", s.encode(), "text"), MAPPING) if isinstance(e, Edit)]).decode()
            for s in sources]
    assert got == want
