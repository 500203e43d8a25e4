"""Word timing against the asked times: a global lag (cross-correlation of the vocal's energy envelope with
the asked word activity), then each word's onset/offset refined to the largest spectral rise/fall near
its shifted label. Errors grow with a real shift (100, 250 ms ...), unlike a purely local search."""
from __future__ import annotations

import numpy as np

HOP_S = 0.0025
ANALYSIS_SR = 24000  # the rate the measure was validated at (benchmarks/eval_validation.py): its 256-point frames
# are 10.7 ms there; other rates are resampled to it, so a 44.1 kHz release and its 24 kHz source measure alike


def spectral_change(audio: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log energy dB, positive spectral flux, negative spectral flux) per 2.5 ms frame."""
    if sr != ANALYSIS_SR:
        import soxr
        audio, sr = soxr.resample(np.asarray(audio, np.float32), sr, ANALYSIS_SR), ANALYSIS_SR
    hop, n_fft = int(HOP_S * sr), 256
    x = np.pad(audio.astype(np.float64), (n_fft // 2, n_fft))
    n = (len(x) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]
    frames = x[idx]
    energy = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-10)
    mag = np.log(np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) + 1e-4)
    d = np.diff(mag, axis=0, prepend=mag[:1])
    return energy, np.maximum(d, 0).sum(axis=1), np.maximum(-d, 0).sum(axis=1)


def nearest_peak(curve: np.ndarray, times: np.ndarray, window: float) -> np.ndarray:
    """Time of the largest value of `curve` (2.5 ms frames) within ±window of each time."""
    out = []
    for t in times:
        a, b = max(1, int((t - window) / HOP_S)), min(len(curve), int((t + window) / HOP_S) + 1)
        out.append((a + int(np.argmax(curve[a:b]))) * HOP_S if b > a else t)
    return np.array(out)


def global_lag(energy: np.ndarray, starts: np.ndarray, ends: np.ndarray, max_lag: float = 1.0) -> float:
    """Seconds by which the sung audio lags the asked words (positive: late)."""
    n = len(energy)
    active = np.zeros(n)
    for a, b in zip(starts, ends):
        active[int(a / HOP_S):int(b / HOP_S)] = 1.0
    # how sung each frame is: its energy mapped over the top 40 dB (a hard threshold there gave a continuously sung
    # song two near-equal correlation peaks 390 ms apart, and a gain change of the stem picked the wrong one)
    sung = np.clip((energy - (np.max(energy) - 40)) / 40, 0, 1)
    k = int(max_lag / HOP_S)
    a, s = active - active.mean(), sung - sung.mean()
    best, lag = -np.inf, 0
    for step in (8, 1):  # coarse, then fine around the best
        rng = range(-k, k + 1, step) if step == 8 else range(lag - 8, lag + 9)
        for L in rng:
            v = np.dot(a[max(0, -L):n - max(0, L)], s[max(0, L):n - max(0, -L)])
            if v > best:
                best, lag = v, L
    return lag * HOP_S


def word_timing(audio: np.ndarray, sr: int, starts: np.ndarray, ends: np.ndarray, window: float = 0.06,
                estimate_lag: bool = True) -> dict:
    """Signed onset/offset errors (s) per word and their summary. Without a vocal stem (a mix), the energy
    envelope says nothing about the voice, so pass estimate_lag=False: only the local search remains."""
    energy, rise, fall = spectral_change(audio, sr)
    lag = global_lag(energy, starts, ends) if estimate_lag else 0.0
    on = nearest_peak(rise, starts + lag, window) - starts
    off = nearest_peak(fall, ends + lag, window) - ends
    summary = {"lag_ms": round(1000 * lag, 1)}
    for name, e in (("onset", on), ("offset", off)):
        a = np.abs(e)
        summary |= {f"{name}_median_ms": round(1000 * float(np.median(a)), 1),
                    f"{name}_p90_ms": round(1000 * float(np.percentile(a, 90)), 1),
                    f"{name}_within_50ms": round(float(np.mean(a <= 0.05)), 3)}
    return {"summary": summary, "onset_errors": on, "offset_errors": off}
