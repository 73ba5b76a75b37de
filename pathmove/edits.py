"""Records that finders emit, and splice: the only builder of new file contents."""

from __future__ import annotations

from typing import Iterable, NamedTuple, Union


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


class Disposition(NamedTuple):
    """What an occurrence of a needle is, when it is neither rewritten nor reviewed (census.py).

    state: "current" | "not-a-reference" (with the reason: decoy, URL, another path …)."""

    path: str
    start: int
    end: int
    state: str
    reason: str


Record = Union[Edit, Review, Notice, Disposition]


class OverlapError(ValueError):
    """Two edits of one file overlap, or an edit does not match the bytes it claims."""


def shift(offset: int, edits: Iterable[Edit], *, at_insertion: bool = True) -> int:
    """Where byte offset of the original bytes sits after splicing edits, none of which straddles
    it. An insertion exactly at offset comes before it, unless at_insertion is False (then the
    insertion belongs to what starts at offset). The one span-shift helper."""
    return offset + sum(len(e.new) - (e.end - e.start) for e in edits
                        if e.end <= offset and (at_insertion or e.start < offset))


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


KEEP_MARK = b"pathmove: keep"


def keep_lines(data: bytes) -> list[tuple[int, int]]:
    """SPEC §4: the byte spans of the lines that carry `pathmove: keep` (newline excluded)."""
    spans: list[tuple[int, int]] = []
    at = data.find(KEEP_MARK)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        spans.append((start, end))
        at = data.find(KEEP_MARK, end)
    return spans


def on_kept_line(record: Edit | Review, lines: list[tuple[int, int]]) -> bool:
    """True when a record's span touches a `pathmove: keep` line: the line is never rewritten."""
    return any(record.start <= b and a <= record.end for a, b in lines) and not (
        isinstance(record, Review) and record.start == record.end == 0 and record.kind == "unsafe-edit")


def resolve_overlaps(edits: list[Edit]) -> list[Edit]:
    """One owner per span when rules claim overlapping spans of one file (README "Overlapping claims").

    The edit that covers more of the reference wins (the wider span: a chain edit that
    spells the whole path over a string edit inside one of its segments); of two equally
    wide, the first to start, then the first claimed. The others are dropped, never the file.
    Exact duplicates collapse to one.
    """
    ranked = sorted(dict.fromkeys(edits), key=lambda e: (-(e.end - e.start), e.start))
    chosen: list[Edit] = []
    for e in ranked:
        if any(e.start < c.end and c.start < e.end or e.start == e.end == c.start == c.end for c in chosen):
            continue
        chosen.append(e)
    return sorted(chosen, key=lambda e: (e.start, e.end))
