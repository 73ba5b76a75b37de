"""Chunked parallel map over a stream of paths: worker processes, results back in order.

Reading, prefiltering and parsing are CPU-bound Python, so the scan of a large
repository runs in a pool of processes (default: one per core). Small inputs, such as
`check` on a few staged files, run in this process: a pool costs more than it saves.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
from typing import Any, Callable, Iterable, Iterator, TypeVar

C = TypeVar("C")
R = TypeVar("R")

JOBS_ENV = "PATHMOVE_JOBS"
CHUNK_SIZE = 256  # paths per task: large enough that IPC is negligible, small enough to balance
# Fewer paths than this are scanned in process. The paths are the prefilter's hits, each
# likely parsed (a Python module costs ~2 ms), so a pool pays off early: 400 importing
# modules of a package move take 0.8 s in one process, 0.45 s on 2 cores.
THRESHOLD = 48

# The worker's own copy of (work, context), set once by _init: with fork it is inherited,
# not pickled, so contexts holding compiled patterns cost nothing to hand over.
_WORKER: tuple[Callable[[Any, list[str]], Any], Any] | None = None


def default_jobs() -> int:
    """PATHMOVE_JOBS, else the number of cores this process may use."""
    raw = os.environ.get(JOBS_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """items in lists of at most size, in order."""
    it = iter(items)
    while True:
        chunk = list(itertools.islice(it, max(1, size)))
        if not chunk:
            return
        yield chunk


def run(
    work: Callable[[C, list[str]], R],
    context: C,
    items: Iterable[str],
    *,
    jobs: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    threshold: int = THRESHOLD,
) -> Iterator[R]:
    """work(context, chunk) for every chunk of items, results in the order of the chunks."""
    jobs = default_jobs() if jobs is None else max(1, jobs)
    it = iter(items)
    # look far enough ahead to know whether the input is small, and if it is, how to split it
    head = list(itertools.islice(it, max(threshold, chunk_size * jobs)))
    stream = itertools.chain(head, it)
    if jobs == 1 or len(head) < threshold:
        for chunk in chunks(stream, chunk_size):
            yield work(context, chunk)
        return
    if len(head) < chunk_size * jobs:  # all of the input is known: every worker gets some
        chunk_size = max(1, -(-len(head) // (jobs * 2)))
    import multiprocessing  # only here: `check` on a few files never pays for it

    mp = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pool = mp.Pool(jobs, initializer=_init, initargs=(work, context, os.getpid()))
    try:
        # imap keeps order; its feeder thread pulls chunks from the (streaming) path source
        yield from pool.imap(_run_chunk, chunks(stream, chunk_size))
        pool.close()
    except BaseException:
        with _ctrl_c_held():
            pool.terminate()
        raise
    finally:
        # Shut the pool down here, with Ctrl-C held until it is done: left to garbage
        # collection, its finalizer would swallow a Ctrl-C that lands inside it
        # ("Exception ignored in: <Finalize object>") and the run would go on.
        with _ctrl_c_held():
            pool.join()
            pool.terminate()


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """SIGINT waits (blocked, not lost) until the block ends, then arrives as usual."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _init(work: Callable[[Any, list[str]], Any], context: Any, parent: int) -> None:
    global _WORKER
    # Ctrl-C goes to the whole process group: the parent alone handles it (and stops us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    _WORKER = (work, context)


def _die_with(parent: int) -> None:
    """A worker whose parent is killed (kill -9 while planning) exits with it instead of
    waiting for tasks forever and holding the parent's output open (Linux: prctl)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _run_chunk(chunk: list[str]) -> Any:
    assert _WORKER is not None
    work, context = _WORKER
    return work(context, chunk)
