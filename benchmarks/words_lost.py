"""Where the generator loses the words: the phoneme judge's PER on the vocals of held-out clips sampled
  - from the clip's own latents noised to t0 (t0 = 1: the codec round trip; 0.6, 0.4: part of the answer given;
    t0 = 0: pure noise, i.e. plain generation), with the model's default guidance;
  - from pure noise with an extra lyrics-only guidance term (weight 3, over the whole path or only t <= 0.5).
If the words survive from t0 = 0.4 but not from noise, the model can articulate given a coarse layout but does
not lay one out itself; if lyrics guidance does not close the gap, the conditioning signal is not the limit.

    python benchmarks/words_lost.py --model songforge/models/default --corpus CORPUS --clips 6 \
        --out benchmarks/results/words_lost.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from judge import words_of
from roundtrip import STEMS, write_results

STARTS = (1.0, 0.6, 0.4, 0.0)
LYRICS_TERMS = (("lyrics 3.0", (0.05, 1.0)), ("lyrics 3.0 for t <= 0.5", (0.0, 0.5)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--out", default="benchmarks/results/words_lost.json")
    a = ap.parse_args()
    import torch

    from songforge.cond.dropout import null_conditions
    from songforge.eval.judge import judge_metrics
    from songforge.flow.guidance import Term, guided_velocity
    from songforge.flow.samplers import sample
    from songforge.flow.timesteps import sampling_grid
    from songforge.pipeline import load
    from songforge.train.data import clip_plan, load_audio, read_manifest
    model = load(a.model)
    s = model.sampling
    rows = read_manifest(a.corpus, ("test",))[:a.clips]
    settings = [(f"from the clip's latents at t0 = {t0:g}", t0, s.terms()) for t0 in STARTS]
    settings += [(f"from noise, default + {name}", 0.0, s.terms() + (Term(("lyrics",), 3.0, iv),))
                 for name, iv in LYRICS_TERMS]
    per: dict[str, dict[str, list[float]]] = {}
    t_start = time.time()
    for r in rows:
        plan = clip_plan(a.corpus, r)
        n = model._frames(plan.duration)
        cond = model._conditions(plan, n, None)
        x1 = torch.cat([model._encode(load_audio(a.corpus, r, st, model.sample_rate), n) for st in STEMS], dim=-1)[None]
        with open(os.path.join(a.corpus, r["labels"]), encoding="utf-8") as f:
            words = words_of(json.load(f))
        grid = sampling_grid(s.steps, s.shift, model.device, model.dtype)
        for name, t0, terms in settings:
            noise = torch.randn(x1.shape, generator=torch.Generator().manual_seed(0))
            with torch.no_grad():  # (without it the sampler keeps every pass's activations: ~20 GB for 30 s)
                if t0 >= 1.0:
                    z = x1
                else:
                    ts = torch.cat([torch.tensor([t0]), grid[grid > t0]]) if t0 > 0 else grid
                    z = sample(s.sampler, lambda xt, t: guided_velocity(model.dit, xt, t, cond, terms, null_conditions),
                               t0 * x1 + (1 - t0) * noise, ts)
                vocals = model._decode(plan, z).stems["vocals"]
            e = judge_metrics(words, vocals, model.sample_rate)["per"]
            per.setdefault(name, {}).setdefault(r["language"], []).append(e)
            print(json.dumps({"id": r["id"], "language": r["language"], "setting": name, "per": e}), flush=True)
    langs = sorted({r["language"] for r in rows})
    table = {name: {lang: round(float(np.mean(v[lang])), 3) for lang in langs if lang in v} |
             {"all": round(float(np.mean([x for vals in v.values() for x in vals])), 3)} for name, v in per.items()}
    result = {"model": a.model, "corpus": a.corpus, "clips": len(rows), "steps": s.steps,
              "guidance": [list(g) for g in s.guidance], "per": table, "seconds": round(time.time() - t_start, 1)}
    md = [f"Judge PER of the vocals, {len(rows)} held-out clips ({', '.join(langs)}), {s.steps} {s.sampler} steps, "
          f"default guidance {s.guidance}; Mandarin tones not scored.", "",
          "| sampled | " + " | ".join(f"PER {x}" for x in langs) + " | PER all |", "|---" * (len(langs) + 2) + "|"]
    md += [f"| {name} | " + " | ".join(str(v.get(x, "-")) for x in langs) + f" | {v['all']} |" for name, v in table.items()]
    write_results(a.out, result, "\n".join(md) + "\n")


if __name__ == "__main__":
    main()
