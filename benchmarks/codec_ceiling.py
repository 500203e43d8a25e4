"""The representation's ceiling: held-out renders, every stem passed through a representation and back, scored by
the evaluation suite against the clip's own labels. A model in that representation cannot beat its row.

    python benchmarks/codec_ceiling.py --corpus CORPUS --clips 12 --out benchmarks/results/codec_ceiling.json
    (--reps shipped,shipped-as-decoded,mel128,... picks rows; see representation())
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace

from roundtrip import link_oracle, roundtrip_clips, write_results

SHOW = ("lyrics.per", "timing.onset_median_ms", "melody.raw_pitch_accuracy", "melody.median_cents",
        "harmony.chord_majmin", "harmony.beat_f1")
# the acceptance lines: ratio (or margin) of the oracle's value
TARGETS = {"melody.raw_pitch_accuracy": ("ratio", 0.95), "harmony.chord_majmin": ("ratio", 0.9),
           "timing.onset_median_ms": ("max", 10.0), "lyrics.per": ("margin", 0.1)}


class StftMagnitude:
    """The plain 513-bin magnitude through Griffin-Lim: the reference point for any mel/latent design."""

    def __init__(self, gl_iters: int = 64):
        from songforge.model.melcodec import MelCodecConfig
        import torch
        self.cfg = replace(MelCodecConfig(), gl_iters=gl_iters)
        self.window = torch.hann_window(self.cfg.n_fft)

    def encode_long(self, x):
        import torch
        return torch.stft(x, self.cfg.n_fft, self.cfg.hop, window=self.window, center=True, return_complex=True).abs()

    def decode_long(self, mag):
        from songforge.model.phase import griffin_lim
        n = (mag.shape[-1] - 1) * self.cfg.hop
        return griffin_lim(mag, self.cfg.n_fft, self.cfg.hop, self.window, n, self.cfg.gl_iters)


def representation(name: str):
    from songforge.model.melcodec import MelCodec, MelCodecConfig
    if name == "shipped":
        from songforge.model.checkpoint import load
        return load("songforge/models/default/codec")[0]
    if name == "shipped-as-decoded":  # the codec with the model's own decoding settings (model.json "decode")
        from songforge.pipeline import load
        return load("songforge/models/default").codec
    if name.startswith("stft-gl"):
        return StftMagnitude(int(name[len("stft-gl"):]))
    if name.startswith("mel"):  # mel128, mel128-gl32, mel128-nnls0, mel80, mel128-gl16-zero (Griffin-Lim's start)
        parts = name.split("-")
        cfg = replace(MelCodecConfig(), n_mels=int(parts[0][3:]))
        for p in parts[1:]:
            if p in ("zero", "vocoder"):
                cfg = replace(cfg, gl_init=p)
                continue
            key = {"gl": "gl_iters", "nnls": "nnls_iters", "fft": "n_fft"}[p.rstrip("0123456789")]
            cfg = replace(cfg, **{key: int(p[len(p.rstrip("0123456789")):])})
        return MelCodec(cfg).eval()
    raise ValueError(f"unknown representation {name!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--clips", type=int, default=12)
    ap.add_argument("--reps", default="shipped,stft-gl64,mel128-gl32,mel128,mel80")
    ap.add_argument("--no-asr", action="store_true", help="skip Whisper (PER/WER): much faster")
    ap.add_argument("--out", default="benchmarks/results/codec_ceiling.json")
    a = ap.parse_args()
    import torch

    from songforge.eval.report import evaluate
    from songforge.train.data import read_manifest
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    rows = (read_manifest(a.corpus, ("test",)) + read_manifest(a.corpus, ("valid",), required=False))[:a.clips]
    tmp = tempfile.mkdtemp(prefix="ceiling_")
    link_oracle(a.corpus, rows, os.path.join(tmp, "oracle"))
    table, coding = {}, {}
    for name in ["oracle"] + a.reps.split(","):
        if name != "oracle":
            t0 = time.time()
            coding[name] = roundtrip_clips(representation(name), a.corpus, rows, os.path.join(tmp, name))
            print(f"{name}: coded in {time.time() - t0:.0f} s", flush=True)
        agg = evaluate(os.path.join(tmp, name), os.path.join(tmp, f"report_{name}"), asr=not a.no_asr,
                       pictures=False, progress=False)
        table[name] = {k: agg["aggregate"][k]["mean"] for k in SHOW if k in agg["aggregate"]}
    verdict = {}
    for name in table:
        ok = {}
        for k, (how, v) in TARGETS.items():
            if k not in table[name] or k not in table["oracle"]:
                continue
            got, ref = table[name][k], table["oracle"][k]
            ok[k] = got >= v * ref if how == "ratio" else got <= v if how == "max" else got <= ref + v
        verdict[name] = ok
    langs: dict[str, int] = {}
    for r in rows:
        langs[r["language"]] = langs.get(r["language"], 0) + 1
    audio_s = sum(r["duration"] for r in rows)
    result = {"corpus": a.corpus, "clips": len(rows), "languages": langs, "audio_s": round(audio_s, 1),
              "table": table, "coding": coding, "meets_targets": verdict, "targets": TARGETS, "work": tmp}
    lines = ["| stems passed through | " + " | ".join(SHOW) + " | coding x real time (4 stems) | meets targets |",
             "|---" * (len(SHOW) + 3) + "|"]
    for name, row in table.items():
        speed = f"{audio_s / coding[name]['coding_s']:.1f}" if name in coding and coding[name]["coding_s"] else "-"
        ok = verdict.get(name, {})
        lines.append(f"| {name} | " + " | ".join(str(row.get(k, "-")) for k in SHOW) + f" | {speed} | "
                     + ("yes" if ok and all(ok.values()) else "no: " + ", ".join(k for k, v in ok.items() if not v)) + " |")
    md = f"{len(rows)} held-out clips ({langs}), {audio_s:.0f} s of audio\n\n" + "\n".join(lines) + "\n"
    write_results(a.out, result, md)


if __name__ == "__main__":
    main()
