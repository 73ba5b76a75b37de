"""Module names outside Python code (SPEC §4.1): Sphinx roles and directives, mkdocstrings,
and configuration scalars that are exactly a dotted name. Pure functions, no files."""

from __future__ import annotations

import dataclasses

import pytest

from pathmove.edits import Disposition, Edit, Review, splice
from pathmove.finders import dotted, markdown, pyconfig, yaml, rst
from pathmove.mapping import from_pairs
from pathmove.packages import ModuleMove, Packages
from pathmove.scan import Source, kind_of

MAPPING = dataclasses.replace(
    from_pairs([("pkg/legacy_io", "pkg/modern_io"), ("legacy_io", "compat/legacy_io"),
                ("pkg/old_mod.py", "pkg/old-mod.py")]),
    packages=Packages((ModuleMove("pkg.legacy_io", "pkg.modern_io", ""), ModuleMove("pkg.old_mod", None, ""),
                       ModuleMove("legacy_io", "compat.legacy_io", "")), ("",)),
)
FINDERS = {"python": None, "yaml": yaml.find, "markdown": markdown.find, "pyconfig": pyconfig.find,
           "text": dotted.find, "rst": rst.find}


def records(path: str, src: bytes) -> list:
    return list(FINDERS[kind_of(path)](Source(path, path, src, kind_of(path)), MAPPING))


def rewrite(path: str, src: bytes) -> bytes:
    return splice(src, [r for r in records(path, src) if isinstance(r, Edit)])


def in_text(src: bytes) -> bytes:
    """find_in on any span of text: what the Python rule calls on a docstring or comment."""
    return splice(src, [r for r in dotted.find_in("x.py", src, MAPPING) if isinstance(r, Edit)])


# ---- Sphinx roles and directives, mkdocstrings, in any text -----------------------------
@pytest.mark.parametrize(("src", "expected"), (
    (b"See :func:`pkg.legacy_io.read`.", b"See :func:`pkg.modern_io.read`."),
    (b":meth:`pkg.legacy_io.Reader.open`", b":meth:`pkg.modern_io.Reader.open`"),
    (b":class:`~pkg.legacy_io.Reader`", b":class:`~pkg.modern_io.Reader`"),
    (b":exc:`!pkg.legacy_io.Error`", b":exc:`!pkg.modern_io.Error`"),
    (b":attr:`pkg.legacy_io.Reader.size`, :data:`pkg.legacy_io.ROWS`",
     b":attr:`pkg.modern_io.Reader.size`, :data:`pkg.modern_io.ROWS`"),
    (b":obj:`pkg.legacy_io`", b":obj:`pkg.modern_io`"),
    (b":mod:`pkg.legacy_io`", b":mod:`pkg.modern_io`"),
    pytest.param(b":py:func:`pkg.legacy_io.read`", b":py:func:`pkg.modern_io.read`", id="domain form"),
    pytest.param(b":func:`reading <pkg.legacy_io.read>`", b":func:`reading <pkg.modern_io.read>`", id="titled"),
    pytest.param(b":func:`pkg.legacy_io.read()`", b":func:`pkg.modern_io.read()`", id="call parentheses"),
    pytest.param(b"{py:func}`pkg.legacy_io.read`", b"{py:func}`pkg.modern_io.read`", id="MyST role"),
    pytest.param(b":class:`legacy_io.Reader`", b":class:`compat.legacy_io.Reader`", id="top-level module, role"),
    (b".. automodule:: pkg.legacy_io\n   :members:\n", b".. automodule:: pkg.modern_io\n   :members:\n"),
    (b".. autoclass:: pkg.legacy_io.Reader\r\n", b".. autoclass:: pkg.modern_io.Reader\r\n"),
    (b".. autofunction:: pkg.legacy_io.read(path)\n", b".. autofunction:: pkg.modern_io.read(path)\n"),
    (b"   .. currentmodule:: pkg.legacy_io\n", b"   .. currentmodule:: pkg.modern_io\n"),
    (b".. py:module:: pkg.legacy_io\n", b".. py:module:: pkg.modern_io\n"),
    pytest.param(b".. autosummary::\n   :toctree: api\n\n   pkg.legacy_io\n   pkg.legacy_io.read\n   other.mod\n\nText "
                 b"pkg.legacy_io\n",
                 b".. autosummary::\n   :toctree: api\n\n   pkg.modern_io\n   pkg.modern_io.read\n   other.mod\n\nText "
                 b"pkg.legacy_io\n", id="autosummary entries, not the prose after"),
    pytest.param(b"```{automodule} pkg.legacy_io\n```\n", b"```{automodule} pkg.modern_io\n```\n", id="MyST directive"),
    pytest.param(b"::: pkg.legacy_io.reader\n    options:\n      show_source: false\n",
                 b"::: pkg.modern_io.reader\n    options:\n      show_source: false\n", id="mkdocstrings"),
    pytest.param("Löwe :func:`pkg.legacy_io.read`".encode(), "Löwe :func:`pkg.modern_io.read`".encode(),
                 id="non-ASCII before"),
))
def test_roles_and_directives(src: bytes, expected: bytes) -> None:
    assert in_text(src) == expected


@pytest.mark.parametrize("src", (
    b":func:`pkg.legacy_io_compat.read`",  # a name that only begins the same
    b":func:`mypkg.legacy_io.read`",
    b":func:`read`",
    b":func:`.legacy_io.read`",  # relative to the current module: not ours to resolve
    b":class:`Reader`",
    b"pkg.legacy_io.read in prose is not a role",
    b"`pkg.legacy_io.read` in backticks is not a role",
    b":func:`pkg.legacy_io.read",  # unclosed
    b".. autoclass:: Reader\n",
    b".. note:: pkg.legacy_io\n",
    b".. image:: pkg.legacy_io.png\n",
    b"text ::: pkg.legacy_io\n",  # not at the start of a line
    b":doc:`pkg.legacy_io`",
))
def test_roles_and_directives_noop(src: bytes) -> None:
    assert in_text(src) == src


@pytest.mark.parametrize(("src", "kind"), (
    (b":mod:`legacy_io`", "sphinx-role"),
    (b".. automodule:: legacy_io\n", "sphinx-directive"),
    (b"::: legacy_io\n", "mkdocstrings"),
    (b":func:`pkg.old_mod.f`", "sphinx-role"),  # moved where it cannot be imported
))
def test_unrewritable_module_names_are_reviews(src: bytes, kind: str) -> None:
    found = list(dotted.find_in("x.rst", src, MAPPING))
    assert [type(r) for r in found] == [Review]
    assert found[0].kind == kind


# ---- whole files: .rst and .md through their finders ------------------------------------
@pytest.mark.parametrize(("path", "src", "expected"), (
    pytest.param("docs/api.rst", b"API\n===\n\n.. automodule:: legacy_io.reader\n\nSee :mod:`pkg.legacy_io`.\n",
                 b"API\n===\n\n.. automodule:: compat.legacy_io.reader\n\nSee :mod:`pkg.modern_io`.\n", id="rst page"),
    pytest.param("docs/api.md", b"# API\n\n::: pkg.legacy_io.reader\n\nUse {py:class}`pkg.legacy_io.Reader`.\n",
                 b"# API\n\n::: pkg.modern_io.reader\n\nUse {py:class}`pkg.modern_io.Reader`.\n", id="markdown"),
    pytest.param("docs/notes.txt", b":func:`pkg.legacy_io.read` and legacy_io/data.csv\n",
                 b":func:`pkg.modern_io.read` and compat/legacy_io/data.csv\n", id="txt: role and path"),
    pytest.param("api.md", b"[reader](pkg/legacy_io/reader.py) :func:`pkg.legacy_io.read`\n",
                 b"[reader](pkg/modern_io/reader.py) :func:`pkg.modern_io.read`\n", id="markdown link and role"),
))
def test_prose_files(path: str, src: bytes, expected: bytes) -> None:
    assert rewrite(path, src) == expected


def test_a_bare_module_in_a_directive_is_not_rewritten_as_a_path() -> None:
    """The text rule would make `legacy_io` the folder `compat/legacy_io`; here it names a module."""
    src = b".. automodule:: legacy_io\n\nThe legacy_io folder.\n"
    found = records("docs/api.rst", src)
    assert rewrite("docs/api.rst", src) == b".. automodule:: legacy_io\n\nThe compat/legacy_io folder.\n"
    assert [r.kind for r in found if isinstance(r, Review)] == ["sphinx-directive"]


# ---- configuration scalars --------------------------------------------------------------
@pytest.mark.parametrize(("path", "src", "expected"), (
    pytest.param("configs/a.yaml", b"model:\n  target: pkg.legacy_io.Reader\n  params: {}\n",
                 b"model:\n  target: pkg.modern_io.Reader\n  params: {}\n", id="yaml target"),
    pytest.param("conf/m.yaml", b"_target_: 'legacy_io.Reader'\n", b"_target_: 'compat.legacy_io.Reader'\n",
                 id="hydra _target_, top-level module, quoted"),
    pytest.param("cli.yml", b"model:\n  class_path: \"pkg.legacy_io.Reader\"\r\n",
                 b"model:\n  class_path: \"pkg.modern_io.Reader\"\r\n", id="lightning class_path, CRLF"),
    pytest.param("a.yaml", b"readers: [pkg.legacy_io.Reader, other.Reader]\nany_key: pkg.legacy_io.f\n",
                 b"readers: [pkg.modern_io.Reader, other.Reader]\nany_key: pkg.modern_io.f\n", id="yaml any key"),
    pytest.param("a.yaml", "# Löwe\nhook: legacy_io:main\n".encode(), "# Löwe\nhook: compat.legacy_io:main\n".encode(),
                 id="yaml module:attr"),
    pytest.param("a.yaml", b"- pkg.legacy_io.Reader\n- data: legacy_io/x.csv\n",
                 b"- pkg.modern_io.Reader\n- data: compat/legacy_io/x.csv\n", id="yaml sequence item and a path"),
    pytest.param("conf.toml", b'[tool.app]\nreader = "pkg.legacy_io.Reader"\n# x = "pkg.legacy_io.f"\n',
                 b'[tool.app]\nreader = "pkg.modern_io.Reader"\n# x = "pkg.legacy_io.f"\n', id="toml tool setting"),
    pytest.param("conf.toml", b'plugins = ["pkg.legacy_io.a", \'legacy_io:b\']\n',
                 b'plugins = ["pkg.modern_io.a", \'compat.legacy_io:b\']\n', id="toml array"),
    pytest.param("pyproject.toml", b'[project.scripts]\nrun = "pkg.legacy_io.cli:main [color]"\n',
                 b'[project.scripts]\nrun = "pkg.modern_io.cli:main [color]"\n', id="entry point with extras"),
    pytest.param("pyproject.toml", b'[tool.pytest.ini_options]\nplugins = "pkg.legacy_io.plugin"\n',
                 b'[tool.pytest.ini_options]\nplugins = "pkg.modern_io.plugin"\n', id="tool setting in pyproject"),
    pytest.param("a.json", b'{"target": "legacy_io.Reader", "x": ["pkg.legacy_io.f"]}',
                 b'{"target": "compat.legacy_io.Reader", "x": ["pkg.modern_io.f"]}', id="json"),
    pytest.param("tox.ini", b"[pytest]\naddopts = -p pkg.legacy_io.plugin\nplugin = pkg.legacy_io.plugin\n",
                 b"[pytest]\naddopts = -p pkg.legacy_io.plugin\nplugin = pkg.modern_io.plugin\n", id="ini value"),
    pytest.param("setup.cfg", b"[options.entry_points]\nconsole_scripts =\n    run = legacy_io.cli : main\n",
                 b"[options.entry_points]\nconsole_scripts =\n    run = compat.legacy_io.cli : main\n",
                 id="setup.cfg entry point, spaces around the colon"),
    pytest.param("app.cfg", b"[handlers]\nclass: pkg.legacy_io.Handler\nother =\n    pkg.legacy_io.a\n",
                 b"[handlers]\nclass: pkg.modern_io.Handler\nother =\n    pkg.modern_io.a\n", id="cfg colon and continuation"),
))
def test_config_scalars(path: str, src: bytes, expected: bytes) -> None:
    assert rewrite(path, src) == expected


@pytest.mark.parametrize(("path", "src"), (
    ("a.yaml", b"target: pkg.legacy_io_compat.Reader\n"),  # a name that only begins the same
    ("a.yaml", b"data: legacy_io.csv\n"),  # a file name: the moved module is top-level, no module asked
    ("a.yaml", b"name: pkg.legacy_io reader\n"),  # not exactly a dotted name
    ("a.yaml", b'target: "pkg.legacy_io\\x2eReader"\n'),  # spelled with escapes
    ("a.yaml", b"pkg.legacy_io.Reader: 1\n"),  # a key
    ("a.yaml", b"text: |\n  pkg.legacy_io.Reader\n"),  # block scalars are prose
    ("a.toml", b'"pkg.legacy_io.f" = 1\n'),
    ("a.toml", b'[project]\nname = "pkg.legacy_io"\n'),
    ("a.toml", b'x = "mypkg.legacy_io.f"\n'),
    ("a.json", b'{"pkg.legacy_io.f": 1, "file": "legacy_io.json"}'),
    ("a.ini", b"[metadata]\nname = pkg.legacy_io:x\n"),
    ("a.ini", b"# pkg.legacy_io.f\n"),
    ("a.ini", b"path = legacy_io.txt\n"),
))
def test_config_scalars_noop(path: str, src: bytes) -> None:
    assert rewrite(path, src) == src


@pytest.mark.parametrize(("path", "src"), (
    ("a.yaml", b"target: pkg.old_mod.Reader\n"),
    ("a.yaml", b"target: legacy_io\n"),  # one bare word never changes, but it names a moved module here
    ("a.toml", b'x = "pkg.old_mod:main"\n'),
    ("a.json", b'{"_target_": "pkg.old_mod.f"}'),
    ("a.cfg", b"[x]\nclass = pkg.old_mod.C\n"),
))
def test_config_module_not_importable_is_a_review(path: str, src: bytes) -> None:
    found = [r for r in records(path, src) if not isinstance(r, Disposition)]  # census records aside
    assert [type(r) for r in found] == [Review]
    assert "not importable" in found[0].message or "single word" in found[0].message
