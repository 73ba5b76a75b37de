"""Module-level bases: `ROOT = Path("data")` read where a chain uses ROOT; function scopes that shadow them."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from pathmove.finders.python import chains
from pathmove.finders.python.parse import _all_params, _local_names, _Seg

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer


def prepare(g: Gatherer) -> None:
    if g.tree is None:
        return
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
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
    # SPEC §4.1: a name bound once at module level; rebinding makes it ambiguous
    g.bases = {k: v for k, v in values.items() if counts.get(k) == 1}


def _base_segments(g: Gatherer, name: str, seen: frozenset[str]) -> list[_Seg]:
    if name in g.base_cache:
        return list(g.base_cache[name])  # a copy: callers extend what they get
    if name in seen:
        return [_Seg("opaque")]
    # the definition lives at module level: the enclosing functions' names do not apply
    scopes, g.scopes = g.scopes, []
    try:
        segs = chains._flatten(g, g.bases[name], (), seen | {name}, mark=False)
    finally:
        g.scopes = scopes
    out = [_Seg("base", s.text, s.node, (), name, piece=s.piece, where=s.where) if s.kind in ("lit", "base") else s
           for s in segs]
    g.base_cache[name] = out
    return out


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
