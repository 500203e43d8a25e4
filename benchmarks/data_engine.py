"""Data-engine benchmark: corpus throughput (audio-hours per CPU-hour, all processes counted) per singing
voice engine; with --exactness, label exactness per style and engine measured on the rendered stems; with
--intelligibility, Whisper WER of the vocal stem on real English lyric lines (benchmarks/data/lyrics_en.txt,
written for this benchmark), each line planned once and sung by both engines over the same plan; with --model
also the vocal stem a model generates from each line's plan (its default sampling: the vocals start from the
neural voice's rendering). --neural-voicing sets render/voice.NEURAL_VOICING for the whole run (default: as shipped).
Writes JSON and prints tables.

    python benchmarks/data_engine.py --hours 0.25 --workers 2 --exactness --intelligibility \
        --out benchmarks/results/data_engine.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time

import numpy as np


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


ENGINES = {"neural": 1.0, "espeak": 0.0}  # engine -> the corpus builder's neural_share


def throughput(hours: float, workers: int, seed: int, engine: str) -> dict:
    from songforge.data.build import BuildConfig, build
    out = tempfile.mkdtemp(prefix="sf_bench_")
    try:
        c0, w0 = cpu_seconds(), time.time()
        s = build(out, BuildConfig(seed=seed, hours=hours, neural_share=ENGINES[engine]), workers, progress=False)
        cpu, wall = cpu_seconds() - c0, time.time() - w0
        audio_h = s["hours"]
        return {"engine": engine, "hours": audio_h, "clips": s["clips"], "workers": workers, "wall_s": round(wall, 1),
                "cpu_s_all_processes": round(cpu, 1), "audio_hours_per_cpu_hour": round(audio_h / (cpu / 3600), 1),
                "audio_hours_per_wall_hour": round(audio_h / (wall / 3600), 1), "failed": s["failed"]}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def with_engine(plan, engine: str):
    import dataclasses
    return dataclasses.replace(plan, voice=dataclasses.replace(plan.voice, engine=engine))


def exactness(seed: int) -> list[dict]:
    from songforge.data.specs import fit_clip, random_spec
    from songforge.eval.harmony import chord_accuracy
    from songforge.eval.pitch import cents_errors, sung_f0
    from songforge.eval.rhythm import beat_f1, detect_onsets, local_onset_errors, nearest_errors
    from songforge.plan.melody import F0_HOP_S
    from songforge.plan.plan import make_plan
    from songforge.plan.styles import STYLES
    from songforge.plan.timing import time_song
    from songforge.render.song import render_plan
    rows = []
    for st in STYLES:
        for lang, engine in (("en", "neural"), ("en", "espeak"), ("zh", "espeak")):
            spec = fit_clip(random_spec(seed, 0, (st.name,), (lang,)), 10, 30)
            plan = with_engine(make_plan(spec, time_song(spec)), engine)
            r = render_plan(plan)
            v = r.stems["vocals"]
            starts = np.array([w.start for w in plan.timing.words])
            on = local_onset_errors(v, r.sample_rate, starts)
            picked = nearest_errors(starts, detect_onsets(v, r.sample_rate))
            t, f = sung_f0(v, r.sample_rate)
            cents = cents_errors(np.arange(len(plan.f0)) * F0_HOP_S, plan.f0, t, f)
            rows.append({"style": st.name, "language": lang, "engine": engine, "onset_median_ms": round(1000 * float(np.median(on)), 1),
                         "picked_onset_median_ms": round(1000 * float(np.median(picked)), 1),
                         "f0_median_cents": round(float(np.median(cents)), 2),
                         "chord_accuracy": round(chord_accuracy(r.stems["other"], r.sample_rate,
                                                                [(c.symbol, c.start, c.end) for c in plan.chords]), 3),
                         # a style without drums (classical) has nothing to track: no beat F1
                         "beat_f1": round(beat_f1(np.array(plan.beats), r.stems["drums"], r.sample_rate, plan.bpm), 3)
                         if np.abs(r.stems["drums"]).max() > 1e-4 else None})
    return rows


LYRICS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "lyrics_en.txt")
LINE_STYLES = ("pop", "ballad", "folk", "rock", "rnb", "country")


def lyric_lines(path: str = LYRICS) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


def line_plan(text: str, k: int):
    from songforge.plan.plan import make_plan
    from songforge.plan.timing import time_song
    from songforge.spec.song import Generation, Line, Section, SongSpec, Style, Word
    tags = (LINE_STYLES[k % len(LINE_STYLES)], "female vocals" if k % 2 else "male vocals")
    spec = SongSpec(f"line-{k:02d}", (Section("verse", (Line(tuple(Word(w) for w in text.split()), "en"),)),),
                    None, Style(tags), generation=Generation(seed=1000 + k))
    return make_plan(spec, time_song(spec))


def intelligibility(model: str | None = None) -> dict:
    """Whisper WER of the vocal stem, per engine, over the same plans (and of a model's generation from the
    neural engine's plan, as "model")."""
    from songforge.eval.asr import transcribe
    from songforge.eval.text import word_error_rate
    from songforge.render.song import render_plan
    sf = None
    if model:
        from songforge.pipeline import load
        sf = load(model)
    rows = []
    for k, text in enumerate(lyric_lines()):
        plan = line_plan(text, k)
        row = {"line": text, "style": plan.style, "gender": plan.voice.gender, "duration_s": round(plan.duration, 2)}
        heard = {}
        for engine in ENGINES:
            r = render_plan(with_engine(plan, engine))
            heard[engine] = transcribe(r.stems["vocals"], r.sample_rate, "en")  # the eval suite's English model
        if sf is not None:
            g = sf.generate(with_engine(plan, "neural"), seed=k)
            heard["model"] = transcribe(g.stems["vocals"], g.sample_rate, "en")
        for name, hyp in heard.items():
            row[name] = {"heard": hyp, "wer": round(word_error_rate(text, hyp, "en"), 3)}
        rows.append(row)
        scores = " ".join(f"{name} {row[name]['wer']:.2f}" for name in heard)
        print(f"  {k:2d} {scores}  {text}", file=sys.stderr)
    n = [len(r["line"].split()) for r in rows]
    summary = {e: round(float(np.average([r[e]["wer"] for r in rows], weights=n)), 3)
               for e in list(ENGINES) + (["model"] if sf is not None else [])}
    return {"asr": "faster-whisper tiny.en", "lines": len(rows), "model": model, "wer": summary,
            "neural_over_espeak": round(summary["neural"] / max(summary["espeak"], 1e-9), 3), "rows": rows}


def figure(path: str, k: int = 0) -> None:
    """Log-mel spectrograms of one lyric line sung by both engines over the same plan."""
    import librosa
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from songforge.render.song import render_plan
    text = lyric_lines()[k]
    plan = line_plan(text, k)
    fig, axes = plt.subplots(len(ENGINES), 1, figsize=(12, 3.2 * len(ENGINES)), sharex=True)
    for ax, engine in zip(axes, ENGINES):
        r = render_plan(with_engine(plan, engine))
        m = librosa.feature.melspectrogram(y=r.stems["vocals"], sr=r.sample_rate, n_fft=1024, hop_length=256, n_mels=128,
                                           fmax=8000)
        ax.imshow(librosa.power_to_db(m, ref=np.max, top_db=80), origin="lower", aspect="auto", cmap="magma",
                  extent=(0, len(r.stems["vocals"]) / r.sample_rate, 0, 128))
        for w in plan.timing.words:
            ax.axvline(w.start, color="w", lw=0.5, alpha=0.6)
            ax.text(w.start + 0.02, 120, w.text, color="w", fontsize=8, va="top")
        ax.set_ylabel(f"{engine}\nmel bin (to 8 kHz)")
        ax.set_xlim(plan.timing.words[0].start - 0.3, plan.timing.words[-1].end + 0.5)
    axes[-1].set_xlabel("seconds (white lines: planned word starts)")
    fig.suptitle(f"'{text}' — vocal stem, same plan, two voice engines")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=0.25)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engines", default="neural,espeak", help="engines whose corpus throughput is measured")
    ap.add_argument("--exactness", action="store_true")
    ap.add_argument("--intelligibility", action="store_true")
    ap.add_argument("--model", help="--intelligibility: also a model's generations (a model folder)")
    ap.add_argument("--neural-voicing", choices=("phoneme", "source"), help="render/voice.NEURAL_VOICING for this run")
    ap.add_argument("--figure", help="also draw one lyric line's vocal spectrograms by both engines (PNG)")
    ap.add_argument("--out", default="benchmarks/results/data_engine.json")
    a = ap.parse_args()
    if a.neural_voicing:
        from songforge.render import voice
        voice.NEURAL_VOICING = a.neural_voicing  # the corpus builds' workers are forked from this process
    res = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, python {sys.version.split()[0]}",
           "throughput": [throughput(a.hours, a.workers, a.seed, e) for e in a.engines.split(",") if e]}
    if a.exactness:
        res["exactness"] = exactness(a.seed + 1)
    if a.intelligibility:
        res["intelligibility"] = intelligibility(a.model)
    if a.figure:
        figure(a.figure)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print("| engine | corpus | clips | workers | wall s | CPU s (all) | audio-h / CPU-h | audio-h / wall-h |\n"
          "|---|---|---|---|---|---|---|---|")
    for tp in res["throughput"]:
        print(f"| {tp['engine']} | {tp['hours']:.3f} h | {tp['clips']} | {tp['workers']} | {tp['wall_s']} | "
              f"{tp['cpu_s_all_processes']} | **{tp['audio_hours_per_cpu_hour']}** | {tp['audio_hours_per_wall_hour']} |")
    if a.exactness:
        print("\n| style | lang | engine | onset median ms (local rise) | onset median ms (librosa picks) | "
              "F0 median cents | chord acc | beat F1 |\n|---|---|---|---|---|---|---|---|")
        ex = res["exactness"]
        for r in ex:
            print(f"| {r['style']} | {r['language']} | {r['engine']} | {r['onset_median_ms']} | "
                  f"{r['picked_onset_median_ms']} | {r['f0_median_cents']} | {r['chord_accuracy']} | "
                  f"{'-' if r['beat_f1'] is None else r['beat_f1']} |")
        for lang, engine in (("en", "neural"), ("en", "espeak"), ("zh", "espeak")):
            sub = [r for r in ex if r["language"] == lang and r["engine"] == engine]
            print(f"| **all** | {lang} | {engine} | {np.median([r['onset_median_ms'] for r in sub]):.1f} | "
                  f"{np.median([r['picked_onset_median_ms'] for r in sub]):.1f} | "
                  f"{np.median([r['f0_median_cents'] for r in sub]):.2f} | {np.mean([r['chord_accuracy'] for r in sub]):.3f} | "
                  f"{np.mean([r['beat_f1'] for r in sub if r['beat_f1'] is not None]):.3f} |")
    if a.intelligibility:
        it = res["intelligibility"]
        gen = "model" in it["wer"]
        print(f"\n| Whisper {it['asr'].split()[-1]} WER on {it['lines']} real lyric lines | neural | espeak | "
              "neural / espeak |" + (" model's generation |" if gen else "") + "\n|---|---|---|---|" + ("---|" if gen else "")
              + f"\n| vocal stem, same plans | **{it['wer']['neural']}** | {it['wer']['espeak']} | "
              f"{it['neural_over_espeak']} |" + (f" {it['wer']['model']} |" if gen else ""))


if __name__ == "__main__":
    main()
