"""SPEC §4.7: mkdocs.yml page paths relative to docs_dir, and new redirects; the pure finder."""

from __future__ import annotations

import dataclasses

import pytest

from pathmove import finders
from pathmove.edits import Edit, Review, splice
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source
from pathmove.sites import MkdocsSite, Sites

MAPPING = from_pairs([
    ("docs/advanced", "docs/guides/advanced"),
    ("docs/css/site.css", "docs/assets/site.css"),
    ("docs/quickstart.md", "docs/start/quickstart.md"),
    ("advanced", "attic/advanced"),  # a root folder of the same name: never what a nav entry means
])


def with_pages(mapping: Mapping, pages: list[tuple[str, str]], redirects: bool = True) -> Mapping:
    return dataclasses.replace(mapping, sites=Sites(mkdocs=(MkdocsSite("mkdocs.yml", "docs", redirects),),
                                                    pages=tuple(pages)))


def rewrite(src: bytes, mapping: Mapping = MAPPING) -> bytes:
    recs = finders.find(Source("mkdocs.yml", "mkdocs.yml", src, "mkdocs"), mapping)
    return splice(src, [r for r in recs if isinstance(r, Edit)])


@pytest.mark.parametrize("src", (
    pytest.param(b"site_name: x\nnav:\n  - Home: index.md\n  - other.md\n", id="nothing moves"),
    pytest.param(b"nav:\n  - Ext: https://example.org/docs/advanced/a.md\n", id="URL entry"),
    pytest.param(b"plugins:\n  - redirects:\n      redirect_maps:\n        advanced/old.md: index.md\n",
                 id="a redirect key is an old URL on purpose"),
    pytest.param(b"nav:\n  - advanced_v2/a.md\n", id="boundary decoy"),
))
def test_mkdocs_unchanged(src: bytes) -> None:
    assert rewrite(src) == src


@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b"nav:\n  - Home: index.md\n  - Advanced:\n      - advanced/clients.md\n      - 'Q': 'quickstart.md'\n",
                 b"nav:\n  - Home: index.md\n  - Advanced:\n      - guides/advanced/clients.md\n"
                 b"      - 'Q': 'start/quickstart.md'\n", id="nav, nested and quoted"),
    pytest.param(b"extra_css:\n  - css/site.css\nextra_javascript: [\"advanced/x.js\"]\n",
                 b"extra_css:\n  - assets/site.css\nextra_javascript: [\"guides/advanced/x.js\"]\n",
                 id="extra_css and flow extra_javascript"),
    pytest.param(b"docs_dir: site\nnav:\n  - advanced/a.md  # advanced/ at the root moves\n",
                 b"docs_dir: site\nnav:\n  - advanced/a.md  # attic/advanced/ at the root moves\n",
                 id="docs_dir elsewhere: nav stays, the comment follows the text rule"),
    pytest.param(b"plugins:\r\n  - redirects:\r\n      redirect_maps:\r\n        old.md: quickstart.md\r\n",
                 b"plugins:\r\n  - redirects:\r\n      redirect_maps:\r\n        old.md: start/quickstart.md\r\n",
                 id="redirect target follows its page, CRLF"),
    pytest.param(b"nav:\n  - 'Clients': advanced/clients.md#auth\n",
                 b"nav:\n  - 'Clients': guides/advanced/clients.md#auth\n", id="anchor kept"),
))
def test_mkdocs_rewrites(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


def test_redirects_added_once_per_moved_page() -> None:
    src = (b"plugins:\n  - search\n  - redirects:\n      redirect_maps:\n        'a.md': 'index.md'\n"
           b"nav:\n  - quickstart.md\n")
    m = with_pages(MAPPING, [("docs/quickstart.md", "docs/start/quickstart.md"),
                             ("docs/advanced/c.md", "docs/guides/advanced/c.md"),
                             ("docs/advanced/img.png", "docs/guides/advanced/img.png"),
                             ("README.md", "docs/README.md")])
    assert rewrite(src, m) == (
        b"plugins:\n  - search\n  - redirects:\n      redirect_maps:\n        'a.md': 'index.md'\n"
        b"        'quickstart.md': 'start/quickstart.md'\n        'advanced/c.md': 'guides/advanced/c.md'\n"
        b"nav:\n  - start/quickstart.md\n")
    once = rewrite(src, m)
    # the configuration as apply leaves it asks for nothing more (post view: destinations live)
    post = dataclasses.replace(m, live=frozenset(e.new for e in m.entries))
    assert rewrite(once, post) == once


def test_redirects_without_a_map_are_a_review() -> None:
    src = b"plugins:\n  - redirects\n"
    m = with_pages(MAPPING, [("docs/quickstart.md", "docs/start/quickstart.md")])
    recs = finders.find(Source("mkdocs.yml", "mkdocs.yml", src, "mkdocs"), m)
    reviews = [r for r in recs if isinstance(r, Review)]
    assert len(reviews) == 1 and "quickstart.md: start/quickstart.md" in reviews[0].message


def test_nav_follows_a_page_under_a_custom_docs_dir() -> None:
    m = from_pairs([("site/src/a.md", "site/src/part/a.md")])
    src = b"docs_dir: src\nnav:\n  - a.md\n"
    recs = finders.find(Source("site/mkdocs.yml", "site/mkdocs.yml", src, "mkdocs"), m)
    assert splice(src, [r for r in recs if isinstance(r, Edit)]) == b"docs_dir: src\nnav:\n  - part/a.md\n"
