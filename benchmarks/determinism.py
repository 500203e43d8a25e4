"""Are two builds of one seed the same? Compares the manifests of corpus folders built with the same settings (the
sha256 of every stem) and counts, per voice (engine and espeak-ng variant) and language, the clips whose audio is
identical and those that differ. Writes JSON and a table.
--work DIR: first builds the corpora to compare itself, one per --draws value, each in a fresh process that draws
that many numbers from libc's rand() before building (a different process history; espeak-ng's breathy variants
and fluidsynth's dither draw from it).

    python benchmarks/determinism.py --pairs C4_a:C4_b C3_a:C3_b --out benchmarks/results/determinism.json
    python benchmarks/determinism.py --work /tmp/det --hours 0.3 --draws 0,37
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict

from roundtrip import write_results


def manifest(corpus: str) -> dict[str, dict]:
    with open(os.path.join(corpus, "manifest.jsonl"), encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


def compare(a: str, b: str) -> dict:
    """Per (voice, language): clips identical / differing between the two builds."""
    ma, mb = manifest(a), manifest(b)
    if set(ma) != set(mb):
        raise SystemExit(f"{a} and {b} hold different clips: not two builds of one seed and size")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cid, r in ma.items():
        voice = r["voice"].split("/")[0] if r["voice_engine"] == "espeak" else r["voice_engine"]
        counts[f"{voice} {r['language']}"][r["sha256"] != mb[cid]["sha256"]] += 1
    return {"a": a, "b": b, "clips": len(ma),
            "by_voice": {k: {"identical": v[0], "differ": v[1]} for k, v in sorted(counts.items())}}


def build_after_draws(out: str, draws: int, hours: float, seed: int) -> None:
    code = ("import ctypes, sys\n"
            f"for _ in range({draws}): ctypes.CDLL(None).rand()\n"
            "from songforge.cli import main\n"
            f"main(['data', 'build', '--out', {out!r}, '--hours', '{hours}', '--seed', '{seed}', '--workers', '2'])")
    subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", nargs="+", default=[], help="A:B corpus folders built from one seed")
    ap.add_argument("--work", help="build the corpora to compare here (see above)")
    ap.add_argument("--draws", default="0,37")
    ap.add_argument("--hours", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=9100)
    ap.add_argument("--out", default="benchmarks/results/determinism.json")
    a = ap.parse_args()
    if a.work:
        outs = [os.path.join(a.work, f"draws{d}") for d in a.draws.split(",")]
        for d, out in zip(a.draws.split(","), outs):
            build_after_draws(out, int(d), a.hours, a.seed)
        a.pairs += [f"{outs[0]}:{o}" for o in outs[1:]]
    if not a.pairs:
        raise SystemExit("give --pairs or --work")
    rows = [compare(*p.split(":", 1)) for p in a.pairs]
    voices = sorted({v for r in rows for v in r["by_voice"]})
    lines = ["| voice, language | " + " | ".join(f"{os.path.basename(r['a'])} vs {os.path.basename(r['b'])}: "
                                                  "identical / differ" for r in rows) + " |",
             "|---|" + "---|" * len(rows)]
    for v in voices:
        cells = [r["by_voice"].get(v) for r in rows]
        lines.append(f"| {v} | " + " | ".join(f"{c['identical']} / {c['differ']}" if c else "-" for c in cells) + " |")
    write_results(a.out, {"pairs": rows}, "Clips whose stems are byte-identical in two builds of one seed\n\n"
                  + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
