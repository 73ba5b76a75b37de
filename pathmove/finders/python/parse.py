"""One parse per file: CPython's `ast` of the statements that matter, placed in bytes.

`read` finds the top-level statements from bytes (lex.layout), keeps those that hold a needle,
an import or a module-level binding, blanks the others to spaces (same lines, same offsets),
stops after the last statement that can matter, and parses that with CPython (~5 ms per
1,000 lines for a whole file, a fraction of that for the kept part). Every rule reads the
same tree through `Parsed.span`; nothing here decides an edit.

Where CPython cannot parse the file (syntax newer than the running Python, e.g. a 3.12
f-string reusing its quote on 3.11), libcst -- imported lazily -- is the judge of whether it
is Python at all, and the rules read its string tokens and comments only (Parsed.tree is None).
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import posixpath
import re
import warnings
from typing import Any, Sequence

from pathmove import match
from pathmove.finders import ParseFailed
from pathmove.finders.python import lex
from pathmove.mapping import Mapping

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
# A top-level statement the rules read even without a needle: imports (path helpers, package
# roots) and bindings of a plain name (the bases chains resolve through).
_BINDING = re.compile(rb"(?:import|from)\b|[A-Za-z_][A-Za-z0-9_]*[ \t]*(?::[^\r\n=]*)?"
                      rb"(?:[-+*/%&|^@]|//|>>|<<|\*\*)?=(?!=)")
# a binding at a line start; the leading newline (not `^` with re.M) lets the regex engine
# skip from newline to newline, ~6x faster on a 1,400-line module
_BINDING_LINE = re.compile(rb"\n(?:" + _BINDING.pattern + rb")")
_REDUCE_FROM = 512  # smaller files are parsed whole: nothing to gain
# the names a binding statement binds (and, harmlessly, keyword arguments: a superset)
_TARGET = re.compile(rb"(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^\r\n=]*)?=(?!=)")


class HotWords:
    """Names found as whole identifiers, with bytes.find (a regex with a lookbehind cannot use
    the C substring search and costs ~1 ms on a 1,400-line module)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = tuple(n.encode() for n in names)

    @staticmethod
    def _whole(data: bytes, i: int, j: int) -> bool:
        return (i == 0 or data[i - 1] not in _IDENT) and (j >= len(data) or data[j] not in _IDENT)

    def search(self, data: bytes, start: int = 0, end: int | None = None) -> bool:
        end = len(data) if end is None else end
        for n in self.names:
            i = data.find(n, start, end)
            while i >= 0:
                if self._whole(data, i, i + len(n)):
                    return True
                i = data.find(n, i + 1, end)
        return False

    def last_end(self, data: bytes, start: int) -> int:
        """The end of the last whole occurrence at or after start (-1: none)."""
        best = -1
        for n in self.names:
            i = data.rfind(n, start)
            while i >= 0:
                if self._whole(data, i, i + len(n)):
                    best = max(best, i + len(n))
                    break
                i = data.rfind(n, start, i + len(n) - 1)
        return best


_IDENT = match.IDENT_BYTES


def hot_words(names: "set[str] | frozenset[str]") -> HotWords | None:
    """These names as whole identifiers (None: no name)."""
    return HotWords(tuple(sorted(names))) if names else None


def _hot_targets(data: bytes, bounds: Sequence[int], needles: Sequence[bytes]) -> set[str]:
    """Names bound by top-level binding statements that hold a needle, or name such a name
    (transitively): every base the rules may resolve to a needle (gather.hot_names) is one."""
    hot: set[str] = set()
    bindings = [(a, b) for a, b in zip(bounds, bounds[1:]) if _BINDING.match(data, a)]
    while True:
        words = hot_words(hot)
        more: set[str] = set()
        for a, b in bindings:
            part = data[a:b]
            if any(n in part for n in needles) or words is not None and words.search(part):
                more.update(m.group(1).decode() for m in _TARGET.finditer(part))
        if more <= hot:
            return hot
        hot |= more


# SPEC §4.1: what a path relative to the file itself is built from (relative.py); Hydra's
# config_path may be passed by position, but `hydra` is then imported by name
HERE = (b"__file__", b"config_path", b"hydra")


def rebased(path: str, new_path: str) -> bool:
    """The file lands in another folder: its paths relative to itself need re-basing."""
    return posixpath.dirname(path) != posixpath.dirname(new_path)


def reads_here(path: str, new_path: str, data: bytes) -> bool:
    """A moving file that may build paths from its own place: parsed and walked whole, since a
    base bound to `__file__` is judged by all its uses (relative.py), needle or not."""
    return rebased(path, new_path) and any(n in data for n in HERE)


@dataclasses.dataclass(frozen=True)
class Parsed:
    """One file, parsed once: what every rule reads."""

    data: bytes
    offset: int  # after a BOM
    tree: ast.Module | None  # None: CPython cannot parse it, only tokens are read
    lines: tuple[int, ...]  # byte offset of each line of the parsed part (the one line table)
    end: int  # bytes after end were not parsed (nothing there can matter)
    comments: tuple[tuple[int, int], ...]
    starts: tuple[int, ...] = ()  # top-level statement starts from the layout (empty: none)

    def span(self, node: Any) -> tuple[int, int]:
        """A node's bytes in the file (CPython's columns are UTF-8 byte offsets)."""
        return (self.lines[node.lineno - 1] + node.col_offset,
                self.lines[node.end_lineno - 1] + node.end_col_offset)

    def chunk(self, pos: int) -> tuple[int, int] | None:
        """The top-level statement (with its trailing comments) holding byte pos, if known."""
        if not self.starts:
            return None
        k = bisect.bisect_right(self.starts, pos) - 1
        if k < 0:
            return None
        return self.starts[k], self.starts[k + 1] if k + 1 < len(self.starts) else self.end


def _interest_end(data: bytes, offset: int, mapping: Mapping, relative: bool) -> int:
    """The last byte a record or a binding the rules read can lie at."""
    last = offset
    for n in mapping.needles:
        i = data.rfind(n)
        if i >= 0:
            last = max(last, i + len(n))
    if relative:
        last = max(last, data.rfind(b"from .") + 6)
    tail = _BINDING.match(data, 0) if last == 0 else None
    for tail in _BINDING_LINE.finditer(data, max(last - 1, 0)):
        pass
    return max(last, tail.end()) if tail is not None else last


def reduce(data: bytes, offset: int, mapping: Mapping, relative: bool = False) -> tuple[bytes, lex.Layout] | None:
    """data with every top-level statement that cannot matter blanked and the tail after the
    last one that can matter dropped (kept bytes stay at their offsets); None where the
    shortcut does not apply (a small file, bytes the layout cannot read)."""
    if len(data) - offset < _REDUCE_FROM:
        return None
    needles = mapping.needles
    upto = _interest_end(data, offset, mapping, relative)
    while True:
        lay = lex.layout(data, offset, upto)
        if lay is None:
            return None
        bounds = (*lay.starts, lay.end)
        # a statement that uses a base whose value holds a needle is read, wherever it is
        words = hot_words(_hot_targets(data, bounds, needles))
        last = words.last_end(data, lay.end) if words is not None else -1
        if last <= lay.end:
            break
        upto = last
    out = bytearray(data[:offset])
    blanked = False
    for a, b in zip(bounds, bounds[1:]):
        part = data[a:b]
        if (a == offset and data[a:a + 1] in (b"\"", b"'", b"#", b"\n", b"\r", b"")  # the module's docstring and header
                or any(n in part for n in needles) or _BINDING.match(data, a)
                or relative and b"from ." in part or words is not None and words.search(data, a, b)):
            out += part
        else:
            out += lex.blank(data, a, b)
            blanked = True
    if not blanked and lay.end == len(data):
        return None
    return bytes(out), lay


def read(data: bytes, offset: int, mapping: Mapping, shortcut: bool = True, relative: bool = False) -> Parsed:
    """The one parse of a file (ParseFailed: not UTF-8, or not Python)."""
    try:
        data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseFailed(f"not UTF-8 ({exc.reason} at byte {exc.start + offset})") from None
    reduced = reduce(data, offset, mapping, relative) if shortcut else None
    if reduced is not None:
        text, lay = reduced
        tree = ast_parse(text[offset:lay.end])
        if tree is not None:
            return Parsed(data, offset, tree, tuple(lex.line_starts(data, offset, lay.end)), lay.end,
                          lay.comments, lay.starts)
    tree = ast_parse(data[offset:])
    if tree is None:
        return _tokens_only(data, offset)
    whole = lex.layout(data, offset, len(data))
    if whole is None:
        raise ValueError("CPython parses this file but its strings and comments cannot be read from its bytes")
    return Parsed(data, offset, tree, tuple(lex.line_starts(data, offset, len(data))), len(data), whole.comments,
                  whole.starts)


def _tokens_only(data: bytes, offset: int) -> Parsed:
    """A file CPython rejects: libcst decides whether it is Python (newer syntax), and then
    only its string tokens and comments are read."""
    libcst_parse(data, offset)
    comments: list[tuple[int, int]] = []
    i = offset
    try:
        while True:
            m = lex._HIDING.search(data, i)
            if m is None:
                break
            if data[m.start()] == 0x23:
                comments.append(m.span())
                i = m.end()
            else:
                i = lex.token_at(data, lex._prefix_start(data, m.start(), i)).end
    except lex.LexError as exc:
        raise ParseFailed(f"libcst parses it but its strings cannot be read: {exc}") from None
    return Parsed(data, offset, None, tuple(lex.line_starts(data, offset, len(data))), len(data), tuple(comments))


def libcst_parse(data: bytes, offset: int) -> Any:
    """libcst's tree of data (after a BOM); ParseFailed unless it parses and reproduces the
    bytes."""
    import libcst as cst  # ~0.2 s to import: only for files the running Python cannot parse

    body = data[offset:]
    try:
        module = cst.parse_module(body.decode("utf-8"))
    except cst.ParserSyntaxError as exc:
        raise ParseFailed(f"line {exc.raw_line}, column {exc.raw_column}: {exc.message}") from None
    except RecursionError:
        raise ParseFailed("nested too deeply to parse") from None
    except Exception as exc:  # noqa: BLE001 — libcst raises a few other types on odd input
        raise ParseFailed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    if module.code.encode("utf-8") != body:
        raise ParseFailed("libcst does not reproduce the file byte for byte")
    return module


def ast_parse(body: bytes) -> ast.Module | None:
    """CPython's tree of body, None if it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in the user's code
            return ast.parse(body)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


# ---- shared records and helpers -------------------------------------------------------------
@dataclasses.dataclass
class _Seg:
    """One segment of a path chain: a literal, a part of a module-level base, or unknown."""

    kind: str  # "lit" | "base" | "opaque"
    text: bytes = b""
    node: Any = None  # the ast node of a literal
    ctx: tuple[Any, ...] = ()  # ("right", binop) | ("left", binop) | ("arg", call, i) | ("recv", call)
    base: str = ""  # the module-level name a "base" segment comes from
    partial: bool = False  # the text at one end of an f-string: edited in place, never split or dropped
    piece: lex.Piece | None = None  # where the literal text is, and how it is quoted
    where: tuple[int, int] = (0, 0)  # the literal's token (a review's place)
    glue: bytes = b"/"  # what joins it to the segment before: "/" in a path chain, "" in a concatenation
    home: str = ""  # where a base imported from another module is bound ("pkg/config.py:2")


def _all_params(args: ast.arguments) -> list[ast.arg]:
    out = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    out += [a for a in (args.vararg, args.kwarg) if a is not None]
    return out


def _local_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters and names assigned at the top of a function body (cheap, no scope analysis)."""
    names = {p.arg for p in _all_params(fn.args)}
    for stmt in fn.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else [])
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _deep_module(name: str, mapping: Mapping) -> bool:
    """True if name starts with a moved module that is itself dotted (`a.b`, not `a`)."""
    pk = mapping.packages
    return pk is not None and any("." in m.old and (name == m.old or name.startswith(m.old + ".")) for m in pk.moves)


def _alias_name(alias: ast.alias) -> str:
    """The name an import binds."""
    return alias.asname if alias.asname is not None else alias.name


def _dotted(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        left = _dotted(node.value)
        return None if left is None else f"{left}.{node.attr}"
    return None


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


def _common_ends(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, int]:
    """Lengths of the common prefix and of the common suffix after it (they never overlap)."""
    pre = 0
    while pre < min(len(a), len(b)) and a[pre] == b[pre]:
        pre += 1
    suf = 0
    while suf < min(len(a), len(b)) - pre and a[-1 - suf] == b[-1 - suf]:
        suf += 1
    return pre, suf
