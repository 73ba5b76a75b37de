"""Moved packages: imports, relative imports, `import a.b` attribute chains, module-name arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pathmove import packages
from pathmove.finders.python.parse import _MODULE_CALLS, _alias_name, _dotted

if TYPE_CHECKING:
    import libcst as cst

    from pathmove.finders.python.gather import Gatherer
else:
    from pathmove.finders.python.parse import cst


def prepare(g: Gatherer) -> None:
    """Names bound by a module-level `import a.b`: `a.b.f` in code follows the package."""
    if not g.has_packages:
        return
    for stmt in g.module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        name = _dotted(alias.name)
                        if name is not None and alias.asname is None:
                            g.import_roots.add(name.split(".", 1)[0])


def visit_Call(g: Gatherer, node: cst.Call) -> bool:
    """A string passed where a module name is expected (`import_module("a.b")`) is a dotted name."""
    name = _dotted(node.func)
    if g.has_packages and name and name.rsplit(".", 1)[-1] in _MODULE_CALLS and node.args:
        g.module_args.add(id(node.args[0].value))
    return True


def visit_Import(g: Gatherer, node: cst.Import) -> bool:
    if not g.has_packages:
        return False
    for alias in node.names:
        name = _dotted(alias.name)
        if name is None:
            continue
        if alias.asname is None:
            g.import_roots.add(name.split(".", 1)[0])
        new = packages.translate_module(name, g.mapping)
        if new is None or new == name:
            continue
        if new == "":
            g.review(alias.name, f"{name} moves to a path that is not importable; edit by hand")
            continue
        start, end = g.span(alias.name)
        g.edit(start, end, new.encode(), "py-import", node)
    return False


def visit_ImportFrom(g: Gatherer, node: cst.ImportFrom) -> bool:
    if not g.has_packages:
        return False
    _ImportFrom(g, node).rewrite()
    return False


def visit_Attribute(g: Gatherer, node: cst.Attribute) -> bool:
    if not g.has_packages:
        return True
    name = _dotted(node)
    if name is None or name.split(".", 1)[0] not in g.import_roots:
        return True
    new = packages.translate_module(name, g.mapping)
    if new is None or new == "" or new == name:
        return False
    start, end = g.span(node)
    if g.data[start:end].decode("utf-8", "replace") != name:
        return False  # whitespace or comments inside the chain: leave it to a person
    g.edit(start, end, new.encode(), "py-import", node)
    return False



VISIT = {"Import": visit_Import, "ImportFrom": visit_ImportFrom, "Attribute": visit_Attribute, "Call": visit_Call}


class _ImportFrom:
    """`from a.b import c`, `from . import b as c`: module path and names follow a moved package."""

    def __init__(self, g: Gatherer, node: cst.ImportFrom) -> None:
        self.g = g
        self.node = node
        self.level = len(node.relative)
        self.module = _dotted(node.module) if node.module is not None else ""

    def _absolute(self, pkg: list[str] | None) -> list[str] | None:
        if self.level == 0:
            return self.module.split(".") if self.module else []
        if pkg is None or self.level - 1 > len(pkg):
            return None
        base = pkg[: len(pkg) - (self.level - 1)]
        return base + (self.module.split(".") if self.module else [])

    def rewrite(self) -> None:
        g = self.g
        target = self._absolute(g.old_pkg)
        if not target or self.module is None:
            return
        name = ".".join(target)
        new = packages.translate_module(name, g.mapping)
        if new == "":
            g.review(self.node, f"{name} moves to a path that is not importable; edit by hand")
            return
        new_target = (new or name).split(".")
        moved_file = g.source.path != g.source.new_path
        if new is not None or (self.level and moved_file):
            self._write_module(new_target)
        if new is None:
            self._names(new_target)

    def _write_module(self, target: list[str]) -> None:
        g = self.g
        spelled = self._spell(target, g.new_pkg)
        if spelled is None:
            g.review(self.node, f"cannot spell the import of {'.'.join(target)} from this file; edit by hand")
            return
        first = self.node.relative[0] if self.node.relative else self.node.module
        last = self.node.module if self.node.module is not None else self.node.relative[-1]
        assert first is not None and last is not None
        start, end = g.span(first)[0], g.span(last)[1]
        g.edit(start, end, spelled.encode(), "py-import", self.node)

    def _spell(self, target: list[str], pkg: list[str] | None) -> str | None:
        """The module part for target as seen from pkg: keep the relative form when possible."""
        if self.level == 0:
            return ".".join(target)
        if pkg is None:
            return ".".join(target)
        base = pkg[: len(pkg) - (self.level - 1)] if self.level - 1 <= len(pkg) else None
        if base is not None and target[: len(base)] == base and (len(target) > len(base) or self.node.names):
            return "." * self.level + ".".join(target[len(base):])
        common = 0
        while common < min(len(pkg), len(target)) and pkg[common] == target[common]:
            common += 1
        if common == 0:
            return ".".join(target)
        return "." * (len(pkg) - common + 1) + ".".join(target[common:])

    def _names(self, target: list[str]) -> None:
        """`from a import b` where a.b itself moved: rename b, keeping the bound name with `as`."""
        g = self.g
        names = self.node.names
        if isinstance(names, cst.ImportStar):
            return
        for alias in names:
            if not isinstance(alias.name, cst.Name):
                continue
            full = ".".join(target + [alias.name.value])
            new = packages.translate_module(full, g.mapping)
            if new is None or new == full:
                continue
            if new == "":
                g.review(alias, f"{full} moves to a path that is not importable; edit by hand")
                continue
            parent, _, leaf = new.rpartition(".")
            if parent.split(".") != target:
                if len(names) == 1:
                    self._write_module(parent.split("."))
                else:
                    g.review(alias, f"{full} is now {new}; split this import by hand")
                    continue
            start, end = g.span(alias.name)
            text = leaf if alias.asname is not None or leaf == alias.name.value else f"{leaf} as {alias.name.value}"
            g.edit(start, end, text.encode(), "py-import", self.node)

