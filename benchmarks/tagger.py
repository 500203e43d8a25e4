"""The style tagger on held-out renders: style accuracy (with a confusion table), bass-family accuracy and the
'other'-stem instrument-family F1, from the mix alone; optionally on generated song folders too.

    python benchmarks/tagger.py --corpus CORPUS --clips 200 --out benchmarks/results/tagger.json
"""
from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter


def score(songs, tagger: str | None = None) -> dict:
    from songforge.eval.style import TAGGER_DIR, style_metrics
    rows, t0 = [], time.time()
    for s in songs:
        mix, sr = s.load("mix")
        rows.append(style_metrics(mix, sr, s.asked.style, s.asked.programs, tagger or TAGGER_DIR,
                                  gender=s.asked.gender) | {"id": s.asked.id})
    n = max(1, len(rows))
    return {"clips": len(rows), "style_acc": round(sum(r["style_correct"] for r in rows) / n, 4),
            "bass_acc": round(sum(r.get("bass_correct", 0) for r in rows) / n, 4),
            "gender_acc": round(sum(r.get("gender_correct", 0) for r in rows) / n, 4),
            "other_f1": round(sum(r.get("other_f1", 0) for r in rows) / n, 4),
            "seconds_per_song": round((time.time() - t0) / n, 3),
            "confusions": Counter(f"{r['asked']} -> {r['predicted']}" for r in rows if not r["style_correct"]).most_common(),
            "per_style": {st: round(sum(r["style_correct"] for r in rows if r["asked"] == st) /
                                    max(1, sum(r["asked"] == st for r in rows)), 3)
                          for st in sorted({r["asked"] for r in rows})}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, help="a corpus from `songforge data build` (its test split is scored)")
    ap.add_argument("--clips", type=int, default=200)
    ap.add_argument("--generated", help="a folder of generated song folders (labels.json with style) to score as well")
    ap.add_argument("--out", default="benchmarks/results/tagger.json")
    ap.add_argument("--tagger", help="a tagger checkpoint folder (default: the shipped one)")
    a = ap.parse_args()
    from songforge.eval.songs import discover
    songs, _ = discover(os.path.join(a.corpus, "manifest.jsonl"))
    with open(os.path.join(a.corpus, "manifest.jsonl")) as f:
        test = {r["id"] for r in map(json.loads, f) if r["split"] == "test"}
    result = {"renders": score([s for s in songs if s.asked.id in test][:a.clips], a.tagger)}
    if a.generated:
        result["generated"] = score(discover(a.generated)[0], a.tagger)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result | {"tagger": a.tagger or "shipped"}, f, indent=1)
    lines = ["| songs | clips | style acc | bass family acc | instrument F1 | singer gender acc | s/song |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {k} | {r['clips']} | {r['style_acc']:.3f} | {r['bass_acc']:.3f} | {r['other_f1']:.3f} | {r['gender_acc']:.3f} "
              f"| {r['seconds_per_song']} |"
              for k, r in result.items()]
    table = "\n".join(lines)
    with open(os.path.splitext(a.out)[0] + ".md", "w") as f:
        f.write(f"tagger: {a.tagger or 'the shipped one'}; corpus {a.corpus}, test split\n\n" + table +
                "\n\nconfusions (renders): " + ", ".join(f"{k} x{v}" for k, v in result["renders"]["confusions"]) + "\n")
    print(table)


if __name__ == "__main__":
    main()
