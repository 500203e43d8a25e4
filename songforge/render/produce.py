"""The production stage both engines end in: what a user receives is release-grade, as every peer system delivers.

mono stems at the engine's rate (24 kHz)  ->  44.1 kHz stereo stems + their mix:
  1. resample to 44.1 kHz (soxr, very high quality)
  2. air: the band above 12 kHz (empty at 24 kHz) is synthesised by spectral band replication — the stem's own
     5.5-10.5 kHz band shifted up (single sideband), tilted down, added 18 dB under that band (not the bass)
  3. stereo placement by role: bass and the lead vocal in the centre; drums a little wide, the 'other' stem
     (chords, pads, comping) wide — a mid/side decorrelation that leaves the mono sum unchanged
  4. stereo reverb sends with decorrelated left/right tails, more for vocals and 'other' than for drums, none
     for bass
  5. the master bus: one gain to -14 LUFS integrated, then a look-ahead limiter driven by the mix's 4x
     oversampled (true) peak, ceiling -1.2 dBTP; its gain curve is applied to every stem, so the stems still sum
     to the mix exactly

The training corpus (`songforge data build`) keeps the engine's mono 24 kHz: labels stay exact and the model learns
what it will generate; only files for a listener go through this stage."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RELEASE_SR = 44100
TARGET_LUFS = -14.0
CEILING_DBTP = -1.2
AIR_DB = -18.0
WIDTH = {"vocals": 0.0, "drums": 0.25, "bass": 0.0, "other": 0.55}  # side / mid of each stem
REVERB = {"vocals": 0.06, "drums": 0.05, "bass": 0.0, "other": 0.10}  # stereo reverb send (the stems already carry a mono room)


@dataclass(frozen=True)
class Produced:
    stems: dict[str, np.ndarray]  # name -> float32 [samples, 2]
    mix: np.ndarray  # float32 [samples, 2] == sum of stems
    sample_rate: int
    loudness: float  # LUFS, integrated
    true_peak_db: float  # dBTP (4x oversampled)


def _resample(x: np.ndarray, sr: int) -> np.ndarray:
    import soxr
    return x.astype(np.float32) if sr == RELEASE_SR else soxr.resample(x, sr, RELEASE_SR, quality="VHQ").astype(np.float32)


def _sos(kind: str, hz: float, order: int = 4):
    from scipy.signal import butter
    return butter(order, hz, btype=kind, fs=RELEASE_SR, output="sos")


def _hilbert_fir(taps: int = 255) -> np.ndarray:
    """A type-III FIR Hilbert transformer, flat from 1 kHz to 21 kHz (the band the exciter shifts lies inside)."""
    from scipy.signal import remez
    return remez(taps, [1000.0, RELEASE_SR / 2 - 1000.0], [1.0], type="hilbert", fs=RELEASE_SR)


def air(x: np.ndarray, level_db: float = AIR_DB) -> np.ndarray:
    """x plus air above 12 kHz by spectral band replication (as HE-AAC does): the stem's 5.5-10.5 kHz band
    shifted up by 5.5 kHz (to 11-16 kHz) and, 8 dB lower, by 11 kHz (to 16.5-21.5 kHz), high-passed at 12 kHz, tilted
    down above 14 kHz, and added `level_db` under that band's level. A single-sideband shift keeps the band's
    envelope and timing and adds no harmonics above Nyquist to alias back."""
    from scipy.signal import oaconvolve, sosfilt
    band = sosfilt(_sos("bandpass", (5500.0, 10500.0)), x).astype(np.float32)
    rms = float(np.sqrt(np.mean(band ** 2)))
    if rms < 1e-7:
        return x
    h = _hilbert_fir()
    delay = (len(h) - 1) // 2
    quad = oaconvolve(band, h.astype(np.float32), mode="full")[delay:delay + len(band)]
    t = np.arange(len(band), dtype=np.float64) / RELEASE_SR

    def shifted(hz: float) -> np.ndarray:  # the upper sideband only: the band moved up by hz (scipy's remez Hilbert
        # transformer has the opposite sign to the analytic signal's, hence the +)
        return band * np.cos(2 * np.pi * hz * t) + quad * np.sin(2 * np.pi * hz * t)
    high = sosfilt(_sos("highpass", 12000.0, 6), shifted(5500.0) + 10 ** (-8 / 20) * shifted(11000.0))
    high = sosfilt(_sos("lowpass", 14000.0, 1), high)
    h_rms = float(np.sqrt(np.mean(high ** 2)))
    if h_rms < 1e-9:
        return x
    return (x + high * (rms * 10 ** (level_db / 20) / h_rms)).astype(np.float32)


def _decorrelator(seed: int, n: int = 512) -> np.ndarray:
    """A short all-pass-like FIR: flat magnitude, random phase (its output is uncorrelated with its input)."""
    rng = np.random.default_rng(seed)
    spec = np.exp(1j * rng.uniform(-np.pi, np.pi, n // 2 + 1))
    spec[0] = spec[-1] = 1.0
    h = np.fft.irfft(spec, n)
    return (h * np.hanning(n)).astype(np.float64)


def widen(x: np.ndarray, width: float, seed: int) -> np.ndarray:
    """[n] -> [n, 2]: mid = x, side = width * decorrelated x; (L + R) / 2 == x."""
    from scipy.signal import oaconvolve
    if width <= 0:
        return np.stack([x, x], axis=1)
    side = width * oaconvolve(x, _decorrelator(seed).astype(np.float32), mode="full")[: len(x)]
    return np.stack([x + side, x - side], axis=1).astype(np.float32)


def reverb(x: np.ndarray, send: float, seed: int, seconds: float = 1.6) -> np.ndarray:
    """[n] -> [n, 2]: a stereo reverb return (decorrelated exponentially decaying noise tails, 20 ms pre-delay)."""
    from scipy.signal import oaconvolve, sosfilt
    if send <= 0:
        return np.zeros((len(x), 2), np.float32)
    rng = np.random.default_rng(seed)
    n = int(seconds * RELEASE_SR)
    t = np.arange(n) / RELEASE_SR
    out = []
    for _ in range(2):
        ir = rng.standard_normal(n) * np.exp(-6.9 * t / seconds)  # -60 dB at `seconds`
        ir[: int(0.02 * RELEASE_SR)] = 0
        ir = sosfilt(_sos("lowpass", 9000.0, 2), ir)  # darker tail
        ir /= np.sqrt(np.sum(ir ** 2))
        out.append(oaconvolve(x, ir.astype(np.float32), mode="full")[: len(x)])
    return (send * np.stack(out, axis=1)).astype(np.float32)


def true_peak_envelope(x: np.ndarray, chunk: int = RELEASE_SR * 10) -> np.ndarray:
    """[n]: per sample, the largest magnitude of the 4x oversampled signal around it, over both channels."""
    from scipy.signal import resample_poly
    out = np.empty(len(x), np.float32)
    pad = 64
    for a in range(0, len(x), chunk):
        lo, hi = max(0, a - pad), min(len(x), a + chunk + pad)
        up = resample_poly(x[lo:hi], 4, 1, axis=0)
        env = np.abs(up).max(axis=1).reshape(-1, 4).max(axis=1)
        out[a:min(len(x), a + chunk)] = env[a - lo:a - lo + min(chunk, len(x) - a)]
    return out


def true_peak_db(x: np.ndarray) -> float:
    return float(20 * np.log10(max(float(true_peak_envelope(x).max()), 1e-12)))


def limiter_gain(mix: np.ndarray, ceiling_db: float = CEILING_DBTP, lookahead_s: float = 0.005,
                 release_s: float = 0.08) -> np.ndarray:
    """[n] gain <= 1 such that gain * mix stays under the ceiling (true peak): the needed gain, min-filtered over
    the look-ahead and release windows and smoothed over the look-ahead (so it is never above the needed gain)."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d
    ceiling = 10 ** (ceiling_db / 20)
    need = np.minimum(1.0, ceiling / np.maximum(true_peak_envelope(mix), 1e-9))
    w = max(1, int(lookahead_s * RELEASE_SR))
    r = max(w, int(release_s * RELEASE_SR))
    held = minimum_filter1d(need, size=2 * r + 1, mode="nearest")
    return uniform_filter1d(held, size=w, mode="nearest").astype(np.float32)


def loudness(x: np.ndarray, sr: int = RELEASE_SR) -> float:
    import pyloudnorm
    return float(pyloudnorm.Meter(sr).integrated_loudness(x.astype(np.float64))) if np.any(x) else -70.0


def master(stems: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One gain to TARGET_LUFS, then the limiter's gain curve on every stem (a few rounds: limiting lowers the
    loudness, so the gain is raised and the limiter runs again). Returns (stems, mix)."""
    def total() -> np.ndarray:
        out = np.zeros_like(next(iter(stems.values())))
        for v in stems.values():
            out += v
        return out

    mix = total()
    for _ in range(3):
        loud = loudness(mix)
        if not np.isfinite(loud):
            break
        gain = 10 ** ((TARGET_LUFS - loud) / 20)
        mix *= gain
        g = (limiter_gain(mix) * gain)[:, None].astype(np.float32)
        for v in stems.values():  # in place: a long song's stems are large
            v *= g
        mix = total()
        if abs(loudness(mix) - TARGET_LUFS) <= 0.5:
            break
    over = true_peak_db(mix) - (CEILING_DBTP + 0.15)
    if over > 0:  # the smoothed gain curve can leave a fraction of a dB at the sharpest peaks
        g = np.float32(10 ** (-over / 20))
        for v in stems.values():
            v *= g
        mix = total()
    return stems, mix


def produce(stems: dict[str, np.ndarray], sr: int, seed: int = 0) -> Produced:
    """Mono stems at `sr` (already levelled: the mixer's or the generator's balance) -> release-grade stereo."""
    out = {}
    for i, (name, x) in enumerate(stems.items()):
        y = _resample(np.asarray(x, np.float32), sr)
        if name != "bass" and np.any(y):
            y = air(y)
        out[name] = widen(y, WIDTH.get(name, 0.3), seed * 16 + i) + reverb(y, REVERB.get(name, 0.1), seed * 16 + 8 + i)
    out, mix = master(out)
    return Produced(out, mix, RELEASE_SR, loudness(mix), true_peak_db(mix))
