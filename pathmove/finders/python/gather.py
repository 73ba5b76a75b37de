"""The per-file context every rule reads and writes: source, tree, byte spans, bindings, records.

The rules (see RULES in the package) only collect; the walk calls each rule's hooks for a node
type in registry order, parents before children.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Sequence

from pathmove import packages
from pathmove.edits import Edit, Review
from pathmove.finders import ParseFailed
from pathmove.finders.python.parse import _children, _Seg, byte_spans
from pathmove.mapping import Mapping
from pathmove.scan import Source

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import CodeSpan

Hook = Callable[["Gatherer", Any], Any]


def dispatch(rules: Sequence[ModuleType]) -> tuple[dict[str, tuple[Hook, ...]], dict[str, tuple[Hook, ...]]]:
    """visit and leave hooks per libcst node type, in rule order."""
    visit: dict[str, tuple[Hook, ...]] = {}
    leave: dict[str, tuple[Hook, ...]] = {}
    for rule in rules:
        for table, hooks in ((visit, rule.VISIT), (leave, getattr(rule, "LEAVE", {}))):
            for name, hook in hooks.items():
                table[name] = (*table.get(name, ()), hook)
    return visit, leave


class Gatherer:
    """Gathers edits and reviews from one module: the shared per-file state of every rule."""

    def __init__(self, source: Source, mapping: Mapping, module: cst.Module, offset: int,
                 rules: Sequence[ModuleType]) -> None:
        self.source = source
        self.path = source.path
        self.data = source.data
        self.mapping = mapping
        self.offset = offset
        self.module = module
        self.rules = rules
        self.visit_hooks, self.leave_hooks = dispatch(rules)
        self.code_spans: dict[cst.CSTNode, CodeSpan] = {}
        self.edits: list[Edit] = []
        self.reviews: list[Review] = []
        self.units: list[tuple[int, int]] = []  # nodes whose structure an edit may change
        self.done: set[int] = set()  # ids of string nodes already handled by a chain or concatenation
        self.chain_nodes: set[int] = set()
        self.bases: dict[str, cst.BaseExpression] = {}  # module-level bindings (bases.prepare)
        self.base_cache: dict[str, list[_Seg]] = {}
        self.scopes: list[set[str]] = []  # names bound in the enclosing functions
        self.join_aliases: set[str] = set()  # chains.prepare
        self.ctor_aliases: set[str] = set()
        self.import_roots: set[str] = set()  # names bound by `import a.b` (attribute chains follow)
        self.module_args: set[int] = set()  # strings passed where a module name is expected
        self.has_packages = mapping.packages is not None and bool(mapping.packages.moves)
        self.old_pkg = packages.package_of(source.path, mapping) if mapping.packages is not None else None
        self.new_pkg = packages.package_of(source.new_path, mapping) if mapping.packages is not None else None

    def run(self) -> None:
        for rule in self.rules:
            prepare = getattr(rule, "prepare", None)
            if prepare is not None:
                prepare(self)
        # Keep libcst work minimal: one codegen for the byte spans (no metadata wrapper), then
        # a plain walk of the module's comments and of the top-level statements whose bytes,
        # with the blank lines and comments around them, hold a needle.
        self.code_spans, code = byte_spans(self.module)
        if code.encode("utf-8") != self.data[self.offset:]:
            raise ParseFailed("libcst does not reproduce the file byte for byte")
        needles = self.mapping.needles
        relative = self.has_packages and self.source.path != self.source.new_path
        for line in (*self.module.header, *self.module.footer):
            self.walk(line)
        body = self.module.body
        bounds = [self.span(stmt) for stmt in body]
        for i, stmt in enumerate(body):
            lo = bounds[i - 1][1] if i else self.offset
            hi = bounds[i + 1][0] if i + 1 < len(body) else len(self.data)
            chunk = self.data[lo:hi]
            if any(n in chunk for n in needles) or (relative and b"from ." in chunk):
                self.walk(stmt)

    def walk(self, node: cst.CSTNode) -> None:
        """Depth first, parents before children, calling every rule's hook for the node type like
        libcst's visitor, without rebuilding nodes (libcst's visit does; this is the hot loop).
        Children are walked unless a hook returns False."""
        name = type(node).__name__
        descend = True
        for hook in self.visit_hooks.get(name, ()):
            if hook(self, node) is False:
                descend = False
        if descend:
            for child in _children(node):
                self.walk(child)
        for hook in self.leave_hooks.get(name, ()):
            hook(self, node)

    # -- positions and records
    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        s = self.code_spans[node]
        return s.start + self.offset, s.start + s.length + self.offset

    def edit(self, start: int, end: int, new: bytes, kind: str, unit: cst.CSTNode | None = None) -> None:
        old = self.data[start:end]
        if old == new:
            return
        self.edits.append(Edit(self.path, start, end, old, new, kind))
        if unit is not None:
            self.units.append(self.span(unit))

    def review(self, node: cst.CSTNode, message: str) -> None:
        start, end = self.span(node)
        self.reviews.append(Review(self.path, start, end, message, "py-review"))

    def _shadowed(self, name: str) -> bool:
        """A module-level name rebound inside the enclosing functions is not the base."""
        return any(name in scope for scope in self.scopes)
