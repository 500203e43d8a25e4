"""The style vector: what the planner resolved from the user's tags (or a reference), as fixed features.

Tags are free text; the planner already maps them onto a style, 'other'-stem instruments, a voice and a
tempo/key. Conditioning on those resolved choices (not on raw words) keeps the vector meaningful for any tag
spelling the planner understands, and needs no text encoder. Layout (STYLE_DIM = 48): style one-hot (12),
GM program families of the 'other' stem (16), bass program family (16, shared slots), vocal gender (2),
minor key, tempo ((bpm - 120) / 60)."""
from __future__ import annotations

import numpy as np

from ..plan.plan import SongPlan
from ..plan.styles import STYLES

STYLE_NAMES = tuple(s.name for s in STYLES)
STYLE_DIM = len(STYLE_NAMES) + 16 + 16 + 2 + 2


def style_vector(plan: SongPlan) -> np.ndarray:
    v = np.zeros(STYLE_DIM, np.float32)
    v[STYLE_NAMES.index(plan.style)] = 1.0
    o = len(STYLE_NAMES)
    for p in plan.programs:
        v[o + p // 8] = 1.0
    v[o + 16 + plan.bass_program // 8] = 1.0
    v[o + 32 + (0 if plan.voice.gender == "female" else 1)] = 1.0
    v[o + 34] = 1.0 if plan.key[1] == "minor" else 0.0
    v[o + 35] = (plan.bpm - 120.0) / 60.0
    return v
