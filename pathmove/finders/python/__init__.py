"""The Python rewriter (SPEC §4.1): one parse per file, a tuple of small rules on it.

Each rule is a module of gatherer hooks (`prepare(g)`, `VISIT`/`LEAVE` tables keyed by libcst
node type) that only collect byte-span records into the shared per-file context
(gather.Gatherer); nothing returns a changed tree. Adding a rule is adding a module to RULES
and a test table.

* parse: the one parse (libcst, imported lazily), byte spans, shared records and helpers;
* prepass: no parse for files with provably nothing to change;
* bases: module-level bases and the function scopes that shadow them;
* chains: segment chains (`os.path.join`, `Path(...)`, `.joinpath`, `/`) read as one path;
* strings: string literals, f-string literal parts, comments, dotted-name strings;
* imports: moved packages — imports, relative imports, `import a.b` attribute chains;
* safety: the rewritten file must parse to the same tree outside the edited nodes.
"""

from __future__ import annotations

from types import ModuleType
from typing import Iterator

from pathmove.edits import Record, Review
from pathmove.finders import ParseFailed
from pathmove.finders.python import bases, chains, imports, strings
from pathmove.finders.python.gather import Gatherer
from pathmove.finders.python.parse import BOM, byte_spans, parse
from pathmove.finders.python.prepass import _may_hold_reference, _reduce
from pathmove.finders.python.safety import check_edits
from pathmove.mapping import Mapping
from pathmove.scan import Source

# The rules, in the order their hooks run on each node (chains before strings: a chain marks
# the literals it owns as done).
RULES: tuple[ModuleType, ...] = (bases, chains, strings, imports)

__all__ = ["BOM", "RULES", "byte_spans", "check_edits", "find", "parse"]


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Edits and reviews for one Python file; ParseFailed (the file does not parse) hands it
    to the plain-text rule, a failing rule is a py-rule-error review on the untouched file."""
    if not _may_hold_reference(source, mapping):
        return
    yield from _guarded(source, mapping, reduce=True)


def _guarded(source: Source, mapping: Mapping, reduce: bool) -> list[Record]:
    try:
        return _gather(source, mapping, reduce)
    except ParseFailed:
        raise
    except RecursionError:
        raise ParseFailed("nested too deeply for libcst") from None
    except Exception as exc:  # noqa: BLE001 — STYLE §5: one odd file never stops the run
        # SPEC §4.1: a bug inside a rule is not a parse failure. The file parsed, so the
        # plain-text rule would rewrite it less carefully than the rules meant to: leave it
        # unchanged and report it with the exception named.
        return [Review(source.path, 0, 0, f"the Python rewriter failed on this file ({type(exc).__name__}: {exc}); "
                       "file left unchanged, please check it by hand", "py-rule-error")]


def _gather(source: Source, mapping: Mapping, reduce: bool = True) -> list[Record]:
    data = source.data
    offset = len(BOM) if data.startswith(BOM) else 0
    reduced = _reduce(data, offset, mapping) if reduce else None
    if reduced is not None:
        source = source._replace(data=reduced)  # same length, same bytes wherever a record can be
    module = parse(source.data, offset, verify=False)  # Gatherer.run checks the round trip
    g = Gatherer(source, mapping, module, offset, RULES)
    g.run()
    if not g.edits:
        return list(g.reviews)
    problem = check_edits(data, g.edits, g.units, offset, g.module if reduced is None else None)
    if problem:
        return [Review(source.path, g.edits[0].start, g.edits[0].end,
                       f"the rewritten file would not be the same Python ({problem}); file left unchanged, "
                       "please edit it by hand", "unsafe-edit")]
    return [*g.reviews, *g.edits]
