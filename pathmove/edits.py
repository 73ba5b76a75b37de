"""Records that finders emit, and splice: the only builder of new file contents."""

from __future__ import annotations

from typing import NamedTuple, Union


class Edit(NamedTuple):
    """Replace data[start:end] (== old) by new in the file at path (POSIX, before the moves)."""

    path: str
    start: int
    end: int
    old: bytes
    new: bytes
    kind: str  # which rewriter: "text", "py-string", "py-chain", "yaml-scalar", "md-link", ...


class Review(NamedTuple):
    """A place a person must decide: reported by plan and verify, never rewritten silently."""

    path: str
    start: int
    end: int
    message: str
    kind: str


class Notice(NamedTuple):
    """A warning about one file (parse fallback, skipped file); shown once, counted."""

    path: str
    message: str


Record = Union[Edit, Review, Notice]


class OverlapError(ValueError):
    """Two edits of one file overlap, or an edit does not match the bytes it claims."""


def splice(data: bytes, edits: list[Edit]) -> bytes:
    """Apply byte-span edits to data: sorted, no overlaps, each old checked against data."""
    out: list[bytes] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            raise OverlapError(f"{e.path}: overlapping edits at byte {e.start}")
        if data[e.start:e.end] != e.old:
            raise OverlapError(
                f"{e.path}: edit at byte {e.start} expects {e.old!r}, file has {data[e.start:e.end]!r}"
            )
        out.append(data[pos:e.start])
        out.append(e.new)
        pos = e.end
    out.append(data[pos:])
    return b"".join(out)


def written_spans(edits: list[Edit]) -> list[tuple[int, int]]:
    """Where each edit's new bytes sit in the result of splice(data, edits)."""
    spans, delta = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        start = e.start + delta
        spans.append((start, start + len(e.new)))
        delta += len(e.new) - (e.end - e.start)
    return spans


def dedupe(edits: list[Edit]) -> list[Edit]:
    """Drop exact duplicates and edits that lie inside an earlier, wider edit of the same file."""
    result: list[Edit] = []
    for e in sorted(set(edits), key=lambda e: (e.start, -(e.end - e.start))):
        if result and e.start < result[-1].end:
            continue
        result.append(e)
    return result
