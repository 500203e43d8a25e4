"""Fine-tune on your own songs, measured: ≥ 20 songs of one style imported from the mix and the lyrics alone
(`songforge data import`), a LoRA adapter trained on them for the shipped model (`songforge train dit --lora`), and
held-out prompts generated before and after (`songforge generate [--adapter]`), heard by the style tagger and the
outside ear (musicnn's MSD tagger).

    python benchmarks/lora_style.py --corpus runs/import/metal --style metal --work out/lora_metal \
        --out benchmarks/results/lora_style.json [--steps 300] [--rank 8]

The songs are data-engine renders of that style (rendered with `songforge data build --styles metal --full-songs 1`),
treated as recordings: only their mix and lyric text are imported. Held-out prompts: benchmarks/data/
lora_style_songs.jsonl (lyrics written for it: six of the style, two of others as a control). Generation uses the
model's own accompaniment (`--accompaniment-guide 0`): the default takes drums, bass and other from the data engine's
rendering, which an adapter does not change. Every stage resumes from --work."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from import_songs import write_sources
from realism import write_inputs
from roundtrip import write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
PROMPTS = os.path.join(ROOT, "benchmarks", "data", "lora_style_songs.jsonl")
MODEL = os.path.join(ROOT, "songforge", "models", "default")


def cli(args: list[str]) -> float:
    """Run songforge in a child process; returns its CPU seconds (user + system of the child)."""
    import resource
    import subprocess
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([sys.executable, "-m", "songforge", *args], cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0,):
        print(f"lora_style: songforge {' '.join(args[:2])} exited {r.returncode}", file=sys.stderr)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def hear(folder: str, style: str, gender: str) -> dict:
    import soundfile as sf

    from songforge.ears import tagger
    from songforge.ears.outside import ear_scores
    x, sr = sf.read(os.path.join(folder, "mix.flac"), dtype="float32", always_2d=True)
    mono = x.mean(axis=1)
    t = tagger.tag_audio(mono, sr)
    ear = ear_scores(mono, sr, style, gender, instrumental=False)
    return {"tagger_style": t["style"], "tagger_p_asked": t["style_probs"].get(style),
            "msd_rank": ear["MSD_musicnn"].get("genre_rank"), "msd_vgg_rank": ear["MSD_vgg"].get("genre_rank")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True, help="data-engine songs of one style, treated as recordings")
    ap.add_argument("--style", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out")
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--duration", type=float, default=20.0)
    a = ap.parse_args()
    with open(os.path.join(a.corpus, "manifest.jsonl"), encoding="utf-8") as f:
        songs = [json.loads(line) for line in f if line.strip()]
    src, imported, run = (os.path.join(a.work, d) for d in ("src", "imported", "run"))
    write_sources(a.corpus, songs, src, "text")
    result: dict = {"corpus": a.corpus, "style": a.style, "rank": a.rank, "steps": a.steps}
    costs_path = os.path.join(a.work, "costs.json")  # CPU seconds of the stages, kept across resumed runs
    costs = json.load(open(costs_path)) if os.path.isfile(costs_path) else {}
    if not os.path.isfile(os.path.join(imported, "manifest.jsonl")):
        costs["import_cpu_s"] = round(cli(["data", "import", src, "--out", imported]), 1)
        json.dump(costs, open(costs_path, "w"))
    with open(os.path.join(imported, "manifest.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    result["imported"] = {"songs": len(rows), "train_songs": sum(r["split"] == "train" for r in rows),
                          "hours": round(sum(r["duration"] for r in rows) / 3600, 3),
                          "heard_as_style": round(float(np.mean([r["style"] == a.style for r in rows])), 3)}
    adapter = os.path.join(run, "adapter")
    if not os.path.isfile(os.path.join(adapter, "adapter.json")):
        t0 = time.time()
        resume = ["--resume"] if os.path.isfile(os.path.join(run, "last", "state.json")) else []
        costs["train_cpu_s"] = costs.get("train_cpu_s", 0.0) + round(cli(
            ["train", "dit", "--init", MODEL, "--data", imported, "--lora", str(a.rank), "--out", run, "--steps",
             str(a.steps), *resume]), 1)
        costs["train_wall_s"] = costs.get("train_wall_s", 0.0) + round(time.time() - t0, 1)
        json.dump(costs, open(costs_path, "w"))
    result |= costs
    with open(os.path.join(adapter, "adapter.json"), encoding="utf-8") as f:
        result["adapter"] = json.load(f)
    result["adapter_bytes"] = os.path.getsize(os.path.join(adapter, "adapter.safetensors"))
    with open(PROMPTS, encoding="utf-8") as f:
        prompts = [json.loads(line) for line in f if line.strip()]
    paths = write_inputs(prompts, os.path.join(a.work, "prompts"), a.duration)
    rows_out = []
    for name, extra in (("base", []), ("adapter", ["--adapter", adapter])):
        out = os.path.join(a.work, name)
        todo = [p for p, s in zip(paths, prompts) if not os.path.isfile(os.path.join(out, s["id"], "labels.json"))]
        if todo:
            cli(["generate", *todo, "-o", out, "--no-picture", "--accompaniment-guide", "0", *extra])
        for s in prompts:
            rows_out.append({"model": name, "id": s["id"], "asked": s["style"], **hear(os.path.join(out, s["id"]),
                                                                                    s["style"], s["gender"])})
    result["rows"] = rows_out

    def agg(model: str, target: bool) -> dict:
        sel = [r for r in rows_out if r["model"] == model and (r["asked"] == a.style) == target]
        return {"songs": len(sel), "tagger_style_correct": round(float(np.mean([r["tagger_style"] == r["asked"]
                                                                                  for r in sel])), 3),
                "tagger_p_asked": round(float(np.mean([r["tagger_p_asked"] for r in sel])), 3),
                "msd_rank": round(float(np.mean([r["msd_rank"] for r in sel if r["msd_rank"]])), 2),
                "msd_vgg_rank": round(float(np.mean([r["msd_vgg_rank"] for r in sel if r["msd_vgg_rank"]])), 2)}
    result["summary"] = {m: {"asked_style": agg(m, True), "other_styles": agg(m, False)} for m in ("base", "adapter")}
    print(json.dumps(result["summary"]))
    if a.out:
        imp = result["imported"]
        lines = [f"LoRA adapter (rank {a.rank}, {result['adapter_bytes'] / 1e6:.2f} MB) for the shipped model, trained "
                 f"{a.steps} steps on {imp['train_songs']} {a.style} songs imported from mix + lyrics "
                 f"({imp['hours']} h; `songforge data import` heard {imp['heard_as_style']:.0%} of them as {a.style}). "
                 "Held-out prompts (benchmarks/data/lora_style_songs.jsonl), generated with the model's own "
                 "accompaniment (--accompaniment-guide 0).", "",
                 "| model | prompts | style tagger: asked style heard | tagger p(asked) | MSD_musicnn genre rank | "
                 "MSD_vgg genre rank |", "|---|---|---|---|---|---|"]
        for m in ("base", "adapter"):
            for k, label in (("asked_style", a.style), ("other_styles", "other styles (control)")):
                s = result["summary"][m][k]
                lines.append(f"| {m} | {s['songs']} {label} | {s['tagger_style_correct']} | {s['tagger_p_asked']} | "
                             f"{s['msd_rank']} | {s['msd_vgg_rank']} |")
        cpu = [f"{k} {result[k] / 60:.1f} CPU-min" for k in ("import_cpu_s", "train_cpu_s") if k in result]
        if cpu:
            lines += ["", "Cost on this machine's CPU: " + ", ".join(cpu) + "."]
        write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
