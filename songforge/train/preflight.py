"""Checks before training: every mismatch a user can make between a config, a codec, an init checkpoint and a
corpus is one line naming both sides and the field — found before any latent is cached or any step runs."""
from __future__ import annotations

import json
import os
from dataclasses import fields

from ..model import checkpoint
from .data import STEMS, read_manifest


class Mismatch(ValueError):
    """A one-line reason training cannot start."""


def _checkpoint_meta(folder: str, role: str) -> dict:
    path = os.path.join(folder, "config.json")
    if not os.path.isfile(path):
        raise Mismatch(f"{role} {folder}: not a songforge checkpoint folder (no config.json)")
    try:
        with open(path) as f:
            meta = json.load(f)
    except ValueError as e:
        raise Mismatch(f"{role} {path}: not JSON ({e})") from None
    if meta.get("kind") not in checkpoint.KINDS:
        raise Mismatch(f"{role} {path}: field 'kind': {meta.get('kind')!r} is not a model kind "
                       f"(known: {', '.join(checkpoint.KINDS)})")
    return meta


def _codec(folder: str):
    meta = _checkpoint_meta(folder, "--codec")
    if meta["kind"] not in ("codec", "melcodec"):
        raise Mismatch(f"--codec {folder}: a {meta['kind']} checkpoint, not a codec (e.g. configs/codec_mel)")
    _, cfg_cls = checkpoint.KINDS[meta["kind"]]
    return cfg_cls(**{k: checkpoint.tuples_from_json(v) for k, v in meta["config"].items()})


def check_corpus(corpus: str, sample_rate: int | None = None, clips: int = 8) -> None:
    """The corpus is a data-engine corpus with every stem, rendered at least at `sample_rate`, and its labels use
    songforge's phoneme inventory (checked on its first `clips` training clips)."""
    from ..text.phonemes import SYMBOLS
    try:
        rows = read_manifest(corpus)
    except (FileNotFoundError, ValueError) as e:
        raise Mismatch(str(e)) from None
    missing = [s for s in STEMS + ("mix",) if s not in rows[0].get("audio", {})]
    if missing:
        raise Mismatch(f"--data {corpus}: clip {rows[0]['id']} has no {', '.join(missing)} audio (the model is trained "
                       f"on {len(STEMS)} stems: {', '.join(STEMS)})")
    build = os.path.join(corpus, "build.json")
    if sample_rate is not None and os.path.isfile(build):
        with open(build) as f:
            rendered = json.load(f).get("sample_rate")
        if rendered is not None and rendered < sample_rate:
            raise Mismatch(f"--data {corpus}: field 'sample_rate': rendered at {rendered} Hz, below the codec's "
                           f"{sample_rate} Hz")
    known = set(SYMBOLS)
    for row in rows[:clips]:
        path = os.path.join(corpus, row["labels"])
        with open(path, encoding="utf-8") as f:
            labels = json.load(f)
        unknown = sorted({p["symbol"] for p in labels.get("phonemes", []) if p["symbol"] not in known})
        if unknown:
            raise Mismatch(f"--data {path}: field 'phonemes': {', '.join(unknown[:5])} not in songforge's phoneme "
                           f"inventory ({len(SYMBOLS)} symbols): a corpus from another songforge version?")


def check_dit(cfg, codec_dir: str):
    """The DiT config fits the codec and the condition layout this songforge computes; returns the codec config."""
    from ..cond.plan_grid import PLAN_DIM
    from ..cond.style import STYLE_DIM
    from ..text.phonemes import SYMBOLS
    codec = _codec(codec_dir)
    if cfg.latent_channels != codec.latent_channels:
        raise Mismatch(f"config field 'model.latent_channels' {cfg.latent_channels} does not match the codec "
                       f"{codec_dir} ({codec.latent_channels} latent channels); for the shipped mel representation "
                       "use configs/dit_mel_small.json or configs/dit_mel.json")
    if cfg.stems != len(STEMS):
        raise Mismatch(f"config field 'model.stems' {cfg.stems}: the corpus and the codec carry {len(STEMS)} stems "
                       f"({', '.join(STEMS)})")
    if cfg.phoneme_vocab > len(SYMBOLS):
        raise Mismatch(f"config field 'model.phoneme_vocab' {cfg.phoneme_vocab} is larger than this songforge's "
                       f"phoneme inventory ({len(SYMBOLS)}); leave it out of the config to use the current value")
    for name, here in (("plan_dim", PLAN_DIM), ("style_dim", STYLE_DIM)):  # fewer phonemes: the rest read as <unk>
        if getattr(cfg, name) != here:
            raise Mismatch(f"config field 'model.{name}' {getattr(cfg, name)} does not match this songforge's "
                           f"conditions ({here}); leave it out of the config to use the current value")
    if cfg.frame_head and cfg.latent_channels != cfg.grid_factor * getattr(codec, "n_mels", -1):
        raise Mismatch(f"config field 'model.frame_head' needs latent_channels = grid_factor x the codec's mel bins "
                       f"({cfg.grid_factor} x {getattr(codec, 'n_mels', 'none')}), got {cfg.latent_channels}")
    return codec


def check_resume(out: str, kind: str, cfg) -> None:
    """A run continued in `out` must have been started with the same model config."""
    from dataclasses import asdict
    path = os.path.join(out, "train_config.json")
    if not os.path.isfile(path):
        return
    with open(path) as f:
        saved = json.load(f)
    if saved.get("kind") != kind:
        raise Mismatch(f"{out}: holds a {saved.get('kind')} run, and this run trains a {kind}")
    now = json.loads(json.dumps(asdict(cfg)))
    differ = [f"{k} {v} vs {now.get(k)}" for k, v in saved.get("model", {}).items() if now.get(k) != v]
    if differ:
        raise Mismatch(f"{out}: the run there was started with another model config (saved vs now: "
                       f"{'; '.join(differ)}); use another --out")


def rows_grew(old: tuple, new: tuple) -> bool:
    """A tensor whose first dimension grew (an embedding's or an output layer's rows: new phoneme symbols)."""
    return len(old) == len(new) and len(old) in (1, 2) and new[0] > old[0] and old[1:] == new[1:]


def check_init(init: str, kind: str, cfg, model) -> None:
    """The init checkpoint is of this kind and every tensor fits (a grown condition input is allowed)."""
    meta = _checkpoint_meta(init, "--init")
    if meta["kind"] != kind:
        raise Mismatch(f"--init {init}: a {meta['kind']} checkpoint, and this run trains a {kind}")
    from safetensors import safe_open
    path = os.path.join(init, "model.safetensors")
    if not os.path.isfile(path):
        raise Mismatch(f"--init {init}: no model.safetensors")
    own = model.state_dict()
    with safe_open(path, "pt") as f:
        shapes = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    bad = [k for k, s in shapes.items() if k in own and tuple(own[k].shape) != s
           and not (len(s) == 2 and own[k].dim() == 2 and own[k].shape[0] == s[0] and own[k].shape[1] > s[1])
           and not rows_grew(s, tuple(own[k].shape))]
    if bad:
        theirs = meta.get("config", {})
        differ = [f"{f.name} {theirs[f.name]} vs {getattr(cfg, f.name)}" for f in fields(cfg)
                  if f.name in theirs and checkpoint.tuples_from_json(theirs[f.name]) != getattr(cfg, f.name)]
        k = bad[0]
        raise Mismatch(f"--init {init}: {len(bad)} of {len(shapes)} tensors do not fit this config (e.g. {k} "
                       f"{list(shapes[k])} vs {list(own[k].shape)}); config fields init vs config: "
                       f"{'; '.join(differ) or 'none differ (another songforge version?)'}")
