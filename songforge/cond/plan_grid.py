"""SongPlan -> per-frame plan features at the latent rate (numpy): what the DiT is conditioned on, frame by
frame, besides the lyrics. Columns: chord chroma (12), chord root one-hot (12), melody pitch class one-hot (12),
melody pitch (MIDI - 60) / 24, melody voiced, beat, downbeat, section start (these 41 = PLAN_DIM_V1), then the
melody note as a MIDI one-hot over MIDI_LO..MIDI_HI (notes outside clamp to the edges). The one-hot makes the
note's spectrum a linear function of the features (pitch class x octave is not), which a mel-domain model needs
to hit pitch. A model reads the first `plan_dim` columns of its config, so models trained on the first 41 keep
working."""
from __future__ import annotations

import numpy as np

from ..plan.plan import SongPlan
from ..spec.music import chord_pitch_classes, parse_chord

PLAN_DIM_V1 = 41
MIDI_LO, MIDI_HI = 36, 84  # C2..C6: every voice range the planner uses (MIDI 43..78), with margin
PLAN_DIM = PLAN_DIM_V1 + MIDI_HI - MIDI_LO


def plan_features(plan: SongPlan, frame_rate: float = 25.0, n_frames: int | None = None) -> np.ndarray:
    """[n_frames, PLAN_DIM] float32; a frame covers [k/rate, (k+1)/rate) and reads what sounds at its centre."""
    n = n_frames if n_frames is not None else int(round(plan.duration * frame_rate))
    out = np.zeros((n, PLAN_DIM), np.float32)
    centre = (np.arange(n) + 0.5) / frame_rate
    for c in plan.chords:
        sel = np.flatnonzero((centre >= c.start) & (centre < c.end))
        out[np.ix_(sel, list(chord_pitch_classes(c.symbol)))] = 1.0
        p = parse_chord(c.symbol)
        if p and p[0] >= 0:
            out[sel, 12 + p[0]] = 1.0
    for note in plan.melody:
        sel = (centre >= note.start) & (centre < note.end)
        out[sel, 24 + note.pitch % 12] = 1.0
        out[sel, 36] = (note.pitch - 60) / 24.0
        out[sel, 37] = 1.0
        out[sel, PLAN_DIM_V1 + min(max(note.pitch, MIDI_LO), MIDI_HI - 1) - MIDI_LO] = 1.0
    for col, times in ((38, plan.beats), (39, plan.downbeats), (40, [s.start for s in plan.sections])):
        idx = np.floor(np.asarray(times, dtype=np.float64) * frame_rate + 1e-6).astype(int)
        out[idx[(idx >= 0) & (idx < n)], col] = 1.0
    return out
