"""The step runner: a plan becomes typed journal steps (`record_of`), and `run` carries them out.

Steps run in order; each first looks at the disk, so the one step that may have happened
without reaching the log (kill -9 between the two) is recognised, not repeated. Every
change goes through `repo.move` (the one mover) or `fsio` (the one writer).

Ctrl-C is handled here and only here (`ctrl_c`): while a step runs it waits for the step
to end; a second Ctrl-C stops at once (every step can be resumed); either way apply or
undo ends with `Interrupted` (exit 130) saying whether anything changed and how to go on.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import signal
import stat
import threading
from pathlib import Path
from types import FrameType
from typing import Callable, Iterator

from pathmove import fsio, repo, reviews
from pathmove.edits import written_spans
from pathmove.errors import ConcurrentChangeError, Interrupted, JournalError, PathmoveError
from pathmove.limits import needs_staging
from pathmove.journal import STAGING, Kept, LinkStep, MoveStep, Record, Step, Store, WriteStep, describe, edits_of, sha
from pathmove.plan import FileChange, Move, Plan, vouch
from pathmove.vouched import overlaps

RESUME_HINT = "fix the cause, then run `pathmove apply` to finish, or `pathmove undo` to go back"
UNDO_HINT = "run `pathmove undo` to go back (it lists the files that changed; --force restores them)"
Progress = Callable[[int, int], None]


# ---- plan → steps --------------------------------------------------------------------------------
def record_of(root: Path, plan: Plan, use_git: bool) -> tuple[Record, dict[str, bytes]]:
    """The journal record of a plan (moves first, then one write or link step per changed file)
    and the original bytes it keeps. A new kind of change is a new step type here."""
    msteps, created, prune = move_steps(root, plan.moves)
    vouched = vouch(plan)
    wsteps, blobs = write_steps(root, plan.changes, vouched)
    kept, kept_blobs = kept_files(plan, vouched)
    moves = tuple((m.old, m.new) for m in plan.moves if m.status == "move")
    record = Record(plan.mapping.digest, use_git, (*msteps, *wsteps), created=created, prune=prune,
                    moves=moves, kept=kept, reviews=tuple(reviews.record(plan)))  # SPEC §3: reviews outlive the apply
    return record, {**kept_blobs, **blobs}


def move_steps(root: Path, moves: list[Move]) -> tuple[list[MoveStep], tuple[str, ...], tuple[str, ...]]:
    """Ordered move steps, folders apply will create, and source parents to prune after."""
    live = [m for m in moves if m.status == "move"]
    # the deepest `from` leaves first, so a nested entry is not carried off by its parent
    by_depth = sorted(live, key=lambda m: (-m.old.count("/"), m.old))
    steps: list[MoveStep] = []
    if needs_staging([(m.old, m.new) for m in live]):
        steps += [MoveStep(m.old, f"{STAGING}/{i}") for i, m in enumerate(by_depth)]
        ordered = sorted(enumerate(by_depth), key=lambda im: (im[1].new.count("/"), im[1].new))
        steps += [MoveStep(f"{STAGING}/{i}", m.new) for i, m in ordered]
    else:
        steps += [MoveStep(m.old, m.new) for m in by_depth]
    created: set[str] = set()
    for step in steps:
        parent = posixpath.dirname(step.dst)
        while parent and not os.path.lexists(root / parent):
            created.add(parent)
            parent = posixpath.dirname(parent)
    prune = sorted({posixpath.dirname(m.old) for m in live if posixpath.dirname(m.old)})
    return steps, tuple(sorted(created)), tuple(prune)


def write_steps(root: Path, changes: list[FileChange],
                vouched: dict[str, list[tuple[int, int]]]) -> tuple[list[Step], dict[str, bytes]]:
    """One step per file: original hash and mode, the edits, and the spans they write (SPEC §3, §5)."""
    steps: list[Step] = []
    blobs: dict[str, bytes] = {}
    for c in changes:
        if c.kind == "symlink":
            steps.append(LinkStep(c.new_path, c.path, os.fsdecode(c.data), os.fsdecode(c.new_data)))
            continue
        mode = stat.S_IMODE(os.lstat(root / c.path).st_mode)
        o = sha(c.data)
        blobs[o] = c.data
        spans = written_spans(c.edits)
        extra = [v for v in vouched.get(c.new_path, []) if not overlaps(spans, *v)]
        steps.append(WriteStep(c.new_path, c.path, o, sha(c.new_data), mode, mode, edits_of(c.edits),
                               tuple(spans), tuple(extra)))
    return steps, blobs


def kept_files(plan: Plan, vouched: dict[str, list[tuple[int, int]]]) -> tuple[tuple[Kept, ...], dict[str, bytes]]:
    """Moved files apply does not edit but whose current references verify must leave alone."""
    kept, blobs = [], {}
    for src, _ in plan.kept:
        spans = vouched.get(src.new_path)
        if spans:
            kept.append(Kept(src.new_path, sha(src.data), tuple(spans)))
            blobs[sha(src.data)] = src.data
    return tuple(kept), blobs


# ---- running -------------------------------------------------------------------------------------
def run(store: Store, record: Record, guard: Guard, progress: Progress | None = None) -> None:
    """Do every step not yet logged; each one first checks what is already on disk."""
    log = store.log()
    if log.undoing:
        raise JournalError("an interrupted `pathmove undo` is pending", hint="run `pathmove undo` to finish it")
    total = len(record.steps)
    temps = fsio.Temporaries()
    with guard.deferred(), Batch(store, "done") as batch:
        for k in range(log.first_pending, total):
            guard.check()
            if progress is not None:
                progress(k, total)
            step = record.steps[k]
            if isinstance(step, MoveStep):
                batch.flush()
                _step(store, record, step, temps)
                temps.forget()
                store.mark(f"done {k}")
            else:
                _step(store, record, step, temps)
                batch.add(k, (store.root / step.path).parent)
        guard.check()
        prune(store.root, record)
        store.mark("finished")
    if progress is not None:
        progress(total, total)


def _step(store: Store, record: Record, step: Step, temps: fsio.Temporaries) -> None:
    try:
        if isinstance(step, MoveStep):
            _move(store.root, step, record.use_git)
        elif isinstance(step, WriteStep):
            _write(store, record, step, temps)
        else:
            _relink(store.root, step, temps)
    except PathmoveError as exc:  # git refused a move, a file changed: say how to go on
        exc.hint = exc.hint or RESUME_HINT
        raise
    except OSError as exc:
        raise JournalError(f"apply stopped at {describe(step)}: {exc.strerror or exc}", hint=RESUME_HINT) from None


def _move(root: Path, step: MoveStep, use_git: bool) -> None:
    s_there, d_there = os.path.lexists(root / step.src), os.path.lexists(root / step.dst)
    if s_there and not d_there:
        repo.move(root, step.src, step.dst, use_git)
        # the rename must be on disk before the log says it happened
        fsio.fsync_dir((root / step.dst).parent)
        fsio.fsync_dir((root / step.src).parent)
    elif d_there and not s_there:
        if use_git:  # done before an interruption; make sure the index followed
            repo.finish_index_move(root, step.src, step.dst)
    else:
        raise JournalError(f"cannot move {step.src} → {step.dst}: " + ("both exist" if s_there else "neither exists")
                           + " (changed outside pathmove?)", hint="run `pathmove undo` to go back")


def _write(store: Store, record: Record, step: WriteStep, temps: fsio.Temporaries) -> None:
    path = store.root / step.path
    temps.clear(path)  # a write killed halfway leaves its temporary file
    try:
        current, st = fsio.read_with_stat(path)
    except FileNotFoundError:
        raise ConcurrentChangeError(f"{step.path} disappeared while pathmove was working; it was not recreated",
                                    hint=UNDO_HINT) from None
    cur = sha(current)
    if cur == step.new:
        return  # written before an interruption
    if cur != step.orig:
        raise changed(step.path)
    if not st.st_mode & stat.S_IWUSR:
        raise JournalError(f"{step.path} is read-only; pathmove does not rewrite it",
                           hint="make it writable (chmod u+w), then run `pathmove apply` to finish, "
                                "or `pathmove undo` to go back")
    try:
        fsio.write_atomic(path, store.new_content(record, step, current), step.mode, expect=st, sync=False)
    except (fsio.ChangedOnDisk, FileNotFoundError):
        raise changed(step.path) from None
    except OSError as exc:
        raise JournalError(f"cannot write {step.path}: {exc.strerror or exc}", hint=RESUME_HINT) from None


def _relink(root: Path, step: LinkStep, temps: fsio.Temporaries) -> None:
    temps.clear(root / step.path)
    try:
        current = os.readlink(root / step.path)
    except OSError:
        raise ConcurrentChangeError(f"symbolic link {step.path} disappeared during apply", hint=UNDO_HINT) from None
    if current == step.new:
        return
    if current != step.orig:
        raise ConcurrentChangeError(f"symbolic link {step.path} changed during apply; it was not re-pointed",
                                    hint=UNDO_HINT)
    fsio.write_link_atomic(root / step.path, step.new, sync_dir=False)


def prune(root: Path, record: Record) -> None:
    """Remove folders the moves left empty (as git would), and the staging folder."""
    for rel in sorted(record.prune, key=lambda p: -p.count("/")):
        fsio.remove_empty_dirs_up(root, rel)
    fsio.remove_empty_dir(root / STAGING)


def changed(rel: str) -> ConcurrentChangeError:
    return ConcurrentChangeError(
        f"{rel} changed on disk while pathmove was working (another editor or formatter?); it was not overwritten",
        hint=UNDO_HINT,
    )


class Batch:
    """Writes and link re-points share one log fsync (group commit). Each is recognised on
    disk by its contents, so one done but not yet logged is skipped on resume, never redone
    wrong; the crash hook still counts each of them as a durable step."""

    SIZE = 64

    def __init__(self, store: Store, word: str) -> None:
        self.store, self.word = store, word
        self.done: list[int] = []

    def add(self, k: int, folder: Path) -> None:
        from pathmove.journal import durable

        self.done.append(k)
        durable()
        if len(self.done) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.done:
            return
        # one sync for the whole batch: an fsync per file and folder made apply disk-bound
        fsio.sync_all()
        self.store.append_log([f"{self.word} {k}" for k in self.done])
        self.done = []

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is None:
            self.flush()
        else:  # log what was done before the failure; the disk would tell anyway
            with contextlib.suppress(OSError):
                self.flush()


# ---- Ctrl-C: the one place -----------------------------------------------------------------------
class Guard:
    """SIGINT during apply or undo. Outside `deferred()` it stops at once (nothing is being
    changed: planning, verifying); inside, it waits for the current step (`check()` stops
    between steps); a second Ctrl-C stops at once even there (every step can be resumed)."""

    def __init__(self) -> None:
        self.pending = False
        self.began = False  # this process wrote or resumed the journal (set by apply and undo)
        self._deferring = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self._deferring and not self.pending:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False

    def check(self) -> None:
        if self.pending:
            raise KeyboardInterrupt


@contextlib.contextmanager
def ctrl_c(store: Store, command: str) -> Iterator[Guard]:
    """Run apply or undo with Ctrl-C turned into `Interrupted` (exit 130) that says, from the
    journal on disk, whether anything changed and how to finish or go back."""
    guard = Guard()
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, guard.handle) if main else None
    try:
        yield guard
    except KeyboardInterrupt:
        raise interrupted(store, command, guard.began) from None
    finally:
        if main:
            signal.signal(signal.SIGINT, old)


def interrupted(store: Store, command: str, began: bool) -> Interrupted:
    """What a Ctrl-C left behind, read from the journal, and what to run next."""
    try:
        record = store.load()
        log = store.log()
    except JournalError:
        record, log = None, None
    if log is not None and log.undoing:
        return Interrupted("undo interrupted", hint="run `pathmove undo` again to finish it")
    if record is None or log is None or not began:  # planning: the journal, if any, is an older one
        return Interrupted(f"{command} interrupted; nothing was changed")
    if log.finished:
        return Interrupted("interrupted after apply finished", hint="`pathmove undo` goes back")
    done = log.first_pending
    return Interrupted(f"interrupted after {done} of {len(record.steps)} steps", hint=RESUME_HINT)
