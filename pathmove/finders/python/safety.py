"""The safety check: the rewritten file must parse to the same tree outside the edited nodes."""

from __future__ import annotations

import ast
import bisect
from typing import TYPE_CHECKING, Any, Sequence

from pathmove.edits import Edit, OverlapError, shift, splice, written_spans
from pathmove.finders import ParseFailed
from pathmove.finders.python import lex
from pathmove.finders.python.parse import ast_parse, libcst_parse

if TYPE_CHECKING:
    from pathmove.finders.python.parse import Parsed


def check_edits(data: bytes, edits: Sequence[Edit], units: Sequence[tuple[int, int]], offset: int = 0,
                parsed: Parsed | None = None) -> str | None:
    """None if the edited file parses to the same tree outside edited strings, comments,
    names and import paths (black's --safe); else what went wrong."""
    try:
        new = splice(data, list(edits))
    except OverlapError as exc:
        return str(exc)
    shifted = [_shift(u, edits) for u in units]
    written = written_spans(list(edits))
    # The fast path: only the top-level statements holding an edit are parsed again (the
    # bytes around them are the same, and each starts at column 0 at top level).
    region = _region(data, offset, edits, parsed)
    if region is not None:
        a, b = region
        delta = len(new) - len(data)
        old_shape = _ast_shape(data[a:b], [(x - a, y - a) for x, y in units], [(e.start - a, e.end - a) for e in edits])
        new_shape = _ast_shape(new[a:b + delta], [(x - a, y - a) for x, y in shifted],
                               [(x - a, y - a) for x, y in written])
        if old_shape is not None and new_shape is not None and _compare(old_shape, new_shape) is None:
            return None
    # the whole file: top-level statements no edit touches are compared by their bytes
    old_shape = _ast_shape(data[offset:], [(x - offset, y - offset) for x, y in units],
                           [(e.start - offset, e.end - offset) for e in edits])
    if old_shape is not None:
        new_shape = _ast_shape(new[offset:], [(x - offset, y - offset) for x, y in shifted],
                               [(x - offset, y - offset) for x, y in written])
        if new_shape is None:
            return "it would not parse"
        return _compare(old_shape, new_shape)
    # syntax newer than the running Python: libcst judges, node types compared in order
    try:
        after = libcst_parse(new, offset)
        before = libcst_parse(data, offset)
    except ParseFailed as exc:
        return f"it would not parse: {exc}"
    return _compare(_skeleton(before, units, offset), _skeleton(after, shifted, offset))


def _region(data: bytes, offset: int, edits: Sequence[Edit], parsed: Parsed | None) -> tuple[int, int] | None:
    """The top-level statements (from the byte layout) that edits touch; None where the
    layout is unknown, or a `from __future__` import may change how the rest parses."""
    if b"barry_as_FLUFL" in data:
        return None
    if parsed is not None and parsed.starts:
        starts, end = list(parsed.starts), parsed.end
    else:
        lay = lex.layout(data, offset, len(data))
        if lay is None:
            return None
        starts, end = list(lay.starts), lay.end
    lo, hi = end, offset
    for e in edits:
        k = bisect.bisect_right(starts, e.start) - 1
        j = bisect.bisect_right(starts, max(e.start, e.end - 1)) - 1
        if k < 0 or e.end > end:
            return None
        lo = min(lo, starts[k])
        hi = max(hi, starts[j + 1] if j + 1 < len(starts) else end)
    return (lo, hi) if lo < hi else None


def _ast_shape(body: bytes, units: Sequence[tuple[int, int]], touched: Sequence[tuple[int, int]]) -> list[str] | None:
    """The ast as a flat list with string constants and edited units collapsed; None: no parse.
    A top-level statement outside the touched (edited) spans is one token: its text."""
    tree = ast_parse(body)
    if tree is None:
        return None
    starts = lex.line_starts(body, 0, len(body))
    out: list[str] = []

    def where(node: Any) -> tuple[int, int] | None:
        end_line = getattr(node, "end_lineno", None)
        if end_line is None:
            return None
        return starts[node.lineno - 1] + node.col_offset, starts[end_line - 1] + node.end_col_offset

    def unit_of(node: object) -> int | None:
        span = where(node) if units and isinstance(node, ast.AST) else None
        if span is not None:
            for k, (a, b) in enumerate(units):
                if a <= span[0] and span[1] <= b:
                    return k
        return None

    def walk_list(items: list[Any]) -> None:
        # statements in a row inside one unit are that unit once (a split import is several);
        # an expression never is (a literal broken in two must still show)
        last = None
        for item in items:
            k = unit_of(item) if isinstance(item, ast.stmt) else None
            if k is None or k != last:
                walk(item)
            last = k

    def walk(node: object) -> None:
        if isinstance(node, ast.AST):
            if unit_of(node) is not None:
                out.append("unit")
                return
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                out.append("str")
                return
            out.append(type(node).__name__)
            for field in node._fields:
                walk(getattr(node, field, None))
            out.append(")")
        elif isinstance(node, list):
            out.append("[")
            walk_list(node)
            out.append("]")
        else:
            out.append(repr(node))

    out.extend(("Module", "["))
    try:
        last = None
        for stmt in tree.body:
            span = where(stmt)
            assert span is not None
            first = min([span[0]] + [where(d)[0] for d in getattr(stmt, "decorator_list", ())])  # type: ignore[index]
            if any(a <= span[1] and first <= b for a, b in touched):
                k = unit_of(stmt)
                if k is None or k != last:  # statements in a row inside one unit: that unit once
                    walk(stmt)
                last = k
            else:
                text = body[first:span[1]]
                out.append(f"statement:{len(text)}:{hash(text)}")
                last = None
        out.append("]")
        walk(tree.type_ignores)
    except RecursionError:
        return None
    out.append(")")
    return out


def _shift(unit: tuple[int, int], edits: Sequence[Edit]) -> tuple[int, int]:
    """A unit's span in the rewritten file (an edit at its start is part of it)."""
    return shift(unit[0], edits, at_insertion=False), shift(unit[1], edits)


def _skeleton(module: Any, units: Sequence[tuple[int, int]], offset: int) -> list[str]:
    """Node types in order with their depth; an edited unit counts as one node (libcst)."""
    import libcst as cst
    import libcst.metadata

    wrapper = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    spans = wrapper.resolve(cst.metadata.ByteSpanPositionProvider)
    out: list[str] = []
    unit_set = set(units)

    class Walk(cst.CSTVisitor):
        depth = 0

        def on_visit(self, node: cst.CSTNode) -> bool:
            s = spans.get(node)
            inside = s is not None and (s.start + offset, s.start + s.length + offset) in unit_set
            # an edited unit may change type (a merged chain `Path("a") / "b"` becomes `Path("ab")`)
            out.append(f"{self.depth}:unit" if inside else f"{self.depth}:{type(node).__name__}")
            self.depth += 1  # on_leave runs for every visited node, children or not
            return not inside

        def on_leave(self, original_node: cst.CSTNode) -> None:
            self.depth -= 1

    wrapper.module.visit(Walk())
    return out


def _compare(a: list[str], b: list[str]) -> str | None:
    if a == b:
        return None
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"node {i} was {x.split(':')[-1]}, would be {y.split(':')[-1]}"
    return f"{abs(len(a) - len(b))} node(s) more or fewer"
