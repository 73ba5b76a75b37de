"""SPEC §4.7: own URLs, origin remotes and sphinx-reredirects entries, on the pure functions."""

from __future__ import annotations

import dataclasses

import pytest

from pathmove import finders
from pathmove.edits import Edit, Review, splice
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source
from pathmove.sites import OwnRepo, Sites, SphinxSite, parse_remote

BASE = from_pairs([("docs/img", "docs/assets/img"), ("docs/guide/a.rst", "docs/manual/a.rst")])
OWN = dataclasses.replace(BASE, sites=Sites(own=OwnRepo("github.com", "encode", "httpx")))


@pytest.mark.parametrize(("url", "expected"), (
    ("https://github.com/encode/httpx.git", OwnRepo("github.com", "encode", "httpx")),
    ("https://github.com/encode/httpx", OwnRepo("github.com", "encode", "httpx")),
    ("git@github.com:encode/httpx.git", OwnRepo("github.com", "encode", "httpx")),
    ("ssh://git@github.com/encode/httpx.git", OwnRepo("github.com", "encode", "httpx")),
    ("https://gitlab.com/group/sub/proj.git", OwnRepo("gitlab.com", "group/sub", "proj")),
    ("git@gitlab.com:group/sub/proj.git", OwnRepo("gitlab.com", "group/sub", "proj")),
    ("https://user@gitlab.example.org:8443/team/proj", OwnRepo("gitlab.example.org", "team", "proj")),
    ("/srv/git/proj.git", None),
))
def test_parse_remote(url: str, expected: OwnRepo | None) -> None:
    assert parse_remote(url) == expected


def own(src: bytes, mapping: Mapping = OWN, kind: str = "markdown") -> list:
    return finders.find(Source("README.md", "README.md", src, kind), mapping)


@pytest.mark.parametrize("src", (
    pytest.param(b"https://github.com/other/httpx/blob/master/docs/img/a.png\n", id="another repository"),
    pytest.param(b"https://github.com/encode/httpx/blob/master/docs/img_v2/a.png\n", id="boundary decoy"),
    pytest.param(b"https://github.com/encode/httpx/issues/12 docs/index.md\n", id="not a file link"),
))
def test_own_urls_unchanged(src: bytes) -> None:
    assert [r for r in own(src) if isinstance(r, (Edit, Review))] == []


@pytest.mark.parametrize(("src", "url"), (
    pytest.param(b"![x](https://github.com/encode/httpx/blob/master/docs/img/a.png)\n",
                 "https://github.com/encode/httpx/blob/master/docs/assets/img/a.png", id="blob in Markdown"),
    pytest.param(b"https://raw.githubusercontent.com/encode/httpx/master/docs/img/a.png\n",
                 "https://raw.githubusercontent.com/encode/httpx/master/docs/assets/img/a.png", id="raw host"),
    pytest.param(b"see https://github.com/encode/httpx/tree/main/docs/img/\n",
                 "https://github.com/encode/httpx/tree/main/docs/assets/img/", id="tree, trailing slash"),
))
def test_own_urls_are_reviews_with_the_new_url(src: bytes, url: str) -> None:
    for kind in ("markdown", "text"):
        recs = own(src, kind=kind)
        assert [r for r in recs if isinstance(r, Edit)] == []  # not even the text rule inside the URL
        reviews = [r for r in recs if isinstance(r, Review)]
        assert len(reviews) == 1 and url in reviews[0].message


def test_own_urls_rewritten_on_request() -> None:
    m = dataclasses.replace(OWN, sites=dataclasses.replace(OWN.sites, rewrite_own_urls=True))
    src = b"[a](https://github.com/encode/httpx/blob/master/docs/img/a%20b.png#L1)\n"
    recs = own(src, m)
    assert splice(src, [r for r in recs if isinstance(r, Edit)]) == \
        b"[a](https://github.com/encode/httpx/blob/master/docs/assets/img/a%20b.png#L1)\n"


def conf(src: bytes) -> bytes:
    m = dataclasses.replace(BASE, sites=Sites(sphinx=(SphinxSite("docs/conf.py", "docs", True),),
                                              pages=(("docs/guide/a.rst", "docs/manual/a.rst"),
                                                     ("docs/old.md", "docs/new/old.md"))))
    recs = finders.find(Source("docs/conf.py", "docs/conf.py", src, "python"), m)
    return splice(src, [r for r in recs if isinstance(r, Edit)])


@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b"redirects = {\n    'x': 'y.html'\n}\n",
                 b"redirects = {\n    'x': 'y.html',\n    'guide/a': '../manual/a.html',\n"
                 b"    'old': 'new/old.html',\n}\n", id="block dict, no trailing comma, single quotes"),
    pytest.param(b"redirects = {}\r\n", b'redirects = {"guide/a": "../manual/a.html", "old": "new/old.html"}\r\n',
                 id="empty inline dict"),
    pytest.param(b'redirects = {"x": "y.html",  # keep\n}\n',
                 b'redirects = {"x": "y.html",  # keep\n    "guide/a": "../manual/a.html",\n'
                 b'    "old": "new/old.html",\n}\n', id="trailing comma and a comment"),
    pytest.param(b'redirects = {"guide/a": "z.html", "old": "new/old.html"}\n',
                 b'redirects = {"guide/a": "z.html", "old": "new/old.html"}\n', id="already there: nothing"),
))
def test_sphinx_redirects(src: bytes, expected: bytes) -> None:
    assert conf(src) == expected


def test_sphinx_redirect_keys_are_never_rewritten() -> None:
    # conf.py at the root: the source folder is the root, and a key spells a moved folder
    m = dataclasses.replace(from_pairs([("guide", "manual/guide")]),
                            sites=Sites(sphinx=(SphinxSite("conf.py", "", True),)))
    src = b'extensions = ["sphinx_reredirects"]\nredirects = {"guide/intro": "../manual/guide/intro.html"}\n'
    recs = finders.find(Source("conf.py", "conf.py", src, "python"), m)
    key = (src.index(b'"guide/intro"'), src.index(b'"guide/intro"') + len(b'"guide/intro"'))
    spots = [r.start for r in recs if isinstance(r, (Edit, Review))]
    assert spots and not [s for s in spots if key[0] <= s < key[1]]  # the value is the string rule's, the key nobody's
