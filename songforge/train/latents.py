"""Latent pre-encoding cache: every clip's 4 stems and its mix through the codec once, with its conditions.

Folder: one safetensors file per clip (stems [T, 4, C] and mix [T, C] as fp16, plus the condition arrays from
cond/song.py) and stats.json (per-channel mean/std of the training latents, the codec's fingerprint: a cache
made with another codec is rebuilt, and the condition layout: a cache made under another one keeps its latents
and has its conditions derived again). Resumable: finished clips are kept."""
from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import torch

from ..cond.plan_grid import PLAN_DIM
from ..cond.song import song_conditions
from ..cond.style import STYLE_DIM
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


CONDITION_LAYOUT = f"plan{PLAN_DIM}-style{STYLE_DIM}"


def _save(tensors: dict, path: str) -> None:
    from safetensors.torch import save_file
    save_file(tensors, path + ".tmp")
    os.replace(path + ".tmp", path)


def _conditions(corpus: str, row: dict, frames: int, rate: float, grid_factor: int) -> dict:
    cond = song_conditions(clip_plan(corpus, row), frames, rate, grid_factor)
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in cond.items()}


def _refresh_conditions(corpus: str, rows: list[dict], out: str, rate: float, grid_factor: int,
                        progress: bool) -> None:
    """Derive every cached clip's conditions again (a newer layout), keeping its latents."""
    from safetensors.torch import load_file
    from tqdm import tqdm
    for row in tqdm(rows, desc="conditions", unit="clip", disable=not progress):
        path = os.path.join(out, f"{row['index']:06d}.safetensors")
        if os.path.exists(path):
            old = load_file(path)
            _save({"stems": old["stems"], "mix": old["mix"]}
                  | _conditions(corpus, row, old["stems"].shape[0], rate, grid_factor), path)


def _encode_clip(corpus: str, row: dict, codec, grid_factor: int, path: str) -> None:
    sr, rate = codec.cfg.sample_rate, codec.cfg.latent_rate
    audio = [load_audio(corpus, row, name, sr) for name in STEMS + ("mix",)]
    n = max(len(a) for a in audio)
    batch = torch.from_numpy(np.stack([np.pad(a, (0, n - len(a))) for a in audio]))
    z = codec.encode_long(batch).transpose(1, 2)  # [5, T, C]
    tensors = {"stems": z[:4].transpose(0, 1).half().contiguous(), "mix": z[4].half().contiguous()}
    _save(tensors | _conditions(corpus, row, z.shape[1], rate, grid_factor), path)


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
            if stats.get("conditions") != CONDITION_LAYOUT:
                _refresh_conditions(corpus, read_manifest(corpus, ("train", "valid", "test")), out,
                                    stats["latent_rate"], grid_factor, progress)
                stats["conditions"] = CONDITION_LAYOUT
                _write_stats(stats, stats_path)
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
    stats = {"codec": fp, "grid_factor": grid_factor, "conditions": CONDITION_LAYOUT,
             "latent_rate": codec.cfg.latent_rate,
             "mean": allz.mean(0).tolist(), "std": allz.std(0).clamp_min(1e-3).tolist(),
             "splits": {s: [r["index"] for r in rows if r["split"] == s] for s in ("train", "valid", "test")}}
    _write_stats(stats, stats_path)
    return stats


def _write_stats(stats: dict, path: str) -> None:
    with open(path + ".tmp", "w") as f:
        json.dump(stats, f)
    os.replace(path + ".tmp", path)


def load_cached(out: str, indices: list[int]) -> list[dict]:
    from safetensors.torch import load_file
    return [load_file(os.path.join(out, f"{i:06d}.safetensors")) for i in indices]
