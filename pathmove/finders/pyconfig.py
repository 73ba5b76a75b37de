"""pyproject.toml and setup.cfg: the plain-text rule, plus entry points that name moved modules.

SPEC §4.1: entry points (`[project.scripts]`, `[project.entry-points.*]`, setup.cfg
`[options.entry_points]`) and every other value that is exactly a dotted name follow a moved
package; `finders.dotted.find_config` reads them, as for any TOML or INI file (the text rule
finder of text files calls it by suffix). Everything else in these files (a flake8 path, a tool's folder setting)
is plain text (SPEC §4.4).
"""

from __future__ import annotations

from typing import Iterator

from pathmove.edits import Record
from pathmove.finders import dotted
from pathmove.mapping import Mapping
from pathmove.scan import Source


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Text-rule edits and dotted-name (entry-point) edits for one packaging file."""
    yield from dotted.find(source, mapping)
