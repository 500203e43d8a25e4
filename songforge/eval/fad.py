"""Fréchet Audio Distance between sets of songs, through a pluggable embedding.

The default embedding works offline with no model: per 1 s window (0.5 s hop), the mean and standard
deviation of 20 MFCCs and 7 spectral-contrast bands (54 dims). The learned one ("tagger") is the style tagger's
pooled embedding of 3 s windows (eval/style.py), used when the tagger checkpoint is present."""
from __future__ import annotations

import numpy as np


def frechet_distance(mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray) -> float:
    """||mu1 - mu2||^2 + Tr(C1 + C2 - 2 (C1 C2)^(1/2))."""
    import warnings

    from scipy import linalg
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            covmean = linalg.sqrtm(cov1 @ cov2)
        ok = np.isfinite(covmean).all()
    except linalg.LinAlgWarning:
        ok = False
    if not ok:  # singular (e.g. a learned embedding with dead units): regularise as the FID reference code does
        eps = np.eye(len(mu1)) * 1e-6
        covmean = linalg.sqrtm((cov1 + eps) @ (cov2 + eps))
    covmean = np.real(covmean)
    d = mu1 - mu2
    return float(d @ d + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(covmean))


def mfcc_embedding(audio: np.ndarray, sr: int) -> np.ndarray:
    """[windows, 54] features of 1 s windows with 0.5 s hop."""
    import librosa
    y = audio.astype(np.float32)
    win, hop = sr, sr // 2
    out = []
    for a in range(0, max(1, len(y) - win + 1), hop):
        seg = y[a:a + win]
        if len(seg) < win // 2 or np.max(np.abs(seg)) < 1e-4:
            continue
        m = librosa.feature.mfcc(y=seg, sr=sr, n_mfcc=20, n_fft=1024, hop_length=256)
        c = librosa.feature.spectral_contrast(y=seg, sr=sr, n_fft=1024, hop_length=256)
        f = np.concatenate([m, c])
        out.append(np.concatenate([f.mean(axis=1), f.std(axis=1)]))
    return np.array(out) if out else np.zeros((0, 54))


def _tagger(audio: np.ndarray, sr: int) -> np.ndarray:
    from ..ears.tagger import tagger_embedding
    return tagger_embedding(audio, sr)


EMBEDDINGS = {"mfcc": mfcc_embedding, "tagger": _tagger}


def fad(set_a: list[tuple[np.ndarray, int]], set_b: list[tuple[np.ndarray, int]], embedding: str = "mfcc") -> float:
    emb = EMBEDDINGS[embedding]
    ea = np.concatenate([emb(x, sr) for x, sr in set_a])
    eb = np.concatenate([emb(x, sr) for x, sr in set_b])
    return frechet_distance(ea.mean(0), np.cov(ea, rowvar=False), eb.mean(0), np.cov(eb, rowvar=False))
