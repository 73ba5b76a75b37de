"""The per-file state every rule reads and writes: the parse, bindings, records.

The rules (see RULES in the package) only collect; the walk calls each rule's hooks for an
`ast` node type in registry order, parents before children.
"""

from __future__ import annotations

import ast
from types import ModuleType
from typing import Any, Callable, Sequence, Union

from pathmove import packages
from pathmove.edits import Disposition, Edit, Review
from pathmove.finders.python import parse
from pathmove.finders.python.parse import Parsed, _Seg
from pathmove.mapping import Mapping
from pathmove.scan import Source

Hook = Callable[["Gatherer", Any], Any]
# where a review points: a node of the tree, or a span of bytes (a string token)
Where = Union[ast.AST, "tuple[int, int]"]


def dispatch(rules: Sequence[ModuleType]) -> tuple[dict[str, tuple[Hook, ...]], dict[str, tuple[Hook, ...]]]:
    """visit and leave hooks per `ast` node type, in rule order."""
    visit: dict[str, tuple[Hook, ...]] = {}
    leave: dict[str, tuple[Hook, ...]] = {}
    for rule in rules:
        for table, hooks in ((visit, rule.VISIT), (leave, getattr(rule, "LEAVE", {}))):
            for name, hook in hooks.items():
                table[name] = (*table.get(name, ()), hook)
    return visit, leave


class Gatherer:
    """Gathers edits and reviews from one parsed file: the shared per-file state of every rule."""

    def __init__(self, source: Source, mapping: Mapping, parsed: Parsed, rules: Sequence[ModuleType]) -> None:
        self.source = source
        self.path = source.path
        self.data = source.data
        self.mapping = mapping
        self.parsed = parsed
        self.offset = parsed.offset
        self.tree = parsed.tree
        self.rules = rules
        self.visit_hooks, self.leave_hooks = dispatch(rules)
        self.edits: list[Edit] = []
        self.reviews: list[Review] = []
        self.dispositions: list[Disposition] = []  # needles a resolved chain proves are no old path
        self.units: list[tuple[int, int]] = []  # nodes whose structure an edit may change
        self.done: set[int] = set()  # ids of string nodes already handled by a chain
        self.chain_nodes: set[int] = set()
        self.bases: dict[str, ast.expr] = {}  # module-level bindings (bases.prepare)
        self.base_cache: dict[str, list[_Seg]] = {}
        self.rebound: dict[str, list[tuple[int, ast.expr | None]]] = {}  # names bound more than once
        # names imported from modules that may be the repository's own (bases.prepare, index.py)
        self.imported: dict[str, tuple[ast.ImportFrom, str] | None] = {}
        self.module_alias: dict[str, str | tuple[ast.ImportFrom, str] | None] = {}
        # a base's own literal that a chain's rewrite changes: (chain, its edits, units, old, new)
        self.def_requests: dict[str, list[tuple[ast.expr, list[Edit], list[tuple[int, int]], str, str]]] = {}
        self.scopes: list[set[str]] = []  # names bound in the enclosing functions
        self.join_aliases: set[str] = set()  # chains.prepare
        self.ctor_aliases: set[str] = set()
        self.import_roots: set[str] = set()  # names bound by `import a.b` (attribute chains follow)
        self.module_args: set[int] = set()  # strings passed where a module name is expected
        self.here: Any = None  # relative.prepare: paths relative to the file itself
        self.has_packages = mapping.packages is not None and bool(mapping.packages.moves)
        self.old_pkg = packages.package_of(source.path, mapping) if mapping.packages is not None else None
        self.new_pkg = packages.package_of(source.new_path, mapping) if mapping.packages is not None else None

    def run(self) -> None:
        for rule in self.rules:
            prepare = getattr(rule, "prepare", None)
            if prepare is not None:
                prepare(self)
        for rule in self.rules:  # comments and, for a file only libcst reads, string tokens
            tokens = getattr(rule, "tokens", None)
            if tokens is not None:
                tokens(self)
        if self.tree is None:
            return
        if parse.reads_here(self.source.path, self.source.new_path, self.data):
            for stmt in self.tree.body:  # SPEC §4.1: a moving file's paths relative to itself hold no needle
                self.walk(stmt)
            return
        # walk only the top-level statements whose bytes, with the blank lines and comments
        # around them, hold a needle, or name a module-level base whose value holds one
        needles = self.mapping.needles
        relative = self.has_packages and self.source.path != self.source.new_path
        body = self.tree.body
        bounds = [self.statement_span(stmt) for stmt in body]
        hot = parse.hot_words(self.hot_names())
        for i, stmt in enumerate(body):
            lo = bounds[i - 1][1] if i else self.offset
            hi = bounds[i + 1][0] if i + 1 < len(body) else self.parsed.end
            chunk = self.data[lo:hi]
            if (any(n in chunk for n in needles) or (relative and b"from ." in chunk)
                    or hot is not None and hot.search(chunk)):
                self.walk(stmt)
        for rule in self.rules:
            finish = getattr(rule, "finish", None)
            if finish is not None:
                finish(self)

    def hot_names(self) -> set[str]:
        """Module-level bases whose value holds a needle, or names such a base (transitively):
        a statement that uses one may spell an old path without naming it."""
        needles = self.mapping.needles
        values = {k: self.data[slice(*self.span(v))] for k, v in self.bases.items()}
        for k, bound in self.rebound.items():
            values[k] = b"\n".join(self.data[slice(*self.span(v))] for _, v in bound if v is not None)
        hot = {k for k, b in values.items() if any(n in b for n in needles)}
        while hot:
            words = parse.hot_words(hot)
            assert words is not None
            more = {k for k, b in values.items() if k not in hot and words.search(b)}
            if not more:
                break
            hot |= more
        return hot

    def walk(self, node: ast.AST) -> None:
        """Depth first, parents before children, calling every rule's hook for the node type.
        Children are walked unless a hook returns False."""
        name = type(node).__name__
        descend = True
        for hook in self.visit_hooks.get(name, ()):
            if hook(self, node) is False:
                descend = False
        if descend:
            for child in ast.iter_child_nodes(node):
                self.walk(child)
        for hook in self.leave_hooks.get(name, ()):
            hook(self, node)

    # -- positions and records
    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.parsed.span(node)

    def statement_span(self, stmt: ast.stmt) -> tuple[int, int]:
        """A top-level statement's bytes, its decorators included."""
        start, end = self.span(stmt)
        for d in getattr(stmt, "decorator_list", ()):
            start = min(start, self.data.rindex(b"@", 0, self.span(d)[0]))
        return start, end

    def edit(self, start: int, end: int, new: bytes, kind: str, unit: Where | None = None) -> None:
        old = self.data[start:end]
        if old == new:
            return
        self.edits.append(Edit(self.path, start, end, old, new, kind))
        if unit is not None:
            self.units.append(unit if isinstance(unit, tuple) else self.span(unit))

    def review(self, where: Where, message: str, kind: str = "py-review") -> None:
        start, end = where if isinstance(where, tuple) else self.span(where)
        self.reviews.append(Review(self.path, start, end, message, kind))

    def _shadowed(self, name: str) -> bool:
        """A module-level name rebound inside the enclosing functions is not the base."""
        return any(name in scope for scope in self.scopes)
