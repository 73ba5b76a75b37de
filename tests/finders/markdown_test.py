"""SPEC §4.3: the Markdown rewriter, on the pure finder (no files)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove import finders
from pathmove.edits import Edit, Review, splice
from pathmove.finders.markdown import destinations, relink
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source

MAPPING = from_pairs([
    ("outputs/hd_results", "outputs/HD"),
    ("handbook/setup.md", "handbook/getting-started/setup.md"),
    ("handbook/protocols", "handbook/lab/protocols"),
    ("docs/old dir", "docs/new dir"),
])


def records(src: bytes, path: str, mapping: Mapping = MAPPING) -> list:
    # SPEC §2: where the file itself ends up (in verify mode it stays where it is)
    new_path = mapping.translate(path) or path
    return finders.find(Source(path, new_path, src, "markdown"), mapping)


def rewrite(src: bytes, path: str = "docs/page.md", mapping: Mapping = MAPPING) -> bytes:
    return splice(src, [r for r in records(src, path, mapping) if isinstance(r, Edit)])


@pytest.mark.parametrize(("src", "path"), (
    pytest.param(b"[a](../outputs/hd_results_v2/x.csv) and outputs/hd_results_v2\n", "docs/page.md", id="v2 decoy"),
    pytest.param(b"myoutputs/hd_results and outputs/hd_results.bak\n", "docs/page.md", id="prose decoys"),
    pytest.param(b"[a](outputs/hd_results/x.csv)\n", "docs/page.md",
                 id="relative link that resolves elsewhere (docs/outputs/...)"),
    pytest.param(b"[a](https://example.org/outputs/hd_results) <https://example.org/outputs/hd_results>\n",
                 "README.md", id="scheme URLs in links and autolinks"),
    pytest.param(b"See https://example.org/tree/main/outputs/hd_results for the data.\n", "README.md",
                 id="bare scheme URL in prose"),
    pytest.param(b"[m](mailto:team@outputs/hd_results) [p](//cdn.example.org/outputs/hd_results)\n", "README.md",
                 id="mailto and protocol-relative"),
    pytest.param(b"[up](../../../outputs/hd_results/x.md)\n", "docs/page.md", id="escapes the root"),
    pytest.param(b"[a](#outputs) [b](other.md#x) [c](<sub dir/a b.md>)\n", "docs/page.md", id="nothing moves"),
    pytest.param(b"[p](perfusion.md) ![i](../protocols/rig.png) [r][r]\n\n[r]: immunostaining.md\n",
                 "handbook/protocols/perfusion.md", id="siblings moving together"),
    pytest.param(b"[root](/README.md) [top](/handbook/index.md)\n", "handbook/setup.md",
                 id="root-relative links from a moving file"),
))
def test_markdown_unchanged(src: bytes, path: str) -> None:
    assert rewrite(src, path) == src


@pytest.mark.parametrize(("src", "path", "expected"), (
    # moved target, the file stays
    pytest.param(b"[a](../outputs/hd_results/s1.csv)\n", "docs/page.md", b"[a](../outputs/HD/s1.csv)\n",
                 id="inline link"),
    pytest.param(b"![i](../outputs/hd_results/p.png \"outputs/hd_results p\")\n", "docs/page.md",
                 b"![i](../outputs/HD/p.png \"outputs/HD p\")\n", id="image with a title"),
    pytest.param(b"[a](<../outputs/hd_results/a b.csv>)\n", "docs/page.md", b"[a](<../outputs/HD/a b.csv>)\n",
                 id="angle brackets"),
    pytest.param(b"[a][x]\n\n[x]: ../outputs/hd_results/x.md \"X\"\n", "docs/page.md",
                 b"[a][x]\n\n[x]: ../outputs/HD/x.md \"X\"\n", id="reference definition"),
    pytest.param(b"[a][x]\n\n[x]:\n   <../outputs/hd_results/x.md>\n", "docs/page.md",
                 b"[a][x]\n\n[x]:\n   <../outputs/HD/x.md>\n", id="reference definition on the next line"),
    pytest.param(b"[a](hd_results/x.md#top) [b](./hd_results/?plain=1)\n", "outputs/README.md",
                 b"[a](HD/x.md#top) [b](./HD/?plain=1)\n", id="anchor, query, ./ and trailing slash kept"),
    pytest.param(b"[a](/outputs/hd_results/x.md)\n", "docs/page.md", b"[a](/outputs/HD/x.md)\n",
                 id="root-relative"),
    pytest.param(b"<a href=\"../outputs/hd_results/\">x</a> <img src='../outputs/hd_results/a.png' width=3>\n",
                 "docs/page.md", b"<a href=\"../outputs/HD/\">x</a> <img src='../outputs/HD/a.png' width=3>\n",
                 id="inline HTML href and src"),
    pytest.param(b"<div>\n  <img src=../outputs/hd_results/a.png>\n</div>\n", "docs/page.md",
                 b"<div>\n  <img src=../outputs/HD/a.png>\n</div>\n", id="block HTML, unquoted"),
    pytest.param(b"> - [a](../outputs/hd_results/a.md)\n>   [b]: ../outputs/hd_results/b.md\n", "docs/page.md",
                 b"> - [a](../outputs/HD/a.md)\n>   [b]: ../outputs/HD/b.md\n", id="inside a quote and a list"),
    pytest.param(b"| a | [b](../outputs/hd_results/b.md) |\n|---|---|\n", "docs/page.md",
                 b"| a | [b](../outputs/HD/b.md) |\n|---|---|\n", id="table cell"),
    pytest.param(b"[a](old%20dir/a%2Bb.md) [b](<old dir/b.md>) [c](old%20dir/)\n", "docs/page.md",
                 b"[a](new%20dir/a%2Bb.md) [b](<new dir/b.md>) [c](new%20dir/)\n", id="percent-encoding kept"),
    pytest.param(b"[a](../docs/old%20dir/a.md) [b](./../outputs/hd_results/)\n", "docs/page.md",
                 b"[a](../docs/new%20dir/a.md) [b](./../outputs/HD/)\n", id="the author's way to the folder kept"),
    pytest.param(b"[a](../outputs/hd_results/a\\_b.md)\n", "docs/page.md", b"[a](../outputs/HD/a\\_b.md)\n",
                 id="backslash escape kept"),
    # the text rule outside destinations
    pytest.param(b"Data in `outputs/hd_results/` and outputs/hd_results.\n", "docs/page.md",
                 b"Data in `outputs/HD/` and outputs/HD.\n", id="inline code and prose"),
    pytest.param(b"```sh\ncat outputs/hd_results/a [x](../outputs/hd_results/q)\n```\n", "docs/page.md",
                 b"```sh\ncat outputs/HD/a [x](../outputs/HD/q)\n```\n", id="fenced code: text rule"),
    pytest.param(b"Text\n\n    ls outputs/hd_results\n", "docs/page.md", b"Text\n\n    ls outputs/HD\n",
                 id="indented code"),
    pytest.param(b"`[x](hd_results/q)`\n", "outputs/README.md", b"`[x](hd_results/q)`\n",
                 id="code is not resolved relative to the file"),
    pytest.param(b"---\ndata: outputs/hd_results\n---\n# T\n", "docs/page.md", b"---\ndata: outputs/HD\n---\n# T\n",
                 id="front matter"),
    pytest.param(b"+++\ndata = '[x](outputs/hd_results)'\n+++\n", "docs/page.md",
                 b"+++\ndata = '[x](outputs/HD)'\n+++\n", id="TOML front matter: text rule, not a link"),
    pytest.param(b"[outputs/hd_results](../outputs/hd_results/)\n", "docs/page.md", b"[outputs/HD](../outputs/HD/)\n",
                 id="link text by the text rule, destination once"),
    # the file moves, the targets stay
    pytest.param(b"Read the [FAQ](faq.md), ![b](img/b.png), [top](../README.md).\n", "handbook/setup.md",
                 b"Read the [FAQ](../faq.md), ![b](../img/b.png), [top](../../README.md).\n", id="moved file"),
    pytest.param(b"[f](../faq.md) [d](../../data/a.csv \"T\")\n", "handbook/protocols/perfusion.md",
                 b"[f](../../faq.md) [d](../../../data/a.csv \"T\")\n", id="file moved with its folder"),
    pytest.param(b"[c](./confocal.md)\n", "handbook/setup.md", b"[c](../confocal.md)\n", id="./ dropped when going up"),
    # both move
    pytest.param(b"[p](protocols/perfusion.md#s) [same](setup.md)\n", "handbook/setup.md",
                 b"[p](../lab/protocols/perfusion.md#s) [same](setup.md)\n", id="file and target move"),
    pytest.param(b"[s](../setup.md)\n", "handbook/protocols/perfusion.md",
                 b"[s](../../getting-started/setup.md)\n", id="moved folder to moved file"),
    # CRLF and BOM
    pytest.param(b"\xef\xbb\xbf# \xc3\x89t\xc3\xa9\r\n\r\n[a](../outputs/hd_results/a.csv) outputs/hd_results\r\n",
                 "docs/page.md", b"\xef\xbb\xbf# \xc3\x89t\xc3\xa9\r\n\r\n[a](../outputs/HD/a.csv) outputs/HD\r\n",
                 id="BOM, CRLF, non-ASCII"),
    pytest.param(b"[x]: ../outputs/hd_results/x.md\r\n\r\n```\r\nouputs\r\n```\r\n", "docs/page.md",
                 b"[x]: ../outputs/HD/x.md\r\n\r\n```\r\nouputs\r\n```\r\n", id="CRLF reference definition"),
))
def test_markdown_rewrites(src: bytes, path: str, expected: bytes) -> None:
    assert rewrite(src, path) == expected


def test_link_edits_are_md_link_and_prose_edits_are_text() -> None:
    src = b"[outputs/hd_results](../outputs/hd_results/a.md)\n"
    kinds = sorted((e.old, e.kind) for e in records(src, "docs/page.md") if isinstance(e, Edit))
    assert kinds == [(b"../outputs/hd_results/a.md", "md-link"), (b"outputs/hd_results", "md-text")]


def test_verify_view_leaves_current_links_alone() -> None:
    """In verify mode the new destinations exist: a link reaching them is current, not stale."""
    live = MAPPING.with_live(e.new for e in MAPPING.entries)
    src = b"[a](../outputs/HD/a.csv) [b](../outputs/hd_results/b.csv)\n"
    out = splice(src, [r for r in finders.find(Source("docs/p.md", "docs/p.md", src, "markdown"), live)
                       if isinstance(r, Edit)])
    assert out == b"[a](../outputs/HD/a.csv) [b](../outputs/HD/b.csv)\n"


def test_a_link_mistune_sees_but_we_cannot_place_is_reported() -> None:
    src = b"[a][x\ny]\n\n[x\ny]: hd_results/x.md\n"  # a label broken over two lines
    recs = records(src, "outputs/README.md")
    assert not [r for r in recs if isinstance(r, Edit)]
    [review] = [r for r in recs if isinstance(r, Review)]
    assert review.kind == "md-link" and "hd_results/x.md" in review.message
    assert src[review.start:review.end] == b"hd_results/x.md"


def test_an_unplaced_link_the_text_rule_fixes_needs_no_review() -> None:
    src = b"[a][x\ny]\n\n[x\ny]: outputs/hd_results/x.md\n"
    recs = records(src, "README.md")
    assert not [r for r in recs if isinstance(r, Review)]
    assert rewrite(src, "README.md") == src.replace(b"outputs/hd_results", b"outputs/HD")


@pytest.mark.parametrize(("src", "found"), (
    (b"[a](x.md) `[b](y.md)` <img src=\"z.png\">\n\n    [c](w.md)\n", ["x.md", "z.png"]),
    (b"[a]: r.md\n\n```\n[b]: s.md\n<a href=\"t.md\">\n```\n", ["r.md"]),
    (b"\\[a](x.md) [b] (y.md) [c](z.md\n", []),
    (b"`code ](a`b` [l](c.md) > [q](\n> d.md)\n", ["c.md"]),
    (b"> [q](\n> d.md)\n", ["d.md"]),
))
def test_mistune_decides_what_is_a_destination(src: bytes, found: list[str]) -> None:
    text = src.decode()
    assert [text[d.start:d.end] for d in destinations(text)] == found


@pytest.mark.parametrize(("dest", "md", "md_new", "expected"), (
    ("../outputs/hd_results", "docs/a.md", "docs/a.md", "../outputs/HD"),
    ("./hd_results/", "outputs/a.md", "outputs/a.md", "./HD/"),
    ("a.md", "outputs/hd_results/r.md", "outputs/HD/r.md", None),  # moved together
    ("../b.md", "outputs/hd_results/r.md", "outputs/HD/r.md", None),  # same depth
    ("../../b.md", "outputs/hd_results/r.md", "outputs/x/y/r.md", "../../../b.md"),
    ("/outputs/hd_results", "docs/a.md", "docs/a.md", "/outputs/HD"),
    ("../outputs/../outputs/hd_results/a", "docs/a.md", "docs/a.md", "../outputs/../outputs/HD/a"),
    ("hd_results/../hd_results/a", "outputs/a.md", "outputs/a.md", "HD/a"),
    ("https://x.org/outputs/hd_results", "a.md", "a.md", None),
    ("../../x", "docs/a.md", "elsewhere/deeper/a.md", None),  # escapes the root
    (".", "docs/a.md", "docs/sub/a.md", ".."),
))
def test_relink(dest: str, md: str, md_new: str, expected: str | None) -> None:
    assert relink(dest, md, md_new, from_pairs([("outputs/hd_results", "outputs/HD")])) == expected


# ---- property: a rewritten page holds nothing stale from where it ends up (STYLE §2) ------
_SNIPPETS = [
    "[a](../outputs/hd_results/x.md)", "[b](hd_results/y.csv#top)", "![c](<../outputs/hd_results/a b.png>)",
    "[d](./setup.md?plain=1)", "[e](/handbook/protocols/p.md)", "[f](../faq.md)", "[g](protocols/)",
    "`outputs/hd_results`", "outputs/hd_results", "https://x.org/outputs/hd_results", "[h][r]",
    '<a href="../handbook/setup.md">h</a>', "\n\n```\n[i](../outputs/hd_results/z)\n```\n\n",
    "\n\n[r]: ../outputs/hd_results/r.md \"T\"\n\n", " ", "\n", "\r\n", "> ", "- ", "é",
]
_PAGES = ["README.md", "docs/page.md", "outputs/README.md", "outputs/hd_results/README.md",
          "handbook/setup.md", "handbook/protocols/perfusion.md"]


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.sampled_from(_SNIPPETS), max_size=12), page=st.sampled_from(_PAGES))
def test_rewritten_page_is_stable_where_it_ends_up(parts: list[str], page: str) -> None:
    src = "".join(parts).encode()
    new_page = MAPPING.translate(page) or page
    out = rewrite(src, page)
    post_view = MAPPING.with_live(e.new for e in MAPPING.entries)
    again = finders.find(Source(new_page, new_page, out, "markdown"), post_view)
    assert not [r for r in again if isinstance(r, Edit)]
