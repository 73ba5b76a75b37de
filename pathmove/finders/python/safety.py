"""The safety check: the rewritten file must parse to the same tree outside the edited nodes."""

from __future__ import annotations

import ast
import bisect
import functools
import re
import warnings
from typing import TYPE_CHECKING, Any, Sequence, cast

from pathmove.edits import Edit, OverlapError, splice, written_spans
from pathmove.finders import ParseFailed
from pathmove.finders.python.parse import _children, parse

if TYPE_CHECKING:
    import libcst as cst
else:
    from pathmove.finders.python.parse import cst

def check_edits(data: bytes, edits: Sequence[Edit], units: Sequence[tuple[int, int]], offset: int = 0,
                before: cst.Module | None = None) -> str | None:
    """None if the edited file parses to the same tree outside edited strings, comments,
    names and import paths (black's --safe); else what went wrong."""
    try:
        new = splice(data, list(edits))
    except OverlapError as exc:
        return str(exc)
    shifted = [_shift(u, edits) for u in units]
    # The fast path: CPython's own parser, when it reads the original (newer syntax than the
    # running Python, e.g. 3.12 f-strings on 3.11, takes the libcst path below).
    # Only the lines of the top-level statements (or comment lines) holding an edit are
    # parsed again: the bytes around them are the same and start and end at top level.
    region = _region(data, offset, edits)
    if region is not None:
        a, b = region
        part, new_part = data[a:b], new[a:b + len(new) - len(data)]
        at = [(x - a, y - a) for x, y in units]
        old_shape = _ast_shape(part, at, 0, [(e.start - a, e.end - a) for e in edits])
        new_shape = _ast_shape(new_part, [(x - a, y - a) for x, y in shifted], 0,
                               [(x - a, y - a) for x, y in written_spans(list(edits))])
        if old_shape is not None and new_shape is not None and _compare(old_shape, new_shape) is None:
            return None
    # Top-level statements no edit touches are compared by their bytes (a statement at
    # column 0 parses the same wherever its identical text stands); the rest node by node.
    old_shape = _ast_shape(data, units, offset, [(e.start, e.end) for e in edits])
    if old_shape is not None:
        new_shape = _ast_shape(new, shifted, offset, written_spans(list(edits)))
        if new_shape is None:
            return "it would not parse"
        return _compare(old_shape, new_shape)
    try:
        after = parse(new, offset)
    except ParseFailed as exc:
        return f"it would not parse: {exc}"
    if before is None:
        before = parse(data, offset)
    return _compare(_skeleton(before, units, offset), _skeleton(after, shifted, offset))


def _region(data: bytes, offset: int, edits: Sequence[Edit]) -> tuple[int, int] | None:
    """The whole lines of the top-level statements that edits touch (an edit outside every
    statement, in a comment, brings its own lines); None if CPython does not parse data."""
    body = data[offset:]
    tree = _ast_parse(body)
    if not isinstance(tree, ast.Module) or b"__future__" in body:
        return None
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n?|\n", body)]  # CPython's line ends

    def line_of(pos: int) -> int:  # 0-based line holding byte pos of body
        return bisect.bisect_right(starts, pos) - 1

    ranges = []
    for stmt in tree.body:
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())]) - 1
        last = cast(int, stmt.end_lineno) - 1
        ranges.append((starts[first], starts[last + 1] if last + 1 < len(starts) else len(body)))
    lo, hi = len(body), 0
    for e in edits:
        x, y = e.start - offset, e.end - offset
        hit = [(a, b) for a, b in ranges if a <= y and x < b]
        a = min([starts[line_of(x)]] + [r[0] for r in hit])
        end_line = line_of(max(x, y - 1)) + 1
        b = max([starts[end_line] if end_line < len(starts) else len(body)] + [r[1] for r in hit])
        lo, hi = min(lo, a), max(hi, b)
    if lo >= hi:
        return None
    return lo + offset, hi + offset


def _ast_shape(data: bytes, units: Sequence[tuple[int, int]], offset: int,
               touched: Sequence[tuple[int, int]] | None = None) -> list[str] | None:
    """The ast as a flat list with string constants and edited units collapsed; None: no parse.
    With touched (edited spans), a top-level statement outside them is one token: its text."""
    body = data[offset:]
    tree = _ast_parse(body)
    if tree is None:
        return None
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n?|\n", body)]  # CPython's line ends
    out: list[str] = []

    def where(node: ast.AST) -> tuple[int, int] | None:
        end_line = getattr(node, "end_lineno", None)
        if end_line is None:
            return None
        return (offset + starts[node.lineno - 1] + node.col_offset,  # type: ignore[attr-defined]
                offset + starts[end_line - 1] + node.end_col_offset)  # type: ignore[attr-defined]

    def walk(node: object) -> None:
        if isinstance(node, ast.AST):
            span = where(node) if units else None
            if span is not None and any(a <= span[0] and span[1] <= b for a, b in units):
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
            for item in node:
                walk(item)
            out.append("]")
        else:
            out.append(repr(node))

    def top(tree: ast.Module) -> None:
        out.extend(("Module", "["))
        for stmt in tree.body:
            span = where(stmt)
            if touched is None or span is None:
                walk(stmt)
                continue
            first = min([span[0]] + [where(d)[0] for d in getattr(stmt, "decorator_list", ())])  # type: ignore[index]
            if any(a <= span[1] and first <= b for a, b in touched):
                walk(stmt)
            else:
                text = data[first:span[1]]
                out.append(f"statement:{len(text)}:{hash(text)}")
        out.append("]")
        walk(tree.type_ignores)
        out.append(")")

    try:
        top(tree) if isinstance(tree, ast.Module) else walk(tree)
    except RecursionError:
        return None
    return out


@functools.lru_cache(maxsize=4)
def _ast_parse(body: bytes) -> ast.AST | None:
    """CPython's tree of body (cached: the reduced parse and the safety check read the same
    file; the tree is only read), None if it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in the user's code
            return ast.parse(body)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _shift(unit: tuple[int, int], edits: Sequence[Edit]) -> tuple[int, int]:
    """A unit's span in the rewritten file."""
    start, end = unit
    d_start = sum(len(e.new) - (e.end - e.start) for e in edits if e.end <= start and e.start < start)
    d_end = sum(len(e.new) - (e.end - e.start) for e in edits if e.end <= end)
    return start + d_start, end + d_end


def _skeleton(module: cst.Module, units: Sequence[tuple[int, int]], offset: int) -> list[str]:
    """Node types in order with their depth; an edited unit counts as one node."""
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


