"""What to score: songforge song folders (labels.json + stems), a corpus manifest, or any folder of audio
files with a spec of the same name (any input format). Everything asked is gathered into `Asked`."""
from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field

import numpy as np

AUDIO_EXT = (".flac", ".wav", ".ogg", ".mp3")
SPEC_EXT = (".json", ".jsonl", ".lrc", ".yaml", ".yml")


@dataclass
class Asked:
    id: str
    duration: float
    words: list[tuple[str, float, float, str]]  # text, start, end, language
    f0: tuple[np.ndarray, np.ndarray] | None = None  # times, Hz (0 = silent)
    chords: list[tuple[str, float, float]] | None = None
    beats: np.ndarray | None = None
    bpm: float | None = None
    bpm_range: tuple[float, float] | None = None
    style: str | None = None  # the planner's style name, where the song's labels record it
    programs: dict | None = None  # {"other": [GM programs], "bass": GM program} from the labels
    notes: dict[str, list[tuple[float, float, int]]] | None = None  # planned (start, end, MIDI) per stem
    downbeats: np.ndarray | None = None
    key: str | None = None  # "Eb minor"
    gender: str | None = None  # the planned singer's gender, where the labels record it


@dataclass
class SongFiles:
    asked: Asked
    mix: str
    stems: dict[str, str] = field(default_factory=dict)
    where: str = ""  # the song's folder (or audio file) relative to what was searched: names it beside its id

    def load(self, name: str) -> tuple[np.ndarray, int] | None:
        import soundfile as sf
        path = self.mix if name == "mix" else self.stems.get(name)
        if path is None:
            return None
        x, sr = sf.read(path, dtype="float32", always_2d=True)
        return x.mean(axis=1), sr


def _from_labels(lab: dict) -> Asked:
    from ..plan.styles import BY_NAME
    f0 = lab.get("f0")
    return Asked(lab["id"], lab["duration"], [(w["text"], w["start"], w["end"], w["language"] or "en") for w in lab["words"]],
                 (np.arange(len(f0["hz"])) * f0["hop_s"], np.array(f0["hz"])) if f0 else None,
                 [(c["symbol"], c["start"], c["end"]) for c in lab.get("chords", [])] or None,
                 # a song whose plan has no drums (classical) has no drum stem to follow the beat in
                 np.array(lab["beats"]) if lab.get("beats") and lab.get("drums", [None]) else None,
                 lab.get("bpm") if lab.get("drums", [None]) else None,
                 BY_NAME[lab["style"]].bpm_range if lab.get("style") in BY_NAME else None,
                 lab.get("style"), lab.get("programs"),
                 planned_notes(lab) or None, np.array(lab["downbeats"]) if lab.get("downbeats") else None, lab.get("key"),
                 (lab.get("voice") or {}).get("gender"))


def planned_notes(lab: dict) -> dict[str, list[tuple[float, float, int]]]:
    """(start, end, MIDI) per stem from labels.json; a sung note starts at its syllable's vowel, where its pitch
    starts (the consonant before it has none)."""
    from ..text.phonemes import is_vowel
    vowel: dict[int, float] = {}
    for p in lab.get("phonemes", []):
        if is_vowel(p["symbol"]):
            vowel.setdefault(p["syllable"], p["start"])
    out = {"vocals": [(vowel.get(n.get("syllable", -1), n["start"]), n["end"], n["pitch"]) for n in lab.get("notes", [])]}
    out |= {stem: [(n["start"], n["end"], n["pitch"]) for n in lab.get(stem, [])] for stem in ("bass", "other")}
    return {k: v for k, v in out.items() if v}


def _folder(d: str) -> SongFiles | None:
    lab = os.path.join(d, "labels.json")
    mix = next((os.path.join(d, f"mix{e}") for e in AUDIO_EXT if os.path.exists(os.path.join(d, f"mix{e}"))), None)
    if not (os.path.exists(lab) and mix):
        return None
    with open(lab, encoding="utf-8") as f:
        asked = _from_labels(json.load(f))
    stems = {s: os.path.join(d, f"{s}{os.path.splitext(mix)[1]}") for s in ("vocals", "drums", "bass", "other")}
    return SongFiles(asked, mix, {k: v for k, v in stems.items() if os.path.exists(v)}, d)


def _from_spec(spec_path: str, audio: str) -> list[SongFiles]:
    from ..plan.melody import F0_HOP_S, MelodyNote, f0_curve
    from ..songs import load
    songs, _ = load(spec_path)
    out = []
    for s in songs:
        c = s.spec.controls
        f0 = None
        if c.melody:
            hz = f0_curve(tuple(MelodyNote(n.pitch, n.start, n.end, -1) for n in c.melody), s.timing.duration)
            f0 = (np.arange(len(hz)) * F0_HOP_S, hz)
        beats = None
        if c.bpm:
            beats = np.arange(0, s.timing.duration, 60.0 / c.bpm)
        asked = Asked(s.spec.id, s.timing.duration, [(w.text, w.start, w.end, w.language or "en") for w in s.timing.words],
                      f0, [(x.symbol, x.start, x.end) for x in c.chords] or None, beats, c.bpm,
                      notes={"vocals": [(n.start, n.end, n.pitch) for n in c.melody]} if c.melody else None)
        out.append(SongFiles(asked, audio, where=os.path.splitext(audio)[0]))
    return out


def discover(path: str) -> tuple[list[SongFiles], list[str]]:
    """(songs, problems) under `path`: a manifest.jsonl, a folder of song folders, or audio + same-named specs;
    each song's `where` set relative to `path`."""
    songs, problems = _discover(path)
    base = os.path.dirname(os.path.abspath(path)) if not os.path.isdir(path) else os.path.abspath(path)
    for s in songs:
        s.where = os.path.relpath(os.path.abspath(s.where), base)
    return songs, problems


def _discover(path: str) -> tuple[list[SongFiles], list[str]]:
    problems: list[str] = []
    if path.endswith(".jsonl") or os.path.exists(os.path.join(path, "manifest.jsonl")):
        mpath = path if path.endswith(".jsonl") else os.path.join(path, "manifest.jsonl")
        root = os.path.dirname(os.path.abspath(mpath))
        songs = []
        with open(mpath, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    s = _folder(os.path.join(root, os.path.dirname(r["labels"])))
                    if s is None:
                        problems.append(f"{mpath}: id '{r['id']}': labels or mix missing")
                    else:
                        songs.append(s)
        return songs, problems
    if os.path.isdir(path) and os.path.exists(os.path.join(path, "labels.json")):
        s = _folder(path)
        return ([s] if s else []), ([] if s else [f"{path}: no mix audio beside labels.json"])
    songs = []
    for d in sorted(glob.glob(os.path.join(path, "*"))):
        if os.path.isdir(d):
            s = _folder(d)
            if s:
                songs.append(s)
        elif d.lower().endswith(AUDIO_EXT):
            stem = os.path.splitext(d)[0]
            spec = next((stem + e for e in SPEC_EXT if os.path.exists(stem + e)), None)
            if spec is None:
                problems.append(f"{d}: no spec beside it ({', '.join(SPEC_EXT)} with the same name): skipped")
            else:
                found = _from_spec(spec, d)
                songs += found
                if not found:
                    problems.append(f"{spec}: no valid song in it (run `songforge check {spec}`)")
    return songs, problems
