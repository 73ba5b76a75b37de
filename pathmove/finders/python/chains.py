"""Segment chains read as one path: os.path.join, Path/PurePath(...), .joinpath, `/`."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from pathmove import match
from pathmove.finders.python import bases, lex, strings
from pathmove.finders.python.parse import _alias_name, _common_ends, _distribute, _dotted, _JOIN_FUNCS, _PATH_CTORS, _Seg

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer

_BLANKS = b" \t\f\r\n\\"
_INLINE = re.compile(rb"[ \t]*\Z")


def prepare(g: Gatherer) -> None:
    """`from os.path import join`, `from pathlib import Path as P`, `import pathlib as pl`."""
    if g.tree is None:
        return
    for stmt in g.tree.body:
        if isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.names[0].name != "*":
            for alias in stmt.names:
                bound = _alias_name(alias)
                if stmt.module in ("os.path", "posixpath", "ntpath") and alias.name == "join":
                    g.join_aliases.add(bound)
                elif stmt.module == "pathlib" and alias.name in _PATH_CTORS:
                    g.ctor_aliases.add(bound)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "pathlib" and alias.asname is not None:
                    g.ctor_aliases.update(f"{alias.asname}.{c}" for c in _PATH_CTORS)
                elif alias.name in ("os.path", "posixpath") and alias.asname is not None:
                    g.join_aliases.add(f"{alias.asname}.join")


def _call_kind(g: Gatherer, call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "joinpath":
        return "joinpath"
    name = _dotted(func)
    if name is None:
        return None
    if name in _JOIN_FUNCS or name in g.join_aliases:
        return "join"
    last = name.rsplit(".", 1)[-1]
    if (last in _PATH_CTORS and (name == last or name == "pathlib." + last)) or name in g.ctor_aliases:
        return "ctor"
    return None


def _flatten(g: Gatherer, node: ast.expr, ctx: tuple[Any, ...], seen: frozenset[str], mark: bool = True) -> list[_Seg]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        if mark:
            g.chain_nodes.add(id(node))
        return (_flatten(g, node.left, ("left", node), seen, mark)
                + _flatten(g, node.right, ("right", node), seen, mark))
    if isinstance(node, ast.Call):
        kind = _call_kind(g, node)
        if kind is not None and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args):
            if mark:
                g.chain_nodes.add(id(node))
            segs: list[_Seg] = []
            if kind == "joinpath":
                assert isinstance(node.func, ast.Attribute)
                segs = list(_flatten(g, node.func.value, ("recv", node), seen, mark))  # never extend a cached list
            for i, a in enumerate(node.args):
                segs += _flatten(g, a, ("arg", node, i), seen, mark)
            return segs
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        toks = lex.tokens_in(g.data, *g.span(node))
        if len(toks) == 1 and not toks[0].fstring:
            pc = toks[0].parts[0]
            assert pc is not None
            text = g.data[pc.start:pc.end]
            if b"\\" not in text:
                return [_Seg("lit", text, node, ctx, piece=pc, where=(toks[0].start, toks[0].end))]
    if isinstance(node, ast.JoinedStr):
        return _fstring_segments(g, node, ctx)
    if isinstance(node, ast.Name) and node.id in g.bases and not g._shadowed(node.id):
        return bases._base_segments(g, node.id, seen)
    return [_Seg("opaque")]


def _fstring_segments(g: Gatherer, node: ast.JoinedStr, ctx: tuple[Any, ...]) -> list[_Seg]:
    """`f"checkpoints_old/{x}"` in a chain: its first and last text continue the path."""
    toks = lex.tokens_in(g.data, *g.span(node))
    if len(toks) != 1:
        return [_Seg("opaque")]  # implicit concatenation: not one segment
    tok = toks[0]
    parts = tok.parts

    def text_seg(pc: lex.Piece | None) -> _Seg | None:
        if pc is None:
            return None
        text = g.data[pc.start:pc.end]
        if any(c in text for c in (b"\\", b"{", b"}")):
            return None
        return _Seg("lit", text, node, ctx, partial=True, piece=pc, where=(tok.start, tok.end))

    if len(parts) == 1:
        only = text_seg(parts[0])
        return [only] if only else [_Seg("opaque")]
    if not parts:
        return [_Seg("opaque")]
    first, last = text_seg(parts[0]), text_seg(parts[-1])
    return ([first] if first else []) + [_Seg("opaque")] + ([last] if last else [])


def _chain(g: Gatherer, root: ast.expr) -> None:
    segs = _flatten(g, root, (), frozenset())
    for s in segs:
        if s.kind == "lit" and s.node is not None and not s.partial:
            g.done.add(id(s.node))
    run: list[_Seg] = []
    for s in segs + [_Seg("opaque")]:
        if s.kind == "opaque":
            if run:
                _chain_run(g, root, run)
            run = []
        else:
            run.append(s)


def _chain_run(g: Gatherer, root: ast.expr, run: list[_Seg]) -> None:
    joined = b"/".join(s.text for s in run)
    bounds = []
    pos = 0
    for s in run:
        bounds.append((pos, pos + len(s.text)))
        pos += len(s.text) + 1
    for m, new in g.mapping.references(joined):
        covered = [i for i, (a, b) in enumerate(bounds) if a < m.end and b > m.start]
        if all(run[i].kind == "base" for i in covered):
            continue  # the base's own definition holds the whole path and is rewritten there
        if len(covered) == 1:
            seg = run[covered[0]]
            if seg.partial:
                continue  # inside one f-string: the string rule reads it
            a = bounds[covered[0]][0]
            pc = seg.piece
            assert pc is not None
            strings._string_edit(g, pc, seg.where, pc.start + m.start - a, pc.start + m.end - a, new, "py-string")
            continue
        _rewrite_segments(g, root, run, bounds, covered, m, new)


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
    if any(run[i].kind != "lit" for i in affected):
        _review_base(g, root, run, comp_seg, m.old, new)
        return
    counts = [sum(1 for c in mid_old if comp_seg[c] == i) for i in affected]
    given = _distribute(counts, len(mid_new))
    k = 0
    plans: list[tuple[_Seg, int, int, list[str], int]] = []
    for i, n_old, n_new in zip(affected, counts, given):
        comps = [c for c in mid_old if comp_seg[c] == i]
        lo, hi = comp_rng[comps[0]][0], comp_rng[comps[-1]][1]
        plans.append((run[i], lo, hi, mid_new[k:k + n_new], n_old))
        k += n_new
    # all or nothing: a place that needs review gets no partial rewrite
    marks = len(g.edits), len(g.units), len(g.reviews)
    dropped: list[_Seg] = []
    for seg, lo, hi, parts, n_old in plans:
        _place(g, seg, lo, hi, parts, n_old, root, dropped)
    _drop(g, dropped, root)
    if len(g.reviews) > marks[2]:
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


def _arg_bounds(g: Gatherer, call: ast.Call, i: int) -> tuple[int, int]:
    """The bytes an argument may own: from after the `(` or comma before it to the comma or
    `)` after it."""
    data, args = g.data, call.args
    a, b = g.span(args[i])
    if i:
        prev = g.span(args[i - 1])[1]
        lo = prev + _free_find(data[prev:a], b",", last=True) + 1
    else:
        func = g.span(call.func)[1]
        lo = func + _free_find(data[func:a], b"(") + 1
    nxt = g.span(args[i + 1])[0] if i + 1 < len(args) else g.span(call)[1] - 1
    k = _free_find(data[b:nxt], b",")
    hi = b + k if k >= 0 else nxt
    return lo, hi


def _free_find(gap: bytes, what: bytes, last: bool = False) -> int:
    """what in gap outside comments (-1: none)."""
    code = re.sub(rb"#[^\r\n]*", lambda m: b" " * len(m.group(0)), gap)
    return code.rfind(what) if last else code.find(what)


def _arg(g: Gatherer, call: ast.Call, i: int) -> tuple[int, int]:
    return _outer(g, call.args[i], *_arg_bounds(g, call, i))


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
    calls: dict[int, tuple[ast.Call, set[int]]] = {}
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
        args = call.args
        where = g.span(args[min(gone)])
        kept = [i for i in range(len(args)) if i not in gone]
        if 0 in gone and kept:  # leading arguments: up to the first one kept
            first = kept[0]
            _drop_span(g, where, (_arg(g, call, 0)[0], _arg(g, call, first)[0]), root)
            gone = {i for i in gone if i > first}
        elif not kept:
            func = call.func
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


def _review_base(g: Gatherer, root: ast.expr, run: list[_Seg], comp_seg: list[int], old: str, new: str) -> None:
    names = sorted({run[i].base for i in comp_seg if run[i].kind == "base"})
    shared = ", ".join(names) or "a shared name"
    g.review(root, f"this path spells {old} through {shared}; the new path {new} would need "
                   f"{shared} itself to change (it is used elsewhere): edit by hand")


def visit_BinOp(g: Gatherer, node: ast.BinOp) -> bool:
    if isinstance(node.op, ast.Div) and id(node) not in g.chain_nodes:
        _chain(g, node)
    return True


def visit_Call(g: Gatherer, node: ast.Call) -> bool:
    if id(node) not in g.chain_nodes and _call_kind(g, node) is not None:
        _chain(g, node)
    return True


VISIT = {"BinOp": visit_BinOp, "Call": visit_Call}
