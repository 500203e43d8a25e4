"""Sampling settings of a model, measured: for each (steps, guidance, Griffin-Lim iterations) generate the same
held-out clips, score them with the evaluation suite (no ASR: the phoneme judge, pitch, chords, word onsets,
beats, bass and comping notes, style) and time
generation (plan, sampling, decoding). Chooses the defaults written into model.json.

    python benchmarks/sampling_sweep.py --model songforge/models/default --corpus CORPUS --clips 6 \
        --out benchmarks/results/sampling_sweep.json
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

from roundtrip import write_results

SHOW = ("judge.per", "timing.onset_median_ms", "melody.raw_pitch_accuracy", "harmony.chord_majmin", "harmony.beat_f1",
        "notes.bass_f1", "notes.other_f1", "style.style_correct")
JOINT, PLAN = ("lyrics+style+plan", 2.0), ("plan", 1.0)
GRID = [  # (name, steps, guidance, gl_iters, guidance interval)
    ("16 steps, 3 terms, gl32", 16, (("lyrics", 2.0), ("style", 1.5), ("plan", 1.0)), 32, (0.05, 1.0)),
    ("16 steps, joint 2.0, gl32", 16, (JOINT,), 32, (0.05, 1.0)),
    ("16 steps, joint 2.0, gl16", 16, (JOINT,), 16, (0.05, 1.0)),
    ("8 steps, joint 2.0, gl16", 8, (JOINT,), 16, (0.05, 1.0)),
    ("16 steps, no guidance, gl16", 16, (), 16, (0.05, 1.0)),
    ("16 steps, joint 3.0, gl16", 16, (("lyrics+style+plan", 3.0),), 16, (0.05, 1.0)),
    ("16 steps, joint 2.0 + plan 1.0, gl16", 16, (JOINT, PLAN), 16, (0.05, 1.0)),
    ("16 steps, joint 1.0 + plan 1.0, gl16", 16, (("lyrics+style+plan", 1.0), PLAN), 16, (0.05, 1.0)),
    ("16 steps, joint 2.0 + plan 1.0 for t <= 0.7, gl16", 16, (JOINT, PLAN), 16, (0.0, 0.7)),
    ("16 steps, joint 2.0 + plan 1.0 + lyrics 1.0, gl16", 16, (JOINT, PLAN, ("lyrics", 1.0)), 16, (0.05, 1.0)),
    ("12 steps, joint 2.0 + plan 1.0, gl16", 12, (JOINT, PLAN), 16, (0.05, 1.0)),
    ("16 steps, joint 2.0 + plan 1.0, gl8", 16, (JOINT, PLAN), 8, (0.05, 1.0)),
    ("12 steps, joint 2.0 + plan 1.0, gl8", 12, (JOINT, PLAN), 8, (0.05, 1.0)),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--only", type=int, nargs="*", help="indices into the grid (default: all)")
    ap.add_argument("--out", default="benchmarks/results/sampling_sweep.json")
    a = ap.parse_args()
    from dataclasses import replace

    from songforge.eval.report import evaluate
    from songforge.pipeline import load
    from songforge.train.data import clip_plan, read_manifest
    model = load(a.model)
    rows = read_manifest(a.corpus, ("test",))[:a.clips]
    plans = [clip_plan(a.corpus, r) for r in rows]
    audio_s = sum(p.duration for p in plans)
    codec_cfg = model.codec.cfg
    results = []
    for i, (name, steps, guidance, gl, interval) in enumerate(GRID):
        if a.only and i not in a.only:
            continue
        sampling = replace(model.sampling, steps=steps, guidance=guidance, interval=interval)
        model.codec.cfg = replace(codec_cfg, gl_iters=gl)
        with tempfile.TemporaryDirectory() as tmp:
            t_total = 0.0
            for p in plans:
                t0 = time.perf_counter()
                g = model.generate(p, 0, sampling)
                t_total += time.perf_counter() - t0
                g.write(os.path.join(tmp, "songs"), picture=False, release=False)
            rep = evaluate(os.path.join(tmp, "songs"), os.path.join(tmp, "report"), asr=False, pictures=False,
                           progress=False)["aggregate"]
        row = {"setting": name, "steps": steps, "guidance": [list(g) for g in guidance], "gl_iters": gl,
               "interval": list(interval),
               "realtime_x": round(audio_s / t_total, 2),
               **{k: round(rep[k]["mean"], 3) for k in SHOW if k in rep}}
        print(json.dumps(row), flush=True)
        results.append(row)
    model.codec.cfg = codec_cfg
    head = ["setting", "x real time", *SHOW]
    md = [f"Sampling settings on {len(plans)} held-out clips ({audio_s:.0f} s of audio), 2-core CPU, no ASR.", "",
          "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join([r["setting"], str(r["realtime_x"])] + [str(r.get(k, "")) for k in SHOW]) + " |"
           for r in results]
    write_results(a.out, {"model": a.model, "clips": len(plans), "audio_s": audio_s, "rows": results}, "\n".join(md) + "\n")


if __name__ == "__main__":
    main()
