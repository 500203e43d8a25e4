"""Phoneme error rate by the phoneme judge (model/judge.py) trained here on the data engine's vocals: whether the
asked words are sung, in the project's own phoneme inventory, without a speech recogniser's language model.
Mandarin tones are not scored: a sung syllable's pitch is the melody's, not its lexical tone.
Used when a judge checkpoint is present (the shipped one: songforge/models/judge)."""
from __future__ import annotations

import numpy as np

from . import shipped

JUDGE_DIR = shipped.model_dir("judge")


def available(model_dir: str = JUDGE_DIR) -> bool:
    return shipped.available(model_dir)


def asked_phonemes(words: list[tuple[str, float, float, str]]) -> list[str]:
    """The asked words' phonemes, each word by its own language's G2P (as the data engine sings them)."""
    from .text import phonemes_of
    return [p for text, _, _, lang in words for p in phonemes_of(text, lang)]


def phoneme_errors(ref: list[str], hyp: list[str]) -> int:
    """Edit distance between asked and heard phonemes, Mandarin tones ignored (text/phonemes.py untoned)."""
    from ..text.phonemes import untoned
    from .text import edit_distance
    return edit_distance([untoned(p) for p in ref], [untoned(p) for p in hyp])


def judge_metrics(words: list[tuple[str, float, float, str]], vocal: np.ndarray, sr: int,
                  model_dir: str = JUDGE_DIR) -> dict:
    import torch
    judge = shipped.load(model_dir)
    if sr != judge.cfg.sample_rate:
        import soxr
        vocal = soxr.resample(vocal, sr, judge.cfg.sample_rate)
    ref = asked_phonemes(words)
    hyp = judge.recognise(torch.from_numpy(np.ascontiguousarray(vocal, dtype=np.float32)))
    return {"per": round(phoneme_errors(ref, hyp) / max(1, len(ref)), 4), "phonemes": len(ref), "heard": len(hyp)}
