"""The labels written beside every rendered song: exact words, syllables, phonemes, notes, F0, chords,
beats, sections, drums, key, tempo, style, voice and seed."""
from __future__ import annotations

import numpy as np

from ..plan.melody import F0_HOP_S
from ..plan.describe import choice_for
from ..plan.plan import SongPlan
from .sound import drum_samples

LABEL_F0_HOP_S = 0.01


def _r(x: float) -> float:
    return round(float(x), 4)


def labels(plan: SongPlan, sample_rate: int, loudness: float) -> dict:
    t = plan.timing
    step = int(round(LABEL_F0_HOP_S / F0_HOP_S))
    return {
        "id": plan.spec.id, "seed": plan.seed, "duration": _r(plan.duration), "sample_rate": sample_rate,
        "style": plan.style, "tags": list(plan.spec.style.tags),
        "style_resolution": choice_for(plan.spec.style).as_dict(), "key": plan.key_name, "bpm": _r(plan.bpm),
        "meter": plan.meter, "loudness_lufs": round(loudness, 2),
        "voice": {"id": plan.voice.id, "engine": plan.voice.engine, "gender": plan.voice.gender,
                  "espeak": plan.voice.espeak,
                  "formant": plan.voice.formant, "breath": plan.voice.breath},
        "programs": {"other": list(plan.programs), "bass": plan.bass_program, "drum_kit": plan.kit,
                     "drum_samples": drum_samples(plan.style)},
        "sections": [{"label": s.label, "start": _r(s.start), "end": _r(s.end)} for s in plan.sections],
        "lines": [{"text": ln.label, "start": _r(ln.start), "end": _r(ln.end)} for ln in t.lines],
        "words": [{"text": w.text, "start": _r(w.start), "end": _r(w.end), "line": w.line, "language": w.language}
                  for w in t.words],
        "syllables": [{"start": _r(s.start), "end": _r(s.end), "word": s.word, "phonemes": list(s.syllable.phonemes),
                       "stress": s.syllable.stress} for s in t.syllables],
        "phonemes": [{"symbol": p.symbol, "start": _r(p.start), "end": _r(p.end), "syllable": p.syllable}
                     for p in t.phonemes],
        "notes": [{"pitch": n.pitch, "start": _r(n.start), "end": _r(n.end), "syllable": n.syllable} for n in plan.melody],
        "f0": {"hop_s": LABEL_F0_HOP_S, "hz": np.round(plan.f0[::step], 2).tolist()},
        "chords": [{"symbol": c.symbol, "start": _r(c.start), "end": _r(c.end)} for c in plan.chords],
        "beats": [_r(b) for b in plan.beats], "downbeats": [_r(b) for b in plan.downbeats],
        "drums": [{"time": _r(h.time), "instrument": h.instrument} for h in plan.drums],
        "bass": [{"pitch": n.pitch, "start": _r(n.start), "end": _r(n.end)} for n in plan.bass],
        "other": [{"pitch": n.pitch, "start": _r(n.start), "end": _r(n.end)} for n in plan.other],
    }
