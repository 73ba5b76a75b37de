"""String literals, f-string literal parts, implicit concatenation, comments, dotted-name strings."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Sequence

from pathmove import match, packages
from pathmove.finders.python import lex
from pathmove.finders.python.parse import _common_ends, _deep_module, _DOTTED_STRING, _ENTRY_STRING, _ESCAPE, _MASK

if TYPE_CHECKING:
    from pathmove.finders.python.gather import Gatherer, Where


def _string_edit(g: Gatherer, piece: lex.Piece, where: Where, start: int, end: int, new: str, kind: str,
                 unit: Where | None = None) -> None:
    encoded = escape(new, piece)
    if encoded is None:
        g.review(where, f"the new path {new!r} cannot be written in this literal's quoting; edit by hand")
        return
    g.edit(start, end, encoded, kind, unit)


def strings(g: Gatherer, tokens: Sequence[lex.Token], node: ast.AST | None = None) -> None:
    """The boundary rule over one string expression (its tokens: implicit concatenation reads
    as one), then over the strings inside an f-string's replacement fields."""
    parts: list[lex.Piece | None] = []
    owners: list[tuple[int, int]] = []
    for tok in tokens:
        for pc in tok.parts:  # format specs are not literal text: not read
            parts.append(pc)
            owners.append((tok.start, tok.end))
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
    whole = (tokens[0].start, tokens[-1].end) if tokens else (0, 0)
    for m, new in g.mapping.references(data):
        hit = [(a, b, i) for a, b, i in where if a < m.end and b > m.start]
        if len(hit) == 1:
            a, _, i = hit[0]
            pc = parts[i]
            assert pc is not None
            _string_edit(g, pc, owners[i], pc.start + m.start - a, pc.start + m.end - a, new, "py-string")
            continue
        _concat_edit(g, data, hit, parts, owners, m, new, node if node is not None else whole)
    if g.has_packages and len(parts) == 1 and parts[0] is not None and not parts[0].fstring:
        _dotted_string(g, parts[0], owners[0], node)
    for tok in tokens:  # nested literals inside the replacement fields are strings too
        for a, b in tok.fields:
            for inner in lex.string_tokens(g.data, a + 1, b - 1):
                strings(g, [inner])


def _concat_edit(g: Gatherer, data: bytes, hit: list[tuple[int, int, int]], parts: list[lex.Piece | None],
                 owners: list[tuple[int, int]], m: match.Match, new: str, unit: Where) -> None:
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
        assert pc is not None
        _string_edit(g, pc, owners[i], pc.start + x - a, pc.start + y - a, middle if first else "", "py-string", unit)
        first = False


def _dotted_string(g: Gatherer, pc: lex.Piece, where: tuple[int, int], node: ast.AST | None) -> None:
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
        g.review(where, f"{mod} moves to a path that is not importable; edit by hand")
        return
    a = pc.start + mm.start("mod")
    _string_edit(g, pc, where, a, a + len(mod.encode()), new, "py-dotted")


def visit_Constant(g: Gatherer, node: ast.Constant) -> bool:
    if isinstance(node.value, (str, bytes)) and id(node) not in g.done:
        strings(g, lex.tokens_in(g.data, *g.span(node)), node)
    return False


def visit_JoinedStr(g: Gatherer, node: ast.JoinedStr) -> bool:
    if id(node) not in g.done:
        strings(g, lex.tokens_in(g.data, *g.span(node)), node)
    # The fields' strings were read from the tokens; CPython before 3.12 places the nodes
    # inside an f-string only roughly, so nothing below is walked.
    return False


def tokens(g: Gatherer) -> None:
    """Every comment; and every string token of a file CPython cannot parse (newer syntax:
    libcst vouched that it is Python), each read as one string expression."""
    data = g.data
    for start, end in g.parsed.comments:
        for m, new in g.mapping.references(data[start:end]):
            g.edit(start + m.start, start + m.end, new.encode(), "py-comment")
    if g.tree is None:
        group: list[lex.Token] = []
        for tok in lex.string_tokens(data, g.offset, len(data)):
            if group and lex._GAP.match(data, group[-1].end).end() != tok.start:  # type: ignore[union-attr]
                strings(g, group)
                group = []
            group.append(tok)  # string tokens with only blanks or comments between: one string
        if group:
            strings(g, group)


VISIT = {"Constant": visit_Constant, "JoinedStr": visit_JoinedStr}


def escape(new: str, piece: lex.Piece) -> bytes | None:
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
