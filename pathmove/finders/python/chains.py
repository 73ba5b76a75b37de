"""Segment chains read as one path: os.path.join, Path/PurePath(...), .joinpath, `/`."""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import TYPE_CHECKING, Any, Union

from pathmove import match
from pathmove.census import Needle, occurrences
from pathmove.edits import Disposition
from pathmove.finders.python import bases, lex, strings
from pathmove.finders.python.parse import _alias_name, _common_ends, _distribute, _dotted, _JOIN_FUNCS, _PATH_CTORS, _Seg

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer

_BLANKS = b" \t\f\r\n\\"
_INLINE = re.compile(rb"[ \t]*\Z")
_SEP_NAMES = {"os.sep", "posixpath.sep"}
# a replacement field that is one name, without conversion or format spec: `{OUT}`
_NAME_FIELD = re.compile(rb"\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}")
# what holds the elements of a chain: a call's arguments, or the list given to "/".join
Container = Union[ast.Call, ast.List, ast.Tuple]


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


def _joined_list(g: Gatherer, call: ast.Call) -> ast.List | ast.Tuple | None:
    """The list of `"/".join([...])` (or `os.sep.join`): its elements are path segments."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "join" and len(call.args) == 1 and not call.keywords):
        return None
    sep = func.value
    if not ((isinstance(sep, ast.Constant) and sep.value == "/") or _dotted(sep) in _SEP_NAMES):
        return None
    arg = call.args[0]
    if (isinstance(arg, (ast.List, ast.Tuple)) and arg.elts and not any(isinstance(e, ast.Starred) for e in arg.elts)
            and g.data[g.span(arg)[0]] in b"[("):
        return arg
    return None


def _call_kind(g: Gatherer, call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "joinpath":
        return "joinpath"
    if isinstance(func, ast.Attribute) and func.attr == "join" and _joined_list(g, call) is not None:
        return "strjoin"
    name = _dotted(func)
    if name is None:
        return None
    if name in _JOIN_FUNCS or name in g.join_aliases:
        return "join"
    last = name.rsplit(".", 1)[-1]
    if (last in _PATH_CTORS and (name == last or name == "pathlib." + last)) or name in g.ctor_aliases:
        return "ctor"
    return None


def _glued(segs: list[_Seg], glue: bytes) -> list[_Seg]:
    """segs with the first one joined to what precedes it by glue."""
    if not segs or segs[0].glue == glue:
        return segs
    return [dataclasses.replace(segs[0], glue=glue), *segs[1:]]


def _is_path_object(g: Gatherer, node: ast.expr) -> bool:
    """A `Path` (not a str): `/` chains, path constructors, `.joinpath`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return True
    return isinstance(node, ast.Call) and _call_kind(g, node) in ("ctor", "joinpath")


def _concat_leaves(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _concat_leaves(node.left) + _concat_leaves(node.right)
    return [node]


def _is_concat(g: Gatherer, node: ast.BinOp) -> bool:
    """`a + b` adding text: one operand is a string literal and none is a Path."""
    if not isinstance(node.op, ast.Add):
        return False
    leaves = _concat_leaves(node)
    return (any(isinstance(x, ast.JoinedStr) or isinstance(x, ast.Constant) and isinstance(x.value, (str, bytes))
                for x in leaves)
            and not any(_is_path_object(g, x) for x in leaves))


def _flatten(g: Gatherer, node: ast.expr, ctx: tuple[Any, ...], seen: frozenset[str], mark: bool = True) -> list[_Seg]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        if mark:
            g.chain_nodes.add(id(node))
        return (_flatten(g, node.left, ("left", node), seen, mark)
                + _glued(_flatten(g, node.right, ("right", node), seen, mark), b"/"))
    if isinstance(node, ast.BinOp) and (_is_concat(g, node) or ctx[:1] == ("cat",) and isinstance(node.op, ast.Add)):
        if mark:
            g.chain_nodes.add(id(node))
        return (_flatten(g, node.left, ("cat", node), seen, mark)
                + _glued(_flatten(g, node.right, ("cat", node), seen, mark), b""))
    if isinstance(node, ast.Call):
        kind = _call_kind(g, node)
        if kind is not None and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args):
            if mark:
                g.chain_nodes.add(id(node))
            segs: list[_Seg] = []
            if kind == "joinpath":
                assert isinstance(node.func, ast.Attribute)
                segs = list(_flatten(g, node.func.value, ("recv", node), seen, mark))  # never extend a cached list
            elements: Container = node
            if kind == "strjoin":
                listed = _joined_list(g, node)
                assert listed is not None
                elements = listed
            for i, a in enumerate(_elements(elements)):
                segs += _glued(_flatten(g, a, ("arg", elements, i), seen, mark), b"/")
            return _glued(segs, b"/")
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        toks = lex.tokens_in(g.data, *g.span(node))
        if len(toks) == 1 and not toks[0].fstring:
            pc = toks[0].parts[0]
            assert pc is not None
            text = g.data[pc.start:pc.end]
            if b"\\" not in text:
                return [_Seg("lit", text, node, ctx, piece=pc, where=(toks[0].start, toks[0].end))]
    if isinstance(node, ast.JoinedStr):
        if mark:
            g.chain_nodes.add(id(node))
        return _fstring_segments(g, node, ctx, seen)
    if isinstance(node, ast.Name) and node.id in g.bases and not g._shadowed(node.id):
        return bases._base_segments(g, node.id, seen)
    if isinstance(node, ast.Name) and node.id in g.rebound:
        at = bases.rebound_value(g, node)
        if at is not None:
            return bases._base_segments(g, node.id, seen, at[1], f"{node.id}@{at[0]}")
    if isinstance(node, (ast.Name, ast.Attribute)) and not (isinstance(node, ast.Name) and g._shadowed(node.id)):
        imported = bases._imported_segments(g, node)
        if imported is not None:
            return imported
    return [_Seg("opaque", node=node)]


def _elements(container: Container) -> list[ast.expr]:
    return container.args if isinstance(container, ast.Call) else container.elts


def _fstring_segments(g: Gatherer, node: ast.JoinedStr, ctx: tuple[Any, ...], seen: frozenset[str]) -> list[_Seg]:
    """`f"checkpoints_old/{x}"` in a chain: its text continues the path; a field that names a
    module-level base (`{OUT}`, no conversion or format spec) is that base's text."""
    toks = lex.tokens_in(g.data, *g.span(node))
    if len(toks) != 1:
        return [_Seg("opaque", node=node)]  # implicit concatenation: not one segment
    tok = toks[0]
    parts = tok.parts
    if not parts:
        return [_Seg("opaque", node=node)]
    out: list[_Seg] = []
    k = 0
    for pc in parts:
        if pc is None:
            a, b = tok.fields[k]
            k += 1
            m = _NAME_FIELD.fullmatch(g.data, a, b)
            name = m.group(1).decode() if m else ""
            if name in g.bases and not g._shadowed(name):
                out += _glued(bases._base_segments(g, name, seen), b"")
            else:
                out.append(_Seg("opaque", g.data[a:b], node=node))  # the field names it in a finding
            continue
        text = g.data[pc.start:pc.end]
        if any(c in text for c in (b"\\", b"{", b"}")):
            out.append(_Seg("opaque", node=node))
        else:
            out.append(_Seg("lit", text, node, ctx, partial=True, piece=pc, where=(tok.start, tok.end), glue=b""))
    return out


def _chain(g: Gatherer, root: ast.expr) -> None:
    segs = _flatten(g, root, (), frozenset())
    for s in segs:
        if s.kind == "lit" and s.node is not None and not s.partial:
            g.done.add(id(s.node))
    run: list[_Seg] = []
    before: _Seg | None = None  # the unknown segment the run follows
    for s in segs + [_Seg("opaque")]:
        if s.kind == "opaque":
            if run:
                _chain_run(g, root, run, before)
            run = []
            before = s
        else:
            run.append(s)


def _chain_run(g: Gatherer, root: ast.expr, run: list[_Seg], before: _Seg | None = None) -> None:
    joined = bytearray(run[0].text)
    bounds = [(0, len(run[0].text))]
    for s in run[1:]:
        joined += s.glue
        bounds.append((len(joined), len(joined) + len(s.text)))
        joined += s.text
    text = bytes(joined)
    claimed: list[tuple[int, int]] = []
    for m, new in g.mapping.references(text):
        claimed.append((m.start, m.end))
        covered = [i for i, (a, b) in enumerate(bounds) if a < m.end and b > m.start]
        if all(run[i].kind == "base" for i in covered) and len({run[i].base for i in covered}) == 1:
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
        if any(run[i].glue == b"" for i in covered[1:]):
            _rewrite_text(g, root, run, bounds, covered, m, new)
        else:
            _rewrite_segments(g, root, run, bounds, covered, m, new)
    _unclaimed(g, root, run, bounds, text, claimed, before)


def _unclaimed(g: Gatherer, root: ast.expr, run: list[_Seg], bounds: list[tuple[int, int]], text: bytes,
               claimed: list[tuple[int, int]], before: _Seg | None) -> None:
    """SPEC §3: a needle in a path the chain spells that no reference claims. After an unknown
    segment (a parameter, a call, an attribute) it may still end an old path: a py-unresolved
    finding. Where what precedes it is known and differs, it is no old path (a disposition)."""
    for s, e, needle in occurrences(text, _needles(g)):
        if any(a <= s and e <= b for a, b in claimed):
            continue
        i = next((k for k, (a, b) in enumerate(bounds) if a <= s and e <= b), None)
        if i is None:
            continue  # spread over segments: no literal holds it
        seg = run[i]
        maybe = None
        if before is not None:
            lead = run[0].glue + text[:s]  # what the run puts before the needle
            maybe = next((o for o in _olds(g, needle) if _may_end(o[:len(o) - len(needle)], lead)), None)
        if maybe is not None and before is not None:
            unknown = _describe(g, before)
            where: tuple[int, int] = seg.where if seg.kind == "lit" else g.span(root)
            g.review(where, f"{needle.decode('utf-8', 'replace')!r} here may end {maybe.decode('utf-8', 'replace')} "
                            f"but the path before it ({unknown}) cannot be resolved: check it by hand "
                            "(or mark the line `pathmove: keep`)", "py-unresolved")
        elif seg.kind == "lit" and seg.piece is not None:
            a = seg.piece.start + s - bounds[i][0]
            why = "another path (a different parent)" if s else "another path (the needle starts it)"
            g.dispositions.append(Disposition(g.path, a, a + len(needle), "not-a-reference", why))


def _may_end(head: bytes, lead: bytes) -> bool:
    """Can an unknown value followed by lead spell head (the old path's components before
    its last, with their "/")? lead must be whole components of it (the pre-pass's rule)."""
    if not head.endswith(lead):
        return False
    return not lead or lead.startswith(b"/") or len(lead) == len(head) or head[-len(lead) - 1:-len(lead)] == b"/"


def _needles(g: Gatherer) -> tuple[Needle, ...]:
    found = g.__dict__.get("_path_needles")
    if found is None:
        found = tuple(sorted({Needle(e.old.rsplit("/", 1)[-1].encode(), False) for e in g.mapping.entries}))
        g.__dict__["_path_needles"] = found
    return found


def _olds(g: Gatherer, needle: bytes) -> list[bytes]:
    return [e.old.encode() for e in g.mapping.entries if e.old.rsplit("/", 1)[-1].encode() == needle]


def _describe(g: Gatherer, seg: _Seg) -> str:
    node = seg.node
    if node is None:
        return "an unknown value"
    a, b = g.span(node)
    src = (seg.text or g.data[a:b]).decode("utf-8", "replace")
    src = src if len(src) <= 40 and "\n" not in src else src[:37].split("\n")[0] + "..."
    return f"`{src}`"


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


def visit_BinOp(g: Gatherer, node: ast.BinOp) -> bool:
    if id(node) not in g.chain_nodes and (isinstance(node.op, ast.Div) or _is_concat(g, node)):
        _chain(g, node)
    return True


def visit_JoinedStr(g: Gatherer, node: ast.JoinedStr) -> bool:
    """An f-string with a replacement field spells a path from what the field holds."""
    if id(node) not in g.chain_nodes and any(isinstance(v, ast.FormattedValue) for v in node.values):
        _chain(g, node)
    return True


def visit_Call(g: Gatherer, node: ast.Call) -> bool:
    if id(node) not in g.chain_nodes and _call_kind(g, node) is not None:
        _chain(g, node)
    return True


VISIT = {"BinOp": visit_BinOp, "Call": visit_Call, "JoinedStr": visit_JoinedStr}
