"""An imported song's labels as the SongPlan the DiT's conditions are read from (cond/song.py), so a corpus from
`songforge data import` trains like a rendered one: words, syllables and phonemes as aligned, the sung notes,
chords, beats and sections as labelled, the style and instruments as the tagger heard them. What a recording does
not tell (the bass line's notes, the comping's notes, the drum hits) is left empty: those plan features read zero.
The singer is "the recording": no synthesizer voice, neutral voice features."""
from __future__ import annotations

import numpy as np

from ..plan.melody import MelodyNote
from ..plan.plan import SongPlan, Voice
from ..plan.styles import BY_NAME
from ..plan.timing import LyricTiming, Span, TimedPhoneme, TimedSyllable, TimedWord
from ..spec.music import parse_key
from ..spec.song import Chord, Section, SongSpec
from ..text.phonemes import Syllable, is_vowel

F0_HOP_S = 0.005  # the plan's F0 frame (plan/plan.py)


def _syllable(phonemes: list[str], stress: int) -> Syllable:
    vowels = [i for i, p in enumerate(phonemes) if is_vowel(p)]
    return Syllable(tuple(phonemes), vowels[0] if vowels else 0, stress)


def plan_from_labels(lab: dict, where: str = "labels.json") -> SongPlan:
    """The plan of an imported song (labels.json of `songforge data import`). Raises ValueError naming `where` when
    the labels lack what a plan needs."""
    if not lab.get("style") or lab["style"] not in BY_NAME:
        raise ValueError(f"{where}: field 'style': {lab.get('style')!r} is not a style songforge knows "
                         "(imported without the style tagger?)")
    key = parse_key(lab["key"])
    if key is None:
        raise ValueError(f"{where}: field 'key': cannot read {lab['key']!r}")
    dur, bpm, meter = float(lab["duration"]), float(lab["bpm"]), int(lab.get("meter", 4))
    spans = lambda rows: tuple(Span(r["label"], r["start"], r["end"]) for r in rows)  # noqa: E731
    sections = spans(lab["sections"]) or (Span("verse", 0.0, dur),)
    timing = LyricTiming(
        dur, bpm, meter, "given", None, sections,
        tuple(Span("line", ln["start"], ln["end"]) for ln in lab["lines"]),
        tuple(TimedWord(w["text"], w["start"], w["end"], w["line"], w["language"]) for w in lab["words"]),
        tuple(TimedSyllable(s["start"], s["end"], s["word"], _syllable(s["phonemes"], s.get("stress", 0)))
              for s in lab["syllables"]),
        tuple(TimedPhoneme(p["symbol"], p["start"], p["end"], p["syllable"]) for p in lab["phonemes"]))
    f0_label = lab["f0"]
    hz = np.asarray(f0_label["hz"], dtype=np.float64)
    grid = np.arange(int(round(dur / F0_HOP_S))) * F0_HOP_S
    f0 = np.where(np.interp(grid, np.arange(len(hz)) * f0_label["hop_s"], (hz > 0).astype(float)) > 0.5,
                  np.interp(grid, np.arange(len(hz)) * f0_label["hop_s"], hz), 0.0)
    info = BY_NAME[lab["style"]]
    progs = lab.get("programs") or {}
    notes = [n["pitch"] for n in lab["notes"]] or [60]
    voice = Voice("recording", lab.get("gender") or "female", "recording", "recording", 1.0, 0.0, 5.5, 27.0,
                  (int(min(notes)), int(max(notes))), "recording")
    spec = SongSpec(lab["id"], (Section("verse"),), dur, source=where)
    return SongPlan(spec, timing, 0, lab["style"], key, bpm, meter, dur, sections,
                    tuple(lab["beats"]), tuple(lab["downbeats"]),
                    tuple(Chord(c["symbol"], c["start"], c["end"]) for c in lab["chords"]),
                    tuple(MelodyNote(n["pitch"], n["start"], n["end"], n["syllable"]) for n in lab["notes"]),
                    f0, (), (), (), tuple(progs.get("other") or info.programs),
                    int(progs.get("bass", info.bass_program)), info.kit, info.levels_db, voice)
