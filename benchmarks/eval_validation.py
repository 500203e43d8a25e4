"""Metric validation: data-engine songs scored against their own labels (the oracle), then under controlled
corruptions; each corruption should move the metric meant to see it and leave the rest near the oracle.

    python benchmarks/eval_validation.py --hours 0.15 --out benchmarks/results/eval_validation.json

--hours 0.15 gives ~27 clips (English and Mandarin). The optional evaluators (swift-f0, basic-pitch) and the shipped
judge and tagger are used when present; their columns stay empty otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time

import numpy as np
import soundfile as sf

STEMS = ("vocals", "drums", "bass", "other")


def _read(d, name):
    x, sr = sf.read(os.path.join(d, f"{name}.flac"), dtype="float32")
    return x, sr


def _write_song(src, dst, stems=None, labels=None, mix=None, keep_stems=True):
    os.makedirs(dst, exist_ok=True)
    lab = labels or json.load(open(os.path.join(src, "labels.json")))
    json.dump(lab, open(os.path.join(dst, "labels.json"), "w"), ensure_ascii=False)
    loaded = {s: _read(src, s) for s in STEMS}
    sr = loaded["vocals"][1]
    st = {s: (stems or {}).get(s, loaded[s][0]) for s in STEMS}
    n = max(len(x) for x in st.values())
    st = {s: np.pad(x, (0, n - len(x))) for s, x in st.items()}
    m = mix if mix is not None else sum(st.values())
    sf.write(os.path.join(dst, "mix.flac"), np.clip(m, -1, 1), sr, subtype="PCM_16")
    if keep_stems:
        for s, x in st.items():
            sf.write(os.path.join(dst, f"{s}.flac"), np.clip(x, -1, 1), sr, subtype="PCM_16")


def corrupt(name: str, src: str, dst: str, rng: np.random.Generator) -> None:
    import librosa
    from songforge.data.lyrics import english_vocab
    lab = json.load(open(os.path.join(src, "labels.json")))
    v, sr = _read(src, "vocals")
    if name == "oracle":
        _write_song(src, dst)
    elif name == "mix only (no stems)":
        _write_song(src, dst, keep_stems=False)
    elif name.startswith("vocals +") and name.endswith(" ms"):
        ms = int(name.split("+")[1].split()[0])
        _write_song(src, dst, stems={"vocals": np.concatenate([np.zeros(int(ms / 1000 * sr), np.float32), v])[:len(v)]})
    elif name == "words swapped":
        w = lab["words"]
        for i in range(0, len(w) - 1, 2):
            w[i]["text"], w[i + 1]["text"] = w[i + 1]["text"], w[i]["text"]
        _write_song(src, dst, labels=lab)
    elif name == "words replaced":
        vocab, _ = english_vocab()
        for i, w in enumerate(lab["words"]):
            if i % 2 == 0:
                w["text"] = vocab[int(rng.integers(200, 3000))] if w["language"] != "zh" else "".join(
                    rng.choice(list("山水风云花月天地人心光明"), size=max(1, len(w["text"]))))
        _write_song(src, dst, labels=lab)
    elif name == "vocals +1 semitone":
        _write_song(src, dst, stems={"vocals": librosa.effects.pitch_shift(v, sr=sr, n_steps=1.0)})
    elif name == "chords transposed +2":
        from songforge.plan.harmony import PC_NAMES
        from songforge.spec.music import pitch_class
        for c in lab["chords"]:
            root, _, q = c["symbol"].partition(":")
            c["symbol"] = f"{PC_NAMES[(pitch_class(root) + 2) % 12]}:{q}"
        _write_song(src, dst, labels=lab)
    elif name == "backing transposed +2":
        _write_song(src, dst, stems={s: librosa.effects.pitch_shift(_read(src, s)[0], sr=sr, n_steps=2.0)
                                     for s in ("bass", "other")})
    elif name == "style mislabelled":
        from songforge.plan.styles import STYLES
        names = [st.name for st in STYLES]
        other = STYLES[(names.index(lab["style"]) + 1 + int(rng.integers(len(names) - 1))) % len(names)]
        lab["style"] = other.name
        lab["programs"] = {"other": list(other.programs), "bass": other.bass_program, "drum_kit": other.kit}
        _write_song(src, dst, labels=lab)
    elif name == "tempo stretched 5%":
        _write_song(src, dst, stems={s: librosa.effects.time_stretch(_read(src, s)[0], rate=1.05) for s in STEMS})
    elif name == "noise at 10 dB SNR":
        m = sum(_read(src, s)[0] for s in STEMS)
        noise = rng.standard_normal(len(m)).astype(np.float32)
        noise *= np.sqrt(np.mean(m ** 2) / np.mean(noise ** 2) / 10.0)
        _write_song(src, dst, mix=m + noise)
    else:
        raise ValueError(f"unknown corruption {name!r}")


CONDITIONS = ("oracle", "mix only (no stems)", "vocals +100 ms", "vocals +250 ms", "words swapped", "words replaced",
              "vocals +1 semitone", "chords transposed +2", "backing transposed +2", "tempo stretched 5%",
              "style mislabelled", "noise at 10 dB SNR")
COLUMNS = (("lyrics.wer", "WER en"), ("lyrics.cer", "CER zh"), ("lyrics.per", "PER (Whisper)"), ("judge.per", "PER (judge)"),
           ("timing.onset_median_ms", "onset ms"), ("timing.offset_median_ms", "offset ms"),
           ("melody.raw_pitch_accuracy", "pitch acc (Harvest)"), ("melody_swiftf0.raw_pitch_accuracy", "pitch acc (swift-f0)"),
           ("melody.median_cents", "cents"), ("notes.vocals_f1", "vocal note F1"), ("notes.bass_f1", "bass note F1"),
           ("notes.other_f1", "other note F1"), ("harmony.chord_majmin", "chords"), ("harmony.tempo_error_pct", "tempo err %"),
           ("harmony.beat_f1", "beat F1"), ("style.style_correct", "style acc"), ("style.other_f1", "instrument F1"))


def run_condition(i: int, cond: str, tmp: str, asr: bool = True) -> dict:
    """Corrupt every oracle clip one way and score the result (its own rng: conditions run in any order/process)."""
    import torch
    from songforge.eval.report import evaluate
    torch.set_num_threads(1)
    clips = os.path.join(tmp, "oracle_src", "clips")
    rng = np.random.default_rng(i)
    d = os.path.join(tmp, "c", cond.replace(" ", "_"))
    t0 = time.time()
    for cid in sorted(os.listdir(clips)):
        corrupt(cond, os.path.join(clips, cid), os.path.join(d, cid), rng)
    t1 = time.time()
    s = evaluate(d, os.path.join(tmp, "r", cond.replace(" ", "_")), refs=os.path.join(tmp, "refs"), asr=asr, pictures=False,
                 progress=False)
    r = {k: v["mean"] for k, v in s["aggregate"].items()} | {
        "fad_mfcc": s["fad_mfcc"], "fad_tagger": s["fad_tagger"], "songs": s["songs"], "problems": s["problems"],
        "corrupt_s": round(t1 - t0, 1), "eval_s_per_song": round((time.time() - t1) / max(1, s["songs"]), 2),
        "seconds_per_song": s["seconds_per_song"]}
    print(cond, json.dumps(r), flush=True)
    return r


def main() -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from songforge.data.build import BuildConfig, build
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=0.15)
    ap.add_argument("--workers", type=int, default=2, help="processes for building the clips and for scoring conditions")
    ap.add_argument("--conditions", help="comma-separated subset of the conditions (default: all)")
    ap.add_argument("--no-asr", action="store_true", help="skip Whisper (the slowest evaluator)")
    ap.add_argument("--out", default="benchmarks/results/eval_validation.json")
    a = ap.parse_args()
    conditions = [c.strip() for c in a.conditions.split(",")] if a.conditions else list(CONDITIONS)
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        raise SystemExit(f"--conditions: unknown {unknown} (known: {', '.join(CONDITIONS)})")
    tmp = tempfile.mkdtemp(prefix="sf_evalval_")
    try:
        build(os.path.join(tmp, "oracle_src"), BuildConfig(seed=100, hours=a.hours), a.workers, progress=False)
        build(os.path.join(tmp, "refs"), BuildConfig(seed=200, hours=a.hours), a.workers, progress=False)
        # spawn, not fork: a forked child inherits the parent's thread pools (torch, onnxruntime) and can hang in them
        with ProcessPoolExecutor(a.workers, mp_context=multiprocessing.get_context("spawn")) as ex:
            futures = [ex.submit(run_condition, CONDITIONS.index(cond), cond, tmp, not a.no_asr) for cond in conditions]
            results = {cond: f.result() for cond, f in zip(conditions, futures)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    json.dump(results, open(a.out, "w"), indent=1)
    head = "| condition | " + " | ".join(c[1] for c in COLUMNS) + " | FAD (mfcc) | FAD (tagger) |\n|---|" + \
        "---|" * (len(COLUMNS) + 2)
    rows = [head]
    for cond, r in results.items():
        cells = [("" if r.get(k) is None else f"{r[k]:.3g}") for k, _ in COLUMNS + (("fad_mfcc", ""), ("fad_tagger", ""))]
        rows.append(f"| {cond} | " + " | ".join(cells) + " |")
    first = next(iter(results.values()))
    rows.append(f"\n{first['songs']} clips; scoring took {first['eval_s_per_song']} s per song (oracle condition, all "
                f"evaluators and the FADs, one thread, {a.workers} conditions at a time on {os.cpu_count()} cores); "
                f"per metric group, s per song: "
                + ", ".join(f"{k} {v}" for k, v in first["seconds_per_song"].items()))
    table = "\n".join(rows)
    open(os.path.splitext(a.out)[0] + ".md", "w").write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
