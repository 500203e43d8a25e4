"""A preference-aligned model against the model it started from, on held-out prompts no pair was made from: both
sing each prompt with the same seeds and settings; the suite's reward components (train/dpo_pairs.py) and the
measures the reward never saw (Whisper WER on the vocal stem, the outside ear's genre rank) are reported per
component, with the share of prompts where the aligned model's combined reward is higher.

    python benchmarks/dpo.py --corpus HELDOUT --base songforge/models/default --aligned RUN/model \\
        --prompts 48 --out benchmarks/results/dpo.json"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

import numpy as np
from roundtrip import write_results


def score_model(model_dir: str, corpus: str, rows: list[dict], seed: int, asr: bool) -> list[dict]:
    from songforge.pipeline import load
    from songforge.train.data import clip_plan
    from songforge.train.dpo_pairs import PairsConfig, components, reward, score_candidate
    model = load(model_dir)
    weights = PairsConfig().weights
    out = []
    with tempfile.TemporaryDirectory() as work:
        for i, row in enumerate(rows):
            scored, _ = score_candidate(model, clip_plan(corpus, row), seed + i, work, () if asr else ("lyrics",))
            parts = components(scored)
            out.append({"prompt": row["id"], "components": parts, "reward": reward(parts, weights),
                        "wer": scored.get("lyrics", {}).get("wer"),
                        "ear_rank": scored.get("ear", {}).get("MSD_musicnn_genre_rank")})
            print(f"{model_dir}: {row['id']}: reward {out[-1]['reward']:.4f}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    from songforge.train.data import read_manifest
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, help="held-out prompts (a corpus no pair was made from)")
    ap.add_argument("--base", required=True)
    ap.add_argument("--aligned", help="the aligned model folder (RUN/model); not needed with --only-base")
    ap.add_argument("--prompts", type=int, default=48)
    ap.add_argument("--seed", type=int, default=777)
    ap.add_argument("--no-asr", action="store_true")
    ap.add_argument("--out", default="benchmarks/results/dpo.json")
    ap.add_argument("--only-base", action="store_true", help="score the base model only (its scores are kept)")
    a = ap.parse_args()
    rows = read_manifest(a.corpus, ("train", "valid", "test"))[:a.prompts]
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)  # before an hour of scoring, not after

    def scores(tag: str, model_dir: str) -> list[dict]:
        """A model's scores, kept beside --out (a re-run, or --only base before the aligned model exists, reuses)."""
        path = os.path.splitext(a.out)[0] + f".{tag}.json"
        if os.path.exists(path):
            with open(path) as f:
                kept = json.load(f)
            if kept["model"] == os.path.abspath(model_dir) and [r["prompt"] for r in kept["rows"]] == [r["id"] for r in rows]:
                return kept["rows"]
        got = score_model(model_dir, a.corpus, rows, a.seed, not a.no_asr)
        with open(path, "w") as f:
            json.dump({"model": os.path.abspath(model_dir), "rows": got}, f)
        return got
    base = scores("base", a.base)
    if a.only_base:
        return
    if not a.aligned:
        ap.error("--aligned RUN/model is needed (or --only-base)")
    aligned = scores("aligned", a.aligned)
    wins = [x["reward"] > y["reward"] for x, y in zip(aligned, base)]
    names = sorted({k for r in base + aligned for k in r["components"]})
    mean = lambda rs, k: float(np.mean([r["components"][k] for r in rs if k in r["components"]]))  # noqa: E731
    held = lambda rs, k: float(np.mean([r[k] for r in rs if r[k] is not None])) if any(r[k] is not None for r in rs) else None  # noqa: E731,E501
    result = {"prompts": len(rows), "aligned_wins": round(float(np.mean(wins)), 3),
              "reward": {"base": round(float(np.mean([r["reward"] for r in base])), 4),
                         "aligned": round(float(np.mean([r["reward"] for r in aligned])), 4)},
              "components": {k: {"base": round(mean(base, k), 4), "aligned": round(mean(aligned, k), 4)} for k in names},
              "held_out": {k: {"base": held(base, k), "aligned": held(aligned, k)} for k in ("wer", "ear_rank")},
              "rows": {"base": base, "aligned": aligned}}
    lines = [f"{len(rows)} held-out prompts ({a.corpus}); base {a.base} vs aligned {a.aligned}, same seeds", "",
             f"aligned model's combined reward higher on {result['aligned_wins']:.3f} of prompts "
             f"(mean reward {result['reward']['base']} -> {result['reward']['aligned']})", "",
             "| measure | base | aligned |", "|---|---|---|"]
    lines += [f"| {k} | {v['base']} | {v['aligned']} |" for k, v in result["components"].items()]
    lines += [f"| held out: {k} | {v['base']} | {v['aligned']} |" for k, v in result["held_out"].items()]
    write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
