"""Segment chains read as one path: os.path.join, Path/PurePath(...), .joinpath, `/`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pathmove import match, packages
from pathmove.finders.python.parse import _alias_name, _common_ends, _distribute, _dotted, _JOIN_FUNCS, _PATH_CTORS, _Piece, _Seg, _ws
from pathmove.finders.python import bases, strings

if TYPE_CHECKING:
    import libcst as cst

    from pathmove.finders.python.gather import Gatherer
else:
    from pathmove.finders.python.parse import cst


def prepare(g: Gatherer) -> None:
    """`from os.path import join`, `from pathlib import Path as P`, `import pathlib as pl`."""
    for stmt in g.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and not small.relative and not isinstance(small.names, cst.ImportStar):
                module = _dotted(small.module)
                for alias in small.names:
                    bound = _alias_name(alias)
                    if module in ("os.path", "posixpath", "ntpath") and _dotted(alias.name) == "join":
                        g.join_aliases.add(bound)
                    elif module == "pathlib" and _dotted(alias.name) in _PATH_CTORS:
                        g.ctor_aliases.add(bound)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    if _dotted(alias.name) == "pathlib" and alias.asname is not None:
                        g.ctor_aliases.update(f"{_alias_name(alias)}.{c}" for c in _PATH_CTORS)
                    elif _dotted(alias.name) in ("os.path", "posixpath") and alias.asname is not None:
                        g.join_aliases.add(f"{_alias_name(alias)}.join")


def _call_kind(g: Gatherer, call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "joinpath":
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


def _is_chain(g: Gatherer, node: cst.CSTNode) -> bool:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        return True
    return isinstance(node, cst.Call) and _call_kind(g, node) is not None


def _flatten(g: Gatherer, node: cst.BaseExpression, ctx: tuple[Any, ...], seen: frozenset[str], mark: bool = True) -> list[_Seg]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        if mark:
            g.chain_nodes.add(id(node))
        return (_flatten(g, node.left, ("left", node), seen, mark)
                + _flatten(g, node.right, ("right", node), seen, mark))
    if isinstance(node, cst.Call):
        kind = _call_kind(g, node)
        if kind is not None and all(a.keyword is None and not a.star for a in node.args):
            if mark:
                g.chain_nodes.add(id(node))
            segs: list[_Seg] = []
            if kind == "joinpath":
                assert isinstance(node.func, cst.Attribute)
                segs = _flatten(g, node.func.value, ("recv", node), seen, mark)
            for i, a in enumerate(node.args):
                segs += _flatten(g, a.value, ("arg", node, i), seen, mark)
            return segs
    if isinstance(node, cst.SimpleString):
        # text from the node, not from spans: a base's definition may lie in a statement
        # that was never visited (only statements holding a needle get spans)
        raw = node.value[len(node.prefix) + len(node.quote):-len(node.quote)]
        if "\\" not in raw:
            return [_Seg("lit", raw.encode("utf-8"), node, ctx)]
    if isinstance(node, cst.FormattedString):
        return _fstring_segments(g, node, ctx)
    if isinstance(node, cst.Name) and node.value in g.bases and not g._shadowed(node.value):
        return bases._base_segments(g, node.value, seen)
    return [_Seg("opaque")]


def _fstring_segments(g: Gatherer, node: cst.FormattedString, ctx: tuple[Any, ...]) -> list[_Seg]:
    """`f"checkpoints_old/{x}"` in a chain: its first and last text continue the path."""
    parts = node.parts

    def text_seg(part: cst.BaseFormattedStringContent) -> _Seg | None:
        if not isinstance(part, cst.FormattedStringText):
            return None
        text = part.value.encode("utf-8")
        if any(c in text for c in (b"\\", b"{", b"}")):
            return None
        return _Seg("lit", text, part, ctx, partial=True, owner=node)

    if len(parts) == 1:
        only = text_seg(parts[0])
        return [only] if only else [_Seg("opaque")]
    if not parts:
        return [_Seg("opaque")]
    first, last = text_seg(parts[0]), text_seg(parts[-1])
    return ([first] if first else []) + [_Seg("opaque")] + ([last] if last else [])


def _chain(g: Gatherer, root: cst.BaseExpression) -> None:
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


def _chain_run(g: Gatherer, root: cst.BaseExpression, run: list[_Seg]) -> None:
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
            pc = _seg_piece(g, seg)
            assert seg.node is not None
            strings._string_edit(g, pc, seg.node, pc.start + m.start - a, pc.start + m.end - a, new, "py-string")
            continue
        _rewrite_segments(g, root, run, bounds, covered, m, new)


def _rewrite_segments(g: Gatherer, root: cst.BaseExpression, run: list[_Seg], bounds: list[tuple[int, int]],
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


def _place(g: Gatherer, seg: _Seg, lo: int, hi: int, parts: list[str], n_old: int, root: cst.BaseExpression,
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


def _segment_edit(g: Gatherer, seg: _Seg, lo: int, hi: int, new: bytes, root: cst.BaseExpression) -> None:
    assert seg.node is not None
    pc = _seg_piece(g, seg)
    strings._string_edit(g, pc, seg.node, pc.start + lo, pc.start + hi,
                      new.decode("utf-8", "surrogateescape"), "py-chain", root)


def _can_split(g: Gatherer, seg: _Seg) -> bool:
    node = seg.node
    if not isinstance(node, cst.SimpleString) or node.lpar or not seg.ctx:
        return False
    return seg.ctx[0] in ("right", "arg")


def _split(g: Gatherer, seg: _Seg, parts: list[str], root: cst.BaseExpression) -> None:
    """One literal becomes several segments: `"results_v1"` → `"results" / "v1"`."""
    assert isinstance(seg.node, cst.SimpleString)
    prefix = seg.node.prefix
    pc = _seg_piece(g, seg)
    q = pc.quote
    encoded = [strings.escape(p, pc) for p in parts]
    if any(e is None for e in encoded):
        g.review(seg.node, "the new path cannot be written in this literal's quoting; edit by hand")
        return
    lits = [f"{prefix}{q}".encode() + e + q.encode() for e in encoded if e is not None]
    if seg.ctx[0] == "right":
        op = seg.ctx[1].operator
        sep = (_ws(op.whitespace_before) + "/" + _ws(op.whitespace_after)).encode()
    else:
        call, i = seg.ctx[1], seg.ctx[2]
        comma = call.args[i - 1].comma if i > 0 else None
        sep = b", " if not isinstance(comma, cst.Comma) else ("," + _ws(comma.whitespace_after)).encode()
    start, end = g.span(seg.node)
    g.edit(start, end, sep.join(lits), "py-chain", root)


def _drop(g: Gatherer, segs: list[_Seg], root: cst.BaseExpression) -> None:
    """Segments whose components all went to earlier ones: `Path("a") / "b"` → `Path("ab")`."""
    calls: dict[int, tuple[cst.Call, set[int]]] = {}
    for seg in segs:
        kind = seg.ctx[0] if seg.ctx else ""
        if kind == "right":
            binop = seg.ctx[1]
            _drop_span(g, seg, (_outer(g, binop.left)[1], _outer(g, binop.right)[1]), root)
        elif kind == "arg":
            calls.setdefault(id(seg.ctx[1]), (seg.ctx[1], set()))[1].add(seg.ctx[2])
        else:
            _drop_span(g, seg, None, root)
    for call, gone in calls.values():
        args = call.args
        node = args[min(gone)].value
        kept = [i for i in range(len(args)) if i not in gone]
        if 0 in gone and kept:  # leading arguments: up to the first one kept
            first = kept[0]
            _drop_span(g, node, (_outer(g, args[0].value)[0], _outer(g, args[first].value)[0]), root)
            gone = {i for i in gone if i > first}
        elif not kept:
            func = call.func
            joinpath = isinstance(func, cst.Attribute) and func.attr.value == "joinpath"
            span = (_outer(g, func.value)[1], g.span(call)[1]) if isinstance(func, cst.Attribute) and joinpath else None
            _drop_span(g, node, span, root)  # `.joinpath("b")` goes; `Path()` would mean "."
            continue
        for i in sorted(gone):  # each with the comma before it
            _drop_span(g, args[i].value, (_outer(g, args[i - 1].value)[1], _outer(g, args[i].value)[1]), root)


def _drop_span(g: Gatherer, seg: _Seg | cst.CSTNode, span: tuple[int, int] | None, root: cst.BaseExpression) -> None:
    node = seg.node if isinstance(seg, _Seg) else seg
    assert node is not None
    if span is None or b"#" in g.data[span[0]:span[1]]:
        # nothing to drop it from, or dropping it would take a comment along
        g.review(node, "merging this path's segments would leave an empty one; edit by hand")
        return
    g.edit(span[0], span[1], b"", "py-chain", root)


def _outer(g: Gatherer, node: cst.CSTNode) -> tuple[int, int]:
    """A node's span with its own parentheses (libcst spans leave them out)."""
    start, end = g.span(node)
    for _ in getattr(node, "lpar", ()):
        start = g.data.rindex(b"(", 0, start)
    for _ in getattr(node, "rpar", ()):
        end = g.data.index(b")", end) + 1
    return start, end


def _review_base(g: Gatherer, root: cst.BaseExpression, run: list[_Seg], comp_seg: list[int], old: str, new: str) -> None:
    names = sorted({run[i].base for i in comp_seg if run[i].kind == "base"})
    shared = ", ".join(names) or "a shared name"
    g.review(root, f"this path spells {old} through {shared}; the new path {new} would need "
                      f"{shared} itself to change (it is used elsewhere): edit by hand")


def _seg_piece(g: Gatherer, seg: _Seg) -> _Piece:
    if isinstance(seg.node, cst.SimpleString):
        return strings._piece(g, seg.node)
    fs = seg.owner
    assert isinstance(fs, cst.FormattedString) and seg.node is not None
    a, b = g.span(seg.node)
    return _Piece(a, b, fs.end, "r" in fs.start.lower(), "b" in fs.start.lower(), True)


def visit_BinaryOperation(g: Gatherer, node: cst.BinaryOperation) -> bool:
    if isinstance(node.operator, cst.Divide) and id(node) not in g.chain_nodes:
        _chain(g, node)
    return True


def visit_Call(g: Gatherer, node: cst.Call) -> bool:
    if id(node) not in g.chain_nodes and _call_kind(g, node) is not None:
        _chain(g, node)
    return True


VISIT = {"BinaryOperation": visit_BinaryOperation, "Call": visit_Call}
