"""The singing voice as fixed features (numpy): what the renderer sang with, so a model trained on many singers
can render one of them instead of an average of their spectral envelopes (the multi-speaker TTS lesson).

Layout (VOICE_DIM): engine of the English words (neural Piper voice = 1), the espeak-ng variant one-hot (f1..f5,
m1..m7: the timbre of every Mandarin word and of English words sung by espeak), the English espeak accent one-hot
(only when espeak sings English; ACCENTS), (formant - 1) * 5, breath * 2, (vibrato Hz - 5.5),
(vibrato cents - 27) / 12."""
from __future__ import annotations

import numpy as np

from ..plan.plan import FEMALE_VARIANTS, MALE_VARIANTS, SongPlan

VARIANTS = FEMALE_VARIANTS + MALE_VARIANTS
# The accents the data engine's espeak voice sang English with until session 20: the shipped models' input layout.
# Plans now always name en-us (plan/plan.py EN_VOICE); older corpora's labels still name the others.
ACCENTS = ("en-us", "en", "en-gb-x-rp", "en-029", "en-gb-scotland")
VOICE_DIM = 1 + len(VARIANTS) + len(ACCENTS) + 4


def voice_vector(plan: SongPlan) -> np.ndarray:
    v = np.zeros(VOICE_DIM, np.float32)
    voice = plan.voice
    neural = voice.engine == "neural"
    v[0] = 1.0 if neural else 0.0
    base, _, variant = voice.espeak.partition("+")
    if variant in VARIANTS:
        v[1 + VARIANTS.index(variant)] = 1.0
    if not neural and base in ACCENTS:
        v[1 + len(VARIANTS) + ACCENTS.index(base)] = 1.0
    o = 1 + len(VARIANTS) + len(ACCENTS)
    v[o:o + 4] = ((voice.formant - 1.0) * 5.0, voice.breath * 2.0, voice.vibrato_hz - 5.5,
                  (voice.vibrato_cents - 27.0) / 12.0)
    return v
