"""Chord recognition by chroma templates (offline, no model), and frame accuracy against labelled chords."""
from __future__ import annotations

import numpy as np

from ..spec.music import chord_pitch_classes, parse_chord

HOP = 2048


_MAJ, _MIN = ("maj", "maj7", "7", "6", "9", "add9"), ("min", "min7", "min6", "minmaj7")


def _reduce(symbol: str) -> tuple[int, str] | None:
    """Root and major/minor family, as mir_eval's 'majmin' comparison does; None for no chord and for chords
    outside both families (dim, aug, sus, power chords), which that comparison leaves unscored."""
    p = parse_chord(symbol)
    if p is None or p[0] < 0:
        return None
    return (p[0], "maj") if p[1] in _MAJ else (p[0], "min") if p[1] in _MIN else None


def chroma(audio: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """(frame times, chroma [12, frames])."""
    import librosa
    c = librosa.feature.chroma_cqt(y=audio.astype(np.float32), sr=sr, hop_length=HOP, bins_per_octave=36)
    return librosa.frames_to_time(np.arange(c.shape[1]), sr=sr, hop_length=HOP), c


def recognise(audio: np.ndarray, sr: int) -> tuple[np.ndarray, list[tuple[int, str] | None]]:
    """Per frame: the best triad or seventh chord (reduced to root + maj/min) by cosine similarity with
    chroma templates; None for near-silence."""
    from scipy.ndimage import uniform_filter1d
    times, c = chroma(audio, sr)
    c = uniform_filter1d(c, 3, axis=1)  # ~0.25 s: arpeggiated chords read as chords
    temps, names = [], []
    for root in range(12):
        for q in ("maj", "min", "maj7", "min7", "7"):  # sevenths are recognised, then reduced to maj/min
            v = np.zeros(12)
            v[list(chord_pitch_classes(f"C:{q}"))] = 1
            temps.append(np.roll(v, root) / np.linalg.norm(v))
            names.append((root, "min" if q.startswith("min") else "maj"))
    T = np.stack(temps)
    norm = np.linalg.norm(c, axis=0)
    scores = T @ (c / np.maximum(norm, 1e-9))
    best = scores.argmax(axis=0)
    loud = norm > 0.1 * np.median(norm[norm > 0]) if np.any(norm > 0) else norm > 0
    return times, [names[b] if ok else None for b, ok in zip(best, loud)]


def chord_accuracy(audio: np.ndarray, sr: int, chords: list[tuple[str, float, float]], guard: float = 0.1,
                   roots_only: bool = False) -> float:
    """Share of frames (inside labelled chords, away from changes by `guard` s) whose recognised root and
    major/minor family match the label (`roots_only`: the root alone, for power chords, which play no third)."""
    times, rec = recognise(audio, sr)
    hit = tot = 0
    for t, r in zip(times, rec):
        for sym, a, b in chords:
            if a + guard <= t < b - guard:
                ref = _reduce(sym)
                if ref is not None:
                    tot += 1
                    heard, asked = (r and r[0], ref[0]) if roots_only else (r, ref)
                    hit += int(heard == asked)
                break
    return hit / tot if tot else float("nan")
