"""Module-level bases: `ROOT = Path("data")` read where a chain uses ROOT; function scopes that shadow them."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from pathmove.edits import Edit
from pathmove.finders.python import chains, index
from pathmove.finders.python.parse import _alias_name, _all_params, _dotted, _local_names, _Seg

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer


def prepare(g: Gatherer) -> None:
    if g.tree is None:
        return
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    bindings: dict[str, list[tuple[int, ast.expr | None]]] = {}
    for stmt in g.tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        elif isinstance(stmt, ast.AugAssign):
            targets = [stmt.target]
        for t in targets:
            if isinstance(t, ast.Name):
                counts[t.id] = counts.get(t.id, 0) + 1
                if value is not None:
                    values[t.id] = value
                bindings.setdefault(t.id, []).append((g.span(stmt)[1], value))
    # SPEC §4.1: a name bound once at module level; rebinding makes it ambiguous, except in
    # module-level code, which runs in order: there the binding before the use is the value
    g.bases = {k: v for k, v in values.items() if counts.get(k) == 1}
    g.rebound = {k: v for k, v in bindings.items() if counts.get(k, 0) > 1}
    if g.mapping.root is not None:
        _imports(g)


def _imports(g: Gatherer) -> None:
    """What the module's imports bind, resolved later and only if a chain uses it (index.py);
    a name imported twice is ambiguous (None)."""
    assert g.tree is not None
    for stmt in g.tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.names[0].name != "*":
            for alias in stmt.names:
                bound = _alias_name(alias)
                g.imported[bound] = None if bound in g.imported else (stmt, alias.name)
                g.module_alias[bound] = None if bound in g.module_alias else (stmt, alias.name)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                bound = alias.asname if alias.asname is not None else alias.name
                g.module_alias[bound] = None if bound in g.module_alias else alias.name


def _imported_segments(g: Gatherer, node: ast.Name | ast.Attribute) -> list[_Seg] | None:
    """A name bound in another module of the repository (`from pkg.config import OUT`, then
    `OUT`; `config.OUT` after `from pkg import config` or `import pkg.config as config`), as
    segments; None where it is not one of the repository's module-level bases."""
    root = g.mapping.root
    if root is None:
        return None
    if isinstance(node, ast.Name):
        ref = g.imported.get(node.id)
        if ref is None:
            return None
        mod = index.absolute(g, ref[0])
        attr = ref[1]
    else:
        head = _dotted(node.value)
        alias = g.module_alias.get(head) if head is not None else None
        if alias is None:
            return None
        if isinstance(alias, tuple):
            package = index.absolute(g, alias[0])
            mod = f"{package}.{alias[1]}" if package else None
        else:
            mod = alias
        attr = node.attr
    if not mod:
        return None
    other = index.module(root, mod, g.mapping)
    if other is None or attr not in other.bases:
        return None
    key = (other.path, attr)
    if key in index.RESOLVING:
        return [_Seg("opaque", node=node)]
    index.RESOLVING.add(key)
    try:
        segs = _base_segments(other, attr, frozenset())
    finally:
        index.RESOLVING.discard(key)
    a, b = g.span(node)
    spelled = g.data[a:b].decode("utf-8", "replace")
    home = f"{other.path}:{other.bases[attr].lineno}"
    return [_Seg("base", s.text, s.node, (), spelled, where=s.where, glue=s.glue, home=home)
            if s.kind in ("lit", "base") else _Seg("opaque", node=node) for s in segs]


def rebound_value(g: Gatherer, node: ast.Name) -> tuple[int, ast.expr] | None:
    """In module-level code, the value a name rebound at module level holds here (the last
    plain binding before the use; None after an augmented one, before any, or in a function)."""
    if g.scopes:
        return None
    start = g.span(node)[0]
    found = None
    for i, (end, value) in enumerate(g.rebound.get(node.id, ())):
        if end <= start:
            found = (i, value)
    if found is None or found[1] is None:
        return None
    return found[0], found[1]


def _base_segments(g: Gatherer, name: str, seen: frozenset[str], value: ast.expr | None = None,
                   key: str | None = None) -> list[_Seg]:
    key = key or name
    if key in g.base_cache:
        return list(g.base_cache[key])  # a copy: callers extend what they get
    if name in seen:
        return [_Seg("opaque")]
    # the definition lives at module level: the enclosing functions' names do not apply
    scopes, g.scopes = g.scopes, []
    try:
        segs = chains._flatten(g, value if value is not None else g.bases[name], (), seen | {name}, mark=False)
    finally:
        g.scopes = scopes
    out = [_Seg("base", s.text, s.node, (), name, piece=s.piece, where=s.where, glue=s.glue)
           if s.kind in ("lit", "base") else s for s in segs]
    g.base_cache[key] = out
    return list(out)


def own_literal(g: Gatherer, seg: _Seg) -> bool:
    """seg is the string literal a module-level name of this file is bound to (`HD = "hd_results"`):
    that literal itself may change when every use of the name agrees (finish)."""
    return (seg.kind == "base" and seg.piece is not None and not seg.partial and seg.node is not None
            and g.bases.get(seg.base) is seg.node)


def request(g: Gatherer, name: str, root: ast.expr, edits: list[Edit], units: list[tuple[int, int]],
            old: str, new: str) -> None:
    g.def_requests.setdefault(name, []).append((root, list(edits), list(units), old, new))


def _uses(g: Gatherer, name: str) -> int:
    assert g.tree is not None
    return sum(1 for n in ast.walk(g.tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))


def finish(g: Gatherer) -> None:
    """A base's own literal changes when every use of the name in this file is a chain that
    needs the same change; otherwise each chain is a py-review with the suggested binding."""
    for name, reqs in g.def_requests.items():
        lo, hi = g.span(g.bases[name])

        def inside(e: Edit) -> bool:
            return lo <= e.start and e.end <= hi

        wanted = {tuple((e.start, e.end, e.new) for e in edits if inside(e)) for _, edits, _, _, _ in reqs}
        if len(wanted) == 1 and len(reqs) == _uses(g, name):
            placed: set[tuple[int, int, bytes]] = set()
            for _, edits, units, _, _ in reqs:
                for e in edits:
                    key = (e.start, e.end, e.new)
                    if key not in placed:
                        placed.add(key)
                        g.edits.append(e)
                g.units.extend(units)
            continue
        for root, edits, _, old, new in reqs:
            text = g.data[lo:hi]
            for e in sorted((e for e in edits if inside(e)), key=lambda e: -e.start):
                text = text[:e.start - lo] + e.new + text[e.end - lo:]
            g.review(root, f"this path spells {old} through {name}; the new path {new} would need {name} itself "
                           f"to change (it is used elsewhere): edit by hand, e.g. "
                           f"{name} = {text.decode('utf-8', 'replace')} where only such paths use it")


def visit_FunctionDef(g: Gatherer, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    g.scopes.append(_local_names(node))
    return True


def visit_Lambda(g: Gatherer, node: ast.Lambda) -> bool:
    g.scopes.append({p.arg for p in _all_params(node.args)})
    return True


def leave_scope(g: Gatherer, node: ast.AST) -> None:
    g.scopes.pop()


VISIT = {"FunctionDef": visit_FunctionDef, "AsyncFunctionDef": visit_FunctionDef, "Lambda": visit_Lambda}
LEAVE = {"FunctionDef": leave_scope, "AsyncFunctionDef": leave_scope, "Lambda": leave_scope}
