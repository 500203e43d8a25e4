"""Mixer: bandwidth match, stem levels by style, light vocal compression, a small room reverb, loudness
normalisation of the mix (the stems take the same gain, so mix == sum of stems)."""
from __future__ import annotations

import numpy as np

STEMS = ("vocals", "drums", "bass", "other")
TARGET_LUFS = -14.0


def _rms_db(x: np.ndarray) -> float:
    active = x[np.abs(x) > 1e-4]
    return 20 * np.log10(np.sqrt(np.mean(active ** 2)) + 1e-12) if active.size else -120.0


def _compress(x: np.ndarray, sr: int, threshold_db: float = -18.0, ratio: float = 3.0) -> np.ndarray:
    from scipy.signal import lfilter
    a = np.exp(-1.0 / (0.01 * sr))
    env = np.sqrt(lfilter([1 - a], [1, -a], x.astype(np.float64) ** 2) + 1e-12)
    level = 20 * np.log10(env)
    gain_db = np.minimum(0.0, (threshold_db - level) * (1 - 1 / ratio))
    return (x * 10 ** (gain_db / 20)).astype(np.float32)


def _reverb(x: np.ndarray, sr: int, wet: float, seed: int) -> np.ndarray:
    from scipy.signal import fftconvolve
    rng = np.random.default_rng(seed)
    n = int(0.5 * sr)
    ir = rng.standard_normal(n) * np.exp(-np.arange(n) / (0.12 * sr))
    ir[: int(0.012 * sr)] = 0  # pre-delay
    ir /= np.sqrt(np.sum(ir ** 2))
    return (x + wet * fftconvolve(x, ir)[: len(x)]).astype(np.float32)


def integrated_loudness(x: np.ndarray, sr: int) -> float:
    """LUFS of x (-70 for digital silence; pyloudnorm's -inf for audio below its gate)."""
    import pyloudnorm
    return pyloudnorm.Meter(sr).integrated_loudness(x.astype(np.float64)) if np.any(x) else -70.0


def _at_level(x: np.ndarray, level_db: float) -> np.ndarray:
    """x scaled so its active RMS sits at -20 + level_db dBFS (silence stays silence)."""
    db = _rms_db(x)
    return x * (10 ** ((-20.0 + level_db - db) / 20) if db > -100 else 0.0)


def _normalised(stems: dict[str, np.ndarray], sr: int) -> tuple[dict, np.ndarray, float]:
    """One gain for every stem: the mix at TARGET_LUFS, its peak at most 0.98."""
    m = sum(stems.values())
    loud = integrated_loudness(m, sr)
    gain = 10 ** ((TARGET_LUFS - loud) / 20) if np.isfinite(loud) else 1.0
    peak = np.max(np.abs(m)) * gain
    if peak > 0.98:
        gain *= 0.98 / peak
    out = {k: (v * gain).astype(np.float32) for k, v in stems.items()}
    m = sum(out.values()).astype(np.float32)
    return out, m, float(integrated_loudness(m, sr))


def mix(stems: dict[str, np.ndarray], levels_db: tuple[float, ...], sr: int, seed: int) -> tuple[dict, np.ndarray, float]:
    """(stems after levels/effects/gain, mix, mix loudness in LUFS). All stems same length."""
    out = {}
    for name, lvl in zip(STEMS, levels_db):
        x = stems[name].astype(np.float32)
        if name == "vocals":
            x = _reverb(_compress(x, sr), sr, 0.12, seed)
        elif name == "other":
            x = _reverb(x, sr, 0.12, seed + 1)
        out[name] = _at_level(x, lvl)
    return _normalised(out, sr)


def level_stems(stems: dict[str, np.ndarray], levels_db: tuple[float, ...], playing: tuple[bool, ...],
                sr: int) -> tuple[dict, np.ndarray, float]:
    """Finished stems (a generator's) mixed as the renderer mixes: each at its planned level, a stem the plan
    leaves silent (`playing` False: no drums in a classical song) muted, then the mix at TARGET_LUFS."""
    out = {name: _at_level(stems[name].astype(np.float32), lvl) if on else np.zeros_like(stems[name])
           for name, lvl, on in zip(STEMS, levels_db, playing)}
    return _normalised(out, sr)
