"""What the planner reads from a reference recording. Voice follow (SongGeneration's timbre prompt, songforge's
`voice_reference`): the singer's pitch register and gender from the sung F0 (WORLD Harvest over the first 30 s),
so the planned melody sits where that singer sings. A vocal-only recording works best; on a full mix the F0
tracker follows whatever is loudest. The analysis is a pure function of the file (cached per path and mtime)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MAX_S = 30.0
MIN_VOICED_S = 2.0
MALE_BELOW_HZ = 261.6  # median sung F0 below C4: male (C4 is halfway between the planner's male and female centres)


@dataclass(frozen=True)
class VoiceProfile:
    median_midi: float  # of the voiced frames
    low_midi: float  # 10th percentile
    high_midi: float  # 90th percentile
    gender: str  # "male" | "female", from the median F0
    voiced_s: float


def analyse_voice(path: str) -> VoiceProfile:
    """The sung register of a recording; ValueError (naming the file) when it holds too little voiced sound."""
    return _analyse(os.path.abspath(path), os.path.getmtime(path))


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


# The planner's melodies sit this far above their range's centre (median over sung time; over 200 corpus plans
# `python benchmarks/voice_follow.py --corpus C --calibrate 200` gave mean -0.21, median -0.41, sd 1.28 semitones);
# the followed range is centred so the melody's median lands on the reference's.
MELODY_ABOVE_CENTRE = -0.3
RANGE_WIDTH = 19  # semitones, as the planner's own voices (MIDI 57..76 / 45..64)


def followed_range(profile: VoiceProfile) -> tuple[int, int]:
    lo = int(round(profile.median_midi - MELODY_ABOVE_CENTRE - RANGE_WIDTH / 2))
    return lo, lo + RANGE_WIDTH
