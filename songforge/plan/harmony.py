"""Key and chords: keep what the spec gives, else pick a key and lay the style's progressions bar by bar."""
from __future__ import annotations

import re

import numpy as np

from ..spec.music import NOTE_PC, parse_key
from ..spec.song import Chord, SongSpec
from .describe import choice_for
from .styles import StyleInfo

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
PC_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_ROMAN = re.compile(r"^(b|#)?(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(maj7|7|dim|°)?$")
_NUMERALS = ("i", "ii", "iii", "iv", "v", "vi", "vii")


def choose_key(spec: SongSpec, style: StyleInfo, rng: np.random.Generator) -> tuple[int, str]:
    """(tonic pitch class, 'major'|'minor'): the spec's key, else one the style text states, else the mood the
    text names, else the style's odds."""
    stated = choice_for(spec.style).key
    for key in (spec.controls.key, stated):
        parsed = parse_key(key) if key else None
        if parsed is not None:
            return parsed
    mood = choice_for(spec.style).mood
    if all(p.split()[0] == "i" for p in style.progressions):  # progressions written in minor need a minor key
        mode = "minor"
    elif mood:
        mode = mood
    else:
        mode = "minor" if rng.random() < style.minor else "major"
    return int(rng.integers(0, 12)), mode


def key_name(key: tuple[int, str]) -> str:
    return f"{PC_NAMES[key[0]]} {key[1]}"


def roman_to_chord(roman: str, key: tuple[int, str]) -> str:
    """'vi' in C major -> 'A:min'; 'bVII' -> 'Bb:maj'; 'V7' -> 'G:7'. Minor-key numerals follow natural minor."""
    m = _ROMAN.match(roman)
    if m is None:
        raise ValueError(f"bad roman numeral {roman!r}")
    acc, num, suffix = m.groups()
    degree = _NUMERALS.index(num.lower())
    scale = MAJOR if key[1] == "major" or acc else MINOR  # accidentals are relative to the major scale
    root = (key[0] + scale[degree] + {"b": -1, "#": 1}.get(acc or "", 0)) % 12
    upper = num.isupper()
    if key[1] == "minor" and not acc:  # progressions written for major keys take the minor scale's own chords
        upper = degree in (2, 5, 6) or (degree == 4 and suffix == "7")
    if key[1] == "minor" and not acc and degree == 1:
        quality = "hdim7" if suffix == "7" else "dim"
    elif suffix in ("dim", "°"):
        quality = "dim"
    elif suffix == "maj7":
        quality = "maj7" if upper else "min7"  # a minor-key degree keeps its minor third
    elif suffix == "7":
        quality = "7" if upper else "min7"
    else:
        quality = "maj" if upper else "min"
    return f"{PC_NAMES[root]}:{quality}"


def plan_chords(spec: SongSpec, sections, key, style: StyleInfo, bar_s: float, grid_start: float,
                duration: float, rng: np.random.Generator) -> tuple[Chord, ...]:
    """The spec's chords when given; else one progression per section kind (repeated sections share it),
    one chord per bar (or per half bar), from the first bar line to the end of the song."""
    if spec.controls.chords:
        return spec.controls.chords
    by_kind: dict[str, list[str]] = {}
    chords: list[Chord] = []
    step = bar_s / style.chords_per_bar
    for sec in sections:
        kind = sec.label.split("-")[0]
        if kind not in by_kind:
            prog = style.progressions[int(rng.integers(0, len(style.progressions)))].split()
            by_kind[kind] = [roman_to_chord(r, key) for r in prog]
        prog = by_kind[kind]
        t, k = sec.start, 0
        while t < sec.end - 1e-6:
            end = min(t + step, sec.end)
            chords.append(Chord(prog[k % len(prog)], round(t, 6), round(end, 6)))
            t, k = end, k + 1
    if not chords or chords[-1].end < duration - 1e-6:  # cover a tail past the last section
        start = chords[-1].end if chords else 0.0
        chords.append(Chord(roman_to_chord("i" if key[1] == "minor" else "I", key), start, duration))
    merged: list[Chord] = []
    for c in chords:  # a repeated chord is one longer chord
        if merged and merged[-1].symbol == c.symbol and abs(merged[-1].end - c.start) < 1e-6:
            merged[-1] = Chord(c.symbol, merged[-1].start, c.end)
        else:
            merged.append(c)
    return tuple(merged)


def note_name_to_midi(name: str) -> int:
    return 12 * (int(name[-1]) + 1) + NOTE_PC[name[0]]
