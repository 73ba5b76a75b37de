"""The Python rewriter (SPEC §4.1), built on libcst.

A gatherer walks the libcst tree and only collects; nothing here returns a changed tree.
Every record is a byte span into the original file. Four rules:

* strings and comments: the SPEC §4 boundary rule on each literal's raw source bytes (escape
  sequences masked so they act as separators), new text escaped for the literal's quoting;
* segment chains (`os.path.join`, `Path(...)`, `.joinpath`, `/`) read as one path, module-level
  bases resolved through their definition;
* moved packages: imports, relative imports, dotted-name strings, attribute chains;
* a safety check: the rewritten file must parse to the same tree outside the edited nodes.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import functools
import importlib.util
import re
import sys
import warnings
from typing import TYPE_CHECKING, Any, Iterator, Sequence, Union, cast

from pathmove import match, packages
from pathmove.edits import Edit, OverlapError, Record, Review, splice, written_spans
from pathmove.finders import ParseFailed
from pathmove.mapping import Mapping
from pathmove.scan import Source

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import CodeSpan


def _lazy(name: str) -> Any:
    """The module, imported on first attribute access (importlib's LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if not TYPE_CHECKING:
    # libcst takes ~0.2 s to import: loaded on first use, so that a scan whose Python files
    # the pre-pass rules out (a migrated tree, most commits) never pays for it
    cst = _lazy("libcst")

BOM = b"\xef\xbb\xbf"
# Escape sequences of a non-raw literal: masked by a non-name byte of the same length so
# that `"\toutputs/x"` still starts a path after the tab (SPEC §4 boundaries).
_ESCAPE = re.compile(rb"\\(?:\r\n|[0-7]{1,3}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}]*\}|.|\n)", re.S)
_MASK = b"\x01"
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
# "a.b", "a.b:main", "name = a.b:main [extra]" (entry points written in setup.py)
_DOTTED_STRING = re.compile(rf"(?P<mod>{_DOTTED})(?::[A-Za-z0-9_.]+)?\Z")
_ENTRY_STRING = re.compile(rf"\s*[\w.\-]+\s*=\s*(?P<mod>{_DOTTED})\s*:\s*[A-Za-z0-9_.]+\s*(?:\[[^\]]*\])?\s*\Z")
# calls whose first argument names a module (or an attribute under one)
_MODULE_CALLS = {"import_module", "__import__", "patch", "find_spec", "resolve_name", "reload", "getLogger"}
_PATH_CTORS = {"Path", "PurePath", "PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath"}
_JOIN_FUNCS = {"os.path.join", "posixpath.join", "ntpath.join", "osp.join", "path.join"}


@dataclasses.dataclass
class _Piece:
    """The literal text of one string token part: where its body is and how it is quoted."""

    start: int  # body bytes in the original file
    end: int
    quote: str
    raw: bool
    is_bytes: bool
    fstring: bool


@dataclasses.dataclass
class _Seg:
    """One segment of a path chain: a literal, a part of a module-level base, or unknown."""

    kind: str  # "lit" | "base" | "opaque"
    text: bytes = b""
    node: cst.CSTNode | None = None
    ctx: tuple = ()  # ("right", binop) | ("left", binop) | ("arg", call, i)
    base: str = ""  # the module-level name a "base" segment comes from
    partial: bool = False  # the text at one end of an f-string: edited in place, never split or dropped
    owner: cst.CSTNode | None = None  # the f-string a partial segment belongs to


def find(source: Source, mapping: Mapping) -> Iterator[Record]:
    """Edits and reviews for one Python file; ParseFailed hands it to the plain-text rule."""
    if not _may_hold_reference(source, mapping):
        return
    yield from _guarded(source, mapping, reduce=True)


def _guarded(source: Source, mapping: Mapping, reduce: bool) -> list[Record]:
    try:
        return _gather(source, mapping, reduce)
    except ParseFailed:
        raise
    except RecursionError:
        raise ParseFailed("nested too deeply for libcst") from None
    except Exception as exc:  # STYLE §5: one odd file never stops the run; the text rule takes it
        raise ParseFailed(f"the Python rewriter failed on this file ({type(exc).__name__}: {exc})") from exc


def _gather(source: Source, mapping: Mapping, reduce: bool = True) -> list[Record]:
    data = source.data
    offset = len(BOM) if data.startswith(BOM) else 0
    reduced = _reduce(data, offset, mapping) if reduce else None
    if reduced is not None:
        source = source._replace(data=reduced)  # same length, same bytes wherever a record can be
    module = parse(source.data, offset, verify=False)  # _Gatherer.run checks the round trip
    g = _Gatherer(source, mapping, module, offset)
    g.run()
    if not g.edits:
        return list(g.reviews)
    problem = check_edits(data, g.edits, g.units, offset, g.module if reduced is None else None)
    if problem:
        return [Review(source.path, g.edits[0].start, g.edits[0].end,
                       f"the rewritten file would not be the same Python ({problem}); file left unchanged, "
                       "please edit it by hand", "unsafe-edit")]
    return [*g.reviews, *g.edits]


# ---- the pre-pass: no parse for files with provably nothing to change ----------------------
# A byte that continues a name in SPEC §4 ("." included: "my.outputs" is not "outputs"), and
# one that continues a path component without "." (before a "/": "./hd_results" may be
# normalised by a chain, so "." there keeps the file).
_NAME_BYTE = frozenset(b for b in range(256) if match.is_name_byte(b))
_PLAIN_NAME_BYTE = _NAME_BYTE - {0x2E}
# Where a chain segment or an f-string's text can begin: after a quote, an interpolation, a
# backslash (escape, line continuation, Windows separator).
_SEGMENT_START = frozenset(b"\"'{}\\")
# SPEC §4 end of a name: dots only when a non-name byte (or the end) follows them.
_NAME_END = re.compile(rb"\.*(?:\Z|[^A-Za-z0-9_\-\x80-\xff.])")
_ESCAPE_END = re.compile(rb"\\(?:[A-Za-z]|x[0-9A-Fa-f]{2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}]*\})\Z")


def _may_hold_reference(source: Source, mapping: Mapping) -> bool:
    """The cheap bytes check before parsing (STYLE §2 prefilter, then the issue 8 pre-pass).

    Every record of this finder needs, verbatim in the file, the last component of a `from`
    (or a moved module name): in a literal or comment that holds the whole old path at SPEC §4
    boundaries, or at the start of a chain segment (`"hd_results"`, `f"{base}/hd_results"`)
    with only the old path's own components before it in that literal. A file whose every
    occurrence fails both ("myoutputs/hd_results", "outputs/hd_results.bak") cannot change
    and is not parsed; tests/test_python_prepass.py checks that against the full parse."""
    data = source.data
    if mapping.packages is not None and mapping.packages.moves:
        if any(n in data for n in mapping.packages.needles):
            return True
        # a moved file's relative imports may need new dots even when it names no moved path
        if source.path != source.new_path and b"from ." in data:
            return True
    return any(_may_name(data, e.old) for e in mapping.entries)


def _may_name(data: bytes, old: str) -> bool:
    comps = old.encode("utf-8", "surrogateescape").split(b"/")
    needle = comps[-1]
    i = data.find(needle)
    while i >= 0:
        j = i + len(needle)
        if _NAME_END.match(data, j) and _left_ok(data, i, comps):
            return True
        i = data.find(needle, i + 1)
    return False


def _left_ok(data: bytes, i: int, comps: list[bytes]) -> bool:
    """Can the occurrence of comps[-1] at i end the old path, or start a chain segment that
    the old path's other components (in earlier segments) complete?"""
    k = len(comps)
    for m in range(k):  # m: how many of the old path's components precede it in this literal
        prefix = b"/".join(comps[k - 1 - m:k - 1]) + b"/" if m else b""
        s = i - len(prefix)
        if s < 0 or data[s:i] != prefix:
            return False
        if s == 0 or _escaped(data, s):
            return True
        b = data[s - 1]
        if m == k - 1:  # the whole old path: SPEC §4 start boundary
            return b not in _NAME_BYTE
        if b in _SEGMENT_START:
            return True
        if b == 0x2F:  # "/": a component of this literal precedes; a plain name is tried next
            if s < 2 or data[s - 2] not in _PLAIN_NAME_BYTE:
                return True
            continue
        # a name byte, or a space, "(" ...: not where a segment starts
        return False
    return False


def _escaped(data: bytes, s: int) -> bool:
    """An escape sequence (or a backslash) just before s: a parser may decode a separator."""
    return b"\\" in data[max(0, s - 2):s] or _ESCAPE_END.search(data, max(0, s - 12), s) is not None


# ---- the reduced parse: top-level blocks that cannot matter are blanked --------------------
# Module-level statements the gatherer reads even without a needle: the bindings that chains
# resolve through (and whose rebinding makes a name ambiguous).
_BASES = (ast.Assign, ast.AnnAssign, ast.AugAssign)


def _reduce(data: bytes, offset: int, mapping: Mapping) -> bytes | None:
    """data with every top-level statement that holds no needle (nor do the lines between it
    and its neighbours) turned into one comment line of the same length -- imports of path
    helpers and the assignments a kept statement may resolve names through excepted; None
    when nothing is blanked or the shortcut does not apply.

    The gatherer reads module-level assignments (bases) and imports of os.path or pathlib
    (aliases), and walks only the top-level statements whose surroundings hold a needle; a
    blanked statement is neither, and every byte that is kept stays at its offset, so the
    records are those of the full parse at a fraction of libcst's cost (most of a module is
    function and class bodies).
    Package moves read imports everywhere: no shortcut there."""
    if mapping.packages is not None and mapping.packages.moves:
        return None
    body = data[offset:]
    if b"\r" in body or len(body) < 512:
        return None
    try:
        body.decode("utf-8")  # an undecodable file must fail in parse as before
    except UnicodeDecodeError:
        return None
    tree = _ast_parse(body)
    if not isinstance(tree, ast.Module) or not tree.body:
        return None
    stmts = tree.body
    starts = [0] + [m.end() for m in re.finditer(rb"\n", body)]

    def line_start(n: int) -> int:  # byte offset of 1-based line n (len(body) past the end)
        return starts[n - 1] if n - 1 < len(starts) else len(body)

    first = [min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", ())]) for s in stmts]
    last = [cast(int, s.end_lineno) for s in stmts]
    needles = mapping.needles
    keep = [False] * len(stmts)
    for i, stmt in enumerate(stmts):
        lo = line_start(last[i - 1]) if i else 0
        hi = line_start(first[i + 1] + 1) if i + 1 < len(stmts) else len(body)
        keep[i] = ((i > 0 and last[i - 1] >= first[i]) or (i + 1 < len(stmts) and first[i + 1] <= last[i])
                   # shares a line with a neighbour ("import a; X = 1"), or may be walked
                   or any(n in body[lo:hi] for n in needles)
                   # os.path, posixpath, ntpath, pathlib: path aliases (_collect_path_aliases)
                   or isinstance(stmt, (ast.Import, ast.ImportFrom))
                   and b"path" in body[line_start(first[i]):line_start(last[i] + 1)])
    _keep_bases(stmts, keep)
    blank: list[tuple[int, int]] = []
    for i, stmt in enumerate(stmts):
        if keep[i]:
            continue
        a, b = line_start(first[i]), line_start(last[i] + 1)
        if blank and i and not keep[i - 1]:
            # right after the previous blanked statement: the lines between hold no needle
            # either (both regions cover them), so one comment line takes all
            blank[-1] = (blank[-1][0], b)
        else:
            blank.append((a, b))
    if not blank:
        return None
    out = bytearray()
    pos = 0
    for a, b in blank:
        out += body[pos:a] + _comment(b - a, body[b - 1:b] == b"\n")
        pos = b
    out += body[pos:]
    return data[:offset] + bytes(out)


def _keep_bases(stmts: list[ast.stmt], keep: list[bool]) -> None:
    """Also keep every module-level binding a kept statement may resolve a chain through,
    transitively, and every binding of such a name (two make it ambiguous, SPEC §4.1)."""
    needed: set[str] = set()
    for stmt, kept in zip(stmts, keep):
        if kept:
            needed.update(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name))
    grew = True
    while grew:
        grew = False
        for i, stmt in enumerate(stmts):
            if not keep[i] and isinstance(stmt, _BASES) and _bound(stmt) & needed:
                keep[i] = grew = True
                needed.update(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name))


def _bound(stmt: ast.stmt) -> set[str]:
    """The names a module-level assignment binds as the gatherer counts them (_collect_bases)."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AugAssign) or isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets = [stmt.target]
    else:
        return set()
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _comment(size: int, newline: bool) -> bytes:
    """One comment line of size bytes: libcst makes a node or more of every line, and drops
    the spaces of whitespace-only lines at the end of a module; a comment never indents."""
    if newline:
        return b"#" + b" " * (size - 2) + b"\n" if size > 1 else b"\n"
    return b"#" + b" " * (size - 1)


def parse(data: bytes, offset: int = 0, verify: bool = True) -> cst.Module:
    """The libcst tree of data (after a BOM), trusted only if it reproduces the bytes
    (verify=False: the caller checks that on its own codegen pass)."""
    body = data[offset:]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseFailed(f"not UTF-8 ({exc.reason} at byte {exc.start + offset})") from None
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ParseFailed(f"line {exc.raw_line}, column {exc.raw_column}: {exc.message}") from None
    except Exception as exc:  # libcst raises a few other types on odd input
        raise ParseFailed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    if verify and module.code.encode("utf-8") != body:
        raise ParseFailed("libcst does not reproduce the file byte for byte")
    return module


# ---- the gatherer -----------------------------------------------------------------------
class _Gatherer:
    """Gathers edits and reviews from one module; walks it itself (see walk)."""

    def __init__(self, source: Source, mapping: Mapping, module: cst.Module, offset: int) -> None:
        self.source = source
        self.path = source.path
        self.data = source.data
        self.mapping = mapping
        self.offset = offset
        self.module = module
        self.code_spans: dict[cst.CSTNode, CodeSpan] = {}
        self.edits: list[Edit] = []
        self.reviews: list[Review] = []
        self.units: list[tuple[int, int]] = []  # nodes whose structure an edit may change
        self.done: set[int] = set()  # ids of string nodes already handled by a chain or concatenation
        self.chain_nodes: set[int] = set()
        self.bases: dict[str, cst.BaseExpression] = {}
        self.base_cache: dict[str, list[_Seg]] = {}
        self.scopes: list[set[str]] = []  # names bound in the enclosing functions
        self.import_roots: set[str] = set()  # names bound by `import a.b` (attribute chains follow)
        self.module_args: set[int] = set()  # strings passed where a module name is expected
        self.has_packages = mapping.packages is not None and bool(mapping.packages.moves)
        self.old_pkg = packages.package_of(source.path, mapping) if mapping.packages is not None else None
        self.new_pkg = packages.package_of(source.new_path, mapping) if mapping.packages is not None else None

    def run(self) -> None:
        self._collect_bases()
        self._collect_path_aliases()
        if self.has_packages:
            self._collect_import_roots()
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
        """Depth first, parents before children, calling visit_<Type>/leave_<Type> like libcst's
        visitor, without rebuilding nodes (libcst's visit does; this is the hot loop)."""
        name = type(node).__name__
        visit = getattr(self, "visit_" + name, None)
        if visit is None or visit(node) is not False:
            for child in _children(node):
                self.walk(child)
        leave = getattr(self, "leave_" + name, None)
        if leave is not None:
            leave(node)

    def _collect_path_aliases(self) -> None:
        """`from os.path import join`, `from pathlib import Path as P`, `import pathlib as pl`."""
        self.join_aliases: set[str] = set()
        self.ctor_aliases: set[str] = set()
        for stmt in self.module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and not small.relative and not isinstance(small.names, cst.ImportStar):
                    module = _dotted(small.module)
                    for alias in small.names:
                        bound = _alias_name(alias)
                        if module in ("os.path", "posixpath", "ntpath") and _dotted(alias.name) == "join":
                            self.join_aliases.add(bound)
                        elif module == "pathlib" and _dotted(alias.name) in _PATH_CTORS:
                            self.ctor_aliases.add(bound)
                elif isinstance(small, cst.Import):
                    for alias in small.names:
                        if _dotted(alias.name) == "pathlib" and alias.asname is not None:
                            self.ctor_aliases.update(f"{_alias_name(alias)}.{c}" for c in _PATH_CTORS)
                        elif _dotted(alias.name) in ("os.path", "posixpath") and alias.asname is not None:
                            self.join_aliases.add(f"{_alias_name(alias)}.join")

    def _collect_import_roots(self) -> None:
        """Names bound by a module-level `import a.b`: `a.b.f` in code follows the package."""
        for stmt in self.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Import):
                        for alias in small.names:
                            name = _dotted(alias.name)
                            if name is not None and alias.asname is None:
                                self.import_roots.add(name.split(".", 1)[0])

    # -- positions
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

    # -- module-level bases
    def _collect_bases(self) -> None:
        counts: dict[str, int] = {}
        values: dict[str, cst.BaseExpression] = {}
        for stmt in self.module.body:
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
        self.bases = {k: v for k, v in values.items() if counts.get(k) == 1}

    def _base_segments(self, name: str, seen: frozenset[str]) -> list[_Seg]:
        if name in self.base_cache:
            return self.base_cache[name]
        if name in seen:
            return [_Seg("opaque")]
        # the definition lives at module level: the enclosing functions' names do not apply
        scopes, self.scopes = self.scopes, []
        try:
            segs = self._flatten(self.bases[name], (), seen | {name}, mark=False)
        finally:
            self.scopes = scopes
        out = [_Seg("base", s.text, s.node, (), name) if s.kind in ("lit", "base") else s for s in segs]
        self.base_cache[name] = out
        return out

    # -- chains
    def _call_kind(self, call: cst.Call) -> str | None:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "joinpath":
            return "joinpath"
        name = _dotted(func)
        if name is None:
            return None
        if name in _JOIN_FUNCS or name in self.join_aliases:
            return "join"
        last = name.rsplit(".", 1)[-1]
        if (last in _PATH_CTORS and (name == last or name == "pathlib." + last)) or name in self.ctor_aliases:
            return "ctor"
        return None

    def _is_chain(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return True
        return isinstance(node, cst.Call) and self._call_kind(node) is not None

    def _flatten(self, node: cst.BaseExpression, ctx: tuple, seen: frozenset[str], mark: bool = True) -> list[_Seg]:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            if mark:
                self.chain_nodes.add(id(node))
            return (self._flatten(node.left, ("left", node), seen, mark)
                    + self._flatten(node.right, ("right", node), seen, mark))
        if isinstance(node, cst.Call):
            kind = self._call_kind(node)
            if kind is not None and all(a.keyword is None and not a.star for a in node.args):
                if mark:
                    self.chain_nodes.add(id(node))
                segs: list[_Seg] = []
                if kind == "joinpath":
                    assert isinstance(node.func, cst.Attribute)
                    segs = self._flatten(node.func.value, ("recv", node), seen, mark)
                for i, a in enumerate(node.args):
                    segs += self._flatten(a.value, ("arg", node, i), seen, mark)
                return segs
        if isinstance(node, cst.SimpleString):
            # text from the node, not from spans: a base's definition may lie in a statement
            # that was never visited (only statements holding a needle get spans)
            raw = node.value[len(node.prefix) + len(node.quote):-len(node.quote)]
            if "\\" not in raw:
                return [_Seg("lit", raw.encode("utf-8"), node, ctx)]
        if isinstance(node, cst.FormattedString):
            return self._fstring_segments(node, ctx)
        if isinstance(node, cst.Name) and node.value in self.bases and not self._shadowed(node.value):
            return self._base_segments(node.value, seen)
        return [_Seg("opaque")]

    def _fstring_segments(self, node: cst.FormattedString, ctx: tuple) -> list[_Seg]:
        """`f"checkpoints_old/{x}"` in a chain: its first and last text continue the path."""
        parts = node.parts

        def text_seg(part: cst.BaseFormattedStringContent) -> _Seg | None:
            if not isinstance(part, cst.FormattedStringText):
                return None
            text = part.value.encode("utf-8")
            if any(c in text for c in (b"\\", b"{", b"}")):
                return None
            return _Seg("lit", text, part, ctx, partial=True, owner=node)

        if len(parts) == 1:
            only = text_seg(parts[0])
            return [only] if only else [_Seg("opaque")]
        if not parts:
            return [_Seg("opaque")]
        first, last = text_seg(parts[0]), text_seg(parts[-1])
        return ([first] if first else []) + [_Seg("opaque")] + ([last] if last else [])

    def _shadowed(self, name: str) -> bool:
        """A module-level name rebound inside the enclosing functions is not the base."""
        return any(name in scope for scope in self.scopes)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.scopes.append(_local_names(node))
        return True

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.scopes.append({p.name.value for p in _all_params(node.params)})
        return True

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.scopes.pop()

    def _chain(self, root: cst.BaseExpression) -> None:
        segs = self._flatten(root, (), frozenset())
        for s in segs:
            if s.kind == "lit" and s.node is not None and not s.partial:
                self.done.add(id(s.node))
        run: list[_Seg] = []
        for s in segs + [_Seg("opaque")]:
            if s.kind == "opaque":
                if run:
                    self._chain_run(root, run)
                run = []
            else:
                run.append(s)

    def _chain_run(self, root: cst.BaseExpression, run: list[_Seg]) -> None:
        joined = b"/".join(s.text for s in run)
        bounds = []
        pos = 0
        for s in run:
            bounds.append((pos, pos + len(s.text)))
            pos += len(s.text) + 1
        for m, new in self.mapping.references(joined):
            covered = [i for i, (a, b) in enumerate(bounds) if a < m.end and b > m.start]
            if all(run[i].kind == "base" for i in covered):
                continue  # the base's own definition holds the whole path and is rewritten there
            if len(covered) == 1:
                seg = run[covered[0]]
                if seg.partial:
                    continue  # inside one f-string: the string rule reads it
                a = bounds[covered[0]][0]
                pc = self._seg_piece(seg)
                assert seg.node is not None
                self._string_edit(pc, seg.node, pc.start + m.start - a, pc.start + m.end - a, new, "py-string")
                continue
            self._rewrite_segments(root, run, bounds, covered, m, new)

    def _rewrite_segments(self, root: cst.BaseExpression, run: list[_Seg], bounds: list[tuple[int, int]],
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
            self.review(root, f"{m.old} → {new}: cannot align the path's segments; edit by hand")
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
                self._review_base(root, run, comp_seg, m.old, new)
                return
        mid_old = list(range(p, len(olds) - s))
        mid_new = news[p:len(news) - s]
        affected: list[int] = []
        for c in mid_old:
            if comp_seg[c] not in affected:
                affected.append(comp_seg[c])
        if any(run[i].kind != "lit" for i in affected):
            self._review_base(root, run, comp_seg, m.old, new)
            return
        counts = [sum(1 for c in mid_old if comp_seg[c] == i) for i in affected]
        given = _distribute(counts, len(mid_new))
        k = 0
        plans: list[tuple[_Seg, int, int, list[str], int]] = []
        for i, n_old, n_new in zip(affected, counts, given):
            comps = [c for c in mid_old if comp_seg[c] == i]
            lo, hi = comp_rng[comps[0]][0], comp_rng[comps[-1]][1]
            plans.append((run[i], lo, hi, mid_new[k:k + n_new], n_old))
            k += n_new
        # all or nothing: a place that needs review gets no partial rewrite
        marks = len(self.edits), len(self.units), len(self.reviews)
        dropped: list[_Seg] = []
        for seg, lo, hi, parts, n_old in plans:
            self._place(seg, lo, hi, parts, n_old, root, dropped)
        self._drop(dropped, root)
        if len(self.reviews) > marks[2]:
            del self.edits[marks[0]:], self.units[marks[1]:]

    def _place(self, seg: _Seg, lo: int, hi: int, parts: list[str], n_old: int, root: cst.BaseExpression,
               dropped: list[_Seg]) -> None:
        text = seg.text
        if parts:
            whole = lo == 0 and hi == len(text)
            if whole and n_old == 1 and len(parts) > 1 and self._can_split(seg):
                self._split(seg, parts, root)
                return
            self._segment_edit(seg, lo, hi, "/".join(parts).encode(), root)
            return
        # the segment loses these components: drop one neighbouring "/" with them
        if hi < len(text) and text[hi:hi + 1] == b"/":
            hi += 1
        elif lo > 0 and text[lo - 1:lo] == b"/":
            lo -= 1
        if lo == 0 and hi == len(text) and not seg.partial:
            dropped.append(seg)  # dropped together below: neighbours share their commas
            return
        self._segment_edit(seg, lo, hi, b"", root)

    def _segment_edit(self, seg: _Seg, lo: int, hi: int, new: bytes, root: cst.BaseExpression) -> None:
        assert seg.node is not None
        pc = self._seg_piece(seg)
        self._string_edit(pc, seg.node, pc.start + lo, pc.start + hi,
                          new.decode("utf-8", "surrogateescape"), "py-chain", root)

    def _can_split(self, seg: _Seg) -> bool:
        node = seg.node
        if not isinstance(node, cst.SimpleString) or node.lpar or not seg.ctx:
            return False
        return seg.ctx[0] in ("right", "arg")

    def _split(self, seg: _Seg, parts: list[str], root: cst.BaseExpression) -> None:
        """One literal becomes several segments: `"results_v1"` → `"results" / "v1"`."""
        assert isinstance(seg.node, cst.SimpleString)
        prefix = seg.node.prefix
        pc = self._seg_piece(seg)
        q = pc.quote
        encoded = [_escape(p, pc) for p in parts]
        if any(e is None for e in encoded):
            self.review(seg.node, "the new path cannot be written in this literal's quoting; edit by hand")
            return
        lits = [f"{prefix}{q}".encode() + e + q.encode() for e in encoded if e is not None]
        if seg.ctx[0] == "right":
            op = seg.ctx[1].operator
            sep = (_ws(op.whitespace_before) + "/" + _ws(op.whitespace_after)).encode()
        else:
            call, i = seg.ctx[1], seg.ctx[2]
            comma = call.args[i - 1].comma if i > 0 else None
            sep = b", " if not isinstance(comma, cst.Comma) else ("," + _ws(comma.whitespace_after)).encode()
        start, end = self.span(seg.node)
        self.edit(start, end, sep.join(lits), "py-chain", root)

    def _drop(self, segs: list[_Seg], root: cst.BaseExpression) -> None:
        """Segments whose components all went to earlier ones: `Path("a") / "b"` → `Path("ab")`."""
        calls: dict[int, tuple[cst.Call, set[int]]] = {}
        for seg in segs:
            kind = seg.ctx[0] if seg.ctx else ""
            if kind == "right":
                binop = seg.ctx[1]
                self._drop_span(seg, (self._outer(binop.left)[1], self._outer(binop.right)[1]), root)
            elif kind == "arg":
                calls.setdefault(id(seg.ctx[1]), (seg.ctx[1], set()))[1].add(seg.ctx[2])
            else:
                self._drop_span(seg, None, root)
        for call, gone in calls.values():
            args = call.args
            node = args[min(gone)].value
            kept = [i for i in range(len(args)) if i not in gone]
            if 0 in gone and kept:  # leading arguments: up to the first one kept
                first = kept[0]
                self._drop_span(node, (self._outer(args[0].value)[0], self._outer(args[first].value)[0]), root)
                gone = {i for i in gone if i > first}
            elif not kept:
                func = call.func
                joinpath = isinstance(func, cst.Attribute) and func.attr.value == "joinpath"
                span = (self._outer(func.value)[1], self.span(call)[1]) if isinstance(func, cst.Attribute) and joinpath else None
                self._drop_span(node, span, root)  # `.joinpath("b")` goes; `Path()` would mean "."
                continue
            for i in sorted(gone):  # each with the comma before it
                self._drop_span(args[i].value, (self._outer(args[i - 1].value)[1], self._outer(args[i].value)[1]), root)

    def _drop_span(self, seg: _Seg | cst.CSTNode, span: tuple[int, int] | None, root: cst.BaseExpression) -> None:
        node = seg.node if isinstance(seg, _Seg) else seg
        assert node is not None
        if span is None or b"#" in self.data[span[0]:span[1]]:
            # nothing to drop it from, or dropping it would take a comment along
            self.review(node, "merging this path's segments would leave an empty one; edit by hand")
            return
        self.edit(span[0], span[1], b"", "py-chain", root)

    def _outer(self, node: cst.CSTNode) -> tuple[int, int]:
        """A node's span with its own parentheses (libcst spans leave them out)."""
        start, end = self.span(node)
        for _ in getattr(node, "lpar", ()):
            start = self.data.rindex(b"(", 0, start)
        for _ in getattr(node, "rpar", ()):
            end = self.data.index(b")", end) + 1
        return start, end

    def _review_base(self, root: cst.BaseExpression, run: list[_Seg], comp_seg: list[int], old: str, new: str) -> None:
        names = sorted({run[i].base for i in comp_seg if run[i].kind == "base"})
        shared = ", ".join(names) or "a shared name"
        self.review(root, f"this path spells {old} through {shared}; the new path {new} would need "
                          f"{shared} itself to change (it is used elsewhere): edit by hand")

    # -- strings
    def _seg_piece(self, seg: _Seg) -> _Piece:
        if isinstance(seg.node, cst.SimpleString):
            return self._piece(seg.node)
        fs = seg.owner
        assert isinstance(fs, cst.FormattedString) and seg.node is not None
        a, b = self.span(seg.node)
        return _Piece(a, b, fs.end, "r" in fs.start.lower(), "b" in fs.start.lower(), True)

    def _piece(self, node: cst.SimpleString) -> _Piece:
        start, end = self.span(node)
        prefix = node.prefix
        quote = node.quote
        return _Piece(start + len(prefix) + len(quote), end - len(quote), quote,
                      "r" in prefix.lower(), "b" in prefix.lower(), False)

    def _string_edit(self, piece: _Piece, node: cst.CSTNode, start: int, end: int, new: str, kind: str,
                     unit: cst.CSTNode | None = None) -> None:
        encoded = _escape(new, piece)
        if encoded is None:
            self.review(node, f"the new path {new!r} cannot be written in this literal's quoting; edit by hand")
            return
        self.edit(start, end, encoded, kind, unit)

    def _strings(self, node: cst.BaseExpression) -> None:
        """The boundary rule over one string expression; implicit concatenation reads as one."""
        parts: list[Union[_Piece, None]] = []
        owners: list[cst.CSTNode] = []
        for leaf in _concat_leaves(node, self.done):
            self.done.add(id(leaf))
            if isinstance(leaf, cst.SimpleString):
                parts.append(self._piece(leaf))
                owners.append(leaf)
            elif isinstance(leaf, cst.FormattedString):
                raw = "r" in leaf.start.lower()
                for part in leaf.parts:  # format specs are not literal text: not read
                    if isinstance(part, cst.FormattedStringText):
                        a, b = self.span(part)
                        parts.append(_Piece(a, b, leaf.end, raw, "b" in leaf.start.lower(), True))
                    else:
                        parts.append(None)
                    owners.append(leaf)
            else:
                parts.append(None)
                owners.append(leaf)
        joined = bytearray()
        where: list[tuple[int, int, int]] = []  # (joined start, joined end, part index)
        for i, pc in enumerate(parts):
            if pc is None:
                joined += _MASK
                continue
            body = self.data[pc.start:pc.end]
            if not pc.raw:
                body = _ESCAPE.sub(lambda mm: _MASK * len(mm.group(0)), body)
            where.append((len(joined), len(joined) + len(body), i))
            joined += body
        data = bytes(joined)
        for m, new in self.mapping.references(data):
            hit = [(a, b, i) for a, b, i in where if a < m.end and b > m.start]
            if len(hit) == 1:
                a, _, i = hit[0]
                pc = parts[i]
                assert pc is not None
                self._string_edit(pc, owners[i], pc.start + m.start - a, pc.start + m.end - a, new, "py-string")
                continue
            self._concat_edit(data, hit, parts, owners, m, new, node)
        if self.has_packages and len(parts) == 1 and parts[0] is not None and not parts[0].fstring:
            self._dotted_string(parts[0], owners[0])

    def _concat_edit(self, data: bytes, hit: list[tuple[int, int, int]], parts: list, owners: list,
                     m: match.Match, new: str, unit: cst.CSTNode) -> None:
        """A path spread over implicitly concatenated literals: the changed middle goes to the first."""
        old_b, new_b = data[m.start:m.end], new.encode()
        pre, suf = _common_ends(old_b, new_b)
        lo, hi = m.start + pre, m.end - suf
        middle = new_b[pre:len(new_b) - suf].decode()
        touched = [(a, b, i) for a, b, i in hit if max(a, lo) < min(b, hi)]
        if not touched:  # pure insertion: the first piece that reaches the spot takes it
            touched = [(a, b, i) for a, b, i in hit if max(a, lo) <= min(b, hi)][:1]
        first = True
        for a, b, i in touched:
            x, y = max(a, lo), min(b, hi)
            pc = parts[i]
            self._string_edit(pc, owners[i], pc.start + x - a, pc.start + y - a, middle if first else "", "py-string",
                              unit)
            first = False

    def _dotted_string(self, pc: _Piece, node: cst.CSTNode) -> None:
        """mock.patch("a.b.f"), import_module("a.b"), "a.b:main" follow a moved package."""
        body = self.data[pc.start:pc.end]
        if b"\\" in body:
            return
        text = body.decode("utf-8", "surrogateescape")
        mm = _DOTTED_STRING.match(text) or _ENTRY_STRING.match(text)
        if mm is None:
            return
        mod = mm.group("mod")
        if "." not in mod and ":" not in text:
            return  # one bare word is too common to be read as a module name
        if ":" not in text and id(node) not in self.module_args and not _deep_module(mod, self.mapping):
            return  # "legacy_io.csv" is a file name unless a module is asked for here
        new = packages.translate_module(mod, self.mapping)
        if new is None:
            return
        if new == "":
            self.review(node, f"{mod} moves to a path that is not importable; edit by hand")
            return
        a = pc.start + mm.start("mod")
        self._string_edit(pc, node, a, a + len(mod.encode()), new, "py-dotted")

    # -- visitor hooks
    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> bool:
        if isinstance(node.operator, cst.Divide) and id(node) not in self.chain_nodes:
            self._chain(node)
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        if id(node) not in self.chain_nodes and self._call_kind(node) is not None:
            self._chain(node)
        name = _dotted(node.func)
        if self.has_packages and name and name.rsplit(".", 1)[-1] in _MODULE_CALLS and node.args:
            self.module_args.add(id(node.args[0].value))
        return True

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        if id(node) not in self.done:
            self._strings(node)
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        if id(node) not in self.done:
            self._strings(node)
        return True  # nested literals inside the replacement fields are strings too

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        if id(node) not in self.done:
            self._strings(node)
        return True

    def visit_Comment(self, node: cst.Comment) -> bool:
        start, end = self.span(node)
        for m, new in self.mapping.references(self.data[start:end]):
            self.edit(start + m.start, start + m.end, new.encode(), "py-comment")
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        if not self.has_packages:
            return False
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            if alias.asname is None:
                self.import_roots.add(name.split(".", 1)[0])
            new = packages.translate_module(name, self.mapping)
            if new is None or new == name:
                continue
            if new == "":
                self.review(alias.name, f"{name} moves to a path that is not importable; edit by hand")
                continue
            start, end = self.span(alias.name)
            self.edit(start, end, new.encode(), "py-import", node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not self.has_packages:
            return False
        _ImportFrom(self, node).rewrite()
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if not self.has_packages:
            return True
        name = _dotted(node)
        if name is None or name.split(".", 1)[0] not in self.import_roots:
            return True
        new = packages.translate_module(name, self.mapping)
        if new is None or new == "" or new == name:
            return False
        start, end = self.span(node)
        if self.data[start:end].decode("utf-8", "replace") != name:
            return False  # whitespace or comments inside the chain: leave it to a person
        self.edit(start, end, new.encode(), "py-import", node)
        return False


class _ImportFrom:
    """`from a.b import c`, `from . import b as c`: module path and names follow a moved package."""

    def __init__(self, g: _Gatherer, node: cst.ImportFrom) -> None:
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


# ---- the safety check ---------------------------------------------------------------------
def check_edits(data: bytes, edits: Sequence[Edit], units: Sequence[tuple[int, int]], offset: int = 0,
                before: cst.Module | None = None) -> str | None:
    """None if the edited file parses to the same tree outside edited strings, comments,
    names and import paths (black's --safe); else what went wrong."""
    try:
        new = splice(data, list(edits))
    except OverlapError as exc:
        return str(exc)
    shifted = [_shift(u, edits) for u in units]
    # The fast path: CPython's own parser, when it reads the original (newer syntax than the
    # running Python, e.g. 3.12 f-strings on 3.11, takes the libcst path below).
    # Only the lines of the top-level statements (or comment lines) holding an edit are
    # parsed again: the bytes around them are the same and start and end at top level.
    region = _region(data, offset, edits)
    if region is not None:
        a, b = region
        part, new_part = data[a:b], new[a:b + len(new) - len(data)]
        at = [(x - a, y - a) for x, y in units]
        old_shape = _ast_shape(part, at, 0, [(e.start - a, e.end - a) for e in edits])
        new_shape = _ast_shape(new_part, [(x - a, y - a) for x, y in shifted], 0,
                               [(x - a, y - a) for x, y in written_spans(list(edits))])
        if old_shape is not None and new_shape is not None and _compare(old_shape, new_shape) is None:
            return None
    # Top-level statements no edit touches are compared by their bytes (a statement at
    # column 0 parses the same wherever its identical text stands); the rest node by node.
    old_shape = _ast_shape(data, units, offset, [(e.start, e.end) for e in edits])
    if old_shape is not None:
        new_shape = _ast_shape(new, shifted, offset, written_spans(list(edits)))
        if new_shape is None:
            return "it would not parse"
        return _compare(old_shape, new_shape)
    try:
        after = parse(new, offset)
    except ParseFailed as exc:
        return f"it would not parse: {exc}"
    if before is None:
        before = parse(data, offset)
    return _compare(_skeleton(before, units, offset), _skeleton(after, shifted, offset))


def _region(data: bytes, offset: int, edits: Sequence[Edit]) -> tuple[int, int] | None:
    """The whole lines of the top-level statements that edits touch (an edit outside every
    statement, in a comment, brings its own lines); None if CPython does not parse data."""
    body = data[offset:]
    tree = _ast_parse(body)
    if not isinstance(tree, ast.Module) or b"__future__" in body:
        return None
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n?|\n", body)]  # CPython's line ends

    def line_of(pos: int) -> int:  # 0-based line holding byte pos of body
        return bisect.bisect_right(starts, pos) - 1

    ranges = []
    for stmt in tree.body:
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", ())]) - 1
        last = cast(int, stmt.end_lineno) - 1
        ranges.append((starts[first], starts[last + 1] if last + 1 < len(starts) else len(body)))
    lo, hi = len(body), 0
    for e in edits:
        x, y = e.start - offset, e.end - offset
        hit = [(a, b) for a, b in ranges if a <= y and x < b]
        a = min([starts[line_of(x)]] + [r[0] for r in hit])
        end_line = line_of(max(x, y - 1)) + 1
        b = max([starts[end_line] if end_line < len(starts) else len(body)] + [r[1] for r in hit])
        lo, hi = min(lo, a), max(hi, b)
    if lo >= hi:
        return None
    return lo + offset, hi + offset


def _ast_shape(data: bytes, units: Sequence[tuple[int, int]], offset: int,
               touched: Sequence[tuple[int, int]] | None = None) -> list[str] | None:
    """The ast as a flat list with string constants and edited units collapsed; None: no parse.
    With touched (edited spans), a top-level statement outside them is one token: its text."""
    body = data[offset:]
    tree = _ast_parse(body)
    if tree is None:
        return None
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n?|\n", body)]  # CPython's line ends
    out: list[str] = []

    def where(node: ast.AST) -> tuple[int, int] | None:
        end_line = getattr(node, "end_lineno", None)
        if end_line is None:
            return None
        return (offset + starts[node.lineno - 1] + node.col_offset,  # type: ignore[attr-defined]
                offset + starts[end_line - 1] + node.end_col_offset)  # type: ignore[attr-defined]

    def walk(node: object) -> None:
        if isinstance(node, ast.AST):
            span = where(node) if units else None
            if span is not None and any(a <= span[0] and span[1] <= b for a, b in units):
                out.append("unit")
                return
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                out.append("str")
                return
            out.append(type(node).__name__)
            for field in node._fields:
                walk(getattr(node, field, None))
            out.append(")")
        elif isinstance(node, list):
            out.append("[")
            for item in node:
                walk(item)
            out.append("]")
        else:
            out.append(repr(node))

    def top(tree: ast.Module) -> None:
        out.extend(("Module", "["))
        for stmt in tree.body:
            span = where(stmt)
            if touched is None or span is None:
                walk(stmt)
                continue
            first = min([span[0]] + [where(d)[0] for d in getattr(stmt, "decorator_list", ())])  # type: ignore[index]
            if any(a <= span[1] and first <= b for a, b in touched):
                walk(stmt)
            else:
                text = data[first:span[1]]
                out.append(f"statement:{len(text)}:{hash(text)}")
        out.append("]")
        walk(tree.type_ignores)
        out.append(")")

    try:
        top(tree) if isinstance(tree, ast.Module) else walk(tree)
    except RecursionError:
        return None
    return out


@functools.lru_cache(maxsize=4)
def _ast_parse(body: bytes) -> ast.AST | None:
    """CPython's tree of body (cached: the reduced parse and the safety check read the same
    file; the tree is only read), None if it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in the user's code
            return ast.parse(body)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _shift(unit: tuple[int, int], edits: Sequence[Edit]) -> tuple[int, int]:
    """A unit's span in the rewritten file."""
    start, end = unit
    d_start = sum(len(e.new) - (e.end - e.start) for e in edits if e.end <= start and e.start < start)
    d_end = sum(len(e.new) - (e.end - e.start) for e in edits if e.end <= end)
    return start + d_start, end + d_end


def _skeleton(module: cst.Module, units: Sequence[tuple[int, int]], offset: int) -> list[str]:
    """Node types in order with their depth; an edited unit counts as one node."""
    wrapper = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    spans = wrapper.resolve(cst.metadata.ByteSpanPositionProvider)
    out: list[str] = []
    unit_set = set(units)

    class Walk(cst.CSTVisitor):
        depth = 0

        def on_visit(self, node: cst.CSTNode) -> bool:
            s = spans.get(node)
            inside = s is not None and (s.start + offset, s.start + s.length + offset) in unit_set
            # an edited unit may change type (a merged chain `Path("a") / "b"` becomes `Path("ab")`)
            out.append(f"{self.depth}:unit" if inside else f"{self.depth}:{type(node).__name__}")
            self.depth += 1  # on_leave runs for every visited node, children or not
            return not inside

        def on_leave(self, original_node: cst.CSTNode) -> None:
            self.depth -= 1

    wrapper.module.visit(Walk())
    return out


def _compare(a: list[str], b: list[str]) -> str | None:
    if a == b:
        return None
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"node {i} was {x.split(':')[-1]}, would be {y.split(':')[-1]}"
    return f"{abs(len(a) - len(b))} node(s) more or fewer"


# ---- helpers -------------------------------------------------------------------------------
def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            out.append(star)
    return out


def _local_names(fn: cst.FunctionDef) -> set[str]:
    """Parameters and names assigned at the top of a function body (cheap, no scope analysis)."""
    names = {p.name.value for p in _all_params(fn.params)}
    body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else (
                    [small.target] if isinstance(small, (cst.AnnAssign, cst.AugAssign)) else [])
                names.update(t.value for t in targets if isinstance(t, cst.Name))
    return names


def byte_spans(module: cst.Module) -> tuple[dict[cst.CSTNode, CodeSpan], str]:
    """Byte spans of every node and the module's code, from one codegen pass
    (ByteSpanPositionProvider's own state, without MetadataWrapper's copy and extra walk)."""
    from libcst.metadata import span_provider

    provider = span_provider.ByteSpanPositionProvider()
    state = span_provider.SpanProvidingCodegenState(default_indent=module.default_indent,
                                                    default_newline=module.default_newline, provider=provider,
                                                    get_length=span_provider.byte_length_in_utf8)
    module._codegen(state)
    return cast("dict[cst.CSTNode, CodeSpan]", provider._computed), "".join(state.tokens)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    fields = _FIELDS.get(type(node))
    if fields is None:
        fields = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    for name in fields:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def _concat_leaves(node: cst.BaseExpression, seen: set[int]) -> list[cst.BaseExpression]:
    """The literals of an implicit concatenation, left to right; inner concatenations are
    added to seen so they are not read a second time."""
    if isinstance(node, cst.ConcatenatedString):
        seen.add(id(node))
        return _concat_leaves(node.left, seen) + _concat_leaves(node.right, seen)
    return [node]


def _deep_module(name: str, mapping: Mapping) -> bool:
    """True if name starts with a moved module that is itself dotted (`a.b`, not `a`)."""
    pk = mapping.packages
    return pk is not None and any("." in m.old and (name == m.old or name.startswith(m.old + ".")) for m in pk.moves)


def _alias_name(alias: cst.ImportAlias) -> str:
    """The name an import binds."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _dotted(alias.name) or ""


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        left = _dotted(node.value)
        return None if left is None else f"{left}.{node.attr.value}"
    return None


def _ws(ws: cst.BaseParenthesizableWhitespace) -> str:
    return ws.value if isinstance(ws, cst.SimpleWhitespace) else " "


def _distribute(counts: list[int], total: int) -> list[int]:
    """SPEC §4.1 same style: as many components per segment as before; extra go to the last,
    missing ones are taken from the last segments (which then disappear)."""
    have = sum(counts)
    if total >= have:
        return counts[:-1] + [counts[-1] + total - have]
    out = []
    left = total
    for c in counts:
        take = min(c, left)
        out.append(take)
        left -= take
    return out


def _escape(new: str, piece: _Piece) -> bytes | None:
    """new as literal body text valid for the piece's quoting (None: not representable)."""
    q = piece.quote[0]
    text = new
    if piece.raw:
        if q in text or "\n" in text or text.endswith("\\"):
            return None
    else:
        text = text.replace("\\", "\\\\")
        if len(piece.quote) == 1:
            text = text.replace(q, "\\" + q).replace("\n", "\\n").replace("\r", "\\r")
        else:
            text = text.replace(q, "\\" + q)
    if piece.fstring:
        text = text.replace("{", "{{").replace("}", "}}")
    if piece.is_bytes and not text.isascii():
        if piece.raw:
            return None
        return "".join(c if c.isascii() else "".join(f"\\x{b:02x}" for b in c.encode()) for c in text).encode()
    return text.encode("utf-8")


def _common_ends(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, int]:
    """Lengths of the common prefix and of the common suffix after it (they never overlap)."""
    pre = 0
    while pre < min(len(a), len(b)) and a[pre] == b[pre]:
        pre += 1
    suf = 0
    while suf < min(len(a), len(b)) - pre and a[-1 - suf] == b[-1 - suf]:
        suf += 1
    return pre, suf
