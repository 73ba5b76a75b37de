"""undo: back to the tree before apply, byte for byte, from the journal (SPEC §5).

Steps are reversed last to first; each is logged ("undone K") so an interrupted undo runs
again to the end. A step apply never reached is recognised on disk and skipped, so undo
after a kill at any moment — before the plan was written, before the first change, in the
middle — ends with the start and exit 0.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pathmove import fsio, repo
from pathmove.errors import JournalError
from pathmove.journal import STAGING, LinkStep, MoveStep, Record, Step, Store, describe, sha
from pathmove.steps import Batch, ctrl_c
from pathmove.words import plural

NOTHING = "nothing"  # no apply recorded (or one killed before its plan was written)
UNSTARTED = "unstarted"  # an apply recorded its plan but changed nothing before it stopped
UNDONE = "undone"


def undo(root: Path, force: bool = False) -> str:
    """Reverse the last apply; NOTHING, UNSTARTED or UNDONE. The journal is removed after."""
    store = Store(root)
    record = store.load()
    if record is None:
        store.remove()  # an apply killed while writing its journal changed nothing but may leave a part
        return NOTHING
    log = store.log()
    f = log.first_pending
    moves = applied_moves(root, record, f)
    if not force and not log.undoing:
        changed = changed_since(root, record, moves)
        if changed:
            listed = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
            raise JournalError(f"undo refused: {plural(len(changed), 'file')} changed since apply: {listed}",
                               hint="pass --force to restore them anyway (their later changes are lost)")
    reversed_any = bool(log.undone)
    with ctrl_c(store, "undo") as guard:
        if not log.undoing:
            store.mark("undo")
        guard.began = True
        temps = fsio.Temporaries()
        with guard.deferred(), Batch(store, "undone") as batch:
            for k in reversed(range(len(record.steps))):
                guard.check()
                if k in log.undone:
                    continue
                step = record.steps[k]
                if isinstance(step, MoveStep):
                    batch.flush()
                try:
                    where, did = _undo_step(store, record, k, step, f, moves, temps)
                    if isinstance(step, MoveStep):
                        temps.forget()
                except OSError as exc:
                    raise JournalError(f"undo stopped at {describe(step)}: {exc.strerror or exc}",
                                       hint="fix the cause, then run `pathmove undo` again") from None
                reversed_any = reversed_any or did
                if where is None:
                    store.mark(f"undone {k}")
                else:
                    batch.add(k, where)
        for rel in sorted(record.created, key=lambda p: (-p.count("/"), p)):
            fsio.remove_empty_dir(root / rel)
        fsio.remove_empty_dir(root / STAGING)
        store.remove()
    return UNDONE if reversed_any or log.done else UNSTARTED


def applied_moves(root: Path, record: Record, f: int) -> list[MoveStep]:
    """The moves done so far: those logged, and the pending one if the disk says so."""
    done = [s for s in record.steps[:f] if isinstance(s, MoveStep)]
    if f < len(record.steps):
        step = record.steps[f]
        if isinstance(step, MoveStep) and _move_done(root, step):
            done.append(step)
    return done


def changed_since(root: Path, record: Record, moves: list[MoveStep]) -> list[str]:
    """Files apply wrote (or was about to write) that hold neither its input nor its output."""
    out = []
    for step in record.steps:
        if isinstance(step, MoveStep):
            continue
        rel = where(record, step, moves)
        # a write may be done before its (batched) log line: either state is apply's
        if _state(root, step, rel) not in (step.orig, step.new):
            out.append(rel)
    return out


def where(record: Record, step: Step, moves: list[MoveStep]) -> str:
    """Where a written file is now: its original path carried along by the moves done."""
    assert not isinstance(step, MoveStep)
    if len(moves) == record.move_count:
        return step.path
    rel = step.origin
    for m in moves:
        if rel == m.src or rel.startswith(m.src + "/"):
            rel = m.dst + rel[len(m.src):]
    return rel


def _move_done(root: Path, step: MoveStep) -> bool:
    return os.path.lexists(root / step.dst) and not os.path.lexists(root / step.src)


def _state(root: Path, step: Step, rel: str) -> str:
    """A link's target, or a file's hash; "" when it is not there."""
    path = root / rel
    try:
        if isinstance(step, LinkStep):
            return os.readlink(path)
        return sha(fsio.read(path))
    except OSError:
        return ""


def _undo_step(store: Store, record: Record, k: int, step: Step, f: int,
               moves: list[MoveStep], temps: fsio.Temporaries) -> tuple[Path | None, bool]:
    """Reverse one step: for a write or link the folder to fsync before logging it; and
    whether anything on disk had to change."""
    root = store.root
    if isinstance(step, MoveStep):
        src = root / step.src
        did = False
        if k <= f and src.is_dir() and not src.is_symlink() and not any(src.iterdir()):
            fsio.remove_empty_dir(src)  # a folder apply made for a later move's destination (`b → a/y`, `a → x`)
        if k <= f and _move_done(root, step):
            repo.move(root, step.dst, step.src, record.use_git)
            did = True
        elif k < f and os.path.lexists(root / step.dst):
            raise JournalError(f"cannot undo the move {step.src} → {step.dst}: both exist now",
                               hint=f"move {step.src} out of the way, then run `pathmove undo` again")
        return None, did
    rel = where(record, step, moves)
    path = root / rel
    temps.clear(path)
    if _state(root, step, rel) == step.orig:
        if isinstance(step, LinkStep) or stat.S_IMODE(os.stat(path).st_mode) == step.orig_mode:
            return path.parent, False
        fsio.set_mode(path, step.orig_mode)
        return path.parent, True
    if isinstance(step, LinkStep):
        if not os.path.islink(path):
            fsio.remove_file(path)
        fsio.write_link_atomic(path, step.orig, sync_dir=False)
    else:
        fsio.make_dirs(path.parent)
        fsio.write_atomic(path, store.blob(record, step.orig), step.orig_mode, sync_dir=False)
    return path.parent, True
