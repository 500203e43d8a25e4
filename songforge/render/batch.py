"""Render many songs in parallel, each in a fresh process forked from a parent that has loaded the
soundfont, espeak-ng and the neural voice but never sounded a note: every song's audio is then bit-identical however the
batch is ordered, split or resumed (espeak-ng and fluidsynth carry waveform state between renders)."""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from typing import Callable, Iterable, Iterator

from .preload import preload


def _timed(task):
    fn, arg = task
    t0 = time.process_time()
    try:
        out = fn(arg)
        err = None
    except Exception as e:  # one bad song must not end the batch; the caller reports it
        out, err = None, f"{type(e).__name__}: {e}"
    return arg, out, err, time.process_time() - t0


_sounded_in: int | None = None  # the process that has rendered audio itself (its engines carry state)


def mark_sounded() -> None:
    """Called by every in-process render: forks of this process would inherit the engines' state from now on."""
    global _sounded_in
    _sounded_in = os.getpid()


def forks_from_here() -> bool:
    """Whether run_isolated forks its renders from this process (else from zygotes: its fn and args are pickled)."""
    return _sounded_in != os.getpid()


def run_isolated(fn: Callable, args: Iterable, workers: int) -> Iterator[tuple]:
    """Yields (arg, result, error or None, cpu seconds) per arg, in completion order; one fork per task. The forks
    come from this process while it has not rendered audio itself; once it has (a script that rendered a song, a test
    session), from render zygotes (render/zygote.py), so the bytes are the same either way: `fn` and the args are
    then pickled, so they must be module-level functions (functools.partial of one will do) and plain data."""
    args = list(args)
    if not args:
        return
    if not forks_from_here():
        yield from _via_zygotes(fn, args, workers)
        return
    preload()
    ctx = mp.get_context("fork")
    with ctx.Pool(processes=max(1, min(workers, len(args))), maxtasksperchild=1) as pool:
        yield from pool.imap_unordered(_timed, [(fn, a) for a in args], chunksize=1)


def _via_zygotes(fn: Callable, args: list, workers: int) -> Iterator[tuple]:
    import queue
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from .zygote import Zygote
    n = max(1, min(workers, len(args)))
    idle: queue.Queue = queue.Queue()
    zygotes = [Zygote() for _ in range(n)]
    for z in zygotes:
        idle.put(z)

    def one(arg):
        z = idle.get()
        try:
            return z.call(_timed, (fn, arg))
        except RuntimeError as e:  # the render process died: reported like a failed task
            return arg, None, str(e), 0.0
        finally:
            idle.put(z)
    try:
        with ThreadPoolExecutor(n) as pool:
            for job in as_completed([pool.submit(one, a) for a in args]):
                yield job.result()
    finally:
        for z in zygotes:
            z.close()


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))
