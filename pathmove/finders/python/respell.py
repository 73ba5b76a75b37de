"""A chain's new path written into its segments, in the author's style: a segment that grows
is split, one that loses all its components is dropped, parentheses and separators kept
(read from the bytes: CPython's spans leave them out). chains.py reads the chains."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Union

from pathmove import match
from pathmove.finders.python import bases, strings
from pathmove.finders.python.parse import _common_ends, _distribute, _Seg

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer

_BLANKS = b" \t\f\r\n\\"
_INLINE = re.compile(rb"[ \t]*\Z")
# what holds the elements of a chain: a call's arguments, or the list given to "/".join
Container = Union[ast.Call, ast.List, ast.Tuple]


def _elements(container: Container) -> list[ast.expr]:
    return container.args if isinstance(container, ast.Call) else container.elts


def _rewrite_text(g: Gatherer, root: ast.expr, run: list[_Seg], bounds: list[tuple[int, int]],
                  covered: list[int], m: match.Match, new: str) -> None:
    """A path spread over concatenated text (`"outputs" + "/hd_results"`, `f"{OUT}/hd_results"`):
    only the changed middle is replaced, in the first literal that holds it (the others lose
    their share of it), so the text around it keeps its spelling."""
    old = m.old
    pre, suf = _common_ends(old, new)
    lo = m.start + len(old[:pre].encode())
    hi = m.end - len(old[len(old) - suf:].encode())
    middle = new[pre:len(new) - suf]
    touched = [i for i in covered if max(bounds[i][0], lo) < min(bounds[i][1], hi)]
    if not touched:  # pure insertion: the first segment that reaches the spot takes it
        touched = [i for i in covered if bounds[i][0] <= lo <= bounds[i][1]][:1]
    inside = sum(min(bounds[i][1], hi) - max(bounds[i][0], lo) for i in touched)
    if not touched or inside != hi - lo:  # a separator between two segments would change
        g.review(root, f"{old} → {new}: cannot align the path's segments; edit by hand")
        return
    if any(run[i].kind != "lit" for i in touched):
        _review_base(g, root, run, touched, old, new)
        return
    marks = len(g.edits), len(g.units), len(g.reviews)
    first = True
    for i in touched:
        seg = run[i]
        a = bounds[i][0]
        x, y = max(a, lo) - a, min(bounds[i][1], hi) - a
        _segment_edit(g, seg, x, y, (middle if first else "").encode(), root)
        first = False
    if len(g.reviews) > marks[2]:
        del g.edits[marks[0]:], g.units[marks[1]:]


def _rewrite_segments(g: Gatherer, root: ast.expr, run: list[_Seg], bounds: list[tuple[int, int]],
                      covered: list[int], m: match.Match, new: str) -> None:
    """SPEC §4.1: a path spelled over several segments gets the new path in the same style."""
    olds = m.old.split("/")
    news = new.split("/")
    # which segment each old component lies in, and its char range in that segment
    comp_seg: list[int] = []
    comp_rng: list[tuple[int, int]] = []
    for i in covered:
        a, b = bounds[i]
        lo, hi = max(a, m.start), min(b, m.end)
        pos = lo - a
        for part in run[i].text[lo - a:hi - a].split(b"/"):
            comp_seg.append(i)
            comp_rng.append((pos, pos + len(part)))
            pos += len(part) + 1
    if len(comp_seg) != len(olds):
        g.review(root, f"{m.old} → {new}: cannot align the path's segments; edit by hand")
        return
    p, s = _common_ends(olds, news)
    if p == len(olds) - s:
        # pure insertion (a/b → a/x/b): the neighbouring literal takes the new components,
        # so single-component segments grow into split segments like any other growth
        if s > 0 and run[comp_seg[p]].kind == "lit":
            s -= 1
        elif p > 0 and run[comp_seg[p - 1]].kind == "lit":
            p -= 1
        else:
            _review_base(g, root, run, comp_seg, m.old, new)
            return
    mid_old = list(range(p, len(olds) - s))
    mid_new = news[p:len(news) - s]
    affected: list[int] = []
    for c in mid_old:
        if comp_seg[c] not in affected:
            affected.append(comp_seg[c])
    counts = [sum(1 for c in mid_old if comp_seg[c] == i) for i in affected]
    given = _distribute(counts, len(mid_new))
    k = 0
    plans: list[tuple[_Seg, int, int, list[str], int]] = []
    for i, n_old, n_new in zip(affected, counts, given):
        comps = [c for c in mid_old if comp_seg[c] == i]
        lo, hi = comp_rng[comps[0]][0], comp_rng[comps[-1]][1]
        plans.append((run[i], lo, hi, mid_new[k:k + n_new], n_old))
        k += n_new
    shared = {run[i].base for i in affected if run[i].kind != "lit"}
    defined = len(shared) == 1 and all(run[i].kind == "lit" or bases.own_literal(g, run[i]) for i in affected)
    if shared and not defined:
        _review_base(g, root, run, comp_seg, m.old, new, _suggest(plans))
        return
    # all or nothing: a place that needs review gets no partial rewrite
    marks = len(g.edits), len(g.units), len(g.reviews)
    dropped: list[_Seg] = []
    for seg, lo, hi, parts, n_old in plans:
        _place(g, seg, lo, hi, parts, n_old, root, dropped)
    _drop(g, dropped, root)
    if len(g.reviews) > marks[2]:
        del g.edits[marks[0]:], g.units[marks[1]:]
    elif shared:  # the base's own literal changes: only if every use of it agrees (bases.finish)
        bases.request(g, shared.pop(), root, g.edits[marks[0]:], g.units[marks[1]:], m.old, new)
        del g.edits[marks[0]:], g.units[marks[1]:]


def _place(g: Gatherer, seg: _Seg, lo: int, hi: int, parts: list[str], n_old: int, root: ast.expr,
           dropped: list[_Seg]) -> None:
    text = seg.text
    if parts:
        whole = lo == 0 and hi == len(text)
        if whole and n_old == 1 and len(parts) > 1 and _can_split(g, seg):
            _split(g, seg, parts, root)
            return
        _segment_edit(g, seg, lo, hi, "/".join(parts).encode(), root)
        return
    # the segment loses these components: drop one neighbouring "/" with them
    if hi < len(text) and text[hi:hi + 1] == b"/":
        hi += 1
    elif lo > 0 and text[lo - 1:lo] == b"/":
        lo -= 1
    if lo == 0 and hi == len(text) and not seg.partial:
        dropped.append(seg)  # dropped together below: neighbours share their commas
        return
    _segment_edit(g, seg, lo, hi, b"", root)


def _segment_edit(g: Gatherer, seg: _Seg, lo: int, hi: int, new: bytes, root: ast.expr) -> None:
    pc = seg.piece
    assert pc is not None
    strings._string_edit(g, pc, seg.where, pc.start + lo, pc.start + hi,
                         new.decode("utf-8", "surrogateescape"), "py-chain", root)


# ---- parentheses and separators, read from the bytes (CPython's spans leave parentheses out)
def _outer(g: Gatherer, node: ast.AST, lo: int, hi: int) -> tuple[int, int]:
    """node's span with the parentheses around it inside (lo, hi), which belong to it."""
    data = g.data
    start, end = g.span(node)
    while True:
        a, b = start, end
        while a > lo and data[a - 1] in _BLANKS:
            a -= 1
        while b < hi and data[b] in _BLANKS:
            b += 1
        if a > lo and b < hi and data[a - 1] == 0x28 and data[b] == 0x29:
            start, end = a - 1, b + 1
        else:
            return start, end


def _operator(g: Gatherer, binop: ast.BinOp) -> int:
    """The byte of a `/` operator (between its operands' spans: only blanks, parentheses, comments)."""
    gap_start, gap_end = g.span(binop.left)[1], g.span(binop.right)[0]
    i = gap_start
    while i < gap_end:
        c = g.data[i]
        if c == 0x23:  # a comment: to the end of its line
            i = g.data.index(b"\n", i)
        elif c == 0x2F:
            return i
        i += 1
    raise ValueError("no / between the operands")


def _operand(g: Gatherer, binop: ast.BinOp, side: str) -> tuple[int, int]:
    start, end = g.span(binop)
    op = _operator(g, binop)
    return _outer(g, binop.left, start, op) if side == "left" else _outer(g, binop.right, op + 1, end)


def _arg_bounds(g: Gatherer, call: Container, i: int) -> tuple[int, int]:
    """The bytes an argument (or a list element) may own: from after the `(`, `[` or comma
    before it to the comma or bracket after it."""
    data, args = g.data, _elements(call)
    a, b = g.span(args[i])
    if i:
        prev = g.span(args[i - 1])[1]
        lo = prev + _free_find(data[prev:a], b",", last=True) + 1
    elif isinstance(call, ast.Call):
        func = g.span(call.func)[1]
        lo = func + _free_find(data[func:a], b"(") + 1
    else:
        lo = g.span(call)[0] + 1
    nxt = g.span(args[i + 1])[0] if i + 1 < len(args) else g.span(call)[1] - 1
    k = _free_find(data[b:nxt], b",")
    hi = b + k if k >= 0 else nxt
    return lo, hi


def _free_find(gap: bytes, what: bytes, last: bool = False) -> int:
    """what in gap outside comments (-1: none)."""
    code = re.sub(rb"#[^\r\n]*", lambda m: b" " * len(m.group(0)), gap)
    return code.rfind(what) if last else code.find(what)


def _arg(g: Gatherer, call: Container, i: int) -> tuple[int, int]:
    return _outer(g, _elements(call)[i], *_arg_bounds(g, call, i))


def _seg_outer(g: Gatherer, seg: _Seg) -> tuple[int, int]:
    kind = seg.ctx[0]
    if kind in ("left", "right"):
        return _operand(g, seg.ctx[1], kind)
    if kind == "arg":
        return _arg(g, seg.ctx[1], seg.ctx[2])
    return g.span(seg.node)


def _can_split(g: Gatherer, seg: _Seg) -> bool:
    node = seg.node
    if not isinstance(node, ast.Constant) or seg.partial or not seg.ctx or seg.ctx[0] not in ("right", "arg"):
        return False
    return _seg_outer(g, seg) == g.span(node)  # a parenthesised literal stays one literal


def _blank(ws: bytes) -> bytes:
    return ws if _INLINE.match(ws) else b" "


def _split(g: Gatherer, seg: _Seg, parts: list[str], root: ast.expr) -> None:
    """One literal becomes several segments: `"results_v1"` → `"results" / "v1"`."""
    pc = seg.piece
    assert pc is not None and seg.node is not None
    tok = seg.where
    prefix = g.data[tok[0]:pc.start - len(pc.quote)]
    q = pc.quote.encode()
    encoded = [strings.escape(p, pc) for p in parts]
    if any(e is None for e in encoded):
        g.review(seg.where, "the new path cannot be written in this literal's quoting; edit by hand")
        return
    lits = [prefix + q + e + q for e in encoded if e is not None]
    data = g.data
    if seg.ctx[0] == "right":
        binop = seg.ctx[1]
        op = _operator(g, binop)
        before = data[_operand(g, binop, "left")[1]:op]
        after = data[op + 1:_operand(g, binop, "right")[0]]
        sep = _blank(before) + b"/" + _blank(after)
    else:
        call, i = seg.ctx[1], seg.ctx[2]
        if i == 0:
            sep = b", "
        else:
            gap = data[_arg(g, call, i - 1)[1]:_arg(g, call, i)[0]]
            comma = _free_find(gap, b",")
            sep = b"," + _blank(gap[comma + 1:]) if comma >= 0 and b"#" not in gap else b", "
    g.edit(*g.span(seg.node), sep.join(lits), "py-chain", root)


def _drop(g: Gatherer, segs: list[_Seg], root: ast.expr) -> None:
    """Segments whose components all went to earlier ones: `Path("a") / "b"` → `Path("ab")`."""
    calls: dict[int, tuple[Container, set[int]]] = {}
    for seg in segs:
        kind = seg.ctx[0] if seg.ctx else ""
        if kind == "right":
            binop = seg.ctx[1]
            _drop_span(g, seg.where, (_operand(g, binop, "left")[1], _operand(g, binop, "right")[1]), root)
        elif kind == "arg":
            calls.setdefault(id(seg.ctx[1]), (seg.ctx[1], set()))[1].add(seg.ctx[2])
        else:
            _drop_span(g, seg.where, None, root)
    for call, gone in calls.values():
        args = _elements(call)
        where = g.span(args[min(gone)])
        kept = [i for i in range(len(args)) if i not in gone]
        if 0 in gone and kept:  # leading arguments: up to the first one kept
            first = kept[0]
            _drop_span(g, where, (_arg(g, call, 0)[0], _arg(g, call, first)[0]), root)
            gone = {i for i in gone if i > first}
        elif not kept:
            func = call.func if isinstance(call, ast.Call) else None
            span = None
            if isinstance(func, ast.Attribute) and func.attr == "joinpath":
                recv = g.span(func.value)[1]
                dot = g.data.rindex(b".", recv, g.span(func)[1])
                span = (_outer(g, func.value, g.span(func)[0], dot)[1], g.span(call)[1])
            _drop_span(g, where, span, root)  # `.joinpath("b")` goes; `Path()` would mean "."
            continue
        for i in sorted(gone):  # each with the comma before it
            _drop_span(g, g.span(args[i]), (_arg(g, call, i - 1)[1], _arg(g, call, i)[1]), root)


def _drop_span(g: Gatherer, where: tuple[int, int], span: tuple[int, int] | None, root: ast.expr) -> None:
    if span is None or b"#" in g.data[span[0]:span[1]]:
        # nothing to drop it from, or dropping it would take a comment along
        g.review(where, "merging this path's segments would leave an empty one; edit by hand")
        return
    g.edit(span[0], span[1], b"", "py-chain", root)


def _review_base(g: Gatherer, root: ast.expr, run: list[_Seg], comp_seg: list[int], old: str, new: str,
                 suggestion: str = "") -> None:
    names = sorted({run[i].base for i in comp_seg if run[i].kind == "base"})
    shared = ", ".join(names) or "a shared name"
    homes = sorted({run[i].home for i in comp_seg if run[i].kind == "base" and run[i].home})
    where = f" (bound in {', '.join(homes)})" if homes else ""
    g.review(root, f"this path spells {old} through {shared}{where}; the new path {new} would need "
                   f"{shared} itself to change (it is used elsewhere): edit by hand{suggestion}")


def _suggest(plans: list[tuple[_Seg, int, int, list[str], int]]) -> str:
    """The replacement text a shared name's own literal would need, for the review."""
    out = []
    for seg, lo, hi, parts, _ in plans:
        if seg.kind != "base":
            continue
        text = seg.text.decode("utf-8", "replace")
        if parts:
            after = text[:lo] + "/".join(parts) + text[hi:]
        else:
            after = (text[:lo] + text[hi + 1:]) if text[hi:hi + 1] == "/" else text[:max(lo - 1, 0)] + text[hi:]
        out.append(f"{seg.base}{' in ' + seg.home if seg.home else ''}: {text!r} → {after!r}")
    return "; suggested: " + ", ".join(out) if out else ""
