"""The key estimator, validated: key and mode accuracy on held-out renders against their exact labels, as rendered
and as the generator's codec decodes them (every stem through it and back, summed), for the learned estimator
(songforge/models/key) beside the key profiles it replaces (Krumhansl-Kessler, and the profiles fitted on renders).

    python benchmarks/key.py --corpus C4 C3N2 [--key songforge/models/key] [--decoded songforge/models/default] \
        --out benchmarks/results/key.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", nargs="+", required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--key", default=os.path.join("songforge", "models", "key"), help="a key-estimator checkpoint")
    ap.add_argument("--decoded", metavar="MODEL", help="also score the clips as MODEL's codec decodes them")
    ap.add_argument("--out", default="benchmarks/results/key.json")
    a = ap.parse_args()
    import torch
    from songforge.ears import shipped
    from songforge.model.chroma import KK_PROFILES, chroma_frames, key_profiles, key_scores
    from songforge.train.data import read_manifest
    from songforge.train.key_task import SR, clip_key, clip_mix
    net = shipped.load(a.key)
    codec = None
    if a.decoded:
        from songforge.pipeline import load
        codec = load(a.decoded).codec
    estimators = {"learned": lambda f: net.estimate(torch.from_numpy(f))[0],
                  "profiles fitted on renders": lambda f: int(np.argmax(key_scores(f.mean(axis=2), key_profiles()))),
                  "krumhansl-kessler": lambda f: int(np.argmax(key_scores(f.mean(axis=2), np.array(KK_PROFILES))))}
    result, per, t0 = {"key": a.key, "decoded": a.decoded, "split": a.split, "sets": {}}, [], time.time()
    for corpus in a.corpus:
        for heard in ("rendered",) + (("decoded",) if codec is not None else ()):
            hits = {name: [] for name in estimators}
            for r in read_manifest(corpus, (a.split,)):
                f = chroma_frames(clip_mix(corpus, r, codec if heard == "decoded" else None), SR)
                want = clip_key(corpus, r)
                row = {"corpus": os.path.basename(corpus.rstrip("/")), "id": r["id"], "heard": heard, "key": want}
                for name, est in estimators.items():
                    k = est(f)
                    hits[name].append((k == want, (k >= 12) == (want >= 12)))
                    row[name] = k
                per.append(row)
            name = f"{os.path.basename(corpus.rstrip('/'))} {heard}"
            result["sets"][name] = {"clips": len(hits["learned"])} | {
                est: {"key": round(float(np.mean([h[0] for h in v])), 3), "mode": round(float(np.mean([h[1] for h in v])), 3)}
                for est, v in hits.items()}
            print(name, json.dumps(result["sets"][name]), flush=True)
    result["seconds"] = round(time.time() - t0, 1)
    result["per_clip"] = per
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as fh:
        json.dump(result, fh, indent=1)
    md = [f"key estimators on held-out {a.split} clips, against the labels (key / mode accuracy)\n",
          "| clips | n | " + " | ".join(estimators) + " |", "|---|---|" + "---|" * len(estimators)]
    for name, s in result["sets"].items():
        md.append(f"| {name} | {s['clips']} | " + " | ".join(f"{s[e]['key']} / {s[e]['mode']}" for e in estimators) + " |")
    with open(os.path.splitext(a.out)[0] + ".md", "w") as fh:
        fh.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
