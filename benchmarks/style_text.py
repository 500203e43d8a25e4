"""Free-text style resolution on a test set of descriptions (benchmarks/data/style_text.jsonl, written for this
project): style agreement, named instruments honoured, stated tempo / key / voice kept, and the time per
description on this CPU (the embedder's one-time load reported apart).

    python benchmarks/style_text.py --out benchmarks/results/style_text.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cases(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(cases: list[dict]) -> dict:
    from songforge.plan.describe import _library, resolve_style
    from songforge.plan.styles import BY_NAME
    t0 = time.perf_counter()
    _library()
    load_s = time.perf_counter() - t0
    rows, times = [], []
    for c in cases:
        t0 = time.perf_counter()
        ch = resolve_style((c["text"],))
        times.append(time.perf_counter() - t0)
        info = BY_NAME[ch.style]
        have = set(ch.programs or info.programs) | {info.bass_program if ch.bass_program is None else ch.bass_program}
        facts = {k: (getattr(ch, k) == c[k]) for k in ("bpm", "key", "gender") if k in c}
        rows.append({"text": c["text"], "expected": c["style"], "got": ch.style, "how": ch.how,
                     "style_ok": ch.style == c["style"], "instruments": c["instruments"],
                     "instruments_ok": set(c["instruments"]) <= have, "facts_ok": all(facts.values()),
                     "facts": facts})
    n = len(rows)
    described = [r for r in rows if r["how"].startswith("described")]
    times.sort()
    return {"descriptions": n, "style_agreement": round(sum(r["style_ok"] for r in rows) / n, 4),
            "style_agreement_keyword": round(sum(r["style_ok"] for r in rows if not r["how"].startswith("described")) /
                                             max(1, n - len(described)), 4),
            "style_agreement_described": round(sum(r["style_ok"] for r in described) / max(1, len(described)), 4),
            "described": len(described),
            "named_instruments": sum(bool(r["instruments"]) for r in rows),
            "instruments_honoured": round(sum(r["instruments_ok"] for r in rows) / n, 4),
            "stated_facts": sum(bool(r["facts"]) for r in rows),
            "facts_kept": round(sum(r["facts_ok"] for r in rows if r["facts"]) /
                                max(1, sum(bool(r["facts"]) for r in rows)), 4),
            "embedder_load_s": round(load_s, 3), "median_ms": round(1000 * times[n // 2], 2),
            "max_ms": round(1000 * times[-1], 2), "misses": [r for r in rows if not r["style_ok"]
                                                              or not r["instruments_ok"] or not r["facts_ok"]]}


def table(res: dict) -> str:
    out = ["| descriptions | style agreement | by keyword / described | instruments honoured | stated facts kept "
           "| embedder load | per description (median / max) |", "|---|---|---|---|---|---|---|",
           f"| {res['descriptions']} ({res['described']} name no style) | {res['style_agreement']:.3f} | "
           f"{res['style_agreement_keyword']:.3f} / {res['style_agreement_described']:.3f} | "
           f"{res['instruments_honoured']:.3f} ({res['named_instruments']} name some) | {res['facts_kept']:.3f} "
           f"({res['stated_facts']}) | {res['embedder_load_s']:.2f} s | {res['median_ms']:.1f} / {res['max_ms']:.1f} ms |"]
    if res["misses"]:
        out += ["", "Misses:", ""] + [f"- \"{m['text']}\": expected {m['expected']}, got {m['got']} ({m['how']})"
                                      f"{'' if m['instruments_ok'] else ', instruments missed'}"
                                      f"{'' if m['facts_ok'] else ', facts ' + str(m['facts'])}" for m in res["misses"]]
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=os.path.join(HERE, "data", "style_text.jsonl"))
    ap.add_argument("--out", default=os.path.join(HERE, "results", "style_text.json"))
    a = ap.parse_args()
    res = score(load_cases(a.cases))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    md = table(res)
    with open(os.path.splitext(a.out)[0] + ".md", "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
