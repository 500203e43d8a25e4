"""Reading a data-engine corpus for training: manifest rows by split, stem audio, the clip's plan."""
from __future__ import annotations

import json
import os

import numpy as np

STEMS = ("vocals", "drums", "bass", "other")


def read_manifest(corpus: str, splits: tuple[str, ...] = ("train",), required: bool = True) -> list[dict]:
    path = os.path.join(corpus, "manifest.jsonl")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{corpus}: not a songforge corpus (no manifest.jsonl; build one with `songforge data build`)")
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = sorted((r for r in rows if r["split"] in splits), key=lambda r: r["index"])
    if not rows and required:
        raise ValueError(f"{path}: no clips in split(s) {', '.join(splits)}")
    return rows


def load_audio(corpus: str, row: dict, name: str, sample_rate: int) -> np.ndarray:
    """float32 mono [samples] of one stem ('vocals', ..., or 'mix') at `sample_rate`."""
    import soundfile as sf
    path = os.path.join(corpus, row["audio"][name])
    x, sr = sf.read(path, dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != sample_rate:
        import soxr
        x = soxr.resample(x, sr, sample_rate).astype(np.float32)
    return x


def spectral_tilt(power, db: float):
    """Mel power [n_mels, frames] with a gain rising linearly in dB from 0 at the lowest bin to `db` at the highest."""
    import torch
    return power * 10 ** (torch.linspace(0, db, power.shape[0])[:, None] / 10)


def clip_plan(corpus: str, row: dict):
    """The SongPlan the data engine rendered this clip from (rebuilt deterministically from build.json); for a song
    `songforge data import` labelled, the plan its labels describe (label/plan.py)."""
    if row.get("imported"):
        from ..label.plan import plan_from_labels
        path = os.path.join(corpus, row["labels"])
        with open(path, encoding="utf-8") as f:
            return plan_from_labels(json.load(f), path)
    from ..data.clip import clip_spec, saved_config
    from ..plan.plan import make_plan
    from ..plan.timing import time_song
    with open(os.path.join(corpus, "build.json")) as f:
        cfg = saved_config(json.load(f))
    spec = clip_spec(cfg, row["index"])
    return make_plan(spec, time_song(spec), planner=cfg.planner)
