"""Assemble a model folder (codec/ + dit/ in fp16 + model.json) from trained runs.

    python scripts/assemble_model.py --codec configs/codec_mel --dit RUNS/dit --out songforge/models/default --card card.json
"""
from __future__ import annotations

import argparse
import json
import os


def main() -> None:
    from songforge.pipeline import Sampling, assemble
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--codec", required=True, help="a codec checkpoint folder (configs/codec_mel) or a codec run "
                    "folder (its final/ is used)")
    ap.add_argument("--dit", required=True, help="DiT run folder (its final/ and latents/stats.json are used)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--card", help="JSON with the model card (data, steps, hardware, time, metrics)")
    ap.add_argument("--steps", type=int, default=Sampling.steps)
    ap.add_argument("--from-last", action="store_true", help="export the DiT's newest resume checkpoint (EMA) first")
    a = ap.parse_args()
    if a.from_last:
        from songforge.train.loop import export_last
        export_last(a.dit)
    with open(os.path.join(a.dit, "latents", "stats.json")) as f:
        stats = json.load(f)
    card = {}
    if a.card:
        with open(a.card) as f:
            card = json.load(f)
    codec = a.codec if os.path.exists(os.path.join(a.codec, "config.json")) else os.path.join(a.codec, "final")
    print(assemble(a.out, codec, os.path.join(a.dit, "final"), stats, Sampling(steps=a.steps), card))


if __name__ == "__main__":
    main()
