"""The style vector: what the planner resolved from the user's tags (or a reference), as fixed features.

Tags are free text; the planner maps them onto a style, 'other'-stem instruments, a voice and a tempo/key.
Conditioning on those resolved choices (not on raw words) keeps the vector meaningful for any description the
planner understands. Layout: the first twelve styles one-hot (12), GM program families of the 'other' stem (16),
bass program family (16), vocal gender (2), minor key, tempo ((bpm - 120) / 60) -- these 48 = STYLE_DIM_V1 --
then one slot per style added later. A later style also sets its parent's slot, so a model that reads only the
first 48 columns (models read the first `style_dim` of their config) hears the nearest style it knows. Then
the singing voice (cond/voice.py, VOICE_DIM columns): which engine and variant sings, its formant scale, breath
and vibrato, so the model need not average the spectral envelopes of many singers."""
from __future__ import annotations

import numpy as np

from ..plan.plan import SongPlan
from ..plan.styles import BY_NAME, STYLES
from .voice import VOICE_DIM, voice_vector

FIRST_STYLES = 12
STYLE_NAMES = tuple(s.name for s in STYLES)
STYLE_DIM_V1 = FIRST_STYLES + 16 + 16 + 2 + 2
STYLE_DIM_V2 = STYLE_DIM_V1 + len(STYLE_NAMES) - FIRST_STYLES
STYLE_DIM = STYLE_DIM_V2 + VOICE_DIM


def style_vector(plan: SongPlan) -> np.ndarray:
    v = np.zeros(STYLE_DIM, np.float32)
    i = STYLE_NAMES.index(plan.style)
    if i < FIRST_STYLES:
        v[i] = 1.0
    else:
        v[STYLE_NAMES.index(BY_NAME[plan.style].parent)] = 1.0
        v[STYLE_DIM_V1 + i - FIRST_STYLES] = 1.0
    o = FIRST_STYLES
    for p in plan.programs:
        v[o + p // 8] = 1.0
    v[o + 16 + plan.bass_program // 8] = 1.0
    v[o + 32 + (0 if plan.voice.gender == "female" else 1)] = 1.0
    v[o + 34] = 1.0 if plan.key[1] == "minor" else 0.0
    v[o + 35] = (plan.bpm - 120.0) / 60.0
    v[STYLE_DIM_V2:] = voice_vector(plan)
    return v
