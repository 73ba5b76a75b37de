"""verify after apply: the spans a finished apply (or `check --fix`) wrote or vouched for (SPEC §3).

After a swap or a chain an old path is a real place again, so an occurrence of it is stale
only if apply did not write (or keep) it. verify drops each candidate edit that overlaps
such a span, mapped into the file's current contents.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import os
from pathlib import Path
from typing import Callable

from pathmove.edits import Edit, shift
from pathmove.errors import JournalError
from pathmove.journal import LinkStep, Record, Span, Store, WriteStep, sha


class Vouched:
    """Per file, the bytes apply (or check --fix) left and the spans in them it answers for."""

    def __init__(self, store: Store, record: Record) -> None:
        self.store = store
        self.record = record
        self._files: dict[str, tuple[str, Callable[[], bytes], tuple[Span, ...]]] = {}
        for step in record.steps:
            if isinstance(step, WriteStep):
                self._files[step.path] = (step.new, _lazy(functools.partial(store.new_content, record, step)),
                                          step.spans + step.vouched)
            elif isinstance(step, LinkStep):
                new = os.fsencode(step.new)
                self._files[step.path] = (sha(new), _lazy(functools.partial(bytes, new)), ((0, len(new)),))
        for kept in record.kept:
            self._files[kept.path] = (kept.sha, _lazy(functools.partial(store.blob, record, kept.sha)), kept.spans)
        for fix in store.fixes():
            self._files[fix.path] = (fix.sha, _lazy(functools.partial(store.read_blob, fix.offset, fix.size, fix.sha)),
                                     fix.spans)

    def spans(self, rel: str, data: bytes) -> list[Span]:
        """The vouched spans of rel, as they sit in data (its current contents)."""
        entry = self._files.get(rel)
        if entry is None:
            return []
        digest, content, spans = entry
        if sha(data) == digest:
            return sorted(spans)
        try:
            return map_spans(content(), data, list(spans))
        except JournalError:
            return []

    def filter(self, rel: str, data: bytes, edits: list[Edit]) -> list[Edit]:
        """The candidate edits of rel that touch no vouched span: the stale references."""
        spans = self.spans(rel, data)
        if not spans:
            return edits
        return [e for e in edits if not overlaps(spans, e.start, e.end)]

    def record_fix(self, rel: str, data: bytes, spans: list[Span]) -> None:
        """check --fix wrote data to rel after the apply: its spans are vouched for from now on."""
        self.store.record_fix(rel, data, spans)


def verify_view(root: Path, digest: str) -> tuple[Vouched | None, bool]:
    """The finished journal of this mapping (or None), and whether an apply or undo is pending."""
    store = Store(root)
    try:
        record = store.load()
        if record is None:
            return None, False
        log = store.log()
        if log.undoing or not log.finished:
            return None, True
    except JournalError:
        return None, False
    return (Vouched(store, record) if record.digest == digest else None), False


def _lazy(fn: Callable[[], bytes]) -> Callable[[], bytes]:
    cache: list[bytes] = []

    def get() -> bytes:
        if not cache:
            cache.append(fn())
        return cache[0]

    return get


def overlaps(spans: list[Span], start: int, end: int) -> bool:
    """True if [start, end) meets one of spans (an insertion meets a span it touches)."""
    return any((start < b and a < end) or (start == end and a <= start <= b) for a, b in spans)


def shift_spans(spans: list[Span], edits: list[Edit]) -> list[Span]:
    """Spans that no edit touches, carried through splicing the edits."""
    out = []
    for a, b in sorted(spans):
        new_a = shift(a, edits)
        out.append((new_a, new_a + (b - a)))
    return out


INNER_LIMIT = 1 << 16  # bytes of a changed region aligned byte by byte


def map_spans(old: bytes, new: bytes, spans: list[Span]) -> list[Span]:
    """Carry spans of old into new: lines aligned with difflib, changed lines byte by byte."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    ao, bo = _offsets(a), _offsets(b)
    ordered = sorted(spans)
    out: list[Span] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a0, a1, b0, b1 = ao[i1], ao[i2], bo[j1], bo[j2]
        if tag == "equal":
            out.extend(_carry(ordered, a0, a1, b0))
        elif tag == "replace" and (a1 - a0) + (b1 - b0) <= INNER_LIMIT:
            inner = difflib.SequenceMatcher(None, old[a0:a1], new[b0:b1], autojunk=False)
            for blk in inner.get_matching_blocks():
                if blk.size:
                    out.extend(_carry(ordered, a0 + blk.a, a0 + blk.a + blk.size, b0 + blk.b))
    return sorted(out)


def _offsets(lines: list[bytes]) -> list[int]:
    offs = [0]
    for line in lines:
        offs.append(offs[-1] + len(line))
    return offs


def _carry(spans: list[Span], a0: int, a1: int, b0: int) -> list[Span]:
    """Spans lying wholly in old[a0:a1], moved to start at b0."""
    i = bisect.bisect_left(spans, (a0, a0))
    out = []
    while i < len(spans) and spans[i][0] <= a1:
        s, e = spans[i]
        if a0 <= s and e <= a1 and not (s == e == a1 and a1 != a0):
            out.append((s - a0 + b0, e - a0 + b0))
        i += 1
    return out
