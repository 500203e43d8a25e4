"""SongPlan -> every frame-aligned condition the DiT reads (numpy; torch conversion happens at batching).

The same function serves training (conditions cached beside the latents) and generation, so the model sees
identical features in both. Routes (model/dit.py): phonemes + onsets per-frame via the lyrics encoder,
plan per-frame, style and duration global, frame_mask as attention key mask."""
from __future__ import annotations

import numpy as np

from ..plan.plan import SongPlan
from .lyrics_grid import build_grid
from .plan_grid import plan_features
from .style import style_vector

DURATION_SCALE = 120.0  # seconds; duration scalars are O(1) for songs up to a few minutes


def duration_features(duration: float, n_frames: int, latent_rate: float) -> np.ndarray:
    """[2]: the song's duration and the generated window's length, both in units of DURATION_SCALE."""
    return np.array([duration / DURATION_SCALE, n_frames / latent_rate / DURATION_SCALE], np.float32)


def song_conditions(plan: SongPlan, n_frames: int, latent_rate: float = 25.0, grid_factor: int = 4) -> dict:
    """{phonemes [G*T] int64, onsets [G*T, 3] f32, plan [T, PLAN_DIM] f32, style [STYLE_DIM] f32, duration [2] f32,
    frame_mask [T] bool (True inside the song)} for T = n_frames latent frames."""
    grid = build_grid(plan.timing, latent_rate * grid_factor, n_frames * grid_factor)
    g = n_frames * grid_factor
    onsets = np.stack([grid.phoneme_onset, grid.syllable_onset, grid.word_onset], axis=1)[:g].astype(np.float32)
    song_frames = min(n_frames, int(np.ceil(plan.duration * latent_rate - 1e-6)))
    mask = np.zeros(n_frames, bool)
    mask[:song_frames] = True
    return {"phonemes": grid.ids[:g].astype(np.int64), "onsets": onsets,
            "plan": plan_features(plan, latent_rate, n_frames), "style": style_vector(plan),
            "duration": duration_features(plan.duration, n_frames, latent_rate), "frame_mask": mask}
