"""Review findings that outlive an apply (SPEC §3): recorded in the journal, recalled by verify.

A review place is found by a finder reading the tree as it is *before* the moves: after
them some places can no longer be recognised (a module moved out of its package is no
longer importable, so its imports are not seen as imports of a moved module; a moved
file's relative paths are judged from where it is now). So apply records each review
with the line that holds it, as apply leaves the file; `verify` and `check` report it
again for as long as that line is unchanged, wherever it now sits in the file. Once the
line is edited ("until the code changes") the finders' own verdict is all that counts.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from pathmove.edits import Review, shift

if TYPE_CHECKING:
    from pathmove.plan import Plan


def _line_span(data: bytes, offset: int) -> tuple[int, int]:
    """Start and end (newline excluded) of the line holding offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    return start, (len(data) if end < 0 else end)


def _digest(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\r")).hexdigest()


def record(plan: "Plan") -> list[dict[str, Any]]:
    """Every review of a plan, as apply will leave its file: path, line, place in the line."""
    changes = {c.path: c for c in plan.changes}
    out: list[dict[str, Any]] = []
    for r in plan.reviews:
        data = plan.review_data.get(r.path)
        if data is None:
            continue
        change = changes.get(r.path)
        new_path = change.new_path if change is not None else (plan.mapping.translate(r.path) or r.path)
        edits = change.edits if change is not None else []
        new_data = change.new_data if change is not None else data
        start, end = shift(r.start, edits), shift(r.end, edits)
        ls, le = _line_span(new_data, start)
        out.append({"path": new_path, "line": new_data.count(b"\n", 0, ls), "column": start - ls,
                    "length": max(0, end - start), "sha": _digest(new_data[ls:le]),
                    "message": r.message, "kind": r.kind})
    return out


def recall(root: Path, recorded: Iterable[dict[str, Any]], only: list[str] | None,
           found: list[Review]) -> list[tuple[Review, bytes]]:
    """The recorded reviews whose line is still in its file unchanged, not already in found."""
    wanted = set(only) if only is not None else None
    seen = {(r.path, r.start) for r in found}
    cache: dict[str, bytes | None] = {}
    out: list[tuple[Review, bytes]] = []
    for item in recorded:
        rel = item["path"]
        if wanted is not None and rel not in wanted:
            continue
        if rel not in cache:
            try:
                with open(os.path.join(root, rel), "rb") as fh:
                    cache[rel] = fh.read()
            except OSError:
                cache[rel] = None
        data = cache[rel]
        if data is None:
            continue
        at = _find_line(data, item["sha"], item["line"])
        if at is None:
            continue  # the line changed: the code changed, the finders decide now
        start = at + item["column"]
        review = Review(rel, start, start + item["length"], item["message"], item["kind"])
        if (rel, start) not in seen:
            seen.add((rel, start))
            out.append((review, data))
    return out


def _find_line(data: bytes, digest: str, near: int) -> int | None:
    """Offset of the line with this digest nearest to line number near, or None."""
    best: tuple[int, int] | None = None
    pos = 0
    for n, line in enumerate(data.split(b"\n")):
        if _digest(line) == digest and (best is None or abs(n - near) < abs(best[0] - near)):
            best = (n, pos)
        pos += len(line) + 1
    return best[1] if best is not None else None
