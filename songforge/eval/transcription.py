"""Automatic music transcription back to notes (Spotify's basic-pitch, ICASSP 2022, ONNX under onnxruntime) and
note-level precision/recall/F1 against the planned notes (mir_eval.transcription: onset within 50 ms and pitch
within 50 cents; "with offsets" also asks the offset within 20% of the note or 50 ms).

Choices, stated because they move the numbers:
- a sung note starts at its syllable's vowel (eval/songs.py builds the reference so): the consonant before it
  has no pitch (on 12 corpus clips: oracle vocal note F1 0.87 from vowel onsets, 0.47 from syllable onsets);
- the transcriber's shortest note is 58 ms (5 frames, not its default 128 ms: the planned bass and comping
  notes are often ~120 ms long), each stem is transcribed within its own range (vocals 70-1100 Hz, bass
  30-400 Hz), and the monophonic stems with stricter onset/frame thresholds (0.7/0.5, not 0.5/0.3: on 8 corpus
  clips oracle F1 vocals 0.59 vs 0.43, bass 0.85 vs 0.64; the polyphonic 'other' stem keeps the defaults).
basic-pitch is optional (its metadata pins tensorflow: install it with `pip install --no-deps basic-pitch==0.4.0`,
as scripts/install.sh does); without it these metrics are skipped with a note."""
from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache

import numpy as np

RANGES_HZ = {"vocals": (70.0, 1100.0), "bass": (30.0, 400.0), "other": (None, None)}
THRESHOLDS = {"vocals": (0.7, 0.5, True), "bass": (0.7, 0.5, True), "other": (0.5, 0.3, False)}  # onset, frame, melodia
MIN_NOTE_FRAMES = 5  # basic-pitch frames are 11.6 ms: 58 ms
EVALUATOR = "basic-pitch 0.4.0 (ICASSP 2022 model, ONNX)"


def available() -> bool:
    try:
        _model()
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _model():
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # basic-pitch logs a warning per backend it does not find (TF, CoreML, TFLite)
    try:
        from basic_pitch import ICASSP_2022_MODEL_PATH
        from basic_pitch.inference import Model
    finally:
        root.setLevel(level)
    return Model(ICASSP_2022_MODEL_PATH)


def transcribe(audio: np.ndarray, sr: int, stem: str) -> list[tuple[float, float, int]]:
    """(onset s, offset s, MIDI pitch) notes basic-pitch hears in one stem."""
    import soundfile as sf
    from basic_pitch.inference import run_inference
    from basic_pitch.note_creation import model_output_to_notes
    if not np.any(np.abs(audio) > 1e-4):
        return []
    fd, path = tempfile.mkstemp(suffix=".wav")  # basic-pitch reads its input from a file
    os.close(fd)
    try:
        sf.write(path, audio.astype(np.float32), sr, subtype="FLOAT")
        out = run_inference(path, _model())
    finally:
        os.remove(path)
    lo, hi = RANGES_HZ.get(stem, (None, None))
    onset, frame, melodia = THRESHOLDS.get(stem, THRESHOLDS["other"])
    _, events = model_output_to_notes(out, onset_thresh=onset, frame_thresh=frame, min_note_len=MIN_NOTE_FRAMES,
                                      min_freq=lo, max_freq=hi, include_pitch_bends=False, melodia_trick=melodia)
    return sorted((float(a), float(b), int(p)) for a, b, p, *_ in events)


def note_scores(ref: list[tuple[float, float, int]], est: list[tuple[float, float, int]]) -> dict:
    """Note precision/recall/F1, onset-only and with offsets."""
    import mir_eval

    def arrays(notes):
        if not notes:
            return np.zeros((0, 2)), np.zeros(0)
        return np.array([[a, max(b, a + 1e-3)] for a, b, _ in notes]), 440.0 * 2 ** ((np.array([p for *_, p in notes]) - 69) / 12)

    (ri, rp), (ei, ep) = arrays(ref), arrays(est)
    if not len(ri):
        return {}
    if not len(ei):
        return {"note_f1": 0.0, "note_precision": 0.0, "note_recall": 0.0, "note_f1_offsets": 0.0, "notes_ref": len(ref),
                "notes_est": 0}
    p, r, f, _ = mir_eval.transcription.precision_recall_f1_overlap(ri, rp, ei, ep, onset_tolerance=0.05, offset_ratio=None)
    _, _, fo, _ = mir_eval.transcription.precision_recall_f1_overlap(ri, rp, ei, ep, onset_tolerance=0.05, offset_ratio=0.2,
                                                                    offset_min_tolerance=0.05)
    return {"note_f1": round(float(f), 4), "note_precision": round(float(p), 4), "note_recall": round(float(r), 4),
            "note_f1_offsets": round(float(fo), 4), "notes_ref": len(ref), "notes_est": len(est)}


def transcription_metrics(planned: dict[str, list[tuple[float, float, int]]], stems: dict[str, np.ndarray], sr: int) -> dict:
    """Note scores of each stem that has planned notes and audio, flat: vocals_f1, vocals_f1_offsets, bass_f1, ..."""
    out: dict = {}
    for stem, ref in planned.items():
        if ref and stems.get(stem) is not None:
            scores = note_scores(ref, transcribe(stems[stem], sr, stem))
            out |= {f"{stem}_{k.removeprefix('note_')}": v for k, v in scores.items()}
    return out | {"evaluator": EVALUATOR} if out else {}
