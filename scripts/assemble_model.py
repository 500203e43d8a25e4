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
    ap.add_argument("--guidance", help="default guidance, as `songforge generate --guidance` takes it "
                    "(e.g. lyrics+style+plan=2,plan=1)")
    ap.add_argument("--gl-iters", type=int, help="mel codec: Griffin-Lim iterations when decoding")
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
    from songforge.cli_generate import _guidance
    sampling = Sampling(steps=a.steps, guidance=_guidance(a.guidance, Sampling.guidance))
    out = assemble(a.out, codec, os.path.join(a.dit, "final"), stats, sampling, card)
    if a.gl_iters:
        path = os.path.join(out, "codec", "config.json")
        with open(path) as f:
            cfg = json.load(f)
        if "gl_iters" not in cfg["config"]:
            raise SystemExit(f"{path}: this codec has no gl_iters")
        cfg["config"]["gl_iters"] = a.gl_iters
        with open(path, "w") as f:
            json.dump(cfg, f, indent=1)
    print(out)


if __name__ == "__main__":
    main()
