"""Data-engine benchmark: corpus throughput (audio-hours per CPU-hour, all processes counted) and, with
--exactness, label exactness per style measured on the rendered stems. Writes JSON and prints a table.

    python benchmarks/data_engine.py --hours 0.25 --workers 2 --exactness --out benchmarks/results/data_engine.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time

import numpy as np


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def throughput(hours: float, workers: int, seed: int) -> dict:
    from songforge.data.build import BuildConfig, build
    out = tempfile.mkdtemp(prefix="sf_bench_")
    try:
        c0, w0 = cpu_seconds(), time.time()
        s = build(out, BuildConfig(seed=seed, hours=hours), workers, progress=False)
        cpu, wall = cpu_seconds() - c0, time.time() - w0
        audio_h = s["hours"]
        return {"hours": audio_h, "clips": s["clips"], "workers": workers, "wall_s": round(wall, 1),
                "cpu_s_all_processes": round(cpu, 1), "audio_hours_per_cpu_hour": round(audio_h / (cpu / 3600), 1),
                "audio_hours_per_wall_hour": round(audio_h / (wall / 3600), 1), "failed": s["failed"]}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def exactness(seed: int) -> list[dict]:
    from songforge.data.specs import fit_clip, random_spec
    from songforge.eval.harmony import chord_accuracy
    from songforge.eval.pitch import cents_errors, sung_f0
    from songforge.eval.rhythm import beat_f1, detect_onsets, local_onset_errors, nearest_errors
    from songforge.plan.melody import F0_HOP_S
    from songforge.plan.plan import make_plan
    from songforge.plan.styles import STYLES
    from songforge.plan.timing import time_song
    from songforge.render.song import render_plan
    rows = []
    for st in STYLES:
        for lang in ("en", "zh"):
            spec = fit_clip(random_spec(seed, 0, (st.name,), (lang,)), 10, 30)
            plan = make_plan(spec, time_song(spec))
            r = render_plan(plan)
            v = r.stems["vocals"]
            starts = np.array([w.start for w in plan.timing.words])
            on = local_onset_errors(v, r.sample_rate, starts)
            picked = nearest_errors(starts, detect_onsets(v, r.sample_rate))
            t, f = sung_f0(v, r.sample_rate)
            cents = cents_errors(np.arange(len(plan.f0)) * F0_HOP_S, plan.f0, t, f)
            rows.append({"style": st.name, "language": lang, "onset_median_ms": round(1000 * float(np.median(on)), 1),
                         "picked_onset_median_ms": round(1000 * float(np.median(picked)), 1),
                         "f0_median_cents": round(float(np.median(cents)), 2),
                         "chord_accuracy": round(chord_accuracy(r.stems["other"], r.sample_rate,
                                                                [(c.symbol, c.start, c.end) for c in plan.chords]), 3),
                         "beat_f1": round(beat_f1(np.array(plan.beats), r.stems["drums"], r.sample_rate, plan.bpm), 3)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=0.25)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--exactness", action="store_true")
    ap.add_argument("--out", default="benchmarks/results/data_engine.json")
    a = ap.parse_args()
    res = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, python {sys.version.split()[0]}",
           "throughput": throughput(a.hours, a.workers, a.seed)}
    if a.exactness:
        res["exactness"] = exactness(a.seed + 1)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    tp = res["throughput"]
    print(f"| corpus | clips | workers | wall s | CPU s (all) | audio-h / CPU-h | audio-h / wall-h |\n|---|---|---|---|---|---|---|\n"
          f"| {tp['hours']:.3f} h | {tp['clips']} | {tp['workers']} | {tp['wall_s']} | {tp['cpu_s_all_processes']} | "
          f"**{tp['audio_hours_per_cpu_hour']}** | {tp['audio_hours_per_wall_hour']} |")
    if a.exactness:
        print("\n| style | lang | onset median ms (local rise) | onset median ms (librosa picks) | F0 median cents | "
              "chord acc | beat F1 |\n|---|---|---|---|---|---|---|")
        for r in res["exactness"]:
            print(f"| {r['style']} | {r['language']} | {r['onset_median_ms']} | {r['picked_onset_median_ms']} | "
                  f"{r['f0_median_cents']} | {r['chord_accuracy']} | {r['beat_f1']} |")
        ex = res["exactness"]
        print(f"| **all** | | {np.median([r['onset_median_ms'] for r in ex]):.1f} | "
              f"{np.median([r['picked_onset_median_ms'] for r in ex]):.1f} | "
              f"{np.median([r['f0_median_cents'] for r in ex]):.2f} | {np.mean([r['chord_accuracy'] for r in ex]):.3f} | "
              f"{np.mean([r['beat_f1'] for r in ex]):.3f} |")


if __name__ == "__main__":
    main()
