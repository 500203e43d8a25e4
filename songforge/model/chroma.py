"""The key estimator's front end: CQT chroma of a mix and of its bass register, and the key profiles that score a
mean chroma (Krumhansl-Kessler, or the ones refitted here on renders: scripts/fit_key_profiles.py ->
key_profiles.json). Pure numpy/librosa: the key estimator (model/keynet.py), its training and the ears share it."""
from __future__ import annotations

import json
import os
from functools import lru_cache

import numpy as np

# Krumhansl-Kessler probe-tone profiles (major, minor), tonic first
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
KK_PROFILES = (tuple(_MAJOR) + (0.0,) * 12, tuple(_MINOR) + (0.0,) * 12)  # [mode][full chroma, bass chroma]
PITCH_CLASSES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def chroma_frames(audio: np.ndarray, sr: int) -> np.ndarray:
    """[2, 12, frames]: CQT chroma (hop 2048) of the whole range and of the bass register (C1..C4)."""
    import librosa
    full = librosa.feature.chroma_cqt(y=audio, sr=sr, hop_length=2048)
    bass = librosa.feature.chroma_cqt(y=audio, sr=sr, hop_length=2048, fmin=librosa.note_to_hz("C1"), n_octaves=3)
    n = min(full.shape[1], bass.shape[1])
    return np.stack([full[:, :n], bass[:, :n]]).astype(np.float32)


def chromas(audio: np.ndarray, sr: int) -> np.ndarray:
    """[2, 12]: mean CQT chroma of the whole range and of the bass register."""
    return chroma_frames(audio, sr).mean(axis=2)


def key_scores(c: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    """[24] scores (C..B major, then C..B minor) of chromas [2, 12] under profiles [2 modes, 24 (full + bass)]: per
    block, the centred chroma (each block summing to 1) rolled to the tonic, dotted with the centred profile,
    divided by the profile's norm (with zero bass weights: Pearson correlation up to a constant, as in K-K)."""
    c = c / np.maximum(c.sum(axis=1, keepdims=True), 1e-9)
    c = c - c.mean(axis=1, keepdims=True)
    w = np.asarray(profiles, np.float64).reshape(2, 2, 12)
    w = w - w.mean(axis=2, keepdims=True)
    out = np.zeros(24)
    for m in range(2):
        norm = float(np.linalg.norm(w[m])) or 1.0
        for t in range(12):
            out[t + 12 * m] = float((np.roll(c, -t, axis=1) * w[m]).sum()) / norm
    return out


@lru_cache(maxsize=1)
def key_profiles() -> np.ndarray:
    """The profiles fitted here on renders (scripts/fit_key_profiles.py) when present, else Krumhansl-Kessler."""
    path = os.path.join(os.path.dirname(__file__), "key_profiles.json")
    if os.path.exists(path):
        with open(path) as f:
            return np.array(json.load(f)["profiles"])
    return np.array(KK_PROFILES)


def key_name(index: int) -> str:
    """0..11: C..B major, 12..23: C..B minor (the order of key_scores and of the key estimator's logits)."""
    return f"{PITCH_CLASSES[index % 12]} {'minor' if index >= 12 else 'major'}"
