"""Shared by the benchmarks: held-out clips as song folders, their stems passed through a codec and back, and
writing a result as JSON + a Markdown table."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import soundfile as sf

STEMS = ("vocals", "drums", "bass", "other")


def link_oracle(corpus: str, rows: list[dict], dst: str) -> None:
    """The renders themselves, as song folders (symlinks)."""
    os.makedirs(dst, exist_ok=True)
    for r in rows:
        os.symlink(os.path.abspath(os.path.join(corpus, "clips", r["id"])), os.path.join(dst, r["id"]))


def roundtrip_clips(codec, corpus: str, rows: list[dict], dst: str) -> dict:
    """Every stem of every clip through codec.encode_long -> decode_long; mix = sum of the decoded stems; labels
    copied. Returns mean mel distance and SI-SDR over the stems that are not silent, and the coding time."""
    import time

    import torch

    from songforge.train.codec_losses import MelLoss, si_sdr
    from songforge.train.data import load_audio
    sr = codec.cfg.sample_rate
    mel = MelLoss(sr)
    mels, sdrs, secs = [], [], 0.0
    for r in rows:
        out = os.path.join(dst, r["id"])
        os.makedirs(out, exist_ok=True)
        stems = {}
        for s in STEMS:
            x = load_audio(corpus, r, s, sr)
            xt = torch.from_numpy(x)[None]
            t0 = time.perf_counter()
            with torch.no_grad():
                y = codec.decode_long(codec.encode_long(xt))[:, :len(x)].float()
            secs += time.perf_counter() - t0
            if np.sqrt(np.mean(x ** 2)) > 1e-3:
                mels.append(float(mel(y, xt)))
                sdrs.append(float(si_sdr(y, xt)))
            stems[s] = y[0].numpy()
            sf.write(os.path.join(out, f"{s}.flac"), np.clip(stems[s], -1, 1), sr, subtype="PCM_16")
        sf.write(os.path.join(out, "mix.flac"), np.clip(sum(stems.values()), -1, 1), sr, subtype="PCM_16")
        shutil.copyfile(os.path.join(corpus, r["labels"]), os.path.join(out, "labels.json"))
    return {"mel_distance": round(float(np.mean(mels)), 4), "si_sdr_db": round(float(np.mean(sdrs)), 2),
            "coding_s": round(secs, 1)}


def write_results(out: str, result: dict, md: str) -> None:
    """`out` (JSON) and the same path with .md; the table is printed too."""
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write(md)
    print(md)


def add_sampling_args(ap) -> None:
    """Command-line overrides of a model's sampling defaults, shared by the generation benchmarks."""
    ap.add_argument("--steps", type=int)
    ap.add_argument("--vocal-guide", type=float, help="shallow diffusion t0 for the vocals (default: the model's)")
    ap.add_argument("--accompaniment-guide", type=float,
                    help="shallow diffusion t0 for drums, bass and other, every song (default: the model's)")
    ap.add_argument("--interval", type=float, nargs=2, metavar=("LO", "HI"),
                    help="guidance active for t in [LO, HI] (default: the model's)")


def sampling_from(a, base):
    """`base` (a Sampling) with the overrides given on the command line."""
    from dataclasses import replace
    given = {"steps": a.steps, "vocal_guide": a.vocal_guide, "accompaniment_guide": a.accompaniment_guide,
             "reference_accompaniment_guide": a.accompaniment_guide,  # as the CLI: a given t0 holds for every song
             "interval": tuple(a.interval) if a.interval else None}
    return replace(base, **{k: v for k, v in given.items() if v is not None})
