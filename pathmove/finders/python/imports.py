"""Moved packages: imports, relative imports, `import a.b` attribute chains, module-name arguments."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from pathmove import packages
from pathmove.edits import Edit
from pathmove.finders import dotted
from pathmove.finders.python import lex
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


def visit_Expr(g: Gatherer, node: ast.Expr) -> bool:
    """A docstring (a string standing as a statement) names modules in Sphinx roles and
    directives (`:func:`a.b.f``, `.. autoclass:: a.b.C`), as a `.rst` page does."""
    value = node.value
    if g.has_packages and isinstance(value, ast.Constant) and isinstance(value.value, str):
        for tok in lex.tokens_in(g.data, *g.span(value)):
            for pc in tok.parts:
                if pc is not None and not pc.fstring:
                    _sphinx_names(g, pc.start, pc.end)
    return True


def tokens(g: Gatherer) -> None:
    """Comments name modules in Sphinx roles too (`# see :func:`a.b.f``)."""
    if g.has_packages:
        for start, end in g.parsed.comments:
            _sphinx_names(g, start, end)


def _sphinx_names(g: Gatherer, start: int, end: int) -> None:
    """A role's target is a module name: it takes the bytes from the path rule's edit there
    (dotted.overlay in `.rst` pages)."""
    if g.data.find(b"`", start, end) < 0 and g.data.find(b"::", start, end) < 0:
        return  # neither a role nor a directive
    for r in dotted.find_in(g.path, g.data, g.mapping, start, end):
        if isinstance(r, Edit):
            g.edits[:] = [e for e in g.edits if not (e.start < r.end and r.start < e.end)]
            g.edit(r.start, r.end, r.new, r.kind)
        else:
            g.reviews.append(r)


VISIT = {"Import": visit_Import, "ImportFrom": visit_ImportFrom, "Attribute": visit_Attribute, "Call": visit_Call,
         "Expr": visit_Expr}


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
        module = (new or name).split(".")
        moved_file = g.source.path != g.source.new_path
        respell = bool(self.level) and moved_file
        if self.node.names[0].name == "*":
            if new is not None or respell:
                self._write_module(module)
            return
        groups = self._groups(name, module)
        if len(groups) == 1:
            parent = next(iter(groups))
            if list(parent) != target or respell:
                self._write_module(list(parent))
            for alias, leaf in groups[parent]:
                self._rename(alias, leaf)
            return
        _Split(self, target, module, groups, respell).write()

    def _groups(self, name: str, module: list[str]) -> dict[tuple[str, ...], list[tuple[ast.alias, str]]]:
        """The names by the module they are imported from after the moves (first seen first),
        each with its new leaf; a name that cannot follow is reviewed and stays with module."""
        g = self.g
        groups: dict[tuple[str, ...], list[tuple[ast.alias, str]]] = {}
        for alias in self.node.names:
            full = f"{name}.{alias.name}"
            new = packages.translate_module(full, g.mapping)
            parent, leaf = tuple(module), alias.name
            if new == "":
                g.review(alias, f"{full} moves to a path that is not importable; edit by hand")
            elif new is not None and new != full:
                head, _, tail = new.rpartition(".")
                if head:
                    parent, leaf = tuple(head.split(".")), tail
                else:  # `from a import b` cannot name a top-level module
                    g.review(alias, f"{full} is now the top-level module {new}; import it with `import {new}` by hand")
            groups.setdefault(parent, []).append((alias, leaf))
        return groups

    def _rename(self, alias: ast.alias, leaf: str) -> None:
        """`b` becomes `new as b` (the bound name stays), `b as c` becomes `new as c`."""
        if leaf == alias.name:
            return
        start = self.g.span(alias)[0]
        self.g.edit(start, start + len(alias.name.encode()), _name_text(alias, leaf).encode(), "py-import", self.node)

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


def _alias_text(alias: ast.alias, leaf: str) -> str:
    """How a name reads in its new import: the bound name never changes."""
    if alias.asname is not None:
        return f"{leaf} as {alias.asname}"
    return leaf if leaf == alias.name else f"{leaf} as {alias.name}"


def _name_text(alias: ast.alias, leaf: str) -> str:
    """What replaces the name itself (`as x`, when written, stays)."""
    return leaf if alias.asname is not None or leaf == alias.name else f"{leaf} as {alias.name}"


# trivia between two names of an import that may go with a deleted name: blanks, line breaks
# (inside parentheses) and line continuations, never a comment
_TRIVIA = re.compile(rb"(?:[ \t\f\r\n]|\\\r?\n)*")
_HWS = b" \t\f"


class _Split:
    """`from a import b, c` whose names go to different modules: one statement per module.

    The statement in place keeps the names that stay with its own module (or, when all move,
    the first name's), its layout and its comments; the other names follow it as one new
    statement per module, on lines of their own with the same indentation, or after `;` where
    the statement shares its line. One edit replaces the statement, so it is written whole or
    not at all; the whole statement is the safety check's unit.
    """

    def __init__(self, imp: _ImportFrom, target: list[str], module: list[str],
                 groups: dict[tuple[str, ...], list[tuple[ast.alias, str]]], respell: bool) -> None:
        self.imp = imp
        self.g = imp.g
        self.node = imp.node
        self.target = target
        self.groups = groups
        self.respell = respell
        first = self.node.names[0]
        self.home = tuple(module) if tuple(module) in groups else next(p for p, m in groups.items() if m[0][0] is first)

    def write(self) -> None:
        g, node = self.g, self.node
        data = g.data
        start, end = g.span(node)
        moves = ", ".join(f"{a.name} → {'.'.join(p)}" for p, m in self.groups.items() if p != self.home for a, _ in m)
        kept = self.groups[self.home]
        if b"#" in data[start:end] and kept[0][0] is not node.names[0]:  # only a comment holds `#` here
            g.review(node, f"split this import by hand ({moves}): the comments inside it go with "
                           f"{node.names[0].name}, which moves")
            return
        parts = self._template(start, end)
        others = []
        for parent, members in self.groups.items():
            if parent == self.home:
                continue
            spelled = self.imp._spell(list(parent), g.new_pkg)
            if spelled is None:
                g.review(node, f"cannot spell the import of {'.'.join(parent)} from this file; edit by hand")
                return
            names = ", ".join(_alias_text(a, leaf) for a, leaf in members)
            others.append(f"from {spelled} import {names}".encode())
        if parts is None:
            g.review(node, f"split this import by hand ({moves}): its module part cannot be read")
            return
        line_start = data.rfind(b"\n", 0, start) + 1
        indent = data[line_start:start]
        nl = data.find(b"\n", end)
        line_end = len(data) if nl < 0 else nl - 1 if data[nl - 1:nl] == b"\r" else nl
        rest = data[end:line_end]
        continued = data[max(0, line_start - 3):line_start].rstrip(b"\r\n").endswith(b"\\")
        if indent.strip(_HWS) == b"" and not continued and re.fullmatch(rb"[ \t\f]*(?:#.*)?", rest, re.S):
            # a line of its own: the new statements follow it (after its comment), indented alike
            eol = data[line_end:nl + 1] if nl >= 0 else _newline(data)
            new = parts + rest + b"".join(eol + indent + o for o in others)
            stop = line_end
        else:  # shares its line (`x = 1; from a import b, c`, `if t: from ...`): `;` keeps it one line
            new = parts + b"".join(b"; " + o for o in others)
            stop = end
        if any(e.start < stop and start < e.end for e in g.edits):
            g.review(node, f"split this import by hand ({moves}): another rewrite touches its line")
            return
        g.edit(start, stop, new, "py-import", (start, stop))

    def _template(self, start: int, end: int) -> bytes | None:
        """The statement's own bytes with the names that leave deleted (each with one comma),
        its module re-spelled where it changes, renamed names kept bound with `as`."""
        g, node, data = self.g, self.node, self.g.data
        names = node.names
        kept = {id(a) for a, _ in self.groups[self.home]}
        leaves = {id(a): leaf for a, leaf in self.groups[self.home]}
        spans = [g.span(a) for a in names]
        commas = [_comma(data, spans[i][1], spans[i + 1][0] if i + 1 < len(names) else end) for i in range(len(names))]
        if any(c is None for c in commas[:-1]):
            return None
        out: list[tuple[int, int, bytes]] = []
        if list(self.home) != self.target or self.respell:
            spelled = self.imp._spell(list(self.home), g.new_pkg)
            span = self.imp._module_span()
            if spelled is None or span is None:
                return None
            out.append((*span, spelled.encode()))
        atoms: list[tuple[int, int]] = []
        i = 0
        while i < len(names):
            if id(names[i]) in kept:
                leaf = leaves[id(names[i])]
                if leaf != names[i].name:
                    a = spans[i][0]
                    out.append((a, a + len(names[i].name.encode()), _name_text(names[i], leaf).encode()))
                i += 1
                continue
            j = i
            while j + 1 < len(names) and id(names[j + 1]) not in kept:
                j += 1
            for k in range(i, j + 1):
                # each name goes with the comma after it; a run at the end without a trailing
                # comma takes the commas before it (the kept name before keeps none)
                comma = commas[k] if commas[j] is not None else commas[k - 1]
                assert comma is not None
                atoms += [spans[k], (comma, comma + 1)]
            i = j + 1
        for a, b in _tidy(data, _merge(data, atoms), end):
            out.append((a, b, b""))
        out.sort()
        pieces, pos = [], start
        for a, b, text in out:
            if a < pos:
                return None
            pieces += [data[pos:a], text]
            pos = b
        return b"".join(pieces) + data[pos:end]


def _comma(data: bytes, a: int, b: int) -> int | None:
    """Where the comma between a and b is (comments skipped), or None."""
    while a < b:
        c = data[a:a + 1]
        if c == b",":
            return a
        if c == b"#":
            nl = data.find(b"\n", a, b)
            a = b if nl < 0 else nl
            continue
        a += 1
    return None


def _merge(data: bytes, atoms: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Deleted spans joined where only blanks lie between them (never across a comment)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(atoms):
        if out and _TRIVIA.fullmatch(data, out[-1][1], a):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _tidy(data: bytes, spans: list[tuple[int, int]], end: int) -> list[tuple[int, int]]:
    """A deletion that empties its line takes the line; else one blank of two goes with it
    (never a byte after the statement's end)."""
    out = []
    for a, b in spans:
        ls = data.rfind(b"\n", 0, a) + 1
        nl = data.find(b"\n", b)
        le = len(data) if nl < 0 else nl
        if (data[ls:a] + data[b:le]).strip(_HWS + b"\r") == b"" and nl >= 0:
            out.append((ls, nl + 1))
            continue
        if a > 0 and data[a - 1:a] in (b" ", b"\t", b"(", b"\f"):
            while b < end and data[b:b + 1] in (b" ", b"\t", b"\f"):
                b += 1
        if data[b:b + 1] == b")" or b == end or data[b:le].strip(_HWS + b"\r") == b"":
            while data[a - 1:a] in (b" ", b"\t", b"\f"):  # no blank before `)` or at the end of a line
                a -= 1
        out.append((a, b))
    return out


def _newline(data: bytes) -> bytes:
    """The file's line break, for a statement added after its last line."""
    return b"\r\n" if b"\r\n" in data else b"\n"
