"""The apply journal: every step recorded before it happens; resume and byte-exact undo (SPEC §5).

Layout (inside `.git/pathmove/` in a git repository, else under the user's state directory):
  plan.json   the steps, the mapping's digest, written atomically before the first change
  blobs       original and new contents of every file apply writes, one packed file
  log         one line per finished step ("done K"), then "finished"; file writes and their
              log lines are flushed to disk in one sync before "finished" (an fsync per
              file made apply disk-bound: 3 per file), moves are synced one by one. A
              killed process loses no write either way; every step re-checks the bytes
              on disk against the recorded hashes before it acts.

Test hook: PATHMOVE_CRASH_AFTER=K makes the process die with os._exit(137) right after
its K-th durable step (writing plan.json is step 1), to prove resume and undo at every point.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any, Iterator

from pathmove import fsio, repo
from pathmove.errors import ConcurrentChangeError, JournalError, PathmoveError

VERSION = 1
STAGING = ".pathmove-staging"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def location(root: Path, use_git: bool) -> Path:
    """Where the journal of root lives: outside the tracked tree."""
    if use_git:
        return repo.git_dir(root) / "pathmove"
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    key = hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:16]
    return Path(state) / "pathmove" / "journals" / key


class Journal:
    """One apply's record. Steps run in order; each is logged durably once done."""

    def __init__(self, root: Path, use_git: bool) -> None:
        self.root = root
        self.use_git = use_git
        self.dir = location(root, use_git)
        self.header: dict[str, Any] | None = None
        self._durable_steps = 0
        crash = os.environ.get("PATHMOVE_CRASH_AFTER", "")
        self._crash_after = int(crash) if crash.isdigit() else 0

    # ---- reading ---------------------------------------------------------------------
    def load(self) -> bool:
        """Read plan.json if a journal exists; True when there is one."""
        try:
            self.header = json.loads((self.dir / "plan.json").read_text())
        except FileNotFoundError:
            self.header = None
            return False
        except (OSError, ValueError) as exc:
            raise JournalError(f"the journal in {self.dir} is unreadable ({exc}); remove it to start over") from None
        if self.header.get("version") != VERSION:
            raise JournalError(f"the journal in {self.dir} was written by another pathmove version")
        return True

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

    def done(self) -> set[int]:
        return {int(line.split()[1]) for line in self.log_lines() if line.startswith("done ")}

    def finished(self) -> bool:
        return "finished" in self.log_lines()

    def blob(self, digest: str) -> bytes:
        off, size = self.header["blobs"][digest]
        with open(self.dir / "blobs", "rb") as fh:
            fh.seek(off)
            data = fh.read(size)
        if sha(data) != digest:
            raise JournalError(f"the journal's copy of a file is damaged ({digest[:12]})")
        return data

    # ---- writing ---------------------------------------------------------------------
    def begin(self, digest: str, steps: list[dict[str, Any]], blobs: dict[str, bytes], extra: dict[str, Any]) -> None:
        """Record everything apply will do before it does any of it."""
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
        header = {"version": VERSION, "root": str(self.root), "use_git": self.use_git, "digest": digest,
                  "steps": steps, "blobs": index, **extra}
        fsio.write_atomic(self.dir / "plan.json", json.dumps(header, indent=1).encode(), 0o644)
        self.header = header
        self._durable()

    def mark(self, line: str, sync: bool = True) -> None:
        with open(self.dir / "log", "a") as fh:
            fh.write(line + "\n")
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        self._durable()

    def _durable(self) -> None:
        self._durable_steps += 1
        if self._crash_after and self._durable_steps >= self._crash_after:
            os._exit(137)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        try:
            self.dir.parent.rmdir() if not self.use_git and not any(self.dir.parent.iterdir()) else None
        except OSError:
            pass

    # ---- running -----------------------------------------------------------------------
    def run(self, progress: Any = None) -> None:
        """Do every step not yet logged; each one first checks what is already on disk."""
        done = self.done()
        total = len(self.steps)
        for k, step in enumerate(self.steps):
            if progress is not None:
                progress(k, total)
            if k in done:
                continue
            self._do(step)
            self.mark(f"done {k}", sync=step["op"] == "move")
        self._prune()
        fsio.sync_all()
        self.mark("finished")
        if progress is not None:
            progress(total, total)

    def _do(self, step: dict[str, Any]) -> None:
        op = step["op"]
        if op == "move":
            src, dst = step["src"], step["dst"]
            s_there, d_there = os.path.lexists(self.root / src), os.path.lexists(self.root / dst)
            if s_there and not d_there:
                repo.move(self.root, src, dst, self.use_git)
            elif d_there and not s_there:
                return  # done before an interruption
            else:
                raise JournalError(f"cannot move {src} → {dst}: " + ("both exist" if s_there else "neither exists"))
        elif op == "write":
            self._write(step["path"], step["orig"], step["new"], step["mode"])
        elif op == "link":
            self._relink(step["path"], step["orig"], step["new"])
        else:
            raise JournalError(f"unknown journal step {op!r}")

    def _write(self, rel: str, orig: str, new: str, mode: int | None) -> None:
        path = self.root / rel
        try:
            current = fsio.read(path)
        except FileNotFoundError:
            raise ConcurrentChangeError(f"{rel} disappeared during apply") from None
        except PermissionError:
            raise JournalError(f"cannot read {rel}: permission denied") from None
        cur = sha(current)
        if cur == new:
            return
        if cur != orig:
            raise ConcurrentChangeError(
                f"{rel} changed on disk while pathmove was working (another editor or formatter?); "
                "it was not overwritten",
                hint="run `pathmove apply` again to finish, or `pathmove undo` to go back",
            )
        try:
            fsio.write_atomic(path, self.blob(new), mode, sync=False)  # synced in run, with the log
        except OSError as exc:
            raise JournalError(f"cannot write {rel}: {exc.strerror or exc}",
                               hint="fix the cause, then run `pathmove apply` to finish or `pathmove undo`") from None

    def _relink(self, rel: str, orig: str, new: str) -> None:
        path = self.root / rel
        current = os.readlink(path)
        if current == new:
            return
        if current != orig:
            raise ConcurrentChangeError(f"symbolic link {rel} changed during apply")
        fsio.write_link_atomic(path, new)

    def _prune(self) -> None:
        """Remove folders the moves left empty (as git would), and the staging folder."""
        for rel in sorted(self.header.get("prune", []), key=lambda p: -p.count("/")):
            _rmdir_up(self.root, rel)
        staging = self.root / STAGING
        if staging.is_dir():
            _rmdir_up(self.root, STAGING)

    # ---- undo --------------------------------------------------------------------------
    def changed_since(self) -> list[str]:
        """Files apply wrote that are no longer what it wrote (undo refuses on these)."""
        out = []
        for step in self.steps:
            if step["op"] == "write":
                p = self.root / step["path"]
                try:
                    cur = sha(fsio.read(p))
                except OSError:
                    if self._move_undone_target(step["path"]):
                        continue
                    out.append(step["path"])
                    continue
                if cur not in (step["new"], step["orig"]):
                    out.append(step["path"])
            elif step["op"] == "link":
                p = self.root / step["path"]
                try:
                    cur_t = os.readlink(p)
                except OSError:
                    out.append(step["path"])
                    continue
                if cur_t not in (step["new"], step["orig"]):
                    out.append(step["path"])
        return out

    def _move_undone_target(self, rel: str) -> bool:
        return False

    def undo(self, force: bool = False) -> None:
        """Back to the tree before apply: files restored, moves reversed, journal removed."""
        if not force:
            changed = self.changed_since()
            if changed:
                listed = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
                raise JournalError(
                    f"undo refused: {len(changed)} file(s) changed since apply: {listed}",
                    hint="pass --force to restore them anyway (their later changes are lost)",
                )
        for step in reversed(self.steps):
            op = step["op"]
            if op == "write":
                p = self.root / step["path"]
                try:
                    cur = sha(fsio.read(p))
                except FileNotFoundError:
                    if not force:
                        raise JournalError(f"{step['path']} is missing; pass --force to restore the rest") from None
                    cur = ""
                if cur != step["orig"]:
                    p.parent.mkdir(parents=True, exist_ok=True)
                    fsio.write_atomic(p, self.blob(step["orig"]), step["orig_mode"])
                elif stat.S_IMODE(os.stat(p).st_mode) != step["orig_mode"]:
                    os.chmod(p, step["orig_mode"])
            elif op == "link":
                p = self.root / step["path"]
                if os.path.lexists(p) and os.readlink(p) != step["orig"]:
                    fsio.write_link_atomic(p, step["orig"])
            elif op == "move":
                src, dst = step["src"], step["dst"]
                s_there, d_there = os.path.lexists(self.root / src), os.path.lexists(self.root / dst)
                if d_there and not s_there:
                    repo.move(self.root, dst, src, self.use_git)
                elif d_there and s_there:
                    raise JournalError(f"cannot undo the move {src} → {dst}: both exist now")
        for rel in sorted(self.header.get("created", []), key=lambda p: -p.count("/")):
            _rmdir_up(self.root, rel, stop_at_existing=True)
        if (self.root / STAGING).is_dir():
            _rmdir_up(self.root, STAGING)
        self.remove()


def _rmdir_up(root: Path, rel: str, stop_at_existing: bool = False) -> None:
    """Remove rel and then its parents while they are empty; never the root."""
    while rel:
        try:
            os.rmdir(root / rel)
        except OSError:
            return
        rel = os.path.dirname(rel)


def iter_pending(j: Journal) -> Iterator[dict[str, Any]]:
    done = j.done()
    for k, step in enumerate(j.steps):
        if k not in done:
            yield step
