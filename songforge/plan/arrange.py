"""Drums (with fills at section ends, crashes on section starts, ghost notes ('o') and rolls ('r')), bass line and
comping from the style's one-bar patterns, laid on the bar grid and following the chords."""
from __future__ import annotations

from dataclasses import dataclass

from ..spec.music import chord_pitch_classes, parse_chord
from ..spec.song import DrumHit
from .melody import chord_at
from .styles import StyleInfo


@dataclass(frozen=True)
class Hit:
    time: float
    instrument: str
    velocity: int


@dataclass(frozen=True)
class PartNote:
    pitch: int
    start: float
    end: float
    velocity: int


_FILL = {8: "snare", 10: "snare", 12: "tom_high", 13: "tom_high", 14: "tom_mid", 15: "tom_low"}
# 'r' in a drum pattern: a roll, the 16th split into ROLL hits rising in velocity (a trap drummer's hi-hat rolls)
ROLL = 3
_ROLL_VELOCITY = (64, 76, 88)


class Grid:
    """Bar/16th positions -> seconds, with swing on off-beat 8ths."""

    def __init__(self, bpm: float, meter: int, origin: float, swing: float):
        self.six = 15.0 / bpm
        self.bar = self.six * 4 * meter
        self.steps = 4 * meter
        self.origin, self.swing = origin, swing

    def time(self, bar: int, step: int) -> float:
        t = self.origin + bar * self.bar + step * self.six
        return t + (self.swing * 2 * self.six if step % 4 == 2 else 0.0)


def _pattern_step(pattern: str, step: int) -> str:
    return pattern[step % len(pattern)]


def plan_drums(grid: Grid, sections, style: StyleInfo, duration: float, given: tuple[DrumHit, ...] = ()) -> tuple[Hit, ...]:
    if given:
        return tuple(Hit(h.time, h.instrument, 100) for h in given)
    if not style.drums:  # a style without drums gets no fills or crashes either
        return ()
    hits: list[Hit] = []
    for si, sec in enumerate(sections):
        if sec.label.startswith("silence"):
            continue
        b0 = round((sec.start - grid.origin) / grid.bar)
        b1 = round((sec.end - grid.origin) / grid.bar)
        for b in range(b0, b1):
            fill = b == b1 - 1 and b1 - b0 >= 2 and si < len(sections) - 1
            for step in range(grid.steps):
                t = grid.time(b, step)
                if t >= min(sec.end, duration) - 1e-6 or t < 0:
                    continue
                if fill and step >= 8:
                    if step in _FILL:
                        hits.append(Hit(t, _FILL[step], 96))
                    if step in (8, 12):
                        hits.append(Hit(t, "kick", 100))
                    continue
                for inst, pat in style.drums.items():
                    c = _pattern_step(pat, step)
                    if c in "xo":
                        accent = 110 if step % 4 == 0 else 88
                        hits.append(Hit(t, inst, accent if c == "x" else 64))
                    elif c == "r":
                        hits += [Hit(t + k * grid.six / ROLL, inst, _ROLL_VELOCITY[k]) for k in range(ROLL)]
            if b == b0 and si > 0:
                hits.append(Hit(grid.time(b, 0), "crash", 100))
    return tuple(sorted(hits, key=lambda h: (h.time, h.instrument)))


def _events(pattern: str, grid: Grid, sections, duration: float, legato: bool = False):
    """(bar, step, symbol, end time) for each non-rest step; '-' extends the previous note (with legato,
    so does '.': a chord instrument lets its chord ring, pedal down, until the next attack)."""
    out = []
    for sec in sections:
        if sec.label.startswith("silence"):
            continue
        b0 = round((sec.start - grid.origin) / grid.bar)
        b1 = round((sec.end - grid.origin) / grid.bar)
        for b in range(b0, b1):
            for step in range(grid.steps):
                c = _pattern_step(pattern, step)
                t = grid.time(b, step)
                if c in ".-" or t >= min(sec.end, duration) - 1e-6 or t < 0:
                    continue
                k = step + 1
                while k < grid.steps and (_pattern_step(pattern, k) == "-" or legato and _pattern_step(pattern, k) == "."):
                    k += 1
                out.append((b, step, c, min(grid.origin + b * grid.bar + k * grid.six, sec.end, duration)))
    return out


def plan_bass(grid: Grid, sections, chords, style: StyleInfo, duration: float) -> tuple[PartNote, ...]:
    notes: list[PartNote] = []
    evs = _events(style.bass, grid, sections, duration)
    for n, (b, step, c, end) in enumerate(evs):
        t = grid.time(b, step)
        ch = chord_at(chords, t + 1e-4)
        parsed = parse_chord(ch.symbol) if ch else None
        if not parsed or parsed[0] < 0:
            continue
        root = 36 + (parsed[2] if parsed[2] is not None else parsed[0]) % 12
        if root > 45:
            root -= 12
        pcs = chord_pitch_classes(ch.symbol)
        if c == "5":
            pitch = root + 7
        elif c == "8":
            pitch = root + 12
        elif c == "W":  # walking: root, chord tone, fifth, then a half step into the next chord
            beat = step // 4
            third = next((root + i for i in (3, 4) if (root + i) % 12 in pcs), root + 7)
            if beat == 3:
                nxt = chord_at(chords, grid.time(b + 1, 0) + 1e-4)
                np_ = parse_chord(nxt.symbol) if nxt else None
                target = 36 + (np_[0] % 12 if np_ and np_[0] >= 0 else parsed[0])
                pitch = target - 1 if target - 1 >= 33 else target + 1
            else:
                pitch = (root, third, root + 7)[beat % 3]
        else:
            pitch = root
        notes.append(PartNote(pitch, t, max(t + 0.05, end - 0.01), 96 if step % 4 == 0 else 84))
    return tuple(notes)


def voicing(symbol: str, low: int = 50, kind: str = "full") -> list[int]:
    """Root-position voicing from the root in [low, low+11]: root, the other chord tones above it, and the
    root an octave up (a clear chord for listeners and for chroma alike). "power": root, fifth and octave only
    (the distorted guitar's chord: no third to beat against the fifth through the amp)."""
    p = parse_chord(symbol)
    pcs = chord_pitch_classes(symbol)
    if not p or not pcs:
        return []
    root = low + (p[0] - low) % 12
    if kind == "power":
        return [root, root + 7, root + 12]
    out = [root] + [root + (pc - p[0]) % 12 for pc in pcs if pc != p[0]] + [root + 12]
    return sorted(out)


def plan_comping(grid: Grid, sections, chords, style: StyleInfo, duration: float) -> tuple[PartNote, ...]:
    notes: list[PartNote] = []
    arp_i = 0
    for b, step, c, end in _events(style.comp, grid, sections, duration, legato=True):
        t = grid.time(b, step)
        ch = chord_at(chords, t + 1e-4)
        if ch is None or not chord_pitch_classes(ch.symbol):
            continue
        end = min(end, ch.end)  # never ring into the next chord
        vel = 80 if step % 4 == 0 else 68
        voiced = voicing(ch.symbol, style.comp_low, style.voicing)
        if c == "A":
            seq = voiced + [voiced[0] + 12] + voiced[1:][::-1]
            if t - ch.start < grid.six / 2:  # a soft pinch of the whole chord where it starts
                notes += [PartNote(p, t, ch.end, vel - 24) for p in voiced if p != seq[arp_i % len(seq)]]
            notes.append(PartNote(seq[arp_i % len(seq)], t, ch.end, vel))  # let ring: the chord builds up
            arp_i += 1
        else:
            notes += [PartNote(p, t, max(t + 0.05, end - 0.01), vel) for p in voiced]
    return tuple(notes)
