"""Voice follow (SongGeneration's timbre prompt, songforge's `voice_reference`): the singer's pitch register and
gender from the sung F0 (WORLD Harvest over the first 30 s), attached to the song's style (`heard`) so the planner
puts the melody where that singer sings (plan/reference.py) without listening itself. A vocal-only recording works
best; on a full mix the F0 tracker follows whatever is loudest. The analysis is a pure function of the file (cached
per path and mtime)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..spec.song import Style, VoiceProfile
from .heard import attach, file_version

MAX_S = 30.0
MIN_VOICED_S = 2.0
MALE_BELOW_HZ = 261.6  # median sung F0 below C4: male (C4 is halfway between the planner's male and female centres)


def analyse_voice(path: str) -> VoiceProfile:
    """The sung register of a recording; ValueError (naming the file) when it holds too little voiced sound."""
    return _analyse(*file_version(path, "voice reference"))


def heard(style: Style) -> Style:
    """`style` with what its voice reference says attached (or, for a recording that cannot be heard, why)."""
    return attach(style, "voice_reference", "voice_analysis", analyse_voice)


@lru_cache(maxsize=16)
def _analyse(path: str, mtime: float) -> VoiceProfile:
    import pyworld as pw
    import soundfile as sf
    x, sr = sf.read(path, dtype="float64", always_2d=True, frames=-1)
    x = x.mean(axis=1)[:int(MAX_S * sr)]
    f0, _ = pw.harvest(np.ascontiguousarray(x), sr, f0_floor=60.0, f0_ceil=1100.0, frame_period=10.0)
    voiced = f0[f0 > 0]
    if len(voiced) * 0.01 < MIN_VOICED_S:
        raise ValueError(f"{path}: voice reference: only {len(voiced) * 0.01:.1f} s of voiced sound in the first "
                         f"{MAX_S:g} s (need {MIN_VOICED_S:g} s of singing)")
    midi = 69.0 + 12.0 * np.log2(voiced / 440.0)
    med = float(np.median(midi))
    return VoiceProfile(round(med, 2), round(float(np.percentile(midi, 10)), 2), round(float(np.percentile(midi, 90)), 2),
                        "male" if 440.0 * 2 ** ((med - 69) / 12) < MALE_BELOW_HZ else "female", round(len(voiced) * 0.01, 2))
