"""Character index → byte offset, for parsers that count characters (PyYAML, our Markdown scan)."""

from __future__ import annotations

import bisect
import re

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class ByteOffsets:
    """Maps an index into `text` to the byte offset in the original file.

    `text` is the file's bytes from `base` on (after a BOM), decoded as UTF-8 (possibly with
    surrogateescape, whose lone surrogates stand for one byte each).
    """

    def __init__(self, text: str, base: int = 0) -> None:
        self.base = base
        self._at: list[int] = []  # char indices of non-ASCII characters
        self._extra: list[int] = []  # extra bytes (beyond 1 per char) up to and including that char
        extra = 0
        for m in _NON_ASCII.finditer(text):
            ch = m.group(0)
            extra += len(ch.encode("utf-8", "surrogateescape")) - 1
            self._at.append(m.start())
            self._extra.append(extra)

    def __call__(self, index: int) -> int:
        """Byte offset of character `index` (an index equal to len(text) is the end)."""
        k = bisect.bisect_left(self._at, index)  # non-ASCII characters strictly before index
        return self.base + index + (self._extra[k - 1] if k else 0)
