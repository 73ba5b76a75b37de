"""Finders: bytes in, records out. One per language; text.py is the fallback for all.

A finder module has `find(source, mapping) -> Iterator[Edit | Review | Notice]` and may
raise `ParseFailed` to hand the file to the plain-text rule (with a warning).
"""

from __future__ import annotations

import importlib
from typing import Callable, Iterable

from pathmove.edits import Notice, Record
from pathmove.mapping import Mapping
from pathmove.scan import Source

# kind → module in pathmove.finders; imported on first use so `check` on a few files
# pays only for the parsers it needs.
REGISTRY: dict[str, str] = {
    "text": "dotted",  # the plain-text rule, plus module names in configs and Sphinx pages (SPEC §4.1)
    "yaml": "yaml",
    "markdown": "markdown",
    "symlink": "symlinks",
    "python": "python",
    "pyconfig": "pyconfig",
    "notebook": "notebook",
    "rst": "rst",
    "mkdocs": "mkdocs",
}

Finder = Callable[[Source, Mapping], Iterable[Record]]


class ParseFailed(Exception):
    """Raised by a language finder that cannot parse its file: the text rule takes over."""


def finder_for(kind: str) -> Finder:
    name = REGISTRY.get(kind, "text")
    module = importlib.import_module(f"pathmove.finders.{name}")
    find: Finder = module.find
    return find


def find(source: Source, mapping: Mapping) -> list[Record]:
    """Every record for one file, falling back to the plain-text rule on a parse failure."""
    fn = finder_for(source.kind)
    try:
        records = list(fn(source, mapping))
    except ParseFailed as exc:
        from pathmove.finders import text

        note = Notice(source.path, f"{source.kind} parse failed, plain-text rule used: {exc}")
        records = [note, *text.find(source, mapping)]
    if mapping.sites is not None:  # SPEC §4.7: own URLs and redirects, whatever the language
        from pathmove.finders import docsites

        records = docsites.extend(source, mapping, records)
    return records
