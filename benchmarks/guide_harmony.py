"""Where a reference-styled song's harmony is lost: for held-out mixes used as style references (as style_follow.py
draws them), the new song's plan rendered by the data engine, the render through the codec, and generated with the
accompaniment (drums, bass, other) pinned to the render up to each t0 (--guides; the vocals at the model's own
vocal guide). Scored: chord maj/min of bass + other against the plan's chords, and whether the key estimator hears
the plan's mode (and key) in the mix.

    python benchmarks/guide_harmony.py --corpus C4 --refs 10 --guides 0.6,0.9,1.0 \
        --out benchmarks/results/guide_harmony.json
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time

import numpy as np

from style_follow import held_out, restyled, spread


def scored(plan, stems: dict, mix: np.ndarray, sr: int) -> dict:
    from songforge.eval.report import harmony_metrics
    from songforge.eval.songs import Asked
    from songforge.ears.reference import estimate_key
    asked = Asked(id=plan.spec.id, duration=plan.duration, words=[],
                  chords=[(c.symbol, c.start, c.end) for c in plan.chords])
    key = estimate_key(mix, sr)[0]
    return {"key": key, "key_ok": key == plan.key_name, "mode_ok": key.split()[1] == plan.key_name.split()[1],
            "chord_majmin": harmony_metrics(asked, stems["bass"] + stems["other"], None, sr)["chord_majmin"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--refs", type=int, default=10)
    ap.add_argument("--splits", default="test,valid")
    ap.add_argument("--model", default="songforge/models/default")
    ap.add_argument("--guides", default="0.6,0.9,1.0", help="accompaniment t0s to generate with")
    ap.add_argument("--out", default="benchmarks/results/guide_harmony.json")
    a = ap.parse_args()
    import torch
    from songforge.pipeline import STEMS, load
    from songforge.render.song import render_plan
    rows, labels = held_out(a.corpus, a.splits)
    model = load(a.model)
    sr = model.sample_rate
    guides = [float(g) for g in a.guides.split(",")]
    names = ["render", "codec"] + [f"guide {g:g}" for g in guides]
    per, t0 = [], time.time()
    for ref in spread(rows, labels, a.refs):
        other, plan = restyled(a.corpus, rows, ref)
        song = render_plan(plan, sr)
        n = model._frames(plan.duration)
        z = torch.cat([model._encode(song.stems[s], n) for s in STEMS], -1)[None]
        rt = model._decode(plan, z, None, None, True)
        row = {"reference": ref["id"], "song": other["id"], "style": plan.style, "key": plan.key_name,
               "render": scored(plan, song.stems, song.mix, sr), "codec": scored(plan, rt.stems, rt.mix, sr)}
        for g, name in zip(guides, names[2:]):
            s = dataclasses.replace(model.sampling, accompaniment_guide=g, reference_accompaniment_guide=g)
            out = model.generate(plan, 0, s)
            row[name] = scored(plan, out.stems, out.mix, sr)
        per.append(row)
        print(json.dumps(row), flush=True)
    summary = {name: {k: round(float(np.mean([r[name][k] for r in per])), 3) for k in ("mode_ok", "key_ok", "chord_majmin")}
               for name in names}
    result = {"corpus": a.corpus, "references": len(per), "model": a.model, "seconds": round(time.time() - t0, 1),
              "summary": summary, "per_reference": per}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    md = [f"{len(per)} references; bass + other chords against the plan, the mix's mode / key by the key estimator\n",
          "| | same mode | same key | chords maj/min |", "|---|---|---|---|"]
    md += [f"| {name} | {s['mode_ok']} | {s['key_ok']} | {s['chord_majmin']} |" for name, s in summary.items()]
    with open(os.path.splitext(a.out)[0] + ".md", "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
