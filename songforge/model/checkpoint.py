"""Checkpoints: a folder with config.json (the frozen config, with its kind) and model.safetensors (absent for a
model without weights, such as the mel codec).
Loading reads only that folder: no network, no pickle."""
from __future__ import annotations

import json
import os
from dataclasses import asdict

import torch

from .codec import Codec, CodecConfig
from .dit import DiT, DiTConfig
from .judge import JudgeConfig, PhonemeJudge
from .keynet import KeyNet, KeyNetConfig
from .melcodec import MelCodec, MelCodecConfig
from .musicnn import Musicnn, MusicnnConfig
from .separator import Separator, SeparatorConfig
from .tagger import StyleTagger, TaggerConfig

KINDS = {"dit": (DiT, DiTConfig), "codec": (Codec, CodecConfig), "melcodec": (MelCodec, MelCodecConfig),
         "judge": (PhonemeJudge, JudgeConfig), "tagger": (StyleTagger, TaggerConfig),
         "separator": (Separator, SeparatorConfig), "key": (KeyNet, KeyNetConfig), "musicnn": (Musicnn, MusicnnConfig)}


def build(kind: str, config, seed: int, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32):
    """A freshly initialised model; the same (config, seed) gives the same weights on any machine."""
    cls, _ = KINDS[kind]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = cls(config)
    return model.to(device=device, dtype=dtype)


def save(model: torch.nn.Module, kind: str, folder: str, dtype: torch.dtype | None = None) -> str:
    from safetensors.torch import save_file
    os.makedirs(folder, exist_ok=True)
    state = {k: (v.to(dtype) if dtype is not None else v).detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(folder, "model.safetensors.tmp"))
    os.replace(os.path.join(folder, "model.safetensors.tmp"), os.path.join(folder, "model.safetensors"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"kind": kind, "config": asdict(model.cfg)}, f, indent=1)
    return folder


def tuples_from_json(v):
    """JSON lists back to the tuples frozen configs hold."""
    return tuple(tuples_from_json(x) for x in v) if isinstance(v, list) else v


def load(folder: str, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32):
    """(model, kind) from a checkpoint folder."""
    from safetensors.torch import load_file
    path = os.path.join(folder, "config.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{folder}: not a songforge checkpoint (no config.json)")
    with open(path) as f:
        meta = json.load(f)
    if meta.get("kind") not in KINDS:
        raise ValueError(f"{path}: unknown model kind {meta.get('kind')!r} (known: {', '.join(KINDS)})")
    cls, cfg_cls = KINDS[meta["kind"]]
    model = cls(cfg_cls(**{k: tuples_from_json(v) for k, v in meta["config"].items()}))
    weights = os.path.join(folder, "model.safetensors")
    if os.path.exists(weights) or model.state_dict():  # a config-only model (the mel codec) needs no weights file
        model.load_state_dict({k: v.float() for k, v in load_file(weights).items()})
    return model.to(device=device, dtype=dtype).eval(), meta["kind"]
