"""The bytes of Python source the tree does not give: string tokens, f-string parts, comments,
and the top-level statement layout of a file without parsing it.

CPython's `ast` places every node (line + UTF-8 byte column) but merges implicitly
concatenated literals into one node, places no comment, and (before 3.12) gives the parts of
an f-string no position of their own. This module reads those bytes exactly, with regular
expressions in C and a small recursive scanner for f-strings (both quote rules: up to 3.11 a
replacement field cannot reuse the string's quote, from 3.12 it can).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterator

from pathmove import match

# A string token's quotes and body (its prefix letters are matched separately): triple
# quotes first, a backslash escapes any byte (a line continuation included).
_BODY = (rb'"""(?:[^"\\]|\\.|"(?!""))*"""|' + rb"'''(?:[^'\\]|\\.|'(?!''))*'''|"
         rb'"(?:[^"\\\r\n]|\\\r\n|\\.)*"|' + rb"'(?:[^'\\\r\n]|\\\r\n|\\.)*'")
# what hides code from a byte scan: strings and comments (a lone quote: not Python we can read)
_HIDING = re.compile(_BODY + rb"|#[^\r\n]*|[\"']", re.S)
_TOKEN = re.compile(rb"(?P<prefix>[A-Za-z]{0,2})(?P<body>" + _BODY + rb")", re.S)
_GAP = re.compile(rb"(?:[ \t\f\r\n]|\\\r?\n|#[^\r\n]*)*")  # between implicitly concatenated literals
_NAME_BYTE = match.IDENT_BYTES | frozenset(range(0x80, 0x100))
# a code line at column 0, from the newline before it (a leading newline, not `^` with re.M,
# lets the regex engine skip from newline to newline)
_CODE_LINE = re.compile(rb"\n[^ \t\f\r\n]")
_CONTINUES = re.compile(rb"(?:else|elif|except|finally)\b")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BLANK = bytes(b if b in b"\r\n" else 0x20 for b in range(256))  # every byte but line ends -> space


class LexError(ValueError):
    """The bytes are not string tokens as Python writes them."""


@dataclasses.dataclass(frozen=True)
class Piece:
    """The literal text of one string token, or of one text part of an f-string."""

    start: int  # body bytes in the file
    end: int
    quote: str
    raw: bool
    is_bytes: bool
    fstring: bool


@dataclasses.dataclass(frozen=True)
class Token:
    """One string token: its whole span and its literal parts (None: a replacement field)."""

    start: int
    end: int
    prefix: str
    quote: str
    parts: tuple[Piece | None, ...]
    fields: tuple[tuple[int, int], ...] = ()  # replacement fields of an f-string, braces included

    @property
    def fstring(self) -> bool:
        return "f" in self.prefix.lower()


def token_at(data: bytes, i: int) -> Token:
    """The string token starting at byte i (its prefix included)."""
    m = _TOKEN.match(data, i)
    if m is None:
        raise LexError(f"no string token at byte {i}")
    prefix = m.group("prefix").decode("ascii")
    low = prefix.lower()
    if set(low) - set("rbuf"):
        raise LexError(f"unknown string prefix {prefix!r} at byte {i}")
    body = m.start("body")
    quote = '"""' if data.startswith(b'"""', body) else "'''" if data.startswith(b"'''", body) else chr(data[body])
    raw, is_bytes = "r" in low, "b" in low
    if "f" not in low:
        piece = Piece(body + len(quote), m.end() - len(quote), quote, raw, is_bytes, False)
        return Token(i, m.end(), prefix, quote, (piece,))
    parts, fields, end = _fstring(data, body + len(quote), quote, raw)
    return Token(i, end, prefix, quote, tuple(parts), tuple(fields))


def _fstring(data: bytes, i: int, quote: str, raw: bool) -> tuple[list[Piece | None], list[tuple[int, int]], int]:
    """The parts of an f-string body from byte i: literal text pieces and fields, and the end."""
    q = quote.encode()
    parts: list[Piece | None] = []
    fields: list[tuple[int, int]] = []
    text = i
    n = len(data)
    while i < n:
        if data.startswith(q, i):
            if i > text:
                parts.append(Piece(text, i, quote, raw, False, True))
            return parts, fields, i + len(q)
        c = data[i]
        if c == 0x5C:  # backslash: an escape, or a named escape whose braces are no field
            if not raw and data.startswith(b"\\N{", i):
                close = data.find(b"}", i)
                i = close + 1 if close > 0 else n
            elif data[i + 1:i + 2] in (b"{", b"}"):
                i += 1  # a brace keeps its f-string meaning after a backslash: f"\{x}" has a field
            else:
                i += 2
        elif c == 0x7B:  # {
            if data.startswith(b"{{", i):
                i += 2
                continue
            if i > text:
                parts.append(Piece(text, i, quote, raw, False, True))
            end = _field(data, i)
            parts.append(None)
            fields.append((i, end))
            i = text = end
        elif c == 0x7D:  # }
            if not data.startswith(b"}}", i):
                raise LexError(f"single '}}' in an f-string at byte {i}")
            i += 2
        elif len(q) == 1 and c in (0x0A, 0x0D):
            raise LexError(f"unterminated f-string at byte {i}")
        else:
            i += 1
    raise LexError("unterminated f-string")


def _field(data: bytes, i: int) -> int:
    """The end of the replacement field whose `{` is at byte i (nested strings and fields read)."""
    depth = 0
    k = i + 1
    n = len(data)
    while k < n:
        c = data[k]
        if c in b"([{":
            depth += 1
        elif c in b")]}":
            if depth == 0:
                if c != 0x7D:
                    raise LexError(f"unbalanced f-string field at byte {k}")
                return k + 1
            depth -= 1
        elif c in b"\"'":
            k = token_at(data, _prefix_start(data, k, i + 1)).end
            continue
        elif c == 0x3A and depth == 0:  # ':' the format spec: text with nested fields, to '}'
            k += 1
            while k < n and data[k] != 0x7D:
                k = _field(data, k) if data[k] == 0x7B else k + 1
            if k >= n:
                break
            return k + 1
        k += 1
    raise LexError(f"unterminated f-string field at byte {i}")


def tokens_in(data: bytes, start: int, end: int) -> list[Token]:
    """The string tokens of one string expression (implicit concatenation: several), which
    CPython places as one node from start to end."""
    out: list[Token] = []
    i = start
    while True:
        i = _GAP.match(data, i, end).end()  # type: ignore[union-attr]  # the pattern always matches
        if i >= end:
            return out
        tok = token_at(data, i)
        if tok.end > end:
            raise LexError(f"string token at byte {i} runs past its node")
        out.append(tok)
        i = tok.end


def string_tokens(data: bytes, start: int, end: int) -> Iterator[Token]:
    """Every string token in data[start:end] (a replacement field's text, a whole file)."""
    i = start
    while True:
        m = _HIDING.search(data, i, end)
        if m is None:
            return
        a = m.start()
        if data[a] == 0x23:  # a comment
            i = m.end()
            continue
        tok = token_at(data, _prefix_start(data, a, start))
        yield tok
        i = tok.end


# ---- the layout: top-level statements found from bytes -------------------------------------
@dataclasses.dataclass(frozen=True)
class Layout:
    """data[offset:end] as top-level statements: starts[k] is the first byte of statement k (or
    of the module: starts[0] == offset), each running to the next start (its trailing comments
    and blank lines included); comments are every comment in that range."""

    starts: tuple[int, ...]
    end: int
    comments: tuple[tuple[int, int], ...]


def layout(data: bytes, offset: int, upto: int) -> Layout | None:
    """The statements of data from offset through the one holding byte upto (the file's tail
    after it is not read). None where the bytes cannot be read exactly (a lone quote, an
    unbalanced bracket): the caller parses the whole file instead.

    A statement starts at a line whose first byte is code at column 0, outside every string
    and comment, with every bracket closed before it, no backslash continuing the line
    before, not an `else`/`elif`/`except`/`finally`, and not the line after a decorator."""
    try:
        return _layout(data, offset, upto)
    except LexError:
        return None


def _layout(data: bytes, offset: int, upto: int) -> Layout | None:
    masked = bytearray()  # data[offset:seen] with strings and comments blanked
    seen = offset
    comments: list[tuple[int, int]] = []
    starts = [offset]
    depth = 0
    last = offset  # the previous candidate line
    after_decorator = False
    tok = _hiding(data, offset)
    for m in _CODE_LINE.finditer(data, offset):
        p = m.start() + 1
        while tok is not None and tok[0] <= p:
            a, b = tok
            masked += data[seen:a]
            masked += data[a:b].translate(_BLANK)
            if data[a] == 0x23:
                comments.append((a, b))
            seen = b
            tok = _hiding(data, b)
        if p < seen:
            continue  # inside a string or a comment
        code = bytes(masked[last - offset:]) + data[seen:p] if last < seen else data[last:p]
        depth += (code.count(b"(") + code.count(b"[") + code.count(b"{")
                  - code.count(b")") - code.count(b"]") - code.count(b"}"))
        if depth < 0:
            return None
        last = p
        if depth or code.rstrip(b"\r\n").endswith(b"\\"):
            continue  # inside brackets, or a continued line: not where a logical line begins
        accept = not after_decorator and not _CONTINUES.match(data, p) and p > offset
        after_decorator = data[p] == 0x40  # '@': the decorated definition belongs to it
        if accept:
            if starts[-1] > upto:
                return Layout(tuple(starts[:-1]), starts[-1], tuple(comments))
            starts.append(p)
    if len(starts) > 1 and starts[-1] > upto:
        return Layout(tuple(starts[:-1]), starts[-1], tuple(c for c in comments if c[0] < starts[-1]))
    while tok is not None:  # the last statement runs to the end of the file
        a, b = tok
        if data[a] == 0x23:
            comments.append((a, b))
        tok = _hiding(data, b)
    return Layout(tuple(starts), len(data), tuple(comments))


def _hiding(data: bytes, i: int) -> tuple[int, int] | None:
    """The next string token or comment from byte i (LexError where none can be read)."""
    m = _HIDING.search(data, i)
    if m is None:
        return None
    a, b = m.span()
    if data[a] == 0x23:
        return a, b
    s = _prefix_start(data, a, i)
    if b - a == 1 or (b"{" in data[a:b] and b"f" in data[s:a].lower()):
        # a lone quote, or an f-string that may reuse its quote in a field (3.12): the scanner
        return a, token_at(data, s).end
    return a, b


def _prefix_start(data: bytes, a: int, lo: int) -> int:
    """Where the prefix letters of the string whose quote is at a begin."""
    s = a
    while s > lo and a - s < 2 and data[s - 1] in b"rRbBuUfF":
        s -= 1
    if s > lo and data[s - 1] in _NAME_BYTE:
        return a  # `x'...'` is no prefix (not valid code either)
    return s


def blank(data: bytes, start: int, end: int) -> bytes:
    """data[start:end] with every byte but line ends made a space (same lines, same offsets)."""
    return data[start:end].translate(_BLANK)


def line_starts(data: bytes, offset: int, end: int) -> list[int]:
    """Byte offsets of the lines of data[offset:end] as CPython counts them (\\r\\n, \\r, \\n)."""
    return [offset] + [m.end() for m in _LINE_END.finditer(data, offset, end)]
