"""One clip of a corpus: its build settings, its spec (deterministic from the seed and its index) and its render.
Shared by the local build (data/build.py) and the Ray build (data/ray_build.py)."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..plan.plan import PLANNER


@dataclass(frozen=True)
class BuildConfig:
    seed: int
    hours: float
    styles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en", "zh")
    min_s: float = 10.0
    max_s: float = 30.0
    full_songs: float = 0.0  # share of clips that are whole songs
    sample_rate: int = 24000
    pictures: bool = False
    neural_share: float = 0.7  # share of clips sung by the neural voice (data/specs.py NEURAL_SHARE)
    planner: int = PLANNER  # the planner's version (plan/plan.py); a build.json without it: 1 (saved_config)


def saved_config(raw: dict) -> BuildConfig:
    """A corpus's BuildConfig from its build.json (one written before the planner had versions: version 1)."""
    raw = {"planner": 1} | raw
    return BuildConfig(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items()})


def clip_spec(cfg: BuildConfig, index: int):
    from .specs import clip_rng, fit_clip, random_spec
    full = clip_rng(cfg.seed + 1, index).random() < cfg.full_songs
    spec = random_spec(cfg.seed, index, cfg.styles or None, cfg.languages, full_song=full,
                       neural_share=cfg.neural_share)
    return spec if full else fit_clip(spec, cfg.min_s, cfg.max_s)


def render_clip(cfg: BuildConfig, out: str, index: int) -> float:
    """Plan, render and write clip `index` into out/clips/<seed>-<index>/ (atomically); returns its duration. Run
    it in a process forked from a clean parent (render/batch.run_isolated): the synthesizers carry state."""
    from ..plan.plan import make_plan
    from ..plan.timing import time_song
    from ..render.song import render_plan, write_song
    spec = clip_spec(cfg, index)
    plan = make_plan(spec, time_song(spec), planner=cfg.planner)
    write_song(plan, render_plan(plan, cfg.sample_rate), os.path.join(out, "clips"), "flac", cfg.pictures,
               release=False)  # training data: the engine's own mono stems, exact labels
    return plan.duration
