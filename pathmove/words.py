"""Counting words for messages: "1 file", "2 files" (used by the report and by error messages)."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """n and word, in the plural unless n is 1 (many: an irregular plural)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
