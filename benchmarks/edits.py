"""Edits measured, not only run: extract / remove / add a stem and inpaint a span on held-out rendered songs,
each scored against the song's known stems and labels (the evaluation suite's melody metrics: mir_eval raw
pitch accuracy of the vocal stem against the planned F0).

Per song (the corpus's test split):
  extract   the rendered mix in, all stems out; vocal pitch accuracy of the extracted vocals / the oracle's.
  remove    the extracted song without its vocals; vocal energy left inside the sung words: mel power of the
            result above the true accompaniment's, in dB relative to the original vocals' (the input mix scores
            about 0 dB; lower is better); beside it the accompaniment's power missing from the result there (dB
            relative to the accompaniment's: what the removal took with the vocals). Separation masks the input
            mix by the extracted stems, then by the model's vocal separator if it has one (the default;
            --no-separator skips it; --decoded-stems decodes the stems instead, whose floor is the codec round trip
            of the true accompaniment); masks made from the true stems' own latents are the floor of DiT masking.
  add       drums, bass, other in; vocals generated; their pitch accuracy / the oracle's.
  inpaint   every stem in, a span of sung words regenerated; pitch accuracy inside the span / the oracle's
            there; outside the span: log-mel L1 of the result against the codec round trip of the input (0 =
            unchanged; the kept audio is spliced in from the input), beside the round trip's distance to the input.

    python benchmarks/edits.py --model songforge/models/default --corpus CORPUS --songs 8 \
        --out benchmarks/results/edits.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from roundtrip import write_results

STEMS = ("vocals", "drums", "bass", "other")


def mel_power(x: np.ndarray, sr: int, hop: int) -> np.ndarray:
    import librosa
    return librosa.feature.melspectrogram(y=x.astype(np.float32), sr=sr, n_fft=2048, hop_length=hop, n_mels=128)


def frames_in(spans: list[tuple[float, float]], n: int, hop_s: float) -> np.ndarray:
    t = np.arange(n) * hop_s
    m = np.zeros(n, bool)
    for a, b in spans:
        m |= (t >= a) & (t < b)
    return m


def leakage_db(out: np.ndarray, accompaniment: np.ndarray, vocals: np.ndarray, words, sr: int) -> float:
    """Mel power of `out` above the true accompaniment inside the sung words, dB relative to the vocals' power."""
    hop = sr // 100
    n = min(len(out), len(accompaniment), len(vocals))
    po, pa, pv = (mel_power(x[:n], sr, hop) for x in (out, accompaniment, vocals))
    m = frames_in(words, po.shape[1], hop / sr)
    excess = np.clip(po[:, m] - pa[:, m], 0, None).sum()
    return float(10 * np.log10(max(excess, 1e-12) / max(pv[:, m].sum(), 1e-12)))


def log_mel_l1(a: np.ndarray, b: np.ndarray, sr: int, mask_spans, inside: bool, gain_matched: bool = False) -> float:
    """Mean |log-mel(a) - log-mel(b)| over the frames inside (or outside) the spans; `gain_matched` first removes
    one overall gain (the median log ratio: the generator scales a whole song down when its stems would clip)."""
    hop = sr // 100
    n = min(len(a), len(b))
    la, lb = (np.log(mel_power(x[:n], sr, hop) + 1e-6) for x in (a, b))
    m = frames_in(mask_spans, la.shape[1], hop / sr)
    m = m if inside else ~m
    if not m.any():
        return float("nan")
    d = la[:, m] - lb[:, m]
    if gain_matched:
        d = d - np.median(d)
    return float(np.abs(d).mean())


def pitch(asked, vocals: np.ndarray, sr: int, span: tuple[float, float] | None = None) -> float:
    """Raw pitch accuracy of `vocals` against the labels' F0 (only inside `span` when given)."""
    from dataclasses import replace

    from songforge.eval.report import melody_metrics
    if span is not None:
        t, hz = asked.f0
        asked = replace(asked, f0=(t, np.where((t >= span[0]) & (t < span[1]), hz, 0.0)))
    return melody_metrics(asked, vocals, sr)["raw_pitch_accuracy"]


def sung_span(words, length: float) -> tuple[float, float]:
    """`length` seconds of the song starting at the word nearest the middle of the sung part."""
    starts = [a for a, _ in words]
    mid = (starts[0] + words[-1][1]) / 2
    a = min(starts, key=lambda s: abs(s - mid))
    return (a, a + length)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--songs", type=int, default=8)
    ap.add_argument("--steps", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--span-s", type=float, default=4.0, help="inpainted span length, seconds")
    ap.add_argument("--decoded-stems", action="store_true",
                    help="separate by decoding the extracted stems, not by masking the input mix with them")
    ap.add_argument("--no-separator", action="store_true",
                    help="ignore the model folder's vocal separator: every stem's mask from the DiT's latents")
    ap.add_argument("--rest-mask-power", type=float,
                    help="the separator's mask power on drums, bass and other (default: the model's model.json)")
    ap.add_argument("--out", default="benchmarks/results/edits.json")
    a = ap.parse_args()
    from dataclasses import replace

    import torch

    from songforge.eval.songs import _from_labels
    from songforge.pipeline import Edit, load
    from songforge.train.data import clip_plan, load_audio, read_manifest
    model = load(a.model)
    if a.no_separator:
        model.separator = None
    if a.rest_mask_power is not None:
        model.separation = dict(model.separation, rest_mask_power=a.rest_mask_power)
    sampling = replace(model.edit_sampling, steps=a.steps or model.edit_sampling.steps)
    sr = model.sample_rate
    rows = [r for r in read_manifest(a.corpus, ("test",)) if r.get("words", 1)][:a.songs]
    per_song, t0 = [], time.time()
    for r in rows:
        with open(os.path.join(a.corpus, r["labels"]), encoding="utf-8") as f:
            asked = _from_labels(json.load(f))
        words = [(s, e) for _, s, e, _ in asked.words]
        if not words or asked.f0 is None:
            continue
        plan = clip_plan(a.corpus, r)
        stems = {s: load_audio(a.corpus, r, s, sr) for s in STEMS}
        mix = sum(stems.values())
        acc = stems["drums"] + stems["bass"] + stems["other"]
        with torch.no_grad():
            rt = {s: model.codec.decode_long(model.codec.encode_long(torch.from_numpy(x)[None]))[0, :len(x)].numpy()
                  for s, x in stems.items()}
        span = sung_span(words, a.span_s)
        ext = model.generate(plan, a.seed, sampling, Edit(audio={"mix": mix}, separate=True,
                                                          mask_mixture=not a.decoded_stems))
        ideal = None
        if hasattr(model.codec, "mask_mixture"):  # masking by the true stems: the best extraction by masks
            with torch.no_grad():
                z = model.codec.encode_long(torch.from_numpy(np.stack([stems[s] for s in STEMS])))
                ideal = model.codec.mask_mixture(torch.from_numpy(mix), z).numpy()
        removed = ext.without(("vocals",))
        add = model.generate(plan, a.seed, sampling, Edit(audio={s: stems[s] for s in STEMS if s != "vocals"},
                                                          stem="vocals"))
        inp = model.generate(plan, a.seed, sampling, Edit(audio=stems, span=span))
        oracle = pitch(asked, stems["vocals"], sr)
        row = {"id": r["id"], "language": r["language"], "oracle_pitch": oracle,
               "roundtrip_pitch": pitch(asked, rt["vocals"], sr),
               "extract_pitch": pitch(asked, ext.stems["vocals"], sr),
               "remove_leak_db": leakage_db(removed.mix, acc, stems["vocals"], words, sr),
               # the other side of a removal: accompaniment power missing from the result in the sung words
               "remove_lost_db": leakage_db(acc, removed.mix, acc, words, sr),
               "input_mix_leak_db": leakage_db(mix, acc, stems["vocals"], words, sr),
               "ideal_mask_leak_db": float("nan") if ideal is None else leakage_db(ideal[1:].sum(0), acc,
                                                                                    stems["vocals"], words, sr),
               "roundtrip_accompaniment_leak_db": leakage_db(rt["drums"] + rt["bass"] + rt["other"], acc,
                                                             stems["vocals"], words, sr),
               "add_pitch": pitch(asked, add.stems["vocals"], sr),
               "span": [round(span[0], 2), round(span[1], 2)],
               "inpaint_pitch_in_span": pitch(asked, inp.stems["vocals"], sr, span),
               "oracle_pitch_in_span": pitch(asked, stems["vocals"], sr, span),
               "inpaint_outside_l1_vs_input": log_mel_l1(inp.mix, mix, sr, [span], inside=False),
               "inpaint_outside_l1_gain_matched": log_mel_l1(inp.mix, mix, sr, [span], inside=False,
                                                             gain_matched=True),
               "roundtrip_outside_l1_vs_input": log_mel_l1(sum(rt.values()), mix, sr, [span], inside=False),
               "inpaint_inside_l1_vs_roundtrip": log_mel_l1(inp.mix, sum(rt.values()), sr, [span], inside=True)}
        per_song.append(row)
        print(json.dumps(row), flush=True)

    def mean(k):
        v = [s[k] for s in per_song if s[k] == s[k]]
        return round(float(np.mean(v)), 4) if v else None

    agg = {k: mean(k) for k in per_song[0] if k not in ("id", "language", "span")}
    ratios = {"extract_pitch_vs_oracle": agg["extract_pitch"] / agg["oracle_pitch"],
              "add_pitch_vs_oracle": agg["add_pitch"] / agg["oracle_pitch"],
              "inpaint_pitch_in_span_vs_oracle": agg["inpaint_pitch_in_span"] / agg["oracle_pitch_in_span"]}
    ratios = {k: round(v, 3) for k, v in ratios.items()}
    targets = {"extract_pitch_vs_oracle": ratios["extract_pitch_vs_oracle"] >= 0.7,
               "remove_leak_db": agg["remove_leak_db"] <= -20.0,
               "inpaint_pitch_in_span_vs_oracle": ratios["inpaint_pitch_in_span_vs_oracle"] >= 0.7}
    how = "decoded stems" if a.decoded_stems else "masks over the input mix" + (
        f" then the separator (rest mask power {model.separation.get('rest_mask_power', 1.0):g})"
        if model.separator is not None else "")
    result = {"model": a.model, "corpus": a.corpus, "songs": len(per_song), "sampling": sampling.__dict__,
              "separation": how,
              "seconds": round(time.time() - t0, 1), "mean": agg, "ratios": ratios, "meets_targets": targets,
              "per_song": per_song}
    lines = [f"{len(per_song)} held-out songs, {sampling.steps} steps, separation by {result['separation']}", "", "| edit | measure | value | target |",
             "|---|---|---|---|",
             f"| extract | vocal pitch acc / oracle ({agg['extract_pitch']} / {agg['oracle_pitch']}) | "
             f"{ratios['extract_pitch_vs_oracle']} | >= 0.7 |",
             f"| remove vocals | vocal energy left in sung words, dB (input mix {agg['input_mix_leak_db']}, "
             f"codec floor {agg['roundtrip_accompaniment_leak_db']}, true-stem masks {agg['ideal_mask_leak_db']}) | "
             f"{agg['remove_leak_db']} | <= -20 |",
             f"| remove vocals | accompaniment energy lost in sung words, dB vs the accompaniment | "
             f"{agg['remove_lost_db']} | - |",
             f"| add vocals | vocal pitch acc / oracle ({agg['add_pitch']} / {agg['oracle_pitch']}) | "
             f"{ratios['add_pitch_vs_oracle']} | - |",
             f"| inpaint {a.span_s:g} s | pitch acc in span / oracle ({agg['inpaint_pitch_in_span']} / "
             f"{agg['oracle_pitch_in_span']}) | {ratios['inpaint_pitch_in_span_vs_oracle']} | >= 0.7 |",
             f"| inpaint {a.span_s:g} s | log-mel L1 outside the span vs the input (its codec round trip vs the input: "
             f"{agg['roundtrip_outside_l1_vs_input']}) | {agg['inpaint_outside_l1_vs_input']} | ~0 |",
             f"| inpaint {a.span_s:g} s | the same after one overall gain is matched | "
             f"{agg['inpaint_outside_l1_gain_matched']} | ~0 |"]
    md = "\n".join(lines) + "\n"
    write_results(a.out, result, md)


if __name__ == "__main__":
    main()
