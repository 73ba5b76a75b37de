"""apply.run: journal → moves → splice → write_atomic → verify. The one applier."""

from __future__ import annotations

import dataclasses
import os
import posixpath
import stat
from pathlib import Path
from typing import Any, Callable

from pathmove import fsio, repo
from pathmove import journal as journal_mod
from pathmove.edits import written_spans
from pathmove.errors import ConcurrentChangeError, DirtyTreeError, Interrupted, JournalError
from pathmove.journal import STAGING, Journal, encode_edits, sha
from pathmove.mapping import Mapping
from pathmove.plan import FileChange, Move, Plan, build, vouch
from pathmove.words import plural


@dataclasses.dataclass
class Outcome:
    """What apply did, for the report."""

    plan: Plan | None
    status: str  # "applied" | "resumed" | "already" | "nothing"
    verify: Plan | None = None
    moved: int = 0
    written: int = 0
    ignored: tuple[int, int] = (0, 0)  # untracked ignored files moved with their folder, still ignored


def needs_staging(moves: list[Move]) -> bool:
    """Swaps, chains and a `to` inside or around a `from` go through a staging folder."""
    live = [m for m in moves if m.status == "move"]
    olds = [m.old for m in live]
    for m in live:
        for o in olds:
            if _related(m.new, o):
                return True
    return False


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def move_steps(root: Path, moves: list[Move]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Ordered move steps, folders apply will create, and source parents to prune after."""
    live = [m for m in moves if m.status == "move"]
    # the deepest `from` leaves first, so a nested entry is not carried off by its parent
    by_depth = sorted(live, key=lambda m: (-m.old.count("/"), m.old))
    steps: list[dict[str, Any]] = []
    if needs_staging(live):
        for i, m in enumerate(by_depth):
            steps.append({"op": "move", "src": m.old, "dst": f"{STAGING}/{i}"})
        for i, m in sorted(enumerate(by_depth), key=lambda im: (im[1].new.count("/"), im[1].new)):
            steps.append({"op": "move", "src": f"{STAGING}/{i}", "dst": m.new})
    else:
        for m in by_depth:
            steps.append({"op": "move", "src": m.old, "dst": m.new})
    created: set[str] = set()
    for step in steps:
        parent = posixpath.dirname(step["dst"])
        while parent and not os.path.lexists(root / parent):
            created.add(parent)
            parent = posixpath.dirname(parent)
    prune = sorted({posixpath.dirname(m.old) for m in live if posixpath.dirname(m.old)})
    return steps, sorted(created), prune


def write_steps(changes: list[FileChange], root: Path,
                vouched: dict[str, list[tuple[int, int]]]) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """One step per file: original hash and mode, the edits, and the spans they write (SPEC §3, §5)."""
    steps: list[dict[str, Any]] = []
    blobs: dict[str, bytes] = {}
    for c in changes:
        new = c.new_data
        if c.kind == "symlink":
            steps.append({"op": "link", "path": c.new_path, "from": c.path,
                          "orig": os.fsdecode(c.data), "new": os.fsdecode(new)})
            continue
        mode = stat.S_IMODE(os.lstat(root / c.path).st_mode)
        o = sha(c.data)
        blobs[o] = c.data
        spans = written_spans(c.edits)
        extra = [v for v in vouched.get(c.new_path, []) if not journal_mod.overlaps(spans, *v)]
        steps.append({"op": "write", "path": c.new_path, "from": c.path, "orig": o, "new": sha(new),
                      "mode": mode, "orig_mode": mode, "edits": encode_edits(c.edits),
                      "spans": spans, "vouched": extra})
    return steps, blobs


def kept_files(plan: Plan, vouched: dict[str, list[tuple[int, int]]]) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Moved files apply does not edit but whose current references verify must leave alone."""
    kept, blobs = [], {}
    for src, _ in plan.kept:
        spans = vouched.get(src.new_path)
        if spans:
            kept.append({"path": src.new_path, "sha": sha(src.data), "spans": spans})
            blobs[sha(src.data)] = src.data
    return kept, blobs


def read_only(root: Path, changes: list[FileChange]) -> list[str]:
    """Files apply would rewrite that their owner made read-only (checked before any change)."""
    out = []
    for c in changes:
        if c.kind != "symlink" and not os.stat(root / c.path).st_mode & stat.S_IWUSR:
            out.append(c.path)
    return out


def run(
    root: Path,
    mapping: Mapping,
    *,
    archived_bulk: bool = False,
    allow_dirty: bool = False,
    use_git: bool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Outcome:
    """Migrate: resume an interrupted apply, or plan, journal, move, write; then verify."""
    if use_git is None:
        use_git = repo.is_git(root)
    journal = Journal(root, use_git)
    if journal.load():
        if journal.undoing():
            raise JournalError("an interrupted `pathmove undo` is pending", hint="run `pathmove undo` to finish it")
        if not journal.finished():
            if journal.digest != mapping.digest:
                raise JournalError(
                    "an interrupted apply of a different mapping is pending",
                    hint="run `pathmove undo` first, or apply with the mapping it was started with",
                )
            # SPEC §5: the changes in the tree are the journal's own, so no dirty-tree check
            journal.run(_stage(progress, "resuming"))
            return Outcome(None, "resumed", verify=_verify(root, mapping, use_git, progress))
        if journal.digest == mapping.digest and _still_applied(root, journal):
            return Outcome(None, "already", verify=_verify(root, mapping, use_git, progress))
    try:
        plan = build(root, mapping, mode="plan", archived_bulk=archived_bulk, use_git=use_git,
                     progress=_stage(progress, "scanning"), for_apply=True)
    except KeyboardInterrupt:
        raise Interrupted("interrupted while planning; nothing was changed") from None
    if use_git and not allow_dirty:
        dirty = [p for p in repo.dirty_paths(root) if not _moved_by_hand(p, plan.moves)]
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise DirtyTreeError(f"the working tree has uncommitted changes: {shown}")
    locked = read_only(root, plan.changes)
    if locked:
        shown = ", ".join(locked[:5]) + (f" and {len(locked) - 5} more" if len(locked) > 5 else "")
        raise JournalError(f"{plural(len(locked), 'file')} to rewrite {'is' if len(locked) == 1 else 'are'} read-only: {shown}; nothing was changed",
                           hint="make them writable (chmod u+w) or list them under `exclude`")
    execute(root, plan, journal, progress)
    outcome = Outcome(plan, "applied" if (plan.changes or _moving(plan.moves)) else "nothing",
                      moved=len(_moving(plan.moves)), written=len(plan.changes))
    if use_git and plan.ignored_moved:  # SPEC §4.8: they moved with their folder and stay ignored
        from pathmove import patterns

        outcome.ignored = (len(plan.ignored_moved), patterns.still_ignored(root, plan.ignored_moved))
    outcome.verify = _verify(root, mapping, use_git, progress)
    return outcome


def execute(root: Path, plan: Plan, journal: Journal, progress: Callable[[str, int, int], None] | None = None) -> None:
    """Record the plan in the journal, then carry it out step by step."""
    if not plan.changes and not _moving(plan.moves):
        return
    msteps, created, prune = move_steps(root, plan.moves)
    vouched = vouch(plan)
    wsteps, blobs = write_steps(plan.changes, root, vouched)
    kept, kept_blobs = kept_files(plan, vouched)
    moves = [[m.old, m.new] for m in _moving(plan.moves)]
    journal.begin(plan.mapping.digest, msteps + wsteps, {**kept_blobs, **blobs},
                  {"created": created, "prune": prune, "moves": moves, "kept": kept})
    journal.run(_stage(progress, "writing"))


def write_in_place(root: Path, changes: list[FileChange], mapping: Mapping | None = None) -> int:
    """check --fix: write edited files in place through the same atomic writer (no moves).

    After a finished apply of the mapping its journal learns what was written, so that the
    fixed references are not taken for stale ones next time (SPEC §3, §6).
    """
    vouched, pending = journal_mod.verify_view(root, mapping.digest if mapping is not None else "")
    if pending:  # the journal expects these files as it left them
        raise JournalError("an interrupted apply (or undo) is pending; nothing was fixed",
                           hint="run `pathmove apply` to finish it, or `pathmove undo` to go back")
    n = 0
    for c in changes:
        path = root / c.path
        if c.kind == "symlink":
            fsio.write_link_atomic(path, os.fsdecode(c.new_data))
        else:
            current, st = fsio.read_with_stat(path)
            if current != c.data:
                raise ConcurrentChangeError(f"{c.path} changed while pathmove was reading it; not written")
            try:
                fsio.write_atomic(path, c.new_data, expect=st)
            except fsio.ChangedOnDisk:
                raise ConcurrentChangeError(f"{c.path} changed while pathmove was writing it; not written") from None
        if vouched is not None:
            kept = journal_mod.shift_spans(vouched.spans(c.path, c.data), c.edits)
            spans = sorted(set(kept) | set(written_spans(c.edits)))
            vouched.journal.record_fix(c.path, c.new_data, spans)
        n += 1
    return n


def _moved_by_hand(path: str, moves: list[Move]) -> bool:
    """A change that is an already-moved entry's own move (SPEC §2), not someone's unsaved work.

    `pathmove infer` writes mappings for moves not yet committed; refusing them as dirty
    would make its output unusable without --allow-dirty.
    """
    return any(m.status == "already" and any(path == p or path.startswith(p + "/") for p in (m.old, m.new))
               for m in moves)


def _moving(moves: list[Move]) -> list[Move]:
    return [m for m in moves if m.status == "move"]


def _still_applied(root: Path, journal: Journal) -> bool:
    """The finished apply's result is still in place: every destination there, no source back."""
    moves = journal.header.get("moves", [])
    news = [new for _, new in moves]
    for old, new in moves:
        if not os.path.lexists(root / new):
            return False
        if os.path.lexists(root / old) and not any(_related(old, n) for n in news):
            return False
    return True


def _verify(root: Path, mapping: Mapping, use_git: bool, progress: Any) -> Plan:
    return build(root, mapping, mode="verify", use_git=use_git, progress=_stage(progress, "verifying"))


def _stage(progress: Callable[[str, int, int], None] | None, label: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(label, done, total)
