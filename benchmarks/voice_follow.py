"""Voice follow, measured: held-out renders' vocal stems as voice references; for each, a new song from another
clip's lyrics (gender tags removed, so the reference decides) is planned with `voice_reference` and sung by the data
engine and, with --model, by the DiT. Scored: |median sung F0 of the new vocals - the reference singer's| in
semitones (Harvest, voiced frames), and whether the planned voice's gender is the reference singer's.

    python benchmarks/voice_follow.py --corpus CORPUS --refs 12 [--model songforge/models/default] \
        --out benchmarks/results/voice_follow.json
    python benchmarks/voice_follow.py --corpus CORPUS --calibrate 200   # the planner's melody vs its range centre
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time

import numpy as np

GENDER_WORDS = ("female", "male", "woman", "man", "girl", "boy")


def sung_median_midi(audio: np.ndarray, sr: int) -> float:
    from songforge.eval.pitch import sung_f0
    _, f0 = sung_f0(audio, sr)
    v = f0[f0 > 0]
    return float(np.median(69 + 12 * np.log2(v / 440.0))) if len(v) else float("nan")


def calibrate(corpus: str, n: int) -> None:
    """Median planned melody pitch (over sung time) minus the voice range's centre, over n corpus plans."""
    from songforge.train.data import clip_plan, read_manifest
    rows = read_manifest(corpus, ("train", "valid", "test"))[:n]
    offsets = []
    for r in rows:
        plan = clip_plan(corpus, r)
        hz = plan.f0[plan.f0 > 0]
        offsets.append(float(np.median(69 + 12 * np.log2(hz / 440.0))) - sum(plan.voice.range) / 2)
    print(json.dumps({"plans": len(offsets), "mean_offset": round(float(np.mean(offsets)), 3),
                      "median_offset": round(float(np.median(offsets)), 3), "sd": round(float(np.std(offsets)), 3)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--refs", type=int, default=12)
    ap.add_argument("--model", help="also generate with this model (e.g. songforge/models/default)")
    ap.add_argument("--calibrate", type=int, default=0, help="only measure the planner's melody offset over N plans")
    ap.add_argument("--out", default="benchmarks/results/voice_follow.json")
    a = ap.parse_args()
    if a.calibrate:
        return calibrate(a.corpus, a.calibrate)
    from songforge.plan.plan import make_plan
    from songforge.ears.voice import analyse_voice, heard
    from songforge.render.song import render_plan
    from songforge.train.data import clip_plan, read_manifest
    rows = read_manifest(a.corpus, ("test",))
    by_gender: dict[str, list[dict]] = {}
    for r in rows:
        with open(os.path.join(a.corpus, r["labels"]), encoding="utf-8") as f:
            by_gender.setdefault(json.load(f)["voice"]["gender"], []).append(r)
    refs = [r for pair in zip(*by_gender.values()) for r in pair][:a.refs]  # genders alternate
    model = None
    if a.model:
        from songforge.pipeline import load
        model = load(a.model)
    per, t0 = [], time.time()
    for i, ref in enumerate(refs):
        ref_path = os.path.join(a.corpus, ref["audio"]["vocals"])
        profile = analyse_voice(ref_path)
        with open(os.path.join(a.corpus, ref["labels"]), encoding="utf-8") as f:
            ref_gender = json.load(f)["voice"]["gender"]
        other = rows[(rows.index(ref) + len(rows) // 2) % len(rows)]
        base = clip_plan(a.corpus, other)
        tags = tuple(t for t in base.spec.style.tags if not any(w in t.lower().split() for w in GENDER_WORDS))
        spec = dataclasses.replace(base.spec, style=heard(dataclasses.replace(base.spec.style, tags=tags,
                                                                               voice_reference=ref_path)))
        plan = make_plan(spec, base.timing)
        rendered = render_plan(plan)
        row = {"reference": ref["id"], "song": other["id"], "ref_gender": ref_gender, "ref_median_midi": profile.median_midi,
               "planned_gender": plan.voice.gender, "range": list(plan.voice.range),
               "render_median_midi": round(sung_median_midi(rendered.stems["vocals"], rendered.sample_rate), 2)}
        row["render_diff_st"] = round(row["render_median_midi"] - profile.median_midi, 2)
        if model is not None:
            g = model.generate(plan, 0)
            row["model_median_midi"] = round(sung_median_midi(g.stems["vocals"], g.sample_rate), 2)
            row["model_diff_st"] = round(row["model_median_midi"] - profile.median_midi, 2)
        per.append(row)
        print(json.dumps(row), flush=True)

    def share(key: str) -> float | None:
        vals = [abs(r[key]) <= 2.0 for r in per if key in r and np.isfinite(r[key])]
        return round(float(np.mean(vals)), 3) if vals else None

    result = {"corpus": a.corpus, "references": len(per), "model": a.model, "seconds": round(time.time() - t0, 1),
              "gender_match": round(float(np.mean([r["ref_gender"] == r["planned_gender"] for r in per])), 3),
              "render_within_2st": share("render_diff_st"),
              "render_median_abs_diff_st": round(float(np.median([abs(r["render_diff_st"]) for r in per])), 2),
              "model_within_2st": share("model_diff_st"),
              "model_median_abs_diff_st": round(float(np.median([abs(r["model_diff_st"]) for r in per])), 2) if model else None,
              "per_reference": per}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    md = (f"{len(per)} references (held-out vocal stems, genders alternating); new songs from other clips' lyrics\n\n"
          "| sung by | median F0 within 2 semitones of the reference | median abs difference (st) | gender match |\n"
          "|---|---|---|---|\n"
          f"| data engine | {result['render_within_2st']} | {result['render_median_abs_diff_st']} | {result['gender_match']} |\n")
    if model is not None:
        md += f"| {a.model} | {result['model_within_2st']} | {result['model_median_abs_diff_st']} | {result['gender_match']} |\n"
    with open(os.path.splitext(a.out)[0] + ".md", "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
