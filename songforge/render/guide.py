"""The guides of shallow diffusion: the data engine's rendering of a plan's stems (the vocals sung, compressed,
reverberated; every stem mixed exactly as the training renders have it).

A song longer than ISOLATE_S renders in a fresh Python process of its own (`python -m songforge.render.guide`, the
plan in on stdin, the stem out on stdout): the engines the render loads (the Piper voice, the soundfont) and its peak
memory (a 4-minute song's render peaks ~1.1 GB above its caller) leave with the child, so the generator's footprint is
what it was. Not a fork of the caller (fluidsynth hangs loading its soundfont in a child forked from a process whose
torch threads run) nor multiprocessing's spawn (it re-runs the caller's main script). Shorter songs render in a fork
of the process's render zygote (render/zygote.py: started once, ~2.5 s, then a fork per song). Either way a guide is
rendered by engines that never sounded a note before it, so a song's guide is the same bytes whichever songs came
before it in a run, on any machine of a Ray cluster too (espeak-ng and fluidsynth carry state from render to render:
render/batch.py)."""
from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ISOLATE_S = 60.0


def render_isolated(plan, sample_rate: int, stems: tuple[str, ...] = ("vocals",)) -> tuple[np.ndarray, float]:
    """(the stems [len(stems), samples], the child's peak RSS in MiB), rendered in a fresh process of its own."""
    proc = subprocess.run([sys.executable, "-m", __name__], input=pickle.dumps((plan, sample_rate, stems)),
                          capture_output=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"rendering the guide of {plan.spec.id!r} failed: {last}")
    return np.load(io.BytesIO(proc.stdout)), float(proc.stderr.decode().rsplit("peak_rss_mib=", 1)[-1])


def rendered_stems(plans: list, sample_rate: int, stems: tuple[str, ...] = ("vocals",)) -> list[np.ndarray]:
    """The named stems of each plan's render, float32 [len(stems), plan.duration * sample_rate], in order. Long
    songs' children run side by side (at most one per CPU) while the short ones render in the zygote, one after
    another."""
    from .zygote import shared
    out: list = [None] * len(plans)
    far = [i for i, p in enumerate(plans) if p.duration > ISOLATE_S]
    with ThreadPoolExecutor(max(1, min(len(far), len(os.sched_getaffinity(0))))) as pool:
        running = {i: pool.submit(render_isolated, plans[i], sample_rate, stems) for i in far}
        for i, plan in enumerate(plans):
            if i not in running:
                out[i] = shared().call(_stems_of, (plan, sample_rate, stems))
        for i, job in running.items():
            out[i] = job.result()[0]
    return out


def _stems(plan, sample_rate: int, stems: tuple[str, ...]) -> np.ndarray:
    from .song import render_plan
    song = render_plan(plan, sample_rate)
    return np.stack([song.stems[s] for s in stems])


def _stems_of(args: tuple) -> np.ndarray:
    return _stems(*args)


def main() -> None:
    plan, sample_rate, stems = pickle.loads(sys.stdin.buffer.read())
    buf = io.BytesIO()
    np.save(buf, _stems(plan, sample_rate, stems), allow_pickle=False)
    sys.stdout.buffer.write(buf.getvalue())
    with open("/proc/self/status") as f:  # this process's own high-water mark (ru_maxrss would count the parent's
        hwm = next((line.split()[1] for line in f if line.startswith("VmHWM:")), "0")  # pages it was forked with)
    print(f"peak_rss_mib={int(hwm) / 1024:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
