"""SongPlan -> per-frame plan features at the latent rate (numpy): what the DiT is conditioned on, frame by
frame, besides the lyrics. A model reads the first `plan_dim` columns of its config, so models trained on an
older, shorter layout keep working. Columns:
  v1 (41): chord chroma (12), chord root one-hot (12), melody pitch class one-hot (12), melody pitch
           (MIDI - 60) / 24, melody voiced, beat, downbeat, section start;
  v2 (+48 = 89): the melody note as a MIDI one-hot over MIDI_LO..MIDI_HI (notes outside clamp to the edges): the
           note's spectrum is then a linear function of the features (pitch class x octave is not), which a
           mel-domain model needs to hit pitch;
  v3 (+54 = 143): the accompaniment the renderer plays: the bass note as a MIDI one-hot over BASS_LO..BASS_HI,
           bass and 'other' attacks, the pitch classes the 'other' stem is sounding, and drum attacks in four
           groups (kick; snare/clap/rim; hats/ride/shakers; toms/crash). Onset columns mark the frame holding
           the attack, as the beat columns do."""
from __future__ import annotations

import numpy as np

from ..plan.plan import SongPlan
from ..spec.music import chord_pitch_classes, parse_chord

PLAN_DIM_V1 = 41
MIDI_LO, MIDI_HI = 36, 84  # C2..C6: every voice range the planner uses (MIDI 43..78), with margin
PLAN_DIM_V2 = PLAN_DIM_V1 + MIDI_HI - MIDI_LO
BASS_LO, BASS_HI = 24, 60  # C1..C4: the planner's bass lines (MIDI 33..57)
DRUM_GROUPS = ({"kick"}, {"snare", "clap", "rim"}, {"hihat", "pedal_hihat", "open_hihat", "ride", "shaker",
                                                    "tambourine", "cowbell"}, {"tom_low", "tom_mid", "tom_high", "crash"})
_BASS0 = PLAN_DIM_V2
_ONSET0 = _BASS0 + BASS_HI - BASS_LO  # bass attack, other attack
_OTHER_PC0 = _ONSET0 + 2
_DRUM0 = _OTHER_PC0 + 12
PLAN_DIM = _DRUM0 + len(DRUM_GROUPS)


def _mark(out: np.ndarray, col: int, times, frame_rate: float) -> None:
    idx = np.floor(np.asarray(list(times), dtype=np.float64) * frame_rate + 1e-6).astype(int)
    out[idx[(idx >= 0) & (idx < len(out))], col] = 1.0


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
        _mark(out, col, times, frame_rate)
    for note in plan.bass:
        sel = (centre >= note.start) & (centre < note.end)
        out[sel, _BASS0 + min(max(note.pitch, BASS_LO), BASS_HI - 1) - BASS_LO] = 1.0
    for note in plan.other:
        out[(centre >= note.start) & (centre < note.end), _OTHER_PC0 + note.pitch % 12] = 1.0
    _mark(out, _ONSET0, (b.start for b in plan.bass), frame_rate)
    _mark(out, _ONSET0 + 1, (o.start for o in plan.other), frame_rate)
    for g, names in enumerate(DRUM_GROUPS):
        _mark(out, _DRUM0 + g, (h.time for h in plan.drums if h.instrument in names), frame_rate)
    return out
