"""Chord recognition by chroma templates (offline, no model), and frame accuracy against labelled chords."""
from __future__ import annotations

import numpy as np

from ..spec.music import QUALITIES, chord_pitch_classes, parse_chord

HOP = 2048


def _reduce(symbol: str) -> tuple[int, str] | None:
    """Root and major/minor family (mir_eval 'majmin'-like), None for no chord."""
    p = parse_chord(symbol)
    if p is None or p[0] < 0:
        return None
    iv = QUALITIES[p[1]]
    return p[0], "min" if 3 in iv and 4 not in iv else "maj"


def chroma(audio: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """(frame times, chroma [12, frames])."""
    import librosa
    c = librosa.feature.chroma_cqt(y=audio.astype(np.float32), sr=sr, hop_length=HOP, bins_per_octave=36)
    return librosa.frames_to_time(np.arange(c.shape[1]), sr=sr, hop_length=HOP), c


def recognise(audio: np.ndarray, sr: int) -> tuple[np.ndarray, list[tuple[int, str] | None]]:
    """Per frame: the best of the 24 major/minor triads by cosine similarity, None for near-silence."""
    from scipy.ndimage import uniform_filter1d
    times, c = chroma(audio, sr)
    c = uniform_filter1d(c, 3, axis=1)  # ~0.25 s: arpeggiated chords read as chords
    temps, names = [], []
    for root in range(12):
        for q in ("maj", "min"):
            v = np.zeros(12)
            v[list(chord_pitch_classes(f"C:{q}"))] = 1
            temps.append(np.roll(v, root) / np.sqrt(3))
            names.append((root, q))
    T = np.stack(temps)
    norm = np.linalg.norm(c, axis=0)
    scores = T @ (c / np.maximum(norm, 1e-9))
    best = scores.argmax(axis=0)
    loud = norm > 0.1 * np.median(norm[norm > 0]) if np.any(norm > 0) else norm > 0
    return times, [names[b] if ok else None for b, ok in zip(best, loud)]


def chord_accuracy(audio: np.ndarray, sr: int, chords: list[tuple[str, float, float]], guard: float = 0.1) -> float:
    """Share of frames (inside labelled chords, away from changes by `guard` s) whose recognised root and
    major/minor family match the label."""
    times, rec = recognise(audio, sr)
    hit = tot = 0
    for t, r in zip(times, rec):
        for sym, a, b in chords:
            if a + guard <= t < b - guard:
                ref = _reduce(sym)
                if ref is not None:
                    tot += 1
                    hit += int(r == ref)
                break
    return hit / tot if tot else float("nan")
