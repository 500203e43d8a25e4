"""A model on the corpus's held-out split, scored by the evaluation suite beside the oracle.

Three rows over the same test clips: the oracle (the data engine's renders: the ceiling of every metric),
the codec alone (oracle stems encoded and decoded: the ceiling for any model in this latent), and the model
(generated from each clip's plan, chords given; its stems mixed at the plan's levels, as `generate` does). With
--as-decoded-too a fourth row scores the same generations with the stems as decoded (the mix stage off).
Writes JSON and a Markdown table.

    python benchmarks/heldout.py --model songforge/models/default --corpus CORPUS --clips 12 \
        --out benchmarks/results/heldout.json
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import tempfile
import time

from roundtrip import add_sampling_args, link_oracle, roundtrip_clips, sampling_from, write_results

SHOW = ("lyrics.wer", "lyrics.per", "judge.per", "judge.per_en", "judge.per_zh", "timing.onset_median_ms",
        "timing.onset_within_50ms", "melody.raw_pitch_accuracy", "melody_swiftf0.raw_pitch_accuracy",
        "notes.vocals_f1", "notes.bass_f1", "notes.other_f1", "harmony.chord_majmin", "harmony.beat_f1",
        "harmony.tempo_error_pct", "style.style_correct", "style.other_f1", "style.gender_correct")


def judge_per_language(report: str, language: dict[str, str]) -> dict[str, float]:
    """The judge's PER per language over all phonemes of a report's songs (the table's judge.per is a mean per song)."""
    errors: dict[str, list[float]] = {}
    for path in glob.glob(os.path.join(report, "songs", "*.json")):
        with open(path) as f:
            song = json.load(f)
        j = song.get("judge")
        if j and j.get("phonemes"):
            e = errors.setdefault(language[song["id"]], [0.0, 0])
            e[0] += j["per"] * j["phonemes"]
            e[1] += j["phonemes"]
    return {f"judge.per_{lang}": round(e / n, 4) for lang, (e, n) in sorted(errors.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--clips", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    add_sampling_args(ap)
    ap.add_argument("--no-asr", action="store_true", help="skip Whisper (the judge's PER still scores the lyrics)")
    ap.add_argument("--baseline", help="a previous result JSON on the same corpus and clips: its oracle and codec rows "
                    "(and its work folder's oracle links, for FAD) are reused and only the model is generated and scored")
    ap.add_argument("--as-decoded-too", action="store_true",
                    help="also score the generations with their stems as decoded (no mix stage)")
    ap.add_argument("--out", default="benchmarks/results/heldout.json")
    a = ap.parse_args()
    from songforge.eval.fad import fad
    from songforge.eval.report import evaluate
    from songforge.eval.songs import discover
    from songforge.eval.style import available as tagger_available
    from songforge.pipeline import load
    from songforge.train.data import clip_plan, read_manifest
    model = load(a.model)
    sampling = sampling_from(a, model.sampling)
    rows = read_manifest(a.corpus, ("test",))[:a.clips]
    tmp = tempfile.mkdtemp(prefix="heldout_")
    link_oracle(a.corpus, rows, os.path.join(tmp, "oracle"))
    base = None
    if a.baseline:
        with open(a.baseline) as f:
            base = json.load(f)
        if (base["corpus"], base["clips"]) != (a.corpus, len(rows)):
            raise SystemExit(f"{a.baseline}: scored {base['clips']} clips of {base['corpus']}, not {len(rows)} of {a.corpus}")
        codec = base["codec_reconstruction"]
    else:
        codec = roundtrip_clips(model.codec, a.corpus, rows, os.path.join(tmp, "codec"))
    from songforge.pipeline import Generated, mixed_at_plan_levels
    t0 = time.time()
    for r in rows:
        g = model.generate(clip_plan(a.corpus, r), a.seed, sampling, mix_levels=False)
        if a.as_decoded_too:
            g.write(os.path.join(tmp, "model_decoded"), picture=False, release=False)
        stems, mix = mixed_at_plan_levels(g.plan, g.stems, g.sample_rate)  # what generate(mix_levels=True) returns
        Generated(g.plan, stems, mix, g.sample_rate, g.latents).write(os.path.join(tmp, "model"), picture=False,
                                                                       release=False)  # the model, not the mastering
    gen_s = time.time() - t0
    table = {}
    oracle_mixes = [s.load("mix") for s in discover(os.path.join(tmp, "oracle"))[0]]
    embeddings = ("mfcc",) + (("tagger",) if tagger_available() else ())
    rows_scored = ("oracle", "codec", "model") + (("model_decoded",) if a.as_decoded_too else ())
    for name in rows_scored:
        if base is not None and name in ("oracle", "codec"):
            table[name] = base["table"][name]
            continue
        agg = evaluate(os.path.join(tmp, name), os.path.join(tmp, f"report_{name}"), asr=not a.no_asr, pictures=False,
                       progress=False)
        table[name] = {k: agg["aggregate"][k]["mean"] for k in SHOW if k in agg["aggregate"]}
        table[name] |= judge_per_language(os.path.join(tmp, f"report_{name}"), {r["id"]: r["language"] for r in rows})
        if name != "oracle":
            mixes = [s.load("mix") for s in discover(os.path.join(tmp, name))[0]]
            table[name] |= {f"fad_{e}_vs_oracle": round(fad(mixes, oracle_mixes, e), 3) for e in embeddings}
    langs = {}
    for r in rows:
        langs[r["language"]] = langs.get(r["language"], 0) + 1
    result = {"model": a.model, "corpus": a.corpus, "clips": len(rows), "languages": langs, "asr": not a.no_asr,
              "baseline": a.baseline,
              "audio_s": round(sum(r["duration"] for r in rows), 1), "sampling": sampling.__dict__,
              "generation_s": round(gen_s, 1), "codec_reconstruction": codec, "table": table, "work": tmp}
    head = ["oracle (renders)", "codec round trip", "model"] + (["model, stems as decoded"] if a.as_decoded_too else [])
    lines = ["| metric | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for k in SHOW + ("fad_mfcc_vs_oracle", "fad_tagger_vs_oracle"):
        lines.append(f"| {k} | " + " | ".join(str(table[n].get(k, "-")) for n in rows_scored) + " |")
    md = "\n".join(lines) + f"\n\ncodec reconstruction over all stems: {codec}\n"
    write_results(a.out, result, md)


if __name__ == "__main__":
    main()
