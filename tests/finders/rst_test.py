"""SPEC §4.7: the reStructuredText rewriter, on the pure finder (no files)."""

from __future__ import annotations

import dataclasses

import pytest

from pathmove import finders
from pathmove.edits import Edit, Review, splice
from pathmove.finders.rst import targets
from pathmove.mapping import Mapping, from_pairs
from pathmove.scan import Source
from pathmove.sites import Sites, SphinxSite

MAPPING = dataclasses.replace(from_pairs([
    ("outputs/hd_results", "outputs/HD"),
    ("docs/guide", "docs/guides/guide"),
    ("docs/install.rst", "docs/reference/install.rst"),
    ("docs/img/logo.png", "docs/_static/logo.png"),
    ("docs/api/old.rst", "docs/api/new.rst"),
]), sites=Sites(sphinx=(SphinxSite("docs/conf.py", "docs", False),)))


def records(src: bytes, path: str, mapping: Mapping = MAPPING) -> list:
    new_path = mapping.translate(path) or path
    return finders.find(Source(path, new_path, src, "rst"), mapping)


def rewrite(src: bytes, path: str = "docs/index.rst", mapping: Mapping = MAPPING) -> bytes:
    return splice(src, [r for r in records(src, path, mapping) if isinstance(r, Edit)])


@pytest.mark.parametrize(("src", "path"), (
    pytest.param(b"See outputs/hd_results_v2 and myoutputs/hd_results.\n", "docs/index.rst", id="decoys"),
    pytest.param(b".. image:: guide/a.png\n", "docs/other/page.rst", id="relative image elsewhere"),
    pytest.param(b".. toctree::\n\n   guide/index\n", "docs/other/index.rst",
                 id="toctree entry resolving to docs/other/guide"),
    pytest.param(b".. image:: https://example.org/docs/guide/a.png\n", "docs/index.rst", id="scheme URL"),
    pytest.param(b".. code-block:: rst\n\n   .. image:: guide/a.png\n\nafter\n", "docs/index.rst",
                 id="code block content is not markup; the text rule finds nothing"),
    pytest.param(b"Example::\n\n    :doc:`guide/index`\n", "docs/other.rst", id="literal block"),
    pytest.param(b"Use ``:doc:`install``` literally.\n", "docs/other/x.rst", id="inline literal"),
    pytest.param(b".. include:: <isonum.txt>\n", "docs/index.rst", id="docutils standard include"),
    pytest.param(b".. _anchor: other_\n\n.. _x:\n\nText\n", "docs/index.rst", id="indirect and internal targets"),
    pytest.param(b".. toctree::\n   :glob:\n\n   other/*\n", "docs/index.rst", id="glob over a folder that stays"),
    pytest.param(b":doc:`intro` and `x <sub/a.html>`_ and :doc:`/index`\n", "docs/guide/page.rst",
                 id="page moves with its siblings; a rooted name to a page that stays"),
))
def test_rst_unchanged(src: bytes, path: str) -> None:
    assert rewrite(src, path) == src


@pytest.mark.parametrize(("src", "path", "expected"), (
    pytest.param(b".. toctree::\n   :maxdepth: 2\n\n   guide/index\n   Install <install>\n   self\n",
                 "docs/index.rst",
                 b".. toctree::\n   :maxdepth: 2\n\n   guides/guide/index\n   Install <reference/install>\n   self\n",
                 id="toctree entries, title form, self"),
    pytest.param(b"Read :doc:`guide/intro` and :doc:`the install page <install>`.\n", "docs/index.rst",
                 b"Read :doc:`guides/guide/intro` and :doc:`the install page <reference/install>`.\n",
                 id="doc roles"),
    pytest.param(b"See :doc:`/guide/intro`.\n", "docs/api/x.rst", b"See :doc:`/guides/guide/intro`.\n",
                 id="rooted doc name: the Sphinx source folder"),
    pytest.param(b".. image:: img/logo.png\n   :alt: logo\n", "docs/index.rst",
                 b".. image:: _static/logo.png\n   :alt: logo\n", id="image target moves"),
    pytest.param(b".. figure:: ../img/logo.png\n\n   Caption about outputs/hd_results.\n", "docs/guide/a.rst",
                 b".. figure:: ../../_static/logo.png\n\n   Caption about outputs/HD.\n",
                 id="figure, the page moves too; caption by the text rule"),
    pytest.param(b".. include:: ../README.rst\n.. literalinclude:: ../../outputs/hd_results/run.py\n",
                 "docs/guide/a.rst",
                 b".. include:: ../../README.rst\n.. literalinclude:: ../../../outputs/HD/run.py\n",
                 id="include re-based, literalinclude target moves"),
    pytest.param(b".. csv-table:: Scores\n   :file: ../outputs/hd_results/scores.csv\n   :header-rows: 1\n",
                 "docs/x.rst", b".. csv-table:: Scores\n   :file: ../outputs/HD/scores.csv\n   :header-rows: 1\n",
                 id="csv-table file option"),
    pytest.param(b".. |logo| image:: img/logo.png\n", "docs/index.rst", b".. |logo| image:: _static/logo.png\n",
                 id="substitution image"),
    pytest.param(b".. _scores: ../outputs/hd_results/scores.csv\n\n`data <../outputs/hd_results/a.csv>`_\n",
                 "docs/x.rst",
                 b".. _scores: ../outputs/HD/scores.csv\n\n`data <../outputs/HD/a.csv>`_\n",
                 id="hyperlink target and embedded URI"),
    pytest.param(b":download:`script <../outputs/hd_results/run.py>`\n", "docs/x.rst",
                 b":download:`script <../outputs/HD/run.py>`\n", id="download role"),
    pytest.param(b".. note::\n\n   See :doc:`install`.\n\n   .. image:: img/logo.png\n", "docs/index.rst",
                 b".. note::\n\n   See :doc:`reference/install`.\n\n   .. image:: _static/logo.png\n",
                 id="nested in an admonition"),
    pytest.param(b":doc:`../index` and :doc:`intro`\n", "docs/guide/page.rst",
                 b":doc:`../../index` and :doc:`intro`\n", id="moving page re-based"),
    pytest.param(b".. toctree::\n\n   old\n", "docs/api/index.rst", b".. toctree::\n\n   new\n",
                 id="page file renamed"),
    pytest.param(b"\xef\xbb\xbf.. image:: img/logo.png\r\n\r\n:doc:`install`\r\n", "docs/index.rst",
                 b"\xef\xbb\xbf.. image:: _static/logo.png\r\n\r\n:doc:`reference/install`\r\n", id="BOM and CRLF"),
    pytest.param(".. image:: img/logo.png\n   :alt: Straße\n\n:doc:`install` – ok\n".encode(), "docs/index.rst",
                 ".. image:: _static/logo.png\n   :alt: Straße\n\n:doc:`reference/install` – ok\n".encode(),
                 id="non-ASCII"),
))
def test_rst_rewrites(src: bytes, path: str, expected: bytes) -> None:
    assert rewrite(src, path) == expected


def test_glob_into_a_moved_folder_is_a_review() -> None:
    src = b".. toctree::\n   :glob:\n\n   guide/*\n"
    reviews = [r for r in records(src, "docs/index.rst") if isinstance(r, Review)]
    assert [src[r.start:r.end] for r in reviews] == [b"guide/*"]
    assert rewrite(src) == src


def test_rooted_outside_sphinx_follows_the_text_rule() -> None:
    plain = from_pairs([("outputs/hd_results", "outputs/HD")])
    src = b".. image:: /outputs/hd_results/a.png\n"
    assert rewrite(src, "README.rst", plain) == b".. image:: /outputs/HD/a.png\n"


def test_targets_kinds() -> None:
    src = ".. toctree::\n   :glob:\n\n   a\n   T <b>\n   c/*\n\n:doc:`d` :download:`e.zip`\n"
    assert [(src[t.start:t.end], t.kind) for t in targets(src)] == [
        ("a", "doc"), ("b", "doc"), ("c/*", "glob"), ("d", "doc"), ("e.zip", "file")]
