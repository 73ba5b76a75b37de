"""The SPEC §4 boundary matcher: the only path regex in pathmove, and the only boundary test."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Iterator, NamedTuple

# SPEC §4: name characters are letters, digits, "_", "-" and ".". NAME_CLASS is the byte-wise
# reading (every byte >= 0x80 a name character), which is also the rule for a file that is
# not UTF-8; callers that only need a cheap superset of name bytes use it.
NAME_CLASS = rb"A-Za-z0-9_.\-\x80-\xff"
# the bytes of an ASCII Python identifier (module names, dotted-name boundaries)
IDENT_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_ASCII_NAME = rb"A-Za-z0-9_.\-"
_ASCII_NAME_NO_DOT = rb"A-Za-z0-9_\-"

# The regex decides every ASCII neighbour; a neighbour byte >= 0x80 passes the regex and is
# judged afterwards on the decoded character (_boundary_before/_after), so text without
# non-ASCII neighbours never pays for a decode.
# Start: at the start, after a non-name character, or after "/" or "\" (both non-name).
_START_AFTER_FIRST = rb"(?<![" + _ASCII_NAME + rb"][\x00-\xff])"
# End: at the end, before a non-name character, before "/" or "\", or before a run of
# dots that is itself followed by a non-name character or the end (SPEC §4: "x." ends a name).
_END = rb"(?=\.*(?:\Z|[^" + _ASCII_NAME_NO_DOT + rb".]))"
_END_RE = re.compile(_END)
# What may follow a reference as more path components: "/name", "\name" ...
_TAIL = re.compile(rb"(?:[/\\][" + NAME_CLASS + rb"]+)*")

# SPEC §4: scripts written without spaces between words. Han (with its iteration and number
# marks), Hiragana, Katakana (with the prolonged sound mark, half-width forms).
_SPACELESS = (
    (0x3005, 0x3007), (0x3021, 0x3029), (0x3038, 0x303B), (0x3041, 0x309F), (0x30A1, 0x30FA),
    (0x30FC, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    (0xFF66, 0xFF9D), (0x1B000, 0x1B16F), (0x20000, 0x3134F),
)


class Match(NamedTuple):
    start: int
    end: int
    old: str  # the `from` that matched (longest wins)
    tail: str  # the path components that follow it in the text ("/a.csv"), for liveness checks


def is_name_byte(b: int) -> bool:
    """True for a byte that may be part of a name (byte-wise: every byte >= 0x80 may be)."""
    return (
        0x30 <= b <= 0x39
        or 0x41 <= b <= 0x5A
        or 0x61 <= b <= 0x7A
        or b in (0x5F, 0x2D, 0x2E)
        or b >= 0x80
    )


def is_spaceless(ch: str) -> bool:
    """True for a character of a script written without spaces (Han, Hiragana, Katakana)."""
    c = ord(ch)
    return any(lo <= c <= hi for lo, hi in _SPACELESS)


def is_name_char(ch: str, edge: str = "a") -> bool:
    """SPEC §4 on a decoded character next to a path whose character at that side is edge."""
    if ch in "_-.":
        return True
    if unicodedata.category(ch)[0] not in "LMN":
        return False
    # a spaceless script next to a path in another script is a boundary
    return not (is_spaceless(ch) and not is_spaceless(edge))


def char_before(data: bytes, i: int) -> str | None:
    """The UTF-8 character that ends at byte i, or None if the bytes there are not UTF-8."""
    for k in range(1, 5):
        if i - k < 0:
            return None
        if data[i - k] & 0xC0 != 0x80:  # a lead byte (or ASCII)
            try:
                s = data[i - k:i].decode("utf-8")
            except UnicodeDecodeError:
                return None
            return s if len(s) == 1 else None
    return None


def char_at(data: bytes, j: int) -> str | None:
    """The UTF-8 character that starts at byte j, or None if the bytes there are not UTF-8."""
    b = data[j]
    n = 1 if b < 0x80 else 2 if b >> 5 == 0b110 else 3 if b >> 4 == 0b1110 else 4 if b >> 3 == 0b11110 else 0
    if not n:
        return None
    try:
        s = data[j:j + n].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return s if len(s) == 1 else None


def boundary_before(data: bytes, i: int, edge: str, utf8: bool | None = None) -> bool:
    """True if a path whose first character is edge may start at byte i (SPEC §4).

    utf8=False judges byte-wise (a file that is not UTF-8); None decodes the neighbour and
    falls back to byte-wise where its bytes are not UTF-8.
    """
    if i <= 0:
        return True
    b = data[i - 1]
    if b < 0x80:
        return not is_name_byte(b)
    if utf8 is False:
        return False
    ch = char_before(data, i)
    return ch is not None and not is_name_char(ch, edge)


# An escape sequence that a parser decodes into a separator (\n, \x2f, \057, \u002f,
# \N{SOLIDUS}): a path may start right after one. The one test, for the scan's prefilter and
# the Python pre-pass.
_ESCAPE_END = re.compile(rb"\\(?:[A-Za-z]|x[0-9A-Fa-f]{2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}]*\})\Z")


def escape_ends_at(data: bytes, i: int) -> bool:
    """True if an escape sequence (as Python, C or JSON write them) ends at byte i."""
    return _ESCAPE_END.search(data, max(0, i - 12), i) is not None


def boundary_after(data: bytes, j: int, edge: str, utf8: bool | None = None) -> bool:
    """True if a path whose last character is edge may end at byte j (SPEC §4, "x." rule)."""
    k = j
    while k < len(data) and data[k] == 0x2E:
        k += 1
    if k >= len(data):
        return True
    b = data[k]
    if b < 0x80:
        return not is_name_byte(b)
    if utf8 is False:
        return False
    ch = char_at(data, k)
    return ch is not None and not is_name_char(ch, edge)


def compile_pattern(olds: Iterable[str]) -> re.Pattern[bytes] | None:
    """One regex for every old path, longest first so the longest `from` wins."""
    alts = sorted({o.encode() for o in olds}, key=lambda b: (-len(b), b))
    if not alts:
        return None
    # The start test sits after each path's first byte, as a two-byte lookbehind ("that
    # byte, not after a name character"): a pattern that begins with a literal lets the
    # regex engine skip ahead to candidate bytes, about 10× faster than testing _START at
    # every position. At the start of the text the two bytes do not exist, so it holds.
    body = b"|".join(re.escape(a[:1]) + _START_AFTER_FIRST + re.escape(a[1:]) for a in alts)
    return re.compile(b"(?:" + body + b")" + _END)


def _accepts(data: bytes, start: int, end: int, utf8: bool | None) -> bool:
    """The non-ASCII half of the boundary test for a candidate the regex found."""
    if start > 0 and data[start - 1] >= 0x80:
        first = char_at(data, start) or "a"
        if not boundary_before(data, start, first, utf8):
            return False
    k = end
    while k < len(data) and data[k] == 0x2E:
        k += 1
    if k < len(data) and data[k] >= 0x80:
        last = char_before(data, end) or "a"
        if not boundary_after(data, end, last, utf8):
            return False
    return True


def _shorter(data: bytes, pattern: re.Pattern[bytes], start: int, end: int,
             utf8: bool | None) -> int | None:
    """After the longest `from` at start failed the test: the end of the longest that passes."""
    for k in range(end - 1, start, -1):
        if pattern.fullmatch(data[start:k]) and _END_RE.match(data, k) and _accepts(data, start, k, utf8):
            return k
    return None


def find_all(data: bytes, pattern: re.Pattern[bytes] | None, utf8: bool | None = None) -> Iterator[Match]:
    """Every boundary-delimited occurrence of an old path in data, left to right.

    utf8: False for a file that is not UTF-8 (judged byte-wise, SPEC §4); None judges each
    non-ASCII neighbour by its own bytes.
    """
    if pattern is None:
        return
    pos = 0
    while True:
        m = pattern.search(data, pos)
        if m is None:
            return
        start, end = m.start(), m.end()
        if not _accepts(data, start, end, utf8):
            shorter = _shorter(data, pattern, start, end, utf8)
            if shorter is None:
                pos = start + 1
                continue
            end = shorter
        t = _TAIL.match(data, end)
        tail = _trim_tail(t.group(0) if t else b"", utf8)
        # strip trailing punctuation dots from the tail: "a.csv." ends with punctuation
        tail = tail.rstrip(b".")
        yield Match(
            start,
            end,
            data[start:end].decode("utf-8", "surrogateescape"),
            tail.replace(b"\\", b"/").decode("utf-8", "surrogateescape"),
        )
        pos = end


def _trim_tail(tail: bytes, utf8: bool | None) -> bytes:
    """The tail up to its first character that is not a name character (SPEC §4)."""
    if tail.isascii() or utf8 is False:
        return tail
    prev = "a"
    i = 0
    while i < len(tail):
        b = tail[i]
        if b < 0x80:
            prev = chr(b)
            i += 1
            continue
        ch = char_at(tail, i)
        if ch is None:  # not UTF-8 here: byte-wise
            i += 1
            continue
        if not (is_name_char(ch, prev) or prev in "/\\" and is_name_char(ch, ch)):
            return tail[:i]
        prev = ch
        i += len(ch.encode())
    return tail
