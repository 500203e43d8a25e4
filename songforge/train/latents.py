"""Latent pre-encoding cache: every clip's 4 stems and its mix through the codec once, with its conditions.

Folder: one safetensors file per clip (stems [T, 4, C] and mix [T, C] as fp16, plus the condition arrays from
cond/song.py) and stats.json (per-channel mean/std of the training latents, and the codec's fingerprint: a
cache made with another codec is rebuilt). Resumable: finished clips are kept."""
from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import torch

from ..cond.song import song_conditions
from ..model import checkpoint
from .data import STEMS, clip_plan, load_audio, read_manifest


def codec_fingerprint(codec_dir: str) -> str:
    """Hash of the codec's config and weights (a config-only codec such as the mel codec has no weights file)."""
    h = hashlib.sha256()
    for name in ("config.json", "model.safetensors"):
        path = os.path.join(codec_dir, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()[:16]


def _encode_clip(corpus: str, row: dict, codec, grid_factor: int, path: str) -> None:
    from safetensors.torch import save_file
    sr, rate = codec.cfg.sample_rate, codec.cfg.latent_rate
    audio = [load_audio(corpus, row, name, sr) for name in STEMS + ("mix",)]
    n = max(len(a) for a in audio)
    batch = torch.from_numpy(np.stack([np.pad(a, (0, n - len(a))) for a in audio]))
    z = codec.encode_long(batch).transpose(1, 2)  # [5, T, C]
    t = z.shape[1]
    cond = song_conditions(clip_plan(corpus, row), t, rate, grid_factor)
    tensors = {"stems": z[:4].transpose(0, 1).half().contiguous(), "mix": z[4].half().contiguous()}
    tensors.update({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in cond.items()})
    save_file(tensors, path + ".tmp")
    os.replace(path + ".tmp", path)


def build_cache(corpus: str, codec_dir: str, out: str, grid_factor: int, progress: bool = True) -> dict:
    """Encode every clip of the corpus (all splits) into `out`; returns stats.json's content."""
    from tqdm import tqdm
    os.makedirs(out, exist_ok=True)
    fp = codec_fingerprint(codec_dir)
    stats_path = os.path.join(out, "stats.json")
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            stats = json.load(f)
        if stats.get("codec") == fp and stats.get("grid_factor") == grid_factor:
            return stats
        for name in os.listdir(out):  # another codec or grid: the cache is stale
            os.remove(os.path.join(out, name))
    codec, _ = checkpoint.load(codec_dir)
    rows = read_manifest(corpus, ("train", "valid", "test"))
    for row in tqdm(rows, desc="encoding latents", unit="clip", disable=not progress):
        path = os.path.join(out, f"{row['index']:06d}.safetensors")
        if not os.path.exists(path):
            _encode_clip(corpus, row, codec, grid_factor, path)
    from safetensors.torch import load_file
    train = [load_file(os.path.join(out, f"{r['index']:06d}.safetensors"))["stems"].float()
             for r in rows if r["split"] == "train"]
    allz = torch.cat([z.reshape(-1, z.shape[-1]) for z in train])
    stats = {"codec": fp, "grid_factor": grid_factor, "latent_rate": codec.cfg.latent_rate,
             "mean": allz.mean(0).tolist(), "std": allz.std(0).clamp_min(1e-3).tolist(),
             "splits": {s: [r["index"] for r in rows if r["split"] == s] for s in ("train", "valid", "test")}}
    with open(stats_path + ".tmp", "w") as f:
        json.dump(stats, f)
    os.replace(stats_path + ".tmp", stats_path)
    return stats


def load_cached(out: str, indices: list[int]) -> list[dict]:
    from safetensors.torch import load_file
    return [load_file(os.path.join(out, f"{i:06d}.safetensors")) for i in indices]
