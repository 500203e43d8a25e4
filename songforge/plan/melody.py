"""A singable melody: one or more notes per syllable at the syllable's times, in the voice's range, chord
tones on strong beats, stepwise elsewhere, an arch per phrase, repeated lines sung the same way."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from ..spec.music import chord_pitch_classes
from ..spec.song import Chord, Note
from .harmony import MAJOR, MINOR
from .timing import LyricTiming

F0_HOP_S = 0.005  # the planned F0 curve's frame period (the WORLD frame period of the renderer)


@dataclass(frozen=True)
class MelodyNote:
    pitch: int
    start: float
    end: float
    syllable: int


def chord_at(chords: tuple[Chord, ...], t: float) -> Chord | None:
    starts = [c.start for c in chords]
    i = bisect.bisect_right(starts, t + 1e-6) - 1
    return chords[i] if 0 <= i < len(chords) and t < chords[i].end + 1e-6 else None


def plan_melody(timing: LyricTiming, chords, key, voice_range: tuple[int, int], rng: np.random.Generator,
                given: tuple[Note, ...] = (), delivery: str = "sung") -> tuple[MelodyNote, ...]:
    if given:
        return _assign_given(timing, given)
    if delivery == "rap":
        return _rapped(timing, voice_range, rng)
    scale_pcs = [(key[0] + s) % 12 for s in (MAJOR if key[1] == "major" else MINOR)]
    lo, hi = voice_range
    scale = [p for p in range(lo, hi + 1) if p % 12 in scale_pcs]
    center = (lo + hi) / 2
    beat = 60.0 / timing.bpm
    origin = timing.grid_start or 0.0
    out: list[MelodyNote] = []
    sung: dict[str, list[int]] = {}
    by_line: dict[int, list[int]] = {}
    for i, s in enumerate(timing.syllables):
        by_line.setdefault(timing.words[s.word].line, []).append(i)
    for line, idx in sorted(by_line.items()):
        text = timing.lines[line].label.lower()
        if text in sung and len(sung[text]) == len(idx):  # a repeated line is sung the same way
            pitches = sung[text]
        else:
            pitches = _phrase(timing, idx, chords, scale, center, beat, origin, rng)
            sung[text] = pitches
        for k, (i, p) in enumerate(zip(idx, pitches)):
            s = timing.syllables[i]
            dur = s.end - s.start
            if dur >= 2 * beat and k < len(idx) - 1 and rng.random() < 0.35:  # a melisma: two notes on one syllable
                j = scale.index(p) if p in scale else 0
                q = scale[min(len(scale) - 1, max(0, j + (1 if rng.random() < 0.5 else -1)))]
                cut = s.start + dur * 0.6
                out += [MelodyNote(p, s.start, cut, i), MelodyNote(q, cut, s.end, i)]
            else:
                out.append(MelodyNote(p, s.start, s.end, i))
    return tuple(out)


def _phrase(timing, idx, chords, scale, center, beat, origin, rng) -> list[int]:
    n = len(idx)
    lift = rng.uniform(2.0, 5.0)
    base = center + rng.uniform(-3.0, 1.0)
    pitches: list[int] = []
    for k, i in enumerate(idx):
        s = timing.syllables[i]
        target = base + lift * np.sin(np.pi * k / max(1, n - 1)) - (2.0 if k == n - 1 else 0.0)
        pos = (s.start - origin) / beat
        strong = abs(pos - round(pos)) < 0.05 or k == 0 or k == n - 1
        ch = chord_at(chords, s.start)
        tones = [p for p in scale if ch is not None and p % 12 in chord_pitch_classes(ch.symbol)] or scale
        if strong or not pitches:
            p = min(tones, key=lambda x: (abs(x - target), x))
        else:
            j = scale.index(pitches[-1]) if pitches[-1] in scale else len(scale) // 2
            toward = 1 if target > pitches[-1] else -1
            step = toward if rng.random() < 0.7 else int(rng.choice([-2, -1, 0, 1, 2]))
            p = scale[min(len(scale) - 1, max(0, j + step))]
        pitches.append(p)
    return pitches


RAP_TONE = 0.3  # where in the voice's range a rapped line recites (a speaking register: low)
RAP_STEPS = (0, 0, 1, 2)  # semitones above the reciting tone a syllable lands on, drawn per syllable
RAP_FALL_CENTS = 150.0  # how far each rapped syllable's pitch falls over its length, as speech does


def _rapped(timing: LyricTiming, voice_range: tuple[int, int], rng: np.random.Generator) -> tuple[MelodyNote, ...]:
    """A rapped line: one note per syllable near a low reciting tone, a few semitones of movement, the line's
    last syllable two semitones down (the cadence of a spoken phrase). Repeated lines are delivered alike."""
    lo, hi = voice_range
    tone = lo + (hi - lo) * RAP_TONE
    said: dict[str, list[int]] = {}
    out: list[MelodyNote] = []
    by_line: dict[int, list[int]] = {}
    for i, s in enumerate(timing.syllables):
        by_line.setdefault(timing.words[s.word].line, []).append(i)
    for line, idx in sorted(by_line.items()):
        text = timing.lines[line].label.lower()
        if text not in said or len(said[text]) != len(idx):
            said[text] = [int(round(tone - 2 if k == len(idx) - 1 else tone + int(rng.choice(RAP_STEPS))))
                          for k in range(len(idx))]
        out += [MelodyNote(p, timing.syllables[i].start, timing.syllables[i].end, i) for i, p in zip(idx, said[text])]
    return tuple(out)


def _assign_given(timing: LyricTiming, notes: tuple[Note, ...]) -> tuple[MelodyNote, ...]:
    """Spec melody notes, each tied to the syllable it overlaps most (-1 when it overlaps none)."""
    out = []
    for n in notes:
        best, best_ov = -1, 0.0
        for i, s in enumerate(timing.syllables):
            ov = min(n.end, s.end) - max(n.start, s.start)
            if ov > best_ov:
                best, best_ov = i, ov
        out.append(MelodyNote(n.pitch, n.start, n.end, best))
    return tuple(out)


def f0_curve(notes: tuple[MelodyNote, ...], duration: float, vibrato_hz: float = 5.5, vibrato_cents: float = 30.0,
             glide_s: float = 0.04, delivery: str = "sung") -> np.ndarray:
    """Planned F0 in Hz per 5 ms frame ([frames], 0 where nothing is sung): notes, short glides between
    touching notes, vibrato fading in on notes longer than 350 ms. Rapped: each syllable's pitch falls
    RAP_FALL_CENTS through its note, centred on it, no vibrato, no glides."""
    if delivery == "rap":
        return _spoken_f0(notes, duration)
    n_frames = int(np.ceil(duration / F0_HOP_S)) + 1
    cents = np.full(n_frames, np.nan)
    t = np.arange(n_frames) * F0_HOP_S
    for k, n in enumerate(notes):
        a, b = int(round(n.start / F0_HOP_S)), int(round(n.end / F0_HOP_S))
        if b <= a:
            continue
        seg = np.full(b - a, 100.0 * (n.pitch - 69))
        length = n.end - n.start
        if length > 0.35:
            tt = t[a:b] - n.start
            ramp = np.clip((tt - 0.15) / 0.2, 0.0, 1.0)
            seg = seg + vibrato_cents * ramp * np.sin(2 * np.pi * vibrato_hz * tt)
        prev = notes[k - 1] if k > 0 else None
        if prev is not None and abs(prev.end - n.start) < 1e-3 and prev.pitch != n.pitch:
            g = min(int(glide_s / F0_HOP_S), b - a)
            frm = 100.0 * (prev.pitch - 69)
            seg[:g] = frm + (seg[:g] - frm) * (np.arange(1, g + 1) / (g + 1))
        cents[a:b] = seg
    f0 = 440.0 * 2 ** (cents / 1200.0)
    return np.nan_to_num(f0, nan=0.0)


def _spoken_f0(notes: tuple[MelodyNote, ...], duration: float) -> np.ndarray:
    n_frames = int(np.ceil(duration / F0_HOP_S)) + 1
    cents = np.full(n_frames, np.nan)
    for n in notes:
        a, b = int(round(n.start / F0_HOP_S)), int(round(n.end / F0_HOP_S))
        if b > a:
            cents[a:b] = 100.0 * (n.pitch - 69) + RAP_FALL_CENTS * (0.5 - np.linspace(0.0, 1.0, b - a))
    return np.nan_to_num(440.0 * 2 ** (cents / 1200.0), nan=0.0)
