"""Render many songs in parallel, each in a fresh process forked from a parent that has loaded the
soundfont, espeak-ng and the neural voice but never sounded a note: every song's audio is then bit-identical however the
batch is ordered, split or resumed (espeak-ng and fluidsynth carry waveform state between renders)."""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from typing import Callable, Iterable, Iterator


def preload() -> None:
    """Load what every render needs, once, in the parent (children inherit it by fork)."""
    import pyloudnorm  # noqa: F401  (imports scipy.signal: >1 s per child if left to each child)
    import pyworld  # noqa: F401
    import scipy.ndimage  # noqa: F401
    import scipy.signal  # noqa: F401
    import soundfile  # noqa: F401
    import soxr  # noqa: F401
    from .accompaniment import band
    from .espeak import engine
    from .piper import voice
    from .. import picture  # noqa: F401
    band()
    engine()
    voice()
    import gc
    gc.collect()
    gc.freeze()  # children's GC then leaves the inherited objects alone: their pages stay shared, not copied


def _timed(task):
    fn, arg = task
    t0 = time.process_time()
    try:
        out = fn(arg)
        err = None
    except Exception as e:  # one bad song must not end the batch; the caller reports it
        out, err = None, f"{type(e).__name__}: {e}"
    return arg, out, err, time.process_time() - t0


def run_isolated(fn: Callable, args: Iterable, workers: int) -> Iterator[tuple]:
    """Yields (arg, result, error or None, cpu seconds) per arg, in completion order; one fork per task."""
    preload()
    args = list(args)
    if not args:
        return
    ctx = mp.get_context("fork")
    with ctx.Pool(processes=max(1, min(workers, len(args))), maxtasksperchild=1) as pool:
        yield from pool.imap_unordered(_timed, [(fn, a) for a in args], chunksize=1)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))
