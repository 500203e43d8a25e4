"""Training configs: one JSON file names the model kind, its model config and the trainer's settings."""
from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 1000
    batch_size: int = 8
    lr: float = 3e-4
    warmup: int = 200
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    seed: int = 0
    log_every: int = 25
    save_every: int = 250  # checkpoint (weights + EMA + optimizer + step) for resuming
    eval_every: int = 0  # 0: only at the end
    segment_s: float = 1.92  # codec: training excerpt length; dit: crop length (0 = whole clips)
    kl_weight: float = 1e-4  # codec only
    mel_weight: float = 1.0  # codec only
    spec_masks: int = 0  # judge only: SpecAugment, this many frequency masks (<= 8 mel bins) and time masks (<= 0.1 s)
    tilt_db: float = 0.0  # judge only: a random spectral tilt of up to +-tilt_db from the lowest to the highest mel bin
    warp: float = 0.0  # judge only: a random frequency warp (vocal-tract length) by a factor within 1 +- warp
    stretch: float = 0.0  # judge only: a random time stretch of each window by a factor within 1 +- stretch
    leak_weight: float = 0.0  # separator only: weight of the vocal power left in the rest (mel bands, per batch)
    lost_weight: float = 0.0  # separator only: weight of the accompaniment power the mask takes away
    decoded_share: float = 0.0  # key only: share of the train clips also heard through --codec (as generated)
    precision: str = "auto"  # auto: bf16 on CUDA, fp32 on CPU
    train_only: tuple[str, ...] = ()  # parameter-name prefixes to train (others frozen); empty: train all


def _build(cls, raw: dict, where: str):
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    from ..model.checkpoint import tuples_from_json
    return cls(**{k: tuples_from_json(v) for k, v in raw.items()})


def load_config(path: str):
    """(kind, model config, TrainConfig) from a JSON file {"kind": "codec"|"dit", "model": {...}, "train": {...}}."""
    from ..model.checkpoint import KINDS
    with open(path) as f:
        raw = json.load(f)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{path}: field 'kind': {kind!r} is not a model kind (known: {', '.join(KINDS)})")
    return kind, _build(KINDS[kind][1], raw.get("model", {}), f"{path}: model"), \
        _build(TrainConfig, raw.get("train", {}), f"{path}: train")


OVERRIDABLE = ("steps", "batch_size", "lr", "seed", "segment_s")  # what `songforge train` flags may change


def with_overrides(tc: TrainConfig, overrides: dict | None) -> TrainConfig:
    """`tc` with the command line's values (None = keep the config's)."""
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(given) - set(OVERRIDABLE))
    if unknown:
        raise ValueError(f"cannot override {', '.join(unknown)} (only {', '.join(OVERRIDABLE)})")
    tc = replace(tc, **given)
    if tc.steps < 1 or tc.batch_size < 1 or not tc.lr > 0 or tc.segment_s < 0 or tc.seed < 0:
        raise ValueError("--steps and --batch-size must be >= 1, --lr > 0, --segment >= 0, --seed >= 0")
    return replace(tc, warmup=min(tc.warmup, max(1, tc.steps // 4)))  # a short run still leaves warmup
