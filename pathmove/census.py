"""The census (SPEC §3 "What 'no stale references' means"): every occurrence, one disposition.

For every scanned file whose finder takes part, every boundary occurrence of a needle (the
last component of each `from`, each moved module's dotted name) must be claimed by exactly
one record: a `pathmove: keep` line (kept), an edit (rewritten; in verify: stale; in an
archived file: archived), an edit dropped because it names the new place (current), a
review, or a finder's `Disposition` (current, not a reference with its reason). The
strongest claim wins, in that order. An occurrence nothing claims is not passed over: it
becomes a review finding ("unaccounted").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Iterator, NamedTuple

from pathmove import finders, match
from pathmove.edits import Disposition, Edit, Record, Review
from pathmove.mapping import Mapping

STATES = ("rewritten", "current", "not-a-reference", "kept", "archived", "stale", "review", "unaccounted")


class Needle(NamedTuple):
    text: bytes
    dotted: bool  # a module name: "." inside it is a separator, not the end of a name


def needles(mapping: Mapping) -> tuple[Needle, ...]:
    """The last component of each `from`, and each moved module's dotted name."""
    found = {Needle(e.old.rsplit("/", 1)[-1].encode(), False) for e in mapping.entries}
    pk = getattr(mapping, "packages", None)
    if pk is not None:
        found.update(Needle(m.old.encode(), True) for m in pk.moves)
    return tuple(sorted(found))


_IDENT_BYTE = match.IDENT_BYTES


def occurrences(data: bytes, wanted: Iterable[Needle], start: int = 0, end: int | None = None,
                utf8: bool | None = None) -> Iterator[tuple[int, int, bytes]]:
    """Every boundary occurrence of a needle in data[start:end] (SPEC §4; a dotted name at
    identifier boundaries, where a following ".attr" still names it)."""
    end = len(data) if end is None else end
    for n in wanted:
        text = n.text
        first = match.char_at(text, 0) or "a"
        last = match.char_before(text, len(text)) or "a"
        i = data.find(text, start, end)
        while i >= 0:
            j = i + len(text)
            if n.dotted:
                ok = (i == 0 or (data[i - 1] not in _IDENT_BYTE and data[i - 1] != 0x2E)) and (
                    j >= len(data) or data[j] not in _IDENT_BYTE)
            else:
                ok = match.boundary_before(data, i, first, utf8) and match.boundary_after(data, j, last, utf8)
            if ok:
                yield i, j, text
            i = data.find(text, i + 1, end)


def takes_part(kind: str) -> bool:
    """True for a finder that declares `CENSUS = True` (the Python finder joins later)."""
    import importlib

    module = importlib.import_module(f"pathmove.finders.{finders.REGISTRY.get(kind, 'text')}")
    return bool(getattr(module, "CENSUS", False))


def dispose(path: str, data: bytes, start: int, end: int, mapping: Mapping, *, dotted_prose: bool = True,
            utf8: bool | None = None, reason: str | None = None) -> Iterator[Disposition]:
    """The dispositions a finder gives the occurrences in data[start:end] that it reads as text
    and does not rewrite: a match of a `from` that needs no rewrite is current; a needle that
    is not part of an old path (another parent, a word) is not a reference. A match that
    needs rewriting gets none: an Edit or a Review must claim it, or the census reports it."""
    chunk = data[start:end]
    pending: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    for m in match.find_all(chunk, mapping.pattern, utf8):
        new = mapping.rewrite(m.old, m.tail)
        (pending if new is not None and new != m.old else current).append((start + m.start, start + m.end))
    for s, e, text in occurrences(data, needles(mapping), start, end, utf8):
        if any(a <= s and e <= b for a, b in pending):
            continue
        if any(a <= s and e <= b for a, b in current):
            yield Disposition(path, s, e, "current", "names a place that exists")
        elif text.count(b".") and b"/" not in text and any(n.dotted and n.text == text for n in needles(mapping)):
            if dotted_prose:
                yield Disposition(path, s, e, "not-a-reference", reason or "a module name in prose")
        else:
            yield Disposition(path, s, e, "not-a-reference", reason or _why(data, s))


def _why(data: bytes, s: int) -> str:
    if re.search(rb"[A-Za-z][A-Za-z0-9+.-]*://\S*\Z", data[max(0, s - 200):s]):
        return "URL"
    if s > 0 and data[s - 1] in b"/\\":
        return "another path (a different parent)"
    return "decoy (a word, not the old path)"


class Tally(NamedTuple):
    counts: Counter[str]
    reasons: Counter[str]
    unaccounted: list[Review]


def account(path: str, data: bytes, records: list[Record], *, mapping: Mapping, mode: str, archived: bool,
            kept_lines: list[tuple[int, int]], current_edits: list[Edit], utf8: bool | None = None) -> Tally:
    """One disposition per occurrence (the strongest claim), and the occurrences nobody claimed."""
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    unaccounted: list[Review] = []
    edits = [r for r in records if isinstance(r, Edit)]
    current = {(e.start, e.end) for e in current_edits}
    reviews = [r for r in records if isinstance(r, Review)]
    disps = [r for r in records if isinstance(r, Disposition)]

    def covers(a: int, b: int, s: int, e: int) -> bool:
        return a <= s and e <= b or (a < e and s < b)

    for s, e, text in occurrences(data, needles(mapping), 0, None, utf8):
        if any(covers(a, b, s, e) for a, b in kept_lines):
            counts["kept"] += 1
            continue
        edit = next((x for x in edits if covers(x.start, x.end, s, e)), None)
        if edit is not None:
            if (edit.start, edit.end) in current:
                counts["current"] += 1
            elif archived:
                counts["archived"] += 1
            else:
                counts["stale" if mode == "verify" else "rewritten"] += 1
            continue
        if any(covers(r.start, r.end, s, e) for r in reviews):
            counts["review"] += 1
            continue
        d = next((x for x in disps if covers(x.start, x.end, s, e)), None)
        if d is not None:
            counts[d.state] += 1
            if d.state == "not-a-reference":
                reasons[d.reason] += 1
            continue
        counts["unaccounted"] += 1
        unaccounted.append(Review(path, s, e, f"{text.decode('utf-8', 'replace')!r} here is not accounted for "
                                  "by any rewriter: check it by hand (or mark the line `pathmove: keep`)",
                                  "unaccounted"))
    return Tally(counts, reasons, unaccounted)
