"""SPEC §4 Unicode boundaries, through every finder that reads prose: text, Markdown, YAML, notebooks."""

from __future__ import annotations

import json

import pytest

from pathmove import finders
from pathmove.edits import Edit, splice
from pathmove.mapping import from_pairs
from pathmove.scan import Scanner, Source, bounded_pattern

MAPPING = from_pairs([("outputs/hd_results", "outputs/HD"),
                      ("models/ldm/cin256-v2/model.ckpt", "models/ldm/cin256/model.ckpt")])

# The texts of the issue, each with what it must become.
TEXTS = [
    ("Saving to: ‘models/ldm/cin256-v2/model.ckpt’", "Saving to: ‘models/ldm/cin256/model.ckpt’"),
    ("“outputs/hd_results”", "“outputs/HD”"),
    ("→outputs/hd_results", "→outputs/HD"),
    ("«outputs/hd_results»", "«outputs/HD»"),
    ("结果见（outputs/hd_results）。", "结果见（outputs/HD）。"),
    ("结果保存在outputs/hd_results中", "结果保存在outputs/HD中"),
]


def rewrite(data: bytes, path: str, kind: str) -> bytes:
    records = finders.find(Source(path, path, data, kind), MAPPING)
    return splice(data, [r for r in records if isinstance(r, Edit)])


def _noop_texts() -> list[str]:
    return ["outputs/hd_resultsé", "ñoutputs/hd_results", "outputs/hd_results٣"]


@pytest.mark.parametrize(("src", "expected"), TEXTS)
@pytest.mark.parametrize(("path", "kind", "wrap"), [
    ("notes.txt", "text", "{}\n"),
    ("README.md", "markdown", "# Results\n\n{}\n"),
    ("cfg.yaml", "yaml", "note: {}  # {}\n"),
    ("run.sh", "text", "echo '{}'\n"),
])
def test_issue_texts_rewritten(src: str, expected: str, path: str, kind: str, wrap: str) -> None:
    data = wrap.format(src, src).encode()
    assert rewrite(data, path, kind) == wrap.format(expected, expected).encode()


@pytest.mark.parametrize(("src", "expected"), TEXTS)
@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf-8 json", "ascii-escaped json"])
def test_issue_texts_rewritten_in_notebooks(src: str, expected: str, ascii_only: bool) -> None:
    def nb(text_: str) -> bytes:
        doc = {"cells": [
            {"cell_type": "markdown", "id": "m", "metadata": {}, "source": [text_ + "\n"]},
            {"cell_type": "raw", "id": "r", "metadata": {}, "source": [text_]},
        ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        return (json.dumps(doc, indent=1, ensure_ascii=ascii_only) + "\n").encode()
    assert rewrite(nb(src), "nb/a.ipynb", "notebook") == nb(expected)


@pytest.mark.parametrize("src", _noop_texts())
@pytest.mark.parametrize(("path", "kind"), [("n.txt", "text"), ("R.md", "markdown"), ("c.yaml", "yaml")])
def test_letters_next_to_a_path_are_names(src: str, path: str, kind: str) -> None:
    data = f"k: {src}\n".encode()
    assert rewrite(data, path, kind) == data


@pytest.mark.parametrize(("src", "holds"), [
    ("结果保存在outputs/hd_results中", True),
    ("“outputs/hd_results”", True),
    ("（hd_results）", True),
    ("outputs/hd_resultsé", False),
    ("ñhd_results", False),
])
def test_prefilter_second_stage_uses_the_same_test(src: str, holds: bool) -> None:
    bounded = bounded_pattern([b"hd_results"])
    assert bounded is not None
    assert bounded.search(src.encode()) is holds


def test_prefilter_passes_a_file_the_matcher_finds(tmp_path) -> None:
    (tmp_path / "zh.md").write_bytes("结果保存在outputs/hd_results中\n".encode())
    src = Scanner(tmp_path, MAPPING, translate_moves=False).source("zh.md")
    assert isinstance(src, Source) and src.kind == "markdown"


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf-8 json", "ascii-escaped json"])
def test_wget_output_kept_in_a_notebook(ascii_only: bool) -> None:
    def nb(line: str) -> bytes:
        doc = {"cells": [{"cell_type": "code", "execution_count": 1, "id": "c", "metadata": {},
                          "source": ["!wget -q http://x/model.ckpt"],
                          "outputs": [{"name": "stdout", "output_type": "stream", "text": [line]},
                                      {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                       "data": {"text/plain": [line]}}]}],
               "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        return (json.dumps(doc, indent=1, ensure_ascii=ascii_only) + "\n").encode()
    src, expected = TEXTS[0]
    assert rewrite(nb(src + "\n"), "a.ipynb", "notebook") == nb(expected + "\n")
