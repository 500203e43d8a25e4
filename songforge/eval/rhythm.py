"""Onsets and beats of rendered audio, compared with labelled times."""
from __future__ import annotations

import numpy as np


def detect_onsets(audio: np.ndarray, sr: int) -> np.ndarray:
    import librosa
    return librosa.onset.onset_detect(y=audio.astype(np.float32), sr=sr, units="time", hop_length=128, backtrack=False)


def nearest_errors(labels: np.ndarray, detected: np.ndarray) -> np.ndarray:
    """|label - nearest detected onset| per label, seconds (inf when nothing was detected)."""
    if len(detected) == 0:
        return np.full(len(labels), np.inf)
    idx = np.clip(np.searchsorted(detected, labels), 1, len(detected) - 1)
    return np.minimum(np.abs(labels - detected[idx - 1]), np.abs(labels - detected[idx]))


def beat_f1(ref_beats: np.ndarray, audio: np.ndarray, sr: int, bpm_hint: float | None = None) -> float:
    """mir_eval beat F-measure of the beats librosa tracks in `audio` against the reference beats.
    Both lists go through mir_eval's usual trim (first 5 s dropped); tracked beats in the final half beat of
    the audio are dropped too (the tracker extrapolates a beat at the edge where no reference can exist)."""
    import librosa
    import mir_eval
    _, est = librosa.beat.beat_track(y=audio.astype(np.float32), sr=sr, units="time", hop_length=256,
                                     start_bpm=bpm_hint or 120.0, tightness=400, trim=False)
    if bpm_hint:
        est = est[est < len(audio) / sr - 0.5 * 60.0 / bpm_hint]
    return float(mir_eval.beat.f_measure(mir_eval.beat.trim_beats(np.asarray(ref_beats)), mir_eval.beat.trim_beats(est)))


def onset_f1(ref: np.ndarray, audio: np.ndarray, sr: int, window: float = 0.05) -> float:
    import mir_eval
    f, _, _ = mir_eval.onset.f_measure(np.unique(np.round(ref, 4)), detect_onsets(audio, sr), window=window)
    return float(f)


def local_onset_errors(audio: np.ndarray, sr: int, times: np.ndarray, window: float = 0.06) -> np.ndarray:
    """|t - t_change| per labelled onset t, where t_change is the largest spectral rise within ±window of t.
    A consonant or vowel onset shows as spectral change even where a word runs legato into the next, which
    global onset picking misses; a label off by more than `window` cannot score better than the distance to
    the window's edge, so misplaced labels still show."""
    from .timing import nearest_peak, spectral_change
    _, rise, _ = spectral_change(audio, sr)
    times = np.asarray(times, dtype=np.float64)
    return np.abs(nearest_peak(rise, times, window) - times)
