"""Pitch of a sung stem and its error against a planned F0 curve, in cents."""
from __future__ import annotations

import numpy as np


def sung_f0(audio: np.ndarray, sr: int, hop_s: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """(times, f0 Hz; 0 where unvoiced) from WORLD's Harvest, which tracks singing well."""
    import pyworld as pw
    f0, t = pw.harvest(audio.astype(np.float64), sr, f0_floor=60.0, f0_ceil=1100.0, frame_period=hop_s * 1000)
    return t, f0


def swift_f0(audio: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """(times, f0 Hz; 0 where unvoiced) from swift-f0 (a 140 KB ONNX pitch network; voiced where its calibrated
    confidence >= 0.5), at its own 16 ms frames."""
    from swift_f0 import SwiftF0
    r = SwiftF0().detect(audio.astype(np.float32), sr, fmin=60.0, fmax=1100.0)
    return r.timestamps, np.where(r.confidence >= 0.5, r.pitch_hz, 0.0)


TRACKERS = {"harvest": ("WORLD Harvest (pyworld)", sung_f0), "swift-f0": ("swift-f0 0.3.0 (ONNX)", swift_f0)}


def cents_errors(ref_t: np.ndarray, ref_hz: np.ndarray, est_t: np.ndarray, est_hz: np.ndarray) -> np.ndarray:
    """|cents| between curves on frames where both are voiced (reference sampled at the estimate's times)."""
    ref = np.interp(est_t, ref_t, ref_hz, left=0.0, right=0.0)
    on = np.interp(est_t, ref_t, (ref_hz > 0).astype(float), left=0.0, right=0.0) > 0.999
    both = on & (est_hz > 0) & (ref > 0)
    return np.abs(1200.0 * np.log2(est_hz[both] / ref[both]))
