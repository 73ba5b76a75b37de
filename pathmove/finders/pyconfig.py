"""pyproject.toml and setup.cfg: the plain-text rule, plus entry points that name moved modules.

SPEC §4.1: entry points (`[project.scripts]`, `[project.entry-points.*]`, setup.cfg
`[options.entry_points]`) follow a moved package. Everything else in these files (a flake8
path, a tool's folder setting) is plain text (SPEC §4.4).
"""

from __future__ import annotations

import re
from typing import Iterator

from pathmove import packages
from pathmove import census
from pathmove.edits import Disposition, Edit, Record, Review
from pathmove.finders import text
from pathmove.mapping import Mapping
from pathmove.scan import Source

_DOTTED = rb"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_HEADER = re.compile(rb"^[ \t]*\[+[ \t]*([^\]\r\n]+?)[ \t]*\]+", re.M)
_LINE = re.compile(rb"[^\n]*(?:\n|\Z)")
# TOML: a quoted value "pkg.mod:attr" (anywhere), or "pkg.mod" inside an entry-point table
_TOML_VALUE = re.compile(rb"=[ \t]*([\"'])(" + _DOTTED + rb")((?::[A-Za-z0-9_.]+)?)[ \t]*(?:\[[^\]\"']*\])?\1")
# setup.cfg: name = pkg.mod:attr [extra]
_CFG_VALUE = re.compile(rb"=[ \t]*(" + _DOTTED + rb")[ \t]*(:[ \t]*[A-Za-z0-9_.]+)")
_TOML_TABLES = (b"project.scripts", b"project.gui-scripts", b"project.entry-points", b"tool.poetry.scripts",
                b"tool.poetry.plugins")


CENSUS = True  # accounts for every occurrence it reads (census.py)


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Text-rule edits and entry-point edits for one packaging file."""
    yield from text.find(source, mapping)
    if mapping.packages is None:
        return
    if source.path.endswith("setup.cfg"):
        found = list(_entry_points(source, mapping, _cfg_sections(source.data), _CFG_VALUE, 1, False))
    else:
        found = list(_entry_points(source, mapping, _toml_tables(source.data), _TOML_VALUE, 2, True))
    yield from found
    # census: a moved module's name anywhere else (a comment, a package list) is not an entry point
    claimed = [(r.start, r.end) for r in found]
    dotted = [n for n in census.needles(mapping) if n.dotted]
    for s, e, _ in census.occurrences(source.data, dotted):
        if not any(a <= s and e <= b for a, b in claimed):
            yield Disposition(source.path, s, e, "not-a-reference", "a module name outside an entry point")


def _entry_points(source: Source, mapping: Mapping, sections: list[tuple[int, bytes]], value: re.Pattern[bytes],
                  group: int, anywhere_with_colon: bool) -> Iterator[Edit | Review]:
    data = source.data
    for line in _LINE.finditer(data):
        header = _section_at(sections, line.start())
        in_table = _is_entry_table(header, anywhere_with_colon)
        for m in value.finditer(data, line.start(), line.end()):
            has_colon = bool(m.group(group + 1).strip())
            if not (in_table or (anywhere_with_colon and has_colon)):
                continue
            mod = m.group(group).decode()
            new = packages.translate_module(mod, mapping)
            if new == "":  # SPEC §4.1: never silent; the module moved where it cannot be imported
                yield Review(source.path, m.start(group), m.end(group),
                             f"{mod} moved to a place that cannot be imported: update this entry point by hand",
                             "entry-point")
                continue
            if new is None or new == mod:
                continue
            yield Edit(source.path, m.start(group), m.end(group), m.group(group), new.encode(), "entry-point")


def _is_entry_table(header: bytes, toml: bool) -> bool:
    if not toml:
        return header == b"options.entry_points"
    name = header.replace(b'"', b"").replace(b"'", b"").strip()
    return any(name == t or name.startswith(t + b".") for t in _TOML_TABLES)


def _section_at(sections: list[tuple[int, bytes]], pos: int) -> bytes:
    current = b""
    for start, name in sections:
        if start > pos:
            break
        current = name
    return current


def _toml_tables(data: bytes) -> list[tuple[int, bytes]]:
    return [(m.start(), m.group(1)) for m in _HEADER.finditer(data)]


def _cfg_sections(data: bytes) -> list[tuple[int, bytes]]:
    return [(m.start(), m.group(1).strip()) for m in _HEADER.finditer(data)]
