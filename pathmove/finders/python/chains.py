"""Segment chains read as one path: os.path.join, Path/PurePath(...), .joinpath, `/`, `+`,
"/".join, f-strings; the new path is written by respell.py."""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import TYPE_CHECKING, Any

from pathmove.census import Needle, occurrences
from pathmove.edits import Disposition
from pathmove.finders.python import bases, lex, strings
from pathmove.finders.python.parse import _alias_name, _dotted, _JOIN_FUNCS, _PATH_CTORS, _Seg
from pathmove.finders.python.respell import Container, _elements, _rewrite_segments, _rewrite_text

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer

_SEP_NAMES = {"os.sep", "posixpath.sep"}
# a replacement field that is one name, without conversion or format spec: `{OUT}`
_NAME_FIELD = re.compile(rb"\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}")


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
