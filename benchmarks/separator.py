"""The vocal separator alone, on held-out rendered songs: the mix in, the rest out with the rest mask
(1 - vocal mask) ** power, scored as benchmarks/edits.py scores a removal (vocal power left in the sung words, dB
below the vocals; accompaniment power lost there, dB below the accompaniment), for several powers. Chooses
model.json's separation.rest_mask_power on the valid split, away from the test songs edits.py reports on.

    python benchmarks/separator.py --separator songforge/models/default/separator --corpus C4 --split valid \
        --songs 16 --out benchmarks/results/separator_valid.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from edits import STEMS, leakage_db
from roundtrip import write_results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--separator", required=True, help="a separator checkpoint folder")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--split", default="valid")
    ap.add_argument("--songs", type=int, default=16)
    ap.add_argument("--powers", type=float, nargs="+", default=[1, 2, 3, 4, 6])
    ap.add_argument("--out", default="benchmarks/results/separator_valid.json")
    a = ap.parse_args()
    import torch

    from songforge.eval.songs import _from_labels
    from songforge.model import checkpoint
    from songforge.train.data import load_audio, read_manifest
    sep, _ = checkpoint.load(a.separator)
    sr = sep.cfg.sample_rate
    per, t0 = [], time.time()
    for r in [r for r in read_manifest(a.corpus, (a.split,)) if r.get("words", 1)][:a.songs]:
        with open(os.path.join(a.corpus, r["labels"]), encoding="utf-8") as f:
            words = [(s, e) for _, s, e, _ in _from_labels(json.load(f)).words]
        if not words:
            continue
        stems = {s: load_audio(a.corpus, r, s, sr) for s in STEMS}
        mix, acc = sum(stems.values()), stems["drums"] + stems["bass"] + stems["other"]
        row = {"id": r["id"], "language": r["language"]}
        for p in a.powers:
            rest = sep.without_vocals(torch.from_numpy(mix)[None], p)[0].numpy()
            row[f"leak_db_p{p:g}"] = leakage_db(rest, acc, stems["vocals"], words, sr)
            row[f"lost_db_p{p:g}"] = leakage_db(acc, rest, acc, words, sr)
        per.append(row)
        print(json.dumps(row), flush=True)
    mean = {k: round(float(np.mean([s[k] for s in per])), 2) for k in per[0] if k not in ("id", "language")}
    result = {"separator": a.separator, "corpus": a.corpus, "split": a.split, "songs": len(per),
              "seconds": round(time.time() - t0, 1), "mean": mean, "per_song": per}
    lines = [f"The separator alone on {len(per)} {a.split} songs of {os.path.basename(os.path.normpath(a.corpus))}: "
             "the mix in, the rest out (edits.py's removal measures, sung words only)", "",
             "| rest mask power | vocal power left, dB | accompaniment power lost, dB |", "|---|---|---|"]
    lines += [f"| {p:g} | {mean[f'leak_db_p{p:g}']} | {mean[f'lost_db_p{p:g}']} |" for p in a.powers]
    write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
