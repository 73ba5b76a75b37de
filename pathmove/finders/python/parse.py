"""One parse per file: the libcst tree (imported lazily), its byte spans, shared records and helpers.

Every rule reads the same tree and the same byte spans; nothing here decides an edit."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from typing import TYPE_CHECKING, Any, Iterator, Sequence, Union, cast

from pathmove.finders import ParseFailed
from pathmove.mapping import Mapping

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
    ctx: tuple[Any, ...] = ()  # ("right", binop) | ("left", binop) | ("arg", call, i)
    base: str = ""  # the module-level name a "base" segment comes from
    partial: bool = False  # the text at one end of an f-string: edited in place, never split or dropped
    owner: cst.CSTNode | None = None  # the f-string a partial segment belongs to




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


def _common_ends(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, int]:
    """Lengths of the common prefix and of the common suffix after it (they never overlap)."""
    pre = 0
    while pre < min(len(a), len(b)) and a[pre] == b[pre]:
        pre += 1
    suf = 0
    while suf < min(len(a), len(b)) - pre and a[-1 - suf] == b[-1 - suf]:
        suf += 1
    return pre, suf
