"""The apply journal: every step recorded before it happens; resume and byte-exact undo (SPEC §5).

Where: `.git/pathmove/` when the root is a git top-level, else
`$XDG_STATE_HOME/pathmove/journals/<hash of the root>/` — never inside the tree.

  plan.json  written atomically before the first change: the mapping's digest, every step
             (moves, then writes and link re-points), the folders apply creates or prunes,
             and for every file apply writes its original hash and mode and the edits
             (so the new contents are the original spliced, never stored twice)
  blobs      the original bytes of every file apply writes, packed, fsync'd before plan.json
  log        one line per finished step ("done K"), fsync'd before the next move (a run of
             writes shares one fsync: each write is recognised on disk by its hash), then
             "finished"; undo adds "undo" and "undone K" lines so it can be run again
  fixes      JSON lines: the spans `check --fix` wrote after apply (see Vouched)

Steps run in order and each one first looks at the disk, so the one step that may have
happened without reaching the log (kill -9 between the two) is recognised, not repeated.

Test hook: PATHMOVE_CRASH_AFTER=K makes the process die with os._exit(137) right after its
K-th durable step (plan.json is step 1, then each step once done — a move once logged, a
write once its file is replaced — and "finished" the last);
with PATHMOVE_CRASH_SIGNAL=INT it sends itself SIGINT there instead (Ctrl-C).
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import hashlib
import json
import os
import shutil
import signal
import stat
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

from pathmove import fsio, repo
from pathmove.edits import Edit, splice
from pathmove.words import plural
from pathmove.errors import ConcurrentChangeError, Interrupted, JournalError, PathmoveError

VERSION = 2
STAGING = ".pathmove-staging"
RESUME_HINT = "fix the cause, then run `pathmove apply` to finish, or `pathmove undo` to go back"
Span = tuple[int, int]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def location(root: Path) -> Path:
    """Where the journal of root lives: inside .git, else in the user's state directory."""
    if repo.is_git(root):
        return repo.git_dir(root) / "pathmove"
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    key = hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:16]
    return Path(state) / "pathmove" / "journals" / key


def encode_edits(edits: list[Edit]) -> list[list[Any]]:
    """Edits as JSON: [start, end, new] with new bytes as latin-1 text (lossless)."""
    return [[e.start, e.end, e.new.decode("latin-1")] for e in sorted(edits, key=lambda e: e.start)]


class Journal:
    """One apply's record. Steps run in order; each is logged durably once done."""

    def __init__(self, root: Path, use_git: bool | None = None) -> None:
        self.root = root
        self.dir = location(root)
        self.header: dict[str, Any] | None = None
        self._use_git = use_git
        self._durable_steps = 0
        crash = os.environ.get("PATHMOVE_CRASH_AFTER", "")
        self._crash_after = int(crash) if crash.isdigit() else 0
        self._crash_signal = os.environ.get("PATHMOVE_CRASH_SIGNAL", "") == "INT"

    # ---- reading ---------------------------------------------------------------------
    def load(self) -> bool:
        """Read plan.json if a journal exists; True when there is one."""
        try:
            header = json.loads((self.dir / "plan.json").read_text())
        except FileNotFoundError:
            self.header = None
            return False
        except (OSError, ValueError) as exc:
            raise JournalError(f"the journal in {self.dir} is unreadable ({exc}); remove it to start over") from None
        if header.get("version") != VERSION:
            raise JournalError(f"the journal in {self.dir} was written by another pathmove version",
                               hint=f"finish with that version, or remove {self.dir}")
        self.header = header
        return True

    @property
    def use_git(self) -> bool:
        if self.header is not None:
            return bool(self.header["use_git"])
        return bool(self._use_git)

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.header["steps"] if self.header else []

    @property
    def digest(self) -> str:
        return self.header.get("digest", "") if self.header else ""

    def log_lines(self) -> list[str]:
        try:
            return (self.dir / "log").read_text().splitlines()
        except FileNotFoundError:
            return []

    def first_pending(self) -> int:
        """Steps run in order: the index of the first one not logged as done."""
        done = {int(line.split()[1]) for line in self.log_lines() if line.startswith("done ")}
        k = 0
        while k in done:
            k += 1
        return k

    def finished(self) -> bool:
        return "finished" in self.log_lines()

    def undoing(self) -> bool:
        return "undo" in self.log_lines()

    def blob(self, digest: str) -> bytes:
        off, size = self.header["blobs"][digest]
        return self._read_blob(off, size, digest)

    def _read_blob(self, off: int, size: int, digest: str) -> bytes:
        with open(self.dir / "blobs", "rb") as fh:
            fh.seek(off)
            data = fh.read(size)
        if sha(data) != digest:
            raise JournalError(f"the journal's copy of a file is damaged ({digest[:12]})")
        return data

    def new_content(self, step: dict[str, Any], orig: bytes | None = None) -> bytes:
        """What a write step makes of the original: the original spliced with its edits."""
        data = self.blob(step["orig"]) if orig is None else orig
        edits = [Edit(step["path"], s, e, data[s:e], n.encode("latin-1"), "journal") for s, e, n in step["edits"]]
        new = splice(data, edits)
        if sha(new) != step["new"]:
            raise JournalError(f"the journal's edits of {step['path']} do not give the recorded result")
        return new

    # ---- writing ---------------------------------------------------------------------
    def begin(self, digest: str, steps: list[dict[str, Any]], blobs: dict[str, bytes], extra: dict[str, Any]) -> None:
        """Record everything apply will do before it does any of it; nothing changed if this fails."""
        try:
            if self.dir.exists():
                shutil.rmtree(self.dir)
            self.dir.mkdir(parents=True)
            index: dict[str, list[int]] = {}
            with open(self.dir / "blobs", "wb") as fh:
                off = 0
                for d, data in blobs.items():
                    fh.write(data)
                    index[d] = [off, len(data)]
                    off += len(data)
                fh.flush()
                os.fsync(fh.fileno())
            header = {"version": VERSION, "root": str(self.root), "use_git": bool(self._use_git),
                      "digest": digest, "steps": steps, "blobs": index, **extra}
            fsio.write_atomic(self.dir / "plan.json", json.dumps(header, indent=1).encode(), 0o644)
            fsio.fsync_dir(self.dir.parent)
        except OSError as exc:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise JournalError(f"cannot write the journal in {self.dir}: {_reason(exc)}; nothing was changed") from None
        self.header = header
        self._durable()

    def mark(self, line: str) -> None:
        """Append one line to the log and make it durable before going on."""
        self.append_log([line])
        self._durable()

    def append_log(self, lines: list[str]) -> None:
        with open(self.dir / "log", "a") as fh:
            fh.write("".join(line + "\n" for line in lines))
            fh.flush()
            os.fsync(fh.fileno())

    def _durable(self) -> None:
        self._durable_steps += 1
        if self._crash_after and self._durable_steps == self._crash_after:
            if self._crash_signal:
                os.kill(os.getpid(), signal.SIGINT)
            else:
                os._exit(137)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        parent = self.dir.parent
        if parent.name == "journals":
            with contextlib.suppress(OSError):
                parent.rmdir()

    # ---- running -----------------------------------------------------------------------
    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Do every step not yet logged; each one first checks what is already on disk."""
        if self.undoing():
            raise JournalError("an interrupted `pathmove undo` is pending", hint="run `pathmove undo` to finish it")
        total = len(self.steps)
        with _deferred_interrupt() as pending, _Batch(self, "done") as batch:
            for k in range(self.first_pending(), total):
                if pending:
                    raise Interrupted(f"interrupted after {k} of {total} steps", hint=RESUME_HINT)
                if progress is not None:
                    progress(k, total)
                step = self.steps[k]
                if step["op"] == "move":
                    batch.flush()
                    self._step(k, step, pending)
                    self.mark(f"done {k}")
                else:
                    self._step(k, step, pending)
                    batch.add(k, (self.root / step["path"]).parent)
        with _deferred_interrupt():
            self._prune()
            self.mark("finished")
        if progress is not None:
            progress(total, total)

    def _step(self, k: int, step: dict[str, Any], pending: list[int]) -> None:
        try:
            self._do(step)
        except PathmoveError as exc:  # git refused a move, a file changed: say how to go on
            exc.hint = exc.hint or RESUME_HINT
            raise
        except OSError as exc:
            if pending:
                raise Interrupted(f"interrupted at step {k + 1} ({describe(step)})", hint=RESUME_HINT) from None
            raise JournalError(f"apply stopped at {describe(step)}: {_reason(exc)}", hint=RESUME_HINT) from None

    def _do(self, step: dict[str, Any]) -> None:
        op = step["op"]
        if op == "move":
            src, dst = step["src"], step["dst"]
            s_there, d_there = os.path.lexists(self.root / src), os.path.lexists(self.root / dst)
            if s_there and not d_there:
                repo.move(self.root, src, dst, self.use_git)
                # the rename must be on disk before the log says it happened
                fsio.fsync_dir((self.root / dst).parent)
                fsio.fsync_dir((self.root / src).parent)
            elif d_there and not s_there:
                if self.use_git:  # done before an interruption; make sure the index followed
                    repo.finish_index_move(self.root, src, dst)
            else:
                raise JournalError(f"cannot move {src} → {dst}: " + ("both exist" if s_there else "neither exists")
                                   + " (changed outside pathmove?)", hint="run `pathmove undo` to go back")
        elif op == "write":
            self._write(step)
        elif op == "link":
            self._relink(step)
        else:
            raise JournalError(f"unknown journal step {op!r}")

    def _write(self, step: dict[str, Any]) -> None:
        rel = step["path"]
        path = self.root / rel
        clear_temporaries(path)  # a write killed halfway leaves its temporary file
        try:
            current, st = fsio.read_with_stat(path)
        except FileNotFoundError:
            raise ConcurrentChangeError(f"{rel} disappeared while pathmove was working; it was not recreated",
                                        hint=UNDO_HINT) from None
        cur = sha(current)
        if cur == step["new"]:
            return  # written before an interruption
        if cur != step["orig"]:
            raise _changed(rel)
        if not st.st_mode & stat.S_IWUSR:
            raise JournalError(f"{rel} is read-only; pathmove does not rewrite it",
                               hint="make it writable (chmod u+w), then run `pathmove apply` to finish, "
                                    "or `pathmove undo` to go back")
        try:
            fsio.write_atomic(path, self.new_content(step, current), step["mode"], expect=st, sync=False)
        except (fsio.ChangedOnDisk, FileNotFoundError):
            raise _changed(rel) from None
        except OSError as exc:
            raise JournalError(f"cannot write {rel}: {_reason(exc)}", hint=RESUME_HINT) from None

    def _relink(self, step: dict[str, Any]) -> None:
        rel = step["path"]
        clear_temporaries(self.root / rel)
        try:
            current = os.readlink(self.root / rel)
        except OSError:
            raise ConcurrentChangeError(f"symbolic link {rel} disappeared during apply", hint=UNDO_HINT) from None
        if current == step["new"]:
            return
        if current != step["orig"]:
            raise ConcurrentChangeError(f"symbolic link {rel} changed during apply; it was not re-pointed",
                                        hint=UNDO_HINT)
        fsio.write_link_atomic(self.root / rel, step["new"], sync_dir=False)

    def _prune(self) -> None:
        """Remove folders the moves left empty (as git would), and the staging folder."""
        for rel in sorted(self.header.get("prune", []), key=lambda p: -p.count("/")):
            _rmdir_up(self.root, rel)
        with contextlib.suppress(OSError):
            os.rmdir(self.root / STAGING)

    # ---- where things are ------------------------------------------------------------
    def _move_done(self, step: dict[str, Any]) -> bool:
        return os.path.lexists(self.root / step["dst"]) and not os.path.lexists(self.root / step["src"])

    def _applied_moves(self, f: int) -> list[dict[str, Any]]:
        """The moves done so far: those logged, and the pending one if the disk says so."""
        done = [s for s in self.steps[:f] if s["op"] == "move"]
        if f < len(self.steps) and self.steps[f]["op"] == "move" and self._move_done(self.steps[f]):
            done.append(self.steps[f])
        return done

    def _where(self, step: dict[str, Any], moves: list[dict[str, Any]]) -> str:
        """Where a written file is now: its original path carried along by the moves done."""
        if len(moves) == sum(1 for s in self.steps if s["op"] == "move"):
            return step["path"]
        rel = step["from"]
        for m in moves:
            if rel == m["src"] or rel.startswith(m["src"] + "/"):
                rel = m["dst"] + rel[len(m["src"]):]
        return rel

    # ---- undo --------------------------------------------------------------------------
    def changed_since(self) -> list[str]:
        """Files apply wrote (or was about to write) that hold neither its input nor its output."""
        f = self.first_pending()
        moves = self._applied_moves(f)
        out = []
        for k, step in enumerate(self.steps):
            if step["op"] not in ("write", "link"):
                continue
            rel = self._where(step, moves)
            # a write may be done before its (batched) log line: either state is apply's
            if self._state(step, rel) not in (step["orig"], step["new"]):
                out.append(rel)
        return out

    def _state(self, step: dict[str, Any], rel: str) -> str:
        path = self.root / rel
        try:
            if step["op"] == "link":
                return os.readlink(path)
            return sha(fsio.read(path))
        except OSError:
            return ""

    def undo(self, force: bool = False) -> None:
        """Back to the tree before apply: files restored, moves reversed, journal removed."""
        resumed = self.undoing()
        if not force and not resumed:
            changed = self.changed_since()
            if changed:
                listed = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
                raise JournalError(
                    f"undo refused: {plural(len(changed), 'file')} changed since apply: {listed}",
                    hint="pass --force to restore them anyway (their later changes are lost)",
                )
        f = self.first_pending()
        moves = self._applied_moves(f)
        undone = {int(line.split()[1]) for line in self.log_lines() if line.startswith("undone ")}
        if not resumed:
            self.mark("undo")
        with _deferred_interrupt() as pending, _Batch(self, "undone") as batch:
            for k in reversed(range(len(self.steps))):
                if pending:
                    raise Interrupted("undo interrupted", hint="run `pathmove undo` again to finish it")
                if k in undone:
                    continue
                step = self.steps[k]
                if step["op"] == "move":
                    batch.flush()
                try:
                    where = self._undo_step(k, step, f, moves)
                except OSError as exc:
                    raise JournalError(f"undo stopped at {describe(step)}: {_reason(exc)}",
                                       hint="fix the cause, then run `pathmove undo` again") from None
                if where is None:
                    self.mark(f"undone {k}")
                else:
                    batch.add(k, where)
        for rel in sorted(self.header.get("created", []), key=lambda p: (-p.count("/"), p)):
            with contextlib.suppress(OSError):
                os.rmdir(self.root / rel)
        with contextlib.suppress(OSError):
            os.rmdir(self.root / STAGING)
        self.remove()

    def _undo_step(self, k: int, step: dict[str, Any], f: int, moves: list[dict[str, Any]]) -> Path | None:
        """Reverse one step; for a write or link, the folder to fsync before logging it."""
        op = step["op"]
        if op == "move":
            src = self.root / step["src"]
            if k <= f and src.is_dir() and not src.is_symlink() and not any(src.iterdir()):
                src.rmdir()  # a folder apply made for a later move's destination (`b → a/y`, `a → x`)
            if k <= f and self._move_done(step):
                repo.move(self.root, step["dst"], step["src"], self.use_git)
            elif k < f and os.path.lexists(self.root / step["dst"]):
                raise JournalError(f"cannot undo the move {step['src']} → {step['dst']}: both exist now",
                                   hint=f"move {step['src']} out of the way, then run `pathmove undo` again")
            return None
        rel = self._where(step, moves)
        path = self.root / rel
        clear_temporaries(path)
        if op == "link":
            if self._state(step, rel) != step["orig"]:
                with contextlib.suppress(FileNotFoundError):
                    if not os.path.islink(path):
                        os.unlink(path)
                fsio.write_link_atomic(path, step["orig"], sync_dir=False)
            return path.parent
        if self._state(step, rel) != step["orig"]:
            path.parent.mkdir(parents=True, exist_ok=True)
            fsio.write_atomic(path, self.blob(step["orig"]), step["orig_mode"], sync_dir=False)
        elif stat.S_IMODE(os.stat(path).st_mode) != step["orig_mode"]:
            os.chmod(path, step["orig_mode"])
        return path.parent

    # ---- after apply: what verify may leave alone ----------------------------------------
    def record_fix(self, rel: str, data: bytes, spans: list[Span]) -> None:
        """check --fix wrote data to rel: remember its bytes and the spans it wrote or kept."""
        with open(self.dir / "blobs", "ab") as fh:
            off = fh.seek(0, os.SEEK_END)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        line = json.dumps({"path": rel, "sha": sha(data), "blob": [off, len(data)], "spans": spans})
        with open(self.dir / "fixes", "a") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def fixes(self) -> list[dict[str, Any]]:
        try:
            lines = (self.dir / "fixes").read_text().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
        return out


UNDO_HINT = "run `pathmove undo` to go back (it lists the files that changed; --force restores them)"


def _changed(rel: str) -> ConcurrentChangeError:
    return ConcurrentChangeError(
        f"{rel} changed on disk while pathmove was working (another editor or formatter?); it was not overwritten",
        hint=UNDO_HINT,
    )


def clear_temporaries(path: Path) -> None:
    """Remove what an interrupted fsio.write_atomic or write_link_atomic of path left beside it."""
    with contextlib.suppress(OSError):
        for tmp in path.parent.glob(f".{glob_escape(path.name)}.*pathmove-tmp*"):
            if tmp.name.endswith((".pathmove-tmp", ".pathmove-tmp-link")):
                tmp.unlink()


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def describe(step: dict[str, Any]) -> str:
    if step["op"] == "move":
        return f"moving {step['src']} → {step['dst']}"
    if step["op"] == "link":
        return f"re-pointing {step['path']}"
    return f"writing {step['path']}"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _rmdir_up(root: Path, rel: str) -> None:
    """Remove rel and then its parents while they are empty; never the root."""
    while rel:
        try:
            os.rmdir(root / rel)
        except OSError:
            return
        rel = os.path.dirname(rel)


class _Batch:
    """Writes and link re-points share one log fsync (group commit). Each is recognised on
    disk by its contents, so one done but not yet logged is skipped on resume, never redone
    wrong; the crash hook still counts each of them as a durable step."""

    SIZE = 64

    def __init__(self, journal: Journal, word: str) -> None:
        self.journal, self.word = journal, word
        self.done: list[int] = []
        self.dirs: set[Path] = set()

    def add(self, k: int, folder: Path) -> None:
        self.done.append(k)
        self.dirs.add(folder)
        self.journal._durable()
        if len(self.done) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.done:
            return
        # one sync for the whole batch: an fsync per file and folder made apply disk-bound
        fsio.sync_all()
        self.journal.append_log([f"{self.word} {k}" for k in self.done])
        self.done, self.dirs = [], set()

    def __enter__(self) -> "_Batch":
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if kind is None:
            self.flush()
        else:  # log what was done before the failure; the disk would tell anyway
            with contextlib.suppress(OSError):
                self.flush()


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[list[int]]:
    """Ctrl-C waits for the current step to end (the list becomes non-empty); twice stops at once."""
    pending: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pending
        return

    def handler(signum: int, frame: Any) -> None:
        pending.append(signum)
        if len(pending) > 1:
            raise KeyboardInterrupt

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield pending
    finally:
        signal.signal(signal.SIGINT, old)


# ---- verify after apply: spans apply wrote or vouched for (SPEC §3) -------------------------
class Vouched:
    """Per file, the bytes apply (or check --fix) left and the spans in them it answers for.

    After a swap or a chain an old path is a real place again, so an occurrence of it is
    stale only if apply did not write (or keep) it. verify drops each candidate edit that
    overlaps such a span, mapped into the file's current contents (Journal docs, README).
    """

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._files: dict[str, tuple[str, Callable[[], bytes], list[Span]]] = {}
        for step in journal.steps:
            if step["op"] == "write":
                spans = [tuple(s) for s in step.get("spans", []) + step.get("vouched", [])]
                self._files[step["path"]] = (step["new"], _lazy(journal.new_content, step), spans)
            elif step["op"] == "link":
                new = os.fsencode(step["new"])
                self._files[step["path"]] = (sha(new), _const(new), [(0, len(new))])
        for kept in journal.header.get("kept", []):
            self._files[kept["path"]] = (kept["sha"], _lazy(journal.blob, kept["sha"]),
                                         [tuple(s) for s in kept["spans"]])
        for fix in journal.fixes():
            off, size = fix["blob"]
            self._files[fix["path"]] = (fix["sha"], _lazy(journal._read_blob, off, size, fix["sha"]),
                                        [tuple(s) for s in fix["spans"]])

    def spans(self, rel: str, data: bytes) -> list[Span]:
        """The vouched spans of rel, as they sit in data (its current contents)."""
        entry = self._files.get(rel)
        if entry is None:
            return []
        digest, content, spans = entry
        if sha(data) == digest:
            return sorted(spans)
        try:
            return map_spans(content(), data, spans)
        except JournalError:
            return []

    def filter(self, rel: str, data: bytes, edits: list[Edit]) -> list[Edit]:
        """The candidate edits of rel that touch no vouched span: the stale references."""
        spans = self.spans(rel, data)
        if not spans:
            return edits
        return [e for e in edits if not overlaps(spans, e.start, e.end)]


def vouched_for(root: Path, digest: str) -> Vouched | None:
    """The finished journal of this mapping, if there is one (verify's strict view)."""
    return verify_view(root, digest)[0]


def verify_view(root: Path, digest: str) -> tuple[Vouched | None, bool]:
    """The finished journal of this mapping (or None), and whether an apply or undo is pending."""
    journal = Journal(root)
    try:
        if not journal.load():
            return None, False
        if journal.undoing() or not journal.finished():
            return None, True
    except JournalError:
        return None, False
    return (Vouched(journal) if journal.digest == digest else None), False


def _lazy(fn: Callable[..., bytes], *args: Any) -> Callable[[], bytes]:
    cache: list[bytes] = []

    def get() -> bytes:
        if not cache:
            cache.append(fn(*args))
        return cache[0]

    return get


def _const(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def overlaps(spans: list[Span], start: int, end: int) -> bool:
    """True if [start, end) meets one of spans (an insertion meets a span it touches)."""
    return any((start < b and a < end) or (start == end and a <= start <= b) for a, b in spans)


def shift_spans(spans: list[Span], edits: list[Edit]) -> list[Span]:
    """Spans that no edit touches, carried through splicing the edits."""
    out = []
    ordered = sorted(edits, key=lambda e: e.start)
    for a, b in sorted(spans):
        delta = 0
        for e in ordered:
            if e.end <= a:
                delta += len(e.new) - (e.end - e.start)
        out.append((a + delta, b + delta))
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
