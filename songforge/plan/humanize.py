"""A player's hand on the band's parts: each planned hit and note moved off the grid by a few milliseconds and played a
little louder or softer, and (when Feel.strum_ms is set) a guitar's chord strummed string by string, in alternate
down- and upstrokes, instead of struck at once. Applied to the plan, so the labels are where the notes sound.

The draws come from their own generator (seeded by the song's seed), so humanising moves no other choice of the plan;
drums the user gave are played as given."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .arrange import Hit, PartNote


@dataclass(frozen=True)
class Feel:
    drums_ms: float = 6.0  # timing spread (standard deviation) per drum hit
    bass_ms: float = 8.0
    other_ms: float = 10.0  # per chord (its notes move together) or arpeggio note
    velocity: float = 7.0  # velocity spread (MIDI units), every part
    # a strummed chord: delay between neighbouring strings. Off: on the 28 tuning songs a 9 ms strum took metal's
    # distorted power chords from MSD_musicnn rank 4.0 to 7.25 (benchmarks/results/tune_voice_feel.md)
    strum_ms: float = 0.0


FEEL: Feel | None = Feel()  # None: the parts exactly on the grid (the engine before session 28)
GUITARS = range(24, 32)  # GM: nylon, steel, jazz, clean, muted, overdriven, distortion, harmonics
_STREAM = 0x6875  # the humaniser's generator: np.random.default_rng([seed, _STREAM])
_LIMIT = 2.5  # spreads are clipped at this many standard deviations: no note wanders off its beat


def _jitter(rng: np.random.Generator, n: int, ms: float) -> np.ndarray:
    return np.clip(rng.standard_normal(n), -_LIMIT, _LIMIT) * ms / 1000.0


def _velocity(rng: np.random.Generator, v: np.ndarray, spread: float) -> np.ndarray:
    return np.clip(np.rint(v + np.clip(rng.standard_normal(len(v)), -_LIMIT, _LIMIT) * spread), 1, 127).astype(int)


def humanize_drums(hits: tuple[Hit, ...], rng: np.random.Generator, feel: Feel) -> tuple[Hit, ...]:
    if not hits:
        return hits
    dt = _jitter(rng, len(hits), feel.drums_ms)
    vel = _velocity(rng, np.array([h.velocity for h in hits]), feel.velocity)
    out = [replace(h, time=max(0.0, round(h.time + d, 6)), velocity=int(v)) for h, d, v in zip(hits, dt, vel)]
    return tuple(sorted(out, key=lambda h: (h.time, h.instrument)))


def humanize_notes(notes: tuple[PartNote, ...], rng: np.random.Generator, ms: float, feel: Feel,
                   strum: bool = False) -> tuple[PartNote, ...]:
    """Notes that start together (a chord) move together; a strummed chord's notes are then spread string by
    string, in alternate down- and upstrokes. Ends stay where they were (never before a start)."""
    if not notes:
        return notes
    starts = sorted({n.start for n in notes})
    shift = dict(zip(starts, _jitter(rng, len(starts), ms)))
    vel = _velocity(rng, np.array([n.velocity for n in notes]), feel.velocity)
    order = {}
    if strum and feel.strum_ms:
        chords: dict[float, list[int]] = {}
        for n in notes:
            chords.setdefault(n.start, []).append(n.pitch)
        for t in starts:
            chord = sorted(chords[t])
            if len(chord) > 1:
                up = len(order) % 2 == 1  # alternate down- and upstrokes chord by chord
                order[t] = {p: k for k, p in enumerate(chord[::-1] if up else chord)}
    out = []
    for n, v in zip(notes, vel):
        t = n.start + shift[n.start] + order.get(n.start, {}).get(n.pitch, 0) * feel.strum_ms / 1000.0
        t = max(0.0, round(t, 6))
        out.append(replace(n, start=t, end=max(n.end, t + 0.03), velocity=int(v)))
    return tuple(sorted(out, key=lambda n: (n.start, n.pitch)))


def humanize(drums: tuple[Hit, ...], bass: tuple[PartNote, ...], other: tuple[PartNote, ...], programs, seed: int,
             drums_given: bool = False, feel: Feel | None = None) -> tuple[tuple[Hit, ...], tuple[PartNote, ...], tuple[PartNote, ...]]:
    """(drums, bass, other) as a band plays them (`feel`, default FEEL; with neither, as planned). `programs`: the
    'other' stem's GM programs (a guitar strums)."""
    feel = feel or FEEL
    if feel is None:
        return drums, bass, other
    rng = np.random.default_rng([seed, _STREAM])
    d = drums if drums_given else humanize_drums(drums, rng, feel)
    b = humanize_notes(bass, rng, feel.bass_ms, feel)
    strum = bool(programs) and programs[0] in GUITARS
    o = humanize_notes(other, rng, feel.other_ms, feel, strum=strum)
    return d, b, o
