"""The rest of a recording (what the vocal separator left) split into drums, bass and other, so an imported song
has the data engine's four stems and trains the DiT like a rendered one. Harmonic-percussive separation (median
filtering, librosa: Fitzgerald 2010) gives the drums; the harmonic part below a crossover is the bass, above it the
other instruments. Soft masks that sum to one: the three stems add up to the rest exactly. Cruder than a learned
separator (benchmarks/import_songs.py measures each stem's SDR against the true one)."""
from __future__ import annotations

import numpy as np

N_FFT, HOP = 2048, 512
BASS_FULL_HZ, BASS_NONE_HZ = 110.0, 220.0  # harmonic energy below the first is all bass, above the second none


def split_rest(rest: np.ndarray, sr: int) -> dict[str, np.ndarray]:
    """rest [S] -> {drums, bass, other}, each [S]; they sum to `rest`."""
    import librosa
    spec = librosa.stft(rest.astype(np.float32), n_fft=N_FFT, hop_length=HOP)
    harm, perc = librosa.decompose.hpss(np.abs(spec) ** 2, mask=True, kernel_size=(17, 31))
    freqs = librosa.fft_frequencies(sr=sr, n_fft=N_FFT)
    low = np.clip((BASS_NONE_HZ - freqs) / (BASS_NONE_HZ - BASS_FULL_HZ), 0.0, 1.0)[:, None]
    masks = {"drums": perc, "bass": harm * low, "other": harm * (1.0 - low)}
    total = sum(masks.values())
    out = {}
    for name, m in masks.items():
        y = librosa.istft(spec * (m / np.maximum(total, 1e-12)), hop_length=HOP, length=len(rest))
        out[name] = y.astype(np.float32)
    out["other"] = (rest - out["drums"] - out["bass"]).astype(np.float32)  # exact sum, float error included
    return out
