"""The apply journal on disk: the plan, the original bytes, the log (SPEC §5). Typed steps in, typed steps out.

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
  fixes      JSON lines: the spans `check --fix` wrote after apply (see vouched.py)

Who does what: `steps.py` builds the steps from a plan and runs them, `undo.py` reverses
them, `vouched.py` reads what a finished apply wrote for verify. This module only reads and
writes these files, every change through `fsio`.

Test hook: PATHMOVE_CRASH_AFTER=K makes the process die with os._exit(137) right after its
K-th durable step (plan.json is step 1, then each step once done — a move once logged, a
write once its file is replaced — and "finished" the last; undo's "undo" line and steps
count on); with PATHMOVE_CRASH_SIGNAL=INT it sends itself SIGINT there instead (Ctrl-C).
The crash-point tests need a real process to die at an exact step; nothing else reads it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
from pathlib import Path
from typing import Any, Union

from pathmove import fsio, repo
from pathmove.edits import Edit, splice
from pathmove.errors import JournalError

VERSION = 2
STAGING = ".pathmove-staging"  # swaps and chains pass through this folder in the root
Span = tuple[int, int]


# ---- the steps: frozen records, one JSON conversion (to_json / from_json) ----------------------
@dataclasses.dataclass(frozen=True)
class MoveStep:
    """Rename src to dst (root-relative), with `git mv` when tracked."""

    src: str
    dst: str


@dataclasses.dataclass(frozen=True)
class WriteStep:
    """Replace one file's contents: the original (a blob) spliced with edits gives `new`."""

    path: str  # where the file is once every move is done
    origin: str  # where it was before the moves
    orig: str  # sha256 of the original bytes (the blob's key)
    new: str  # sha256 of what apply writes
    mode: int  # permission bits apply writes with
    orig_mode: int  # permission bits undo restores
    edits: tuple[tuple[int, int, bytes], ...]  # (start, end, new bytes) into the original
    spans: tuple[Span, ...] = ()  # where the edits' new bytes sit in the result (verify)
    vouched: tuple[Span, ...] = ()  # other spans of the result verify must leave alone


@dataclasses.dataclass(frozen=True)
class LinkStep:
    """Re-point one symbolic link from target `orig` to target `new`."""

    path: str
    origin: str
    orig: str
    new: str


Step = Union[MoveStep, WriteStep, LinkStep]


@dataclasses.dataclass(frozen=True)
class Kept:
    """A moved file apply does not edit, and the spans in it verify must leave alone."""

    path: str
    sha: str
    spans: tuple[Span, ...]


@dataclasses.dataclass(frozen=True)
class Record:
    """Everything one apply will do, written before it does any of it."""

    digest: str  # the mapping's digest
    use_git: bool
    steps: tuple[Step, ...]
    blobs: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # sha -> (offset, size)
    created: tuple[str, ...] = ()  # folders the moves create (undo removes them if empty)
    prune: tuple[str, ...] = ()  # source parents apply removes once empty
    moves: tuple[tuple[str, str], ...] = ()  # the mapping's moves (old, new) that happen
    kept: tuple[Kept, ...] = ()
    root: str = ""
    reviews: tuple[dict[str, Any], ...] = ()  # SPEC §3: review places, as reviews.record gives them

    @property
    def move_count(self) -> int:
        return sum(1 for s in self.steps if isinstance(s, MoveStep))


def to_json(record: Record) -> bytes:
    """The record as plan.json."""
    doc = {"version": VERSION, "root": record.root, "use_git": record.use_git, "digest": record.digest,
           "steps": [_step_json(s) for s in record.steps],
           "blobs": {k: list(v) for k, v in record.blobs.items()},
           "created": list(record.created), "prune": list(record.prune),
           "moves": [list(m) for m in record.moves],
           "kept": [{"path": k.path, "sha": k.sha, "spans": [list(s) for s in k.spans]} for k in record.kept],
           "reviews": list(record.reviews)}
    return _lines(doc)


def _lines(doc: dict[str, Any]) -> bytes:
    """JSON with one list item per line: readable, and written by json's C encoder (indent=
    makes json fall back to its pure-Python encoder, 0.06 s for a 400-file package move)."""
    parts = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            body = ",\n  ".join(json.dumps(v) for v in value)
            parts.append(f" {json.dumps(key)}: [\n  {body}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return ("{\n" + ",\n".join(parts) + "\n}\n").encode()


def from_json(data: bytes) -> Record:
    """plan.json as a record; ValueError/KeyError/TypeError when it is not one."""
    doc = json.loads(data)
    return Record(
        digest=str(doc["digest"]), use_git=bool(doc["use_git"]), root=str(doc.get("root", "")),
        steps=tuple(_step_of(s) for s in doc["steps"]),
        blobs={str(k): (int(v[0]), int(v[1])) for k, v in doc["blobs"].items()},
        created=tuple(doc.get("created", [])), prune=tuple(doc.get("prune", [])),
        moves=tuple((str(a), str(b)) for a, b in doc.get("moves", [])),
        kept=tuple(Kept(k["path"], k["sha"], _spans(k["spans"])) for k in doc.get("kept", [])),
        reviews=tuple(dict(r) for r in doc.get("reviews", [])),
    )


def _step_json(step: Step) -> dict[str, Any]:
    if isinstance(step, MoveStep):
        return {"op": "move", "src": step.src, "dst": step.dst}
    if isinstance(step, LinkStep):
        return {"op": "link", "path": step.path, "from": step.origin, "orig": step.orig, "new": step.new}
    # the new bytes of an edit as latin-1 text: every byte one character, lossless
    return {"op": "write", "path": step.path, "from": step.origin, "orig": step.orig, "new": step.new,
            "mode": step.mode, "orig_mode": step.orig_mode,
            "edits": [[s, e, n.decode("latin-1")] for s, e, n in step.edits],
            "spans": [list(s) for s in step.spans], "vouched": [list(s) for s in step.vouched]}


def _step_of(d: dict[str, Any]) -> Step:
    op = d["op"]
    if op == "move":
        return MoveStep(str(d["src"]), str(d["dst"]))
    if op == "link":
        return LinkStep(str(d["path"]), str(d["from"]), str(d["orig"]), str(d["new"]))
    if op == "write":
        return WriteStep(str(d["path"]), str(d["from"]), str(d["orig"]), str(d["new"]), int(d["mode"]),
                         int(d["orig_mode"]), tuple((int(s), int(e), str(n).encode("latin-1")) for s, e, n in d["edits"]),
                         _spans(d.get("spans", [])), _spans(d.get("vouched", [])))
    raise ValueError(f"unknown journal step {op!r}")


def _spans(raw: list[list[int]]) -> tuple[Span, ...]:
    return tuple((int(a), int(b)) for a, b in raw)


def edits_of(edits: list[Edit]) -> tuple[tuple[int, int, bytes], ...]:
    """A file's edits as a write step keeps them: (start, end, new), in order."""
    return tuple((e.start, e.end, e.new) for e in sorted(edits, key=lambda e: e.start))


def describe(step: Step) -> str:
    """The step in words, for messages."""
    if isinstance(step, MoveStep):
        return f"moving {step.src} → {step.dst}"
    if isinstance(step, LinkStep):
        return f"re-pointing {step.path}"
    return f"writing {step.path}"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- the log ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Log:
    """What the log says: steps done, steps undone, finished, undo begun."""

    done: frozenset[int] = frozenset()
    undone: frozenset[int] = frozenset()
    finished: bool = False
    undoing: bool = False

    @property
    def first_pending(self) -> int:
        """Steps run in order: the index of the first one not logged as done."""
        k = 0
        while k in self.done:
            k += 1
        return k


def parse_log(text: str) -> Log:
    done, undone = set(), set()
    finished = undoing = False
    for line in text.splitlines():
        word, _, arg = line.partition(" ")
        if word == "done" and arg.isdigit():
            done.add(int(arg))
        elif word == "undone" and arg.isdigit():
            undone.add(int(arg))
        elif line == "finished":
            finished = True
        elif line == "undo":
            undoing = True
    return Log(frozenset(done), frozenset(undone), finished, undoing)


# ---- the store ----------------------------------------------------------------------------------
def location(root: Path) -> Path:
    """Where the journal of root lives: inside .git, else in the user's state directory."""
    if repo.is_git(root):
        return repo.git_dir(root) / "pathmove"
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    key = hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:16]
    return Path(state) / "pathmove" / "journals" / key


class Store:
    """The journal folder of one root: plan.json, blobs, log, fixes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = location(root)

    def load(self) -> Record | None:
        """The recorded plan, or None when no apply got as far as writing one."""
        try:
            data = fsio.read(self.dir / "plan.json")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise JournalError(f"the journal in {self.dir} is unreadable ({_reason(exc)}); remove it to start over") from None
        try:
            version = json.loads(data).get("version")
        except (ValueError, AttributeError):
            version = None
        if version != VERSION:
            raise JournalError(f"the journal in {self.dir} was written by another pathmove version or is damaged",
                               hint=f"finish with that version, or remove {self.dir}")
        try:
            return from_json(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise JournalError(f"the journal in {self.dir} is unreadable ({exc}); remove it to start over") from None

    def exists(self) -> bool:
        """True if the folder is there (perhaps a begin() killed before plan.json)."""
        return self.dir.exists()

    def log(self) -> Log:
        try:
            return parse_log(fsio.read(self.dir / "log").decode("utf-8", "replace"))
        except FileNotFoundError:
            return Log()

    def begin(self, record: Record, blobs: dict[str, bytes]) -> Record:
        """Write the blobs, then plan.json: after this returns, apply may change the tree."""
        index: dict[str, tuple[int, int]] = {}
        off = 0
        for digest, data in blobs.items():
            index[digest] = (off, len(data))
            off += len(data)
        record = dataclasses.replace(record, blobs=index, root=str(self.root))
        try:
            fsio.remove_tree(self.dir)
            fsio.make_dirs(self.dir)
            fsio.write_atomic(self.dir / "blobs", b"".join(blobs.values()), 0o644)
            fsio.write_atomic(self.dir / "plan.json", to_json(record), 0o644)
            fsio.fsync_dir(self.dir.parent)
        except OSError as exc:
            self.remove()
            raise JournalError(f"cannot write the journal in {self.dir}: {_reason(exc)}; nothing was changed") from None
        durable()
        return record

    def mark(self, line: str) -> None:
        """Append one line to the log and make it durable before going on."""
        self.append_log([line])
        durable()

    def append_log(self, lines: list[str]) -> None:
        fsio.append(self.dir / "log", "".join(line + "\n" for line in lines).encode())

    def blob(self, record: Record, digest: str) -> bytes:
        """The original bytes of a file apply writes."""
        off, size = record.blobs[digest]
        return self.read_blob(off, size, digest)

    def read_blob(self, off: int, size: int, digest: str) -> bytes:
        data = fsio.read_range(self.dir / "blobs", off, size)
        if sha(data) != digest:
            raise JournalError(f"the journal's copy of a file is damaged ({digest[:12]})")
        return data

    def new_content(self, record: Record, step: WriteStep, orig: bytes | None = None) -> bytes:
        """What a write step makes of the original: the original spliced with its edits."""
        data = self.blob(record, step.orig) if orig is None else orig
        new = splice(data, [Edit(step.origin, s, e, data[s:e], n, "journal") for s, e, n in step.edits])
        if sha(new) != step.new:
            raise JournalError(f"the journal's edits of {step.path} do not give the recorded result")
        return new

    def record_fix(self, rel: str, data: bytes, spans: list[Span]) -> None:
        """check --fix wrote data to rel: remember its bytes and the spans it wrote or kept."""
        off = fsio.append(self.dir / "blobs", data)
        line = json.dumps({"path": rel, "sha": sha(data), "blob": [off, len(data)], "spans": spans})
        fsio.append(self.dir / "fixes", (line + "\n").encode())

    def fixes(self) -> list[Fix]:
        try:
            lines = fsio.read(self.dir / "fixes").decode("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                d = json.loads(line)
                out.append(Fix(str(d["path"]), str(d["sha"]), int(d["blob"][0]), int(d["blob"][1]),
                               _spans(d["spans"])))
            except (ValueError, KeyError, TypeError, IndexError):
                continue  # a line cut short by a kill: that fix was never confirmed
        return out

    def remove(self) -> None:
        """Remove the journal (and the empty `journals` folder outside git)."""
        fsio.remove_tree(self.dir)
        if self.dir.parent.name == "journals":
            fsio.remove_empty_dir(self.dir.parent)


@dataclasses.dataclass(frozen=True)
class Fix:
    """One `check --fix` after apply: the file's new bytes (a blob) and the spans it answers for."""

    path: str
    sha: str
    offset: int
    size: int
    spans: tuple[Span, ...]


# ---- the crash hook (see the module docstring) ----------------------------------------------------
_durable_steps = 0


def durable() -> None:
    """One more step is durable; the crash hook fires at the K-th."""
    global _durable_steps
    _durable_steps += 1
    crash = os.environ.get("PATHMOVE_CRASH_AFTER", "")
    if crash.isdigit() and _durable_steps == int(crash):
        if os.environ.get("PATHMOVE_CRASH_SIGNAL", "") == "INT":
            os.kill(os.getpid(), signal.SIGINT)
        else:
            os._exit(137)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
