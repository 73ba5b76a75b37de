"""apply.run: journal → moves → splice → write_atomic → verify. The one applier."""

from __future__ import annotations

import contextlib

import dataclasses
import os
import stat
from pathlib import Path
from typing import Callable

from pathmove import fsio, limits, repo, steps, vouched
from pathmove.edits import written_spans
from pathmove.errors import ConcurrentChangeError, DirtyTreeError, JournalError
from pathmove.journal import Record, Store
from pathmove.mapping import Mapping
from pathmove.plan import FileChange, Move, Plan, build
from pathmove.words import plural

Progress = Callable[[str, int, int], None]


@dataclasses.dataclass
class Outcome:
    """What apply did, for the report."""

    plan: Plan | None
    status: str  # "applied" | "resumed" | "already" | "nothing"
    verify: Plan | None = None
    moved: int = 0
    written: int = 0
    ignored: tuple[int, int] = (0, 0)  # untracked ignored files moved with their folder, still ignored


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
    progress: Progress | None = None,
    rewrite_own_urls: bool = False,
) -> Outcome:
    """Migrate: resume an interrupted apply, or plan, journal, move, write; then verify."""
    if use_git is None:
        use_git = repo.is_git(root)
    store = Store(root)
    with steps.ctrl_c(store, "apply") as guard:
        record = store.load()
        if record is not None:
            log = store.log()
            if log.undoing:
                raise JournalError("an interrupted `pathmove undo` is pending", hint="run `pathmove undo` to finish it")
            if not log.finished:
                if record.digest != mapping.digest:
                    raise JournalError(
                        "an interrupted apply of a different mapping is pending",
                        hint="run `pathmove undo` first, or apply with the mapping it was started with",
                    )
                # SPEC §5: the changes in the tree are the journal's own, so no dirty-tree check
                guard.began = True
                steps.run(store, record, guard, _stage(progress, "resuming"))
                return Outcome(None, "resumed", verify=_verify(root, mapping, record.use_git, progress))
            if record.digest == mapping.digest and _still_applied(root, record):
                return Outcome(None, "already", verify=_verify(root, mapping, use_git, progress))
        with contextlib.ExitStack() as stack:
            # git status runs while the scan does
            status = stack.enter_context(repo.DirtyPaths(root)) if use_git and not allow_dirty else None
            plan = build(root, mapping, mode="plan", archived_bulk=archived_bulk, use_git=use_git,
                         progress=_stage(progress, "scanning"), for_apply=True,
                         rewrite_own_urls=rewrite_own_urls)
            dirty = [p for p in status.paths() if not _moved_by_hand(p, plan.moves)] if status is not None else []
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise DirtyTreeError(f"the working tree has uncommitted changes: {shown}")
        locked = read_only(root, plan.changes) or limits.unwritable(root, [c.path for c in plan.changes])
        if locked:
            shown = ", ".join(locked[:5]) + (f" and {len(locked) - 5} more" if len(locked) > 5 else "")
            raise JournalError(f"{plural(len(locked), 'file')} to rewrite {'is' if len(locked) == 1 else 'are'} "
                               f"read-only: {shown}; nothing was changed",
                               hint="make them (and their folders) writable (chmod u+w) or list them under `exclude`")
        if plan.changes or _moving(plan.moves):
            record, blobs = steps.record_of(root, plan, use_git)
            guard.began = True  # from here a Ctrl-C leaves a journal to finish or undo
            record = store.begin(record, blobs)
            steps.run(store, record, guard, _stage(progress, "writing"))
        outcome = Outcome(plan, "applied" if (plan.changes or _moving(plan.moves)) else "nothing",
                          moved=len(_moving(plan.moves)), written=len(plan.changes))
        if use_git and plan.ignored_moved:  # SPEC §4.8: they moved with their folder and stay ignored
            from pathmove import patterns

            outcome.ignored = (len(plan.ignored_moved), patterns.still_ignored(root, plan.ignored_moved))
        outcome.verify = _verify(root, mapping, use_git, progress)
    return outcome


def write_in_place(root: Path, changes: list[FileChange], mapping: Mapping | None = None) -> int:
    """check --fix: write edited files in place through the same atomic writer (no moves).

    After a finished apply of the mapping its journal learns what was written, so that the
    fixed references are not taken for stale ones next time (SPEC §3, §6).
    """
    view, pending = vouched.verify_view(root, mapping.digest if mapping is not None else "")
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
        if view is not None:
            kept = vouched.shift_spans(view.spans(c.path, c.data), c.edits)
            spans = sorted(set(kept) | set(written_spans(c.edits)))
            view.record_fix(c.path, c.new_data, spans)
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


def _still_applied(root: Path, record: Record) -> bool:
    """The finished apply's result is still in place: every destination there, no source back."""
    moves = record.moves
    news = [new for _, new in moves]
    for old, new in moves:
        if not os.path.lexists(root / new):
            return False
        if os.path.lexists(root / old) and not any(limits.related(old, n) for n in news):
            return False
    return True


def _verify(root: Path, mapping: Mapping, use_git: bool, progress: Progress | None) -> Plan:
    return build(root, mapping, mode="verify", use_git=use_git, progress=_stage(progress, "verifying"))


def _stage(progress: Progress | None, label: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(label, done, total)
