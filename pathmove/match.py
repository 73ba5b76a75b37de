"""The SPEC §4 boundary matcher: the only path regex in pathmove."""

from __future__ import annotations

import re
from typing import Iterable, Iterator, NamedTuple

# SPEC §4: name characters are letters, digits, "_", "-" and ".". Bytes >= 0x80 are the
# parts of non-ASCII letters in UTF-8 (and letters in latin-1), so they count as names too.
NAME_CLASS = rb"A-Za-z0-9_.\-\x80-\xff"
_NAME_NO_DOT = rb"A-Za-z0-9_\-\x80-\xff"

# Start: at the start, after a non-name character, or after "/" or "\" (both non-name).
_START = rb"(?<![" + NAME_CLASS + rb"])"
_START_AFTER_FIRST = rb"(?<![" + NAME_CLASS + rb"][\x00-\xff])"
# End: at the end, before a non-name character, before "/" or "\", or before a run of
# dots that is itself followed by a non-name character or the end (SPEC §4: "x." ends a name).
_END = rb"(?=\.*(?:\Z|[^" + _NAME_NO_DOT + rb".]))"
# What may follow a reference as more path components: "/name", "\name" ...
_TAIL = re.compile(rb"(?:[/\\][" + NAME_CLASS + rb"]+)*")


class Match(NamedTuple):
    start: int
    end: int
    old: str  # the `from` that matched (longest wins)
    tail: str  # the path components that follow it in the text ("/a.csv"), for liveness checks


def is_name_byte(b: int) -> bool:
    """True for a byte that is a name character in SPEC §4 (ignoring the trailing-dot rule)."""
    return (
        0x30 <= b <= 0x39
        or 0x41 <= b <= 0x5A
        or 0x61 <= b <= 0x7A
        or b in (0x5F, 0x2D, 0x2E)
        or b >= 0x80
    )


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


def find_all(data: bytes, pattern: re.Pattern[bytes] | None) -> Iterator[Match]:
    """Every boundary-delimited occurrence of an old path in data, left to right."""
    if pattern is None:
        return
    for m in pattern.finditer(data):
        t = _TAIL.match(data, m.end())
        tail = t.group(0) if t else b""
        # strip trailing punctuation dots from the tail: "a.csv." ends with punctuation
        tail = tail.rstrip(b".")
        yield Match(
            m.start(),
            m.end(),
            m.group(0).decode("utf-8", "surrogateescape"),
            tail.replace(b"\\", b"/").decode("utf-8", "surrogateescape"),
        )
