"""Entry points in pyproject.toml and setup.cfg follow a moved package (SPEC §4.1); the rest is text."""

from __future__ import annotations

import dataclasses

import pytest

from pathmove.edits import Edit, splice
from pathmove.finders import pyconfig
from pathmove.mapping import from_pairs
from pathmove.packages import ModuleMove, Packages
from pathmove.scan import Source, kind_of

MAPPING = dataclasses.replace(
    from_pairs([("app/legacy_io", "app/modern_io")]),
    packages=Packages((ModuleMove("app.legacy_io", "app.modern_io", ""),), ("",)),
)


def rewrite(path: str, src: bytes) -> bytes:
    edits = [r for r in pyconfig.find(Source(path, path, src, kind_of(path)), MAPPING) if isinstance(r, Edit)]
    return splice(src, edits)


def test_packaging_files_get_their_own_kind() -> None:
    assert kind_of("pyproject.toml") == kind_of("sub/setup.cfg") == "pyconfig"
    assert kind_of("other.toml") == "text"


@pytest.mark.parametrize(("path", "src", "expected"), (
    pytest.param("pyproject.toml", b'[project.scripts]\nrun = "app.legacy_io.cli:main"\n',
                 b'[project.scripts]\nrun = "app.modern_io.cli:main"\n', id="project.scripts"),
    pytest.param("pyproject.toml", b"[project.gui-scripts]\nrun = 'app.legacy_io.gui:main'\n",
                 b"[project.gui-scripts]\nrun = 'app.modern_io.gui:main'\n", id="gui-scripts, single quotes"),
    pytest.param("pyproject.toml", b'[project.entry-points."app.plugins"]\nio = "app.legacy_io"\n',
                 b'[project.entry-points."app.plugins"]\nio = "app.modern_io"\n', id="entry-points group"),
    pytest.param("pyproject.toml", b'[tool.poetry.scripts]\nrun = "app.legacy_io.cli:main"\n',
                 b'[tool.poetry.scripts]\nrun = "app.modern_io.cli:main"\n', id="poetry scripts"),
    pytest.param("pyproject.toml", b'[tool.other]\nhook = "app.legacy_io.hooks:run"\n',
                 b'[tool.other]\nhook = "app.modern_io.hooks:run"\n', id="module:attr anywhere"),
    pytest.param("pyproject.toml", b'[tool.flake8]\nignore = "app/legacy_io/__init__.py"\r\n',
                 b'[tool.flake8]\nignore = "app/modern_io/__init__.py"\r\n', id="path: text rule"),
    pytest.param("setup.cfg", b"[options.entry_points]\nconsole_scripts =\n    run = app.legacy_io.cli:main\n",
                 b"[options.entry_points]\nconsole_scripts =\n    run = app.modern_io.cli:main\n", id="setup.cfg"),
    pytest.param("setup.cfg", b"[flake8]\nper-file-ignores =\n    app/legacy_io/__init__.py:F401\n",
                 b"[flake8]\nper-file-ignores =\n    app/modern_io/__init__.py:F401\n", id="setup.cfg flake8 path"),
))
def test_pyconfig_rewrites(path: str, src: bytes, expected: bytes) -> None:
    assert rewrite(path, src) == expected


@pytest.mark.parametrize(("path", "src"), (
    ("pyproject.toml", b'[project.scripts]\nrun = "app.legacy_io_compat.cli:main"\n'),
    ("pyproject.toml", b'[project.entry-points."app.legacy_io"]\nx = "other.mod:f"\n'),  # a group name is no module
    ("pyproject.toml", b'[project]\nname = "app.legacy_io"\n'),  # a plain dotted value outside entry points
    ("setup.cfg", b"[options.entry_points]\nconsole_scripts =\n    run = app.legacy_io_compat:main\n"),
    ("setup.cfg", b"[metadata]\nname = app.legacy_io:x\n"),
))
def test_pyconfig_noop(path: str, src: bytes) -> None:
    assert rewrite(path, src) == src
