"""pyproject.toml and setup.cfg: the plain-text rule, plus entry points that name moved modules.

SPEC §4.1: entry points (`[project.scripts]`, `[project.entry-points.*]`, setup.cfg
`[options.entry_points]`) and every other value that is exactly a dotted name follow a moved
package; `finders.dotted.find_config` reads them, as for any TOML or INI file (the text rule
finder of text files calls it by suffix). Everything else in these files (a flake8 path, a tool's folder setting)
is plain text (SPEC §4.4).
"""

from __future__ import annotations

from typing import Iterator

from pathmove import census
from pathmove.edits import Disposition, Edit, Record, Review
from pathmove.finders import dotted
from pathmove.mapping import Mapping
from pathmove.scan import Source


CENSUS = True  # accounts for every occurrence it reads (census.py)


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Text-rule edits and dotted-name (entry-point) edits for one packaging file."""
    found = list(dotted.find(source, mapping))
    yield from found
    # census: a moved module's name anywhere else (a comment, a package list) is not an entry point
    claimed = [(r.start, r.end) for r in found if isinstance(r, (Edit, Review))]
    names = [n for n in census.needles(mapping) if n.dotted]
    for s, e, _ in census.occurrences(source.data, names):
        if not any(a <= s and e <= b for a, b in claimed):
            yield Disposition(source.path, s, e, "not-a-reference", "a module name outside an entry point")
