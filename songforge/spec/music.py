"""Key and chord symbols: parsing to pitch classes (shared by validation, the planner and evaluation)."""
from __future__ import annotations

import re

NOTE_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# quality -> intervals above the root
QUALITIES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8), "sus2": (0, 2, 7), "sus4": (0, 5, 7),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10), "dim7": (0, 3, 6, 9), "hdim7": (0, 3, 6, 10),
    "6": (0, 4, 7, 9), "min6": (0, 3, 7, 9), "9": (0, 4, 7, 10, 2), "add9": (0, 4, 7, 2), "5": (0, 7),
    "minmaj7": (0, 3, 7, 11),
}
_ALIASES = {"": "maj", "M": "maj", "major": "maj", "m": "min", "-": "min", "minor": "min", "o": "dim", "°": "dim",
            "+": "aug", "sus": "sus4", "M7": "maj7", "Δ": "maj7", "m7": "min7", "-7": "min7", "o7": "dim7",
            "m7b5": "hdim7", "ø": "hdim7", "ø7": "hdim7", "m6": "min6", "mM7": "minmaj7", "dom7": "7"}
_ROOT = re.compile(r"^([A-Ga-g])([#b♯♭]?)")


def pitch_class(name: str) -> int | None:
    m = _ROOT.match(name.strip())
    if not m or len(m.group(0)) != len(name.strip()):
        return None
    pc = NOTE_PC[m.group(1).upper()]
    return (pc + {"#": 1, "♯": 1, "b": -1, "♭": -1}.get(m.group(2), 0)) % 12


def parse_key(text: str) -> tuple[int, str] | None:
    """'F# minor' / 'Bbm' / 'C' -> (tonic pitch class, 'major'|'minor'); None if unreadable."""
    t = text.strip().replace(":", " ")
    m = re.fullmatch(r"([A-Ga-g][#b♯♭]?)\s*(major|minor|maj|min|m|M)?", t)
    if not m:
        return None
    mode = "minor" if (m.group(2) or "") in ("minor", "min", "m") else "major"
    return pitch_class(m.group(1)), mode


def parse_chord(symbol: str) -> tuple[int, str, int | None] | None:
    """'Am7' / 'A:min7' / 'C/E' -> (root pc, quality, bass pc or None); 'N' (no chord) -> (-1, 'N', None)."""
    s = symbol.strip()
    if s in ("N", "N.C.", "NC"):
        return -1, "N", None
    bass = None
    if "/" in s:
        s, b = s.rsplit("/", 1)
        bass = pitch_class(b)
        if bass is None:
            return None
    m = _ROOT.match(s)
    if not m:
        return None
    root = pitch_class(m.group(0))
    q = s[m.end():].lstrip(":")
    q = _ALIASES.get(q, q)
    if q not in QUALITIES:
        return None
    return root, q, bass


def chord_pitch_classes(symbol: str) -> tuple[int, ...]:
    p = parse_chord(symbol)
    if p is None or p[0] < 0:
        return ()
    return tuple(sorted({(p[0] + i) % 12 for i in QUALITIES[p[1]]}))


# General MIDI percussion (channel 10) notes for the drum names songforge uses.
GM_DRUMS = {"kick": 36, "rim": 37, "snare": 38, "clap": 39, "hihat": 42, "pedal_hihat": 44, "open_hihat": 46,
            "tom_low": 45, "tom_mid": 47, "tom_high": 50, "crash": 49, "ride": 51,
            "tambourine": 54, "cowbell": 56, "shaker": 70}
