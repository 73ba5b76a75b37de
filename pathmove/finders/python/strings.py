"""String literals, f-string literal parts, implicit concatenation, comments, dotted-name strings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

from pathmove import match, packages
from pathmove.finders.python.parse import _common_ends, _concat_leaves, _deep_module, _DOTTED_STRING, _ENTRY_STRING, _ESCAPE, _MASK, _Piece

if TYPE_CHECKING:
    import libcst as cst

    from pathmove.finders.python.gather import Gatherer
else:
    from pathmove.finders.python.parse import cst


def _piece(g: Gatherer, node: cst.SimpleString) -> _Piece:
    start, end = g.span(node)
    prefix = node.prefix
    quote = node.quote
    return _Piece(start + len(prefix) + len(quote), end - len(quote), quote,
                  "r" in prefix.lower(), "b" in prefix.lower(), False)


def _string_edit(g: Gatherer, piece: _Piece, node: cst.CSTNode, start: int, end: int, new: str, kind: str,
                 unit: cst.CSTNode | None = None) -> None:
    encoded = escape(new, piece)
    if encoded is None:
        g.review(node, f"the new path {new!r} cannot be written in this literal's quoting; edit by hand")
        return
    g.edit(start, end, encoded, kind, unit)


def _strings(g: Gatherer, node: cst.BaseExpression) -> None:
    """The boundary rule over one string expression; implicit concatenation reads as one."""
    parts: list[Union[_Piece, None]] = []
    owners: list[cst.CSTNode] = []
    for leaf in _concat_leaves(node, g.done):
        g.done.add(id(leaf))
        if isinstance(leaf, cst.SimpleString):
            parts.append(_piece(g, leaf))
            owners.append(leaf)
        elif isinstance(leaf, cst.FormattedString):
            raw = "r" in leaf.start.lower()
            for part in leaf.parts:  # format specs are not literal text: not read
                if isinstance(part, cst.FormattedStringText):
                    a, b = g.span(part)
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
        body = g.data[pc.start:pc.end]
        if not pc.raw:
            body = _ESCAPE.sub(lambda mm: _MASK * len(mm.group(0)), body)
        where.append((len(joined), len(joined) + len(body), i))
        joined += body
    data = bytes(joined)
    for m, new in g.mapping.references(data):
        hit = [(a, b, i) for a, b, i in where if a < m.end and b > m.start]
        if len(hit) == 1:
            a, _, i = hit[0]
            pc = parts[i]
            assert pc is not None
            _string_edit(g, pc, owners[i], pc.start + m.start - a, pc.start + m.end - a, new, "py-string")
            continue
        _concat_edit(g, data, hit, parts, owners, m, new, node)
    if g.has_packages and len(parts) == 1 and parts[0] is not None and not parts[0].fstring:
        _dotted_string(g, parts[0], owners[0])


def _concat_edit(g: Gatherer, data: bytes, hit: list[tuple[int, int, int]], parts: list[Any], owners: list[Any],
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
        _string_edit(g, pc, owners[i], pc.start + x - a, pc.start + y - a, middle if first else "", "py-string",
                          unit)
        first = False


def _dotted_string(g: Gatherer, pc: _Piece, node: cst.CSTNode) -> None:
    """mock.patch("a.b.f"), import_module("a.b"), "a.b:main" follow a moved package."""
    body = g.data[pc.start:pc.end]
    if b"\\" in body:
        return
    text = body.decode("utf-8", "surrogateescape")
    mm = _DOTTED_STRING.match(text) or _ENTRY_STRING.match(text)
    if mm is None:
        return
    mod = mm.group("mod")
    if "." not in mod and ":" not in text:
        return  # one bare word is too common to be read as a module name
    if ":" not in text and id(node) not in g.module_args and not _deep_module(mod, g.mapping):
        return  # "legacy_io.csv" is a file name unless a module is asked for here
    new = packages.translate_module(mod, g.mapping)
    if new is None:
        return
    if new == "":
        g.review(node, f"{mod} moves to a path that is not importable; edit by hand")
        return
    a = pc.start + mm.start("mod")
    _string_edit(g, pc, node, a, a + len(mod.encode()), new, "py-dotted")


def visit_SimpleString(g: Gatherer, node: cst.SimpleString) -> bool:
    if id(node) not in g.done:
        _strings(g, node)
    return False


def visit_FormattedString(g: Gatherer, node: cst.FormattedString) -> bool:
    if id(node) not in g.done:
        _strings(g, node)
    return True  # nested literals inside the replacement fields are strings too


def visit_ConcatenatedString(g: Gatherer, node: cst.ConcatenatedString) -> bool:
    if id(node) not in g.done:
        _strings(g, node)
    return True


def visit_Comment(g: Gatherer, node: cst.Comment) -> bool:
    start, end = g.span(node)
    for m, new in g.mapping.references(g.data[start:end]):
        g.edit(start + m.start, start + m.end, new.encode(), "py-comment")
    return False


VISIT = {"SimpleString": visit_SimpleString, "FormattedString": visit_FormattedString,
         "ConcatenatedString": visit_ConcatenatedString, "Comment": visit_Comment}


def escape(new: str, piece: _Piece) -> bytes | None:
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
