"""Several names in one `from x import a, b` (SPEC §4.1 module names): rewritten in place when
they go to one module, else split into one statement per module; reviewed where unsure."""

from __future__ import annotations

import ast
import dataclasses
import json

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathmove import finders
from pathmove.edits import Disposition, Edit, Review, splice
from pathmove.finders import python
from pathmove.mapping import Mapping, from_pairs
from pathmove.packages import ModuleMove, Packages
from pathmove.scan import Source

# pypa/packaging: the platform modules move into `_platforms/` (no __init__.py), the ELF
# reader into another folder under a new name; `vendored` leaves for a top-level module,
# `_legacy` for a folder that cannot be imported.
PAIRS = [
    ("src/packaging/_manylinux.py", "src/packaging/_platforms/_manylinux.py"),
    ("src/packaging/_musllinux.py", "src/packaging/_platforms/_musllinux.py"),
    ("src/packaging/_elffile.py", "src/packaging/_formats/elf.py"),
    ("src/packaging/vendored.py", "src/vendored.py"),
    ("src/packaging/_legacy.py", "src/packaging/old-code/_legacy.py"),
]
MOVES = (
    ModuleMove("packaging._manylinux", "packaging._platforms._manylinux", "src"),
    ModuleMove("packaging._musllinux", "packaging._platforms._musllinux", "src"),
    ModuleMove("packaging._elffile", "packaging._formats.elf", "src"),
    ModuleMove("packaging.vendored", "vendored", "src"),
    ModuleMove("packaging._legacy", None, "src"),
)
PKG = dataclasses.replace(from_pairs(PAIRS), packages=Packages(MOVES, ("src", "")))
TAGS = "src/packaging/tags.py"


def records(src: bytes, path: str = TAGS, new_path: str | None = None, mapping: Mapping = PKG) -> list:
    return list(python.find(Source(path, new_path or path, src, "python"), mapping))


def rewrite(src: bytes, path: str = TAGS, new_path: str | None = None) -> bytes:
    recs = records(src, path, new_path)
    assert not [r for r in recs if not isinstance(r, Edit)], recs
    out = splice(src, recs)
    ast.parse(out)
    return out


# ---- nothing changes ------------------------------------------------------------------------
@pytest.mark.parametrize("src", (
    pytest.param(b"from . import tags, utils\n", id="no name moves"),
    pytest.param(b"from . import _manylinux_compat, _musllinux2\n", id="names that only begin the same"),
    pytest.param(b"from ._platforms import _manylinux, _musllinux\n", id="already the new module"),
    pytest.param(b"from .tags import _manylinux, _musllinux\n", id="attributes of a module that stays"),
    pytest.param(b"from other import _manylinux, _musllinux\n", id="another package"),
    pytest.param(b"from packaging.version import Version, parse\n", id="absolute, nothing moved"),
    pytest.param(b"from . import *\n", id="star"),
    pytest.param(b'x = "_manylinux, _musllinux"\n# from . import _manylinux, _musllinux\n', id="not an import"),
))
def test_multi_name_import_noop(src: bytes) -> None:
    assert records(src) == []


# ---- rewritten in place: every name goes to one module -------------------------------------
@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b"from . import _manylinux, _musllinux\n", b"from ._platforms import _manylinux, _musllinux\n",
                 id="relative"),
    pytest.param(b"from packaging import _manylinux, _musllinux\n",
                 b"from packaging._platforms import _manylinux, _musllinux\n", id="absolute"),
    pytest.param(b"from . import _musllinux as musl, _manylinux\n",
                 b"from ._platforms import _musllinux as musl, _manylinux\n", id="as names"),
    pytest.param(b"from . import (\n    _manylinux,  # glibc\n    _musllinux,  # musl\n)\n",
                 b"from ._platforms import (\n    _manylinux,  # glibc\n    _musllinux,  # musl\n)\n",
                 id="parenthesised, comments, trailing comma"),
    pytest.param(b"from . import _manylinux, \\\n    _musllinux\n", b"from ._platforms import _manylinux, \\\n    _musllinux\n",
                 id="backslash continuation"),
    pytest.param(b"def platform_tags():\n    from . import _manylinux, _musllinux\n",
                 b"def platform_tags():\n    from ._platforms import _manylinux, _musllinux\n", id="function body"),
    pytest.param(b"from . import _manylinux, _musllinux; x = 1\n", b"from ._platforms import _manylinux, _musllinux; x = 1\n",
                 id="semicolon after"),
    pytest.param(b"from packaging import _elffile\n", b"from packaging._formats import elf as _elffile\n",
                 id="one name, new parent and leaf"),
))
def test_multi_name_import_in_place(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


# ---- split: one statement per module ---------------------------------------------------------
@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b"from . import _elffile, _manylinux\n",
                 b"from ._formats import elf as _elffile\nfrom ._platforms import _manylinux\n",
                 id="two new parents, relative"),
    pytest.param(b"from . import tags, _manylinux, utils, _elffile\n",
                 b"from . import tags, utils\nfrom ._platforms import _manylinux\nfrom ._formats import elf as _elffile\n",
                 id="names that stay keep the statement"),
    pytest.param(b"from packaging import _elffile as ef, _manylinux as ml, version\n",
                 b"from packaging import version\nfrom packaging._formats import elf as ef\n"
                 b"from packaging._platforms import _manylinux as ml\n", id="absolute with as names"),
    pytest.param(b"from . import _manylinux, tags, _musllinux\n",
                 b"from . import tags\nfrom ._platforms import _manylinux, _musllinux\n",
                 id="first name moves, no comment"),
    pytest.param(b"try:\n    from . import tags, _manylinux\nexcept ImportError:\n    tags = None\n",
                 b"try:\n    from . import tags\n    from ._platforms import _manylinux\nexcept ImportError:\n    tags = None\n",
                 id="inside try"),
    pytest.param(b"try:\n    import x\nexcept ImportError:\n    from . import tags, _elffile\n",
                 b"try:\n    import x\nexcept ImportError:\n    from . import tags\n    from ._formats import elf as _elffile\n",
                 id="inside except ImportError"),
    pytest.param(b"if TYPE_CHECKING:\n\tfrom . import tags, _manylinux\n",
                 b"if TYPE_CHECKING:\n\tfrom . import tags\n\tfrom ._platforms import _manylinux\n",
                 id="if TYPE_CHECKING, tab indent"),
    pytest.param(b"class A:\n    def f(self):\n        from . import tags, _manylinux\n        return 1\n",
                 b"class A:\n    def f(self):\n        from . import tags\n        from ._platforms import _manylinux\n"
                 b"        return 1\n", id="method body"),
    pytest.param(b"from . import (\n    tags,\n    _manylinux,  # glibc\n    utils,\n    _elffile,\n)\n",
                 b"from . import (\n    tags,\n    # glibc\n    utils,\n)\nfrom ._platforms import _manylinux\n"
                 b"from ._formats import elf as _elffile\n", id="parenthesised, comments stay with the first names"),
    pytest.param(b"from . import (\n    tags,\n    _manylinux,\n    _elffile\n)\n",
                 b"from . import (\n    tags\n)\nfrom ._platforms import _manylinux\nfrom ._formats import elf as _elffile\n",
                 id="parenthesised, no trailing comma"),
    pytest.param(b"from . import (tags, _manylinux, utils)\n",
                 b"from . import (tags, utils)\nfrom ._platforms import _manylinux\n", id="parenthesised, one line"),
    pytest.param(b"from . import (tags as t, _manylinux as m,)\n",
                 b"from . import (tags as t,)\nfrom ._platforms import _manylinux as m\n", id="one line, trailing comma"),
    pytest.param(b"from  .  import  tags ,  _manylinux\n", b"from  .  import  tags\nfrom ._platforms import _manylinux\n",
                 id="irregular blanks: none left at the end of the line"),
    pytest.param(b"from . import tags , _manylinux   # c\n", b"from . import tags   # c\nfrom ._platforms import _manylinux\n",
                 id="blanks before the comment are not the statement's"),
    pytest.param(b"from . import (\n    tags, _manylinux, utils,\n    _elffile, version,\n)\n",
                 b"from . import (\n    tags, utils,\n    version,\n)\nfrom ._platforms import _manylinux\n"
                 b"from ._formats import elf as _elffile\n", id="several names a line"),
    pytest.param(b"from . import (  # platform support\n    tags,\n    _manylinux,\n)\n",
                 b"from . import (  # platform support\n    tags,\n)\nfrom ._platforms import _manylinux\n",
                 id="comment after the parenthesis"),
    pytest.param(b"from . import tags, _manylinux  # noqa: F401\nx = 1\n",
                 b"from . import tags  # noqa: F401\nfrom ._platforms import _manylinux\nx = 1\n",
                 id="trailing comment stays on its line"),
    pytest.param(b"from . import tags, _manylinux; x = 1\n", b"from . import tags; from ._platforms import _manylinux; x = 1\n",
                 id="semicolon after"),
    pytest.param(b"import os; from . import tags, _manylinux\n", b"import os; from . import tags; from ._platforms import _manylinux\n",
                 id="semicolon before"),
    pytest.param(b"if TYPE_CHECKING: from . import tags, _manylinux\n",
                 b"if TYPE_CHECKING: from . import tags; from ._platforms import _manylinux\n",
                 id="same line as its block header"),
    pytest.param(b"from . import tags, \\\n    _manylinux\n", b"from . import tags\nfrom ._platforms import _manylinux\n",
                 id="backslash continuation"),
    pytest.param(b"from . import _manylinux, \\\n    tags, utils\n", b"from . import \\\n    tags, utils\nfrom ._platforms import _manylinux\n",
                 id="backslash continuation, first name moves"),
    pytest.param(b"x = 1; \\\nfrom . import tags, _manylinux\n", b"x = 1; \\\nfrom . import tags; from ._platforms import _manylinux\n",
                 id="statement on a continued line"),
    pytest.param(b"from . import tags, _manylinux\r\nx = 1\r\n", b"from . import tags\r\nfrom ._platforms import _manylinux\r\nx = 1\r\n",
                 id="CRLF"),
    pytest.param(b"from . import tags, _manylinux", b"from . import tags\nfrom ._platforms import _manylinux", id="no final newline"),
    pytest.param("\ufeff# é\nfrom . import tags, _manylinux\n".encode(),
                 "\ufeff# é\nfrom . import tags\nfrom ._platforms import _manylinux\n".encode(), id="BOM and non-ASCII"),
))
def test_multi_name_import_split(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected
    assert _bound(expected) == _bound(src)


@pytest.mark.parametrize(("src", "path", "new_path", "expected"), (
    pytest.param(b"from . import _elffile, _musllinux\n", "src/packaging/_manylinux.py", "src/packaging/_platforms/_manylinux.py",
                 b"from .._formats import elf as _elffile\nfrom . import _musllinux\n", id="in a moved file"),
    pytest.param(b"from . import _manylinux, _musllinux\n", "src/packaging/_elffile.py", "src/packaging/_formats/elf.py",
                 b"from .._platforms import _manylinux, _musllinux\n", id="in place, in a moved file"),
    pytest.param(b"from packaging import tags, _manylinux\n", "tests/test_tags.py", "tests/test_tags.py",
                 b"from packaging import tags\nfrom packaging._platforms import _manylinux\n", id="outside the package"),
))
def test_multi_name_import_from_moved_files(src: bytes, path: str, new_path: str, expected: bytes) -> None:
    assert rewrite(src, path, new_path) == expected


def test_a_split_is_one_edit_and_stable() -> None:
    """Written whole or not at all; the result has nothing left to rewrite."""
    src = b"from . import (\n    tags,\n    _manylinux,\n    _elffile,\n)\n"
    recs = records(src)
    assert [(r.kind, r.start, r.end) for r in recs] == [("py-import", 0, len(src) - 1)]
    out = splice(src, recs)
    assert records(out) == []  # run again: nothing left to rewrite


# ---- reviews: never silence, never half a statement -------------------------------------------
@pytest.mark.parametrize(("src", "says", "line", "edits"), (
    pytest.param(b"import os\nfrom . import (\n    _manylinux,  # glibc\n    tags,\n)\n", "comments", 2, False,
                 id="comments belong to a first name that moves"),
    pytest.param(b"from . import (  # platform support\n    _elffile,\n    tags,\n)\n", "comments", 1, False,
                 id="comment after the parenthesis, first name moves"),
    pytest.param(b"from . import tags, _manylinux  # see src/packaging/_manylinux.py\n", "another rewrite", 1, True,
                 id="a path in the comment on its line"),
    pytest.param(b"from . import tags, vendored\n", "top-level module vendored", 1, False, id="name leaves for the top level"),
    pytest.param(b"from . import _manylinux, _legacy\n", "not importable", 1, True, id="name moves out of reach"),
))
def test_multi_name_import_review(src: bytes, says: str, line: int, edits: bool) -> None:
    recs = records(src)
    reviews = [r for r in recs if isinstance(r, Review)]
    assert len(reviews) == 1 and reviews[0].kind == "py-review", recs
    assert says in reviews[0].message
    assert src[: reviews[0].start].count(b"\n") + 1 == line
    changed = [r for r in recs if isinstance(r, Edit)]
    assert bool(changed) == edits
    if not edits:
        return
    out = splice(src, changed)
    assert _bound(out) == _bound(src)  # no name dropped


def _bound(src: bytes) -> set[str]:
    return {a.asname or a.name for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ImportFrom) for a in n.names}


def test_name_out_of_reach_stays_and_the_rest_follows() -> None:
    out = splice(b"from . import _manylinux, _legacy\n", [r for r in records(b"from . import _manylinux, _legacy\n")
                                                           if isinstance(r, Edit)])
    assert out == b"from . import _legacy\nfrom ._platforms import _manylinux\n"


# ---- notebooks: the Python finder reads the code cells -----------------------------------------
def _nb(*sources: list[str]) -> bytes:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": s}
             for i, s in enumerate(sources)]
    doc = {"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
           "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(doc, indent=1) + "\n").encode()


@pytest.mark.parametrize(("cells", "expected"), (
    pytest.param([["from packaging import _manylinux, _musllinux\n", "x = 1\n"]],
                 ["from packaging._platforms import _manylinux, _musllinux\nx = 1\n"], id="in place"),
    pytest.param([["%matplotlib inline\n", "from packaging import tags, _manylinux\n", "x = 1\n"]],
                 ["%matplotlib inline\nfrom packaging import tags\nfrom packaging._platforms import _manylinux\nx = 1\n"],
                 id="split"),
    pytest.param([["from packaging import (\n", "    tags,\n", "    _elffile,\n", ")"], ["y = 2"]],
                 ["from packaging import (\n    tags,\n)\nfrom packaging._formats import elf as _elffile", "y = 2"],
                 id="split, last line of a cell"),
))
def test_multi_name_import_in_notebook_cells(cells: list[list[str]], expected: list[str]) -> None:
    data = _nb(*cells)
    recs = finders.find(Source("notebooks/tags.ipynb", "notebooks/tags.ipynb", data, "notebook"), PKG)
    assert not [r for r in recs if isinstance(r, Review)], recs
    out = splice(data, [r for r in recs if isinstance(r, Edit)])
    doc = nbformat.reads(out.decode(), as_version=4)
    assert ["".join(c.source) if isinstance(c.source, list) else c.source for c in doc.cells] == expected
    assert out.count(b'"id"') == data.count(b'"id"') and out.endswith(b"}\n")  # the rest is the same


# ---- Sphinx roles and directives in docstrings and comments name modules too -------------------
@pytest.mark.parametrize(("src", "expected"), (
    pytest.param(b'def tags():\n    """See :func:`packaging._manylinux.platform_tags`."""\n',
                 b'def tags():\n    """See :func:`packaging._platforms._manylinux.platform_tags`."""\n', id="function docstring"),
    pytest.param(b'"""Reads ELF headers (:mod:`packaging._elffile`, :class:`~packaging._elffile.ELFFile`)."""\n',
                 b'"""Reads ELF headers (:mod:`packaging._formats.elf`, :class:`~packaging._formats.elf.ELFFile`)."""\n',
                 id="module docstring, two roles"),
    pytest.param(b'class A:\n    r"""\n    .. autofunction:: packaging._musllinux.platform_tags\n    """\n',
                 b'class A:\n    r"""\n    .. autofunction:: packaging._platforms._musllinux.platform_tags\n    """\n',
                 id="directive in a raw docstring"),
    pytest.param(b"x = 1  # see :py:func:`packaging._manylinux.platform_tags`\n",
                 b"x = 1  # see :py:func:`packaging._platforms._manylinux.platform_tags`\n", id="comment"),
))
def test_sphinx_names_in_python(src: bytes, expected: bytes) -> None:
    assert rewrite(src) == expected


@pytest.mark.parametrize("src", (
    pytest.param(b'x = ":func:`packaging._manylinux.platform_tags`"\n', id="a value, not a docstring"),
    pytest.param(b'"""See :func:`.platform_tags` and :func:`packaging._manylinux_compat.f`."""\n',
                 id="relative role, name that only begins the same"),
    pytest.param(b'"""See :func:`packaging.tags.platform_tags`."""\n', id="module that stays"),
))
def test_sphinx_names_in_python_noop(src: bytes) -> None:
    assert [r for r in records(src) if not isinstance(r, Disposition)] == []  # census dispositions only


# ---- property: whatever the layout, every bound name imports the moved module ------------------
NAMES = ["tags", "utils", "_manylinux", "_musllinux", "_elffile"]
NEW = {"_manylinux": "packaging._platforms._manylinux", "_musllinux": "packaging._platforms._musllinux",
       "_elffile": "packaging._formats.elf"}


def _imports(src: bytes) -> dict[str, str]:
    """Bound name → the absolute dotted name it imports (the file is packaging/tags.py)."""
    out = {}
    for n in ast.walk(ast.parse(src)):
        if isinstance(n, ast.ImportFrom):
            base = "packaging" if n.level == 1 else ""
            mod = ".".join(p for p in (base, n.module or "") if p)
            for a in n.names:
                out[a.asname or a.name] = f"{mod}.{a.name}"
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True), st.data())
def test_every_layout_splits_into_the_same_bindings(names: list[str], data: st.DataObject) -> None:
    aliases = [f"{n} as {n.strip('_')[:2]}{i}" if data.draw(st.booleans()) else n for i, n in enumerate(names)]
    layout = data.draw(st.sampled_from(["line", "parens", "lines", "comments", "backslash"]))
    absolute = data.draw(st.booleans())
    indent = data.draw(st.sampled_from(["", "    "]))
    head = "from packaging import " if absolute else "from . import "
    if layout == "line":
        stmt = head + ", ".join(aliases)
    elif layout == "parens":
        stmt = head + "(" + ", ".join(aliases) + ")"
    elif layout == "lines":
        stmt = head + "(\n" + "".join(f"{indent}    {a},\n" for a in aliases) + indent + ")"
    elif layout == "comments":
        stmt = head + "(  # top\n" + "".join(f"{indent}    {a},  # c{i}\n" for i, a in enumerate(aliases)) + indent + ")"
    else:
        stmt = head + (", \\\n" + indent + "    ").join(aliases)
    src = (("def f():\n" if indent else "") + indent + stmt + "\n" + indent + "x = 1\n").encode()
    before = _imports(src)
    recs = records(src)
    out = splice(src, [r for r in recs if isinstance(r, Edit)])
    reviews = [r for r in recs if isinstance(r, Review)]
    if reviews:  # only where a comment would end up beside the wrong name
        assert layout == "comments" and names[0] in NEW and any(n not in NEW for n in names), reviews
        assert out == src
        return
    after = _imports(out)
    assert set(after) == set(before)
    for bound, full in before.items():
        name = full.rsplit(".", 1)[1]
        assert after[bound] == NEW.get(name, full)
    comments = [c for c in src.split(b"#")[1:]]
    assert all(b"#" + c.split(b"\n")[0] in out for c in comments)  # every comment kept
    assert out.endswith(indent.encode() + b"x = 1\n")
    if len({after[b].rsplit(".", 1)[0] for b in after}) == 1:
        assert out.count(b"import ") == 1  # one module: in place, never split


def test_safety_check_reads_a_split_import_as_its_unit_and_nothing_more() -> None:
    src = b"try:\n    from . import tags, _manylinux\nexcept ImportError:\n    pass\nf('a')\n"
    (edit,) = records(src)
    assert python.check_edits(src, [edit], [(edit.start, edit.end)]) is None
    assert python.check_edits(src, [edit], []) is not None  # not a unit: one statement more
    # an argument broken in two is still caught, even inside a unit
    arg = src.index(b"'a'")
    broken = Edit(TAGS, arg, arg + 3, b"'a'", b"'a', 'b'", "py-string")
    assert python.check_edits(src, [broken], [(arg, arg + 3)]) is not None
