"""Moved packages: imports, relative imports, `import a.b` attribute chains, module-name arguments."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from pathmove import packages
from pathmove.finders.python.parse import _MODULE_CALLS, _dotted

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer

# `a.b.c` as written (blanks and line continuations may stand around the dots)
_WS = rb"(?:[ \t\f]|\\\r?\n|\\\r)*"
_NAME = rb"[^\W\d]\w*"
_DOTTED = re.compile(_NAME + rb"(?:" + _WS + rb"\." + _WS + _NAME + rb")*")
# `from` + the relative dots and module of an ImportFrom, up to `import`
_FROM = re.compile(rb"from" + _WS + rb"(?P<mod>(?:\.|[ \t\f]|\\\r?\n)*(?:(?!import\b)" + _DOTTED.pattern + rb")?)")


def prepare(g: Gatherer) -> None:
    """Names bound by a module-level `import a.b`: `a.b.f` in code follows the package."""
    if not g.has_packages or g.tree is None:
        return
    for stmt in g.tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname is None:
                    g.import_roots.add(alias.name.split(".", 1)[0])


def _name_span(g: Gatherer, alias: ast.alias) -> tuple[int, int] | None:
    """The bytes of an alias's dotted name (without `as x`)."""
    start = g.span(alias)[0]
    m = _DOTTED.match(g.data, start)
    if m is None:
        return None
    written = re.sub(rb"[\s\\]", b"", m.group(0)).decode("utf-8", "replace")
    return (start, m.end()) if written == alias.name else None


def visit_Call(g: Gatherer, node: ast.Call) -> bool:
    """A string passed where a module name is expected (`import_module("a.b")`) is a dotted name."""
    name = _dotted(node.func)
    if g.has_packages and name and name.rsplit(".", 1)[-1] in _MODULE_CALLS:
        first = node.args[0] if node.args else node.keywords[0].value if node.keywords else None
        if first is not None:
            g.module_args.add(id(first))
    return True


def visit_Import(g: Gatherer, node: ast.Import) -> bool:
    if not g.has_packages:
        return False
    for alias in node.names:
        name = alias.name
        if alias.asname is None:
            g.import_roots.add(name.split(".", 1)[0])
        new = packages.translate_module(name, g.mapping)
        if new is None or new == name:
            continue
        span = _name_span(g, alias)
        if new == "" or span is None:
            g.review(alias, f"{name} moves to a path that is not importable; edit by hand" if new == "" else
                     f"{name} is now {new}; this import is spelled over several lines: edit by hand")
            continue
        g.edit(*span, new.encode(), "py-import", node)
    return False


def visit_ImportFrom(g: Gatherer, node: ast.ImportFrom) -> bool:
    if not g.has_packages:
        return False
    _ImportFrom(g, node).rewrite()
    return False


def visit_Attribute(g: Gatherer, node: ast.Attribute) -> bool:
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

    def __init__(self, g: Gatherer, node: ast.ImportFrom) -> None:
        self.g = g
        self.node = node
        self.level = node.level
        self.module = node.module or ""

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
        if not target:
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

    def _module_span(self) -> tuple[int, int] | None:
        start = self.g.span(self.node)[0]
        m = _FROM.match(self.g.data, start)
        if m is None:
            return None
        text = m.group("mod")
        a = m.start("mod")
        return a, a + len(text.rstrip(b" \t\f\\\r\n"))

    def _write_module(self, target: list[str]) -> None:
        g = self.g
        spelled = self._spell(target, g.new_pkg)
        span = self._module_span()
        if spelled is None or span is None:
            g.review(self.node, f"cannot spell the import of {'.'.join(target)} from this file; edit by hand")
            return
        g.edit(*span, spelled.encode(), "py-import", self.node)

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
        if names[0].name == "*":
            return
        for alias in names:
            full = ".".join(target + [alias.name])
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
            start = g.span(alias)[0]
            end = start + len(alias.name.encode())
            text = leaf if alias.asname is not None or leaf == alias.name else f"{leaf} as {alias.name}"
            g.edit(start, end, text.encode(), "py-import", self.node)
