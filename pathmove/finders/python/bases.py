"""Module-level bases: `ROOT = Path("data")` read where a chain uses ROOT; function scopes that shadow them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pathmove import packages
from pathmove.finders.python import chains
from pathmove.finders.python.parse import _all_params, _local_names, _Seg

if TYPE_CHECKING:
    import libcst as cst

    from pathmove.finders.python.gather import Gatherer
else:
    from pathmove.finders.python.parse import cst


def prepare(g: Gatherer) -> None:
    counts: dict[str, int] = {}
    values: dict[str, cst.BaseExpression] = {}
    for stmt in g.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            targets: list[cst.BaseAssignTargetExpression] = []
            value = None
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
                value = small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                targets = [small.target]
                value = small.value
            elif isinstance(small, cst.AugAssign):
                targets = [small.target]
            for t in targets:
                if isinstance(t, cst.Name):
                    counts[t.value] = counts.get(t.value, 0) + 1
                    if value is not None:
                        values[t.value] = value
    # SPEC §4.1: a name bound once at module level; rebinding makes it ambiguous
    g.bases = {k: v for k, v in values.items() if counts.get(k) == 1}


def _base_segments(g: Gatherer, name: str, seen: frozenset[str]) -> list[_Seg]:
    if name in g.base_cache:
        return g.base_cache[name]
    if name in seen:
        return [_Seg("opaque")]
    # the definition lives at module level: the enclosing functions' names do not apply
    scopes, g.scopes = g.scopes, []
    try:
        segs = chains._flatten(g, g.bases[name], (), seen | {name}, mark=False)
    finally:
        g.scopes = scopes
    out = [_Seg("base", s.text, s.node, (), name) if s.kind in ("lit", "base") else s for s in segs]
    g.base_cache[name] = out
    return out


def visit_FunctionDef(g: Gatherer, node: cst.FunctionDef) -> bool:
    g.scopes.append(_local_names(node))
    return True


def visit_Lambda(g: Gatherer, node: cst.Lambda) -> bool:
    g.scopes.append({p.name.value for p in _all_params(node.params)})
    return True


def leave_scope(g: Gatherer, node: cst.CSTNode) -> None:
    g.scopes.pop()


VISIT = {"FunctionDef": visit_FunctionDef, "Lambda": visit_Lambda}
LEAVE = {"FunctionDef": leave_scope, "Lambda": leave_scope}
