"""The Python rewriter (SPEC §4.1): one parse per file, a tuple of small rules on it.

Each rule is a module of gatherer hooks (`prepare(g)`, `tokens(g)`, `VISIT`/`LEAVE` tables
keyed by `ast` node type) that only collect byte-span records into the shared per-file state
(gather.Gatherer); nothing returns a changed tree. Adding a rule is adding a module to RULES
and a test table.

* lex: string tokens, f-string parts, comments and the top-level layout, read from bytes;
* parse: the one parse (CPython's `ast` of the statements that matter; libcst, imported
  lazily, only for syntax newer than the running Python), shared records and helpers;
* prepass: no parse for files with provably nothing to change;
* bases: module-level bases and the function scopes that shadow them;
* relative: paths relative to the file itself (`__file__`, Hydra's config_path), re-based when it moves;
* anchors: where such a path points (its root, folders up, segments) and the path arithmetic;
* chains: segment chains (`os.path.join`, `Path(...)`, `.joinpath`, `/`, `"/".join`, `+`,
  f-strings) read as one path; a needle after an unknown segment is a py-unresolved finding;
* respell: a chain's new path written into its segments in the author's style;
* index: module-level bindings of the repository modules a file imports, read lazily;
* strings: string literals, f-string literal parts, comments, dotted-name strings;
* imports: moved packages — imports, relative imports, `import a.b` attribute chains;
* safety: the rewritten file must parse to the same tree outside the edited nodes.
"""

from __future__ import annotations

from types import ModuleType
from typing import Iterator

from pathmove import census
from pathmove.edits import Disposition, Edit, Record, Review, resolve_overlaps
from pathmove.finders import ParseFailed
from pathmove.finders.python import bases, chains, imports, lex, relative, strings
from pathmove.finders.python.gather import Gatherer
from pathmove.finders.python.parse import BOM, read, reads_here
from pathmove.finders.python.prepass import _may_hold_reference, _reduce
from pathmove.finders.python.safety import check_edits
from pathmove.mapping import Mapping
from pathmove.scan import Source

# The rules, in the order their hooks run on each node (relative before chains: it claims the
# chains rooted at `__file__`; chains before strings: a chain marks the literals it owns as done).
RULES: tuple[ModuleType, ...] = (bases, relative, chains, strings, imports)

__all__ = ["BOM", "RULES", "check_edits", "find"]


CENSUS = True  # accounts for every occurrence it reads (census.py)


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Edits and reviews for one Python file; ParseFailed (the file does not parse) hands it
    to the plain-text rule, a failing rule is a py-rule-error review on the untouched file.
    Every occurrence of a needle the rules leave alone gets a disposition (SPEC §3)."""
    if not _may_hold_reference(source, mapping):
        records: list[Record] = []
    else:
        # a moving file that builds paths from its own place is read whole (finders/python/relative.py)
        records = _guarded(source, mapping, reduce=not reads_here(source.path, source.new_path, source.data))
    yield from records
    yield from _disposed(source, mapping, records)


def _disposed(source: Source, mapping: Mapping, records: list[Record]) -> Iterator[Disposition]:
    """The census for what the rules did not claim: a needle in an identifier, in prose, or in a
    path under another parent names no moved place. A whole old path that still needs
    rewriting gets none, so the census reports it (`unaccounted`) rather than pass it over."""
    claimed = [(r.start, r.end) for r in records if isinstance(r, (Edit, Review, Disposition))]
    data = source.data
    for d in census.dispose(source.path, data, 0, len(data), mapping, reason=None):
        if not _within(d.start, d.end, claimed):
            yield d
            claimed.append((d.start, d.end))
    # what is left is a whole old path no rule rewrote: outside every string and comment it is
    # code (a one-word `from` such as `configs` spelled as a variable), not a path
    left = [(s, e) for s, e, _ in census.occurrences(data, census.needles(mapping)) if not _within(s, e, claimed)]
    hidden = _strings_and_comments(data) if left else None
    for s, e in left if hidden is not None else ():
        if not _within(s, e, hidden or []):
            yield Disposition(source.path, s, e, "not-a-reference", "a Python name (code, not a string)")


def _within(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= s and e <= b or (a < e and s < b) for a, b in spans)


def _strings_and_comments(data: bytes) -> list[tuple[int, int]] | None:
    """The spans of every string token and comment (None: the bytes cannot be read exactly)."""
    offset = len(BOM) if data.startswith(BOM) else 0
    lay = lex.layout(data, offset, len(data))
    if lay is None:
        return None
    try:
        return [(t.start, t.end) for t in lex.string_tokens(data, offset, len(data))] + list(lay.comments)
    except lex.LexError:
        return None


def _guarded(source: Source, mapping: Mapping, reduce: bool) -> list[Record]:
    try:
        return _gather(source, mapping, reduce)
    except ParseFailed:
        raise
    except Exception as exc:  # noqa: BLE001 — STYLE §5: one odd file never stops the run
        # SPEC §4.1: a bug inside a rule is not a parse failure. The file parsed, so the
        # plain-text rule would rewrite it less carefully than the rules meant to: leave it
        # unchanged and report it with the exception named.
        # the whole file is the place to check: the census counts every occurrence in it as review
        return [Review(source.path, 0, len(source.data), f"the Python rewriter failed on this file ({type(exc).__name__}: {exc}); "
                       "file left unchanged, please check it by hand", "py-rule-error")]


def _gather(source: Source, mapping: Mapping, reduce: bool = True) -> list[Record]:
    data = source.data
    offset = len(BOM) if data.startswith(BOM) else 0
    relative = mapping.packages is not None and bool(mapping.packages.moves) and source.path != source.new_path
    parsed = read(data, offset, mapping, shortcut=reduce, relative=relative)
    g = Gatherer(source, mapping, parsed, RULES)
    g.run()
    if not g.edits:
        return [*g.reviews, *g.dispositions]
    edits = resolve_overlaps(g.edits)  # one owner per span, never a whole file left (README)
    problem = check_edits(data, edits, g.units, offset, parsed)
    if problem:
        # one review over every edit left undone: the census counts their occurrences as review
        return [Review(source.path, min(e.start for e in edits), max(e.end for e in edits),
                       f"the rewritten file would not be the same Python ({problem}); file left unchanged, "
                       "please edit it by hand", "unsafe-edit")]
    return [*g.reviews, *edits, *g.dispositions]
