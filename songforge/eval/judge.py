"""Phoneme error rate by the phoneme judge (model/judge.py) trained here on the data engine's vocals: whether the
asked words are sung, in the project's own phoneme inventory. No word-level language model: the judge decodes with a
phone n-gram LM (model/phone_lm.py) learned from word frequencies, never from the lyrics it scores.
Mandarin tones are not scored: a sung syllable's pitch is the melody's, not its lexical tone.
Used when a judge checkpoint is present (the shipped one: songforge/models/judge)."""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from ..ears import shipped

JUDGE_DIR = shipped.model_dir("judge")  # English and Mandarin
MULTI_DIR = shipped.model_dir("judge_multi")  # every language songforge sings (heard English less well than JUDGE_DIR)


def available(model_dir: str = JUDGE_DIR) -> bool:
    return shipped.available(model_dir)


@lru_cache(maxsize=2)
def phone_lm(model_dir: str = JUDGE_DIR):
    """The judge folder's phone LM (phone_lm.safetensors + phone_lm.json), or None: greedy decoding."""
    from ..model import phone_lm as plm
    return plm.PhoneLM.load(model_dir) if plm.available(model_dir) else None


@lru_cache(maxsize=4)
def judge_languages(model_dir: str = JUDGE_DIR) -> tuple[str, ...]:
    """The languages the judge was trained on (its card's `languages`; the first judges: English and Mandarin)."""
    import json
    path = os.path.join(model_dir, "card.json")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return tuple(json.load(f).get("languages", ("en", "zh")))
    return ("en", "zh")


def judge_unheard(words: list[tuple[str, float, float, str]], model_dir: str = JUDGE_DIR) -> list[str]:
    """The languages of `words` the judge was not trained on (its PER would be the inventory's, not the singing's)."""
    known = judge_languages(model_dir)
    return sorted({w[3] for w in words if w[3] and w[3] not in known})


def judge_for(words: list[tuple[str, float, float, str]]) -> str | None:
    """The shipped judge that hears every language of `words`: the English+Mandarin judge when it does, else the one
    trained on every language songforge sings; None when neither is installed or knows them all."""
    for folder in (JUDGE_DIR, MULTI_DIR):
        if available(folder) and not judge_unheard(words, folder):
            return folder
    return None


def recognise(vocal: np.ndarray, model_dir: str = JUDGE_DIR, **kw) -> list[str]:
    """Phonemes heard in a vocal at the judge's sample rate, decoded with the folder's phone LM when it has one."""
    import torch
    return shipped.load(model_dir).recognise(torch.from_numpy(np.ascontiguousarray(vocal, dtype=np.float32)),
                                             lm=phone_lm(model_dir), **kw)


def asked_phonemes(words: list[tuple[str, float, float, str]]) -> list[str]:
    """The asked words' phonemes, each word by its own language's G2P (as the data engine sings them)."""
    return [p for ps in word_phonemes(words) for p in ps]


def phoneme_errors(ref: list[str], hyp: list[str]) -> int:
    """Edit distance between asked and heard phonemes, Mandarin tones ignored (text/phonemes.py untoned)."""
    from ..text.phonemes import untoned
    from .text import edit_distance
    return edit_distance([untoned(p) for p in ref], [untoned(p) for p in hyp])


def judge_metrics(words: list[tuple[str, float, float, str]], vocal: np.ndarray, sr: int,
                  model_dir: str = JUDGE_DIR) -> dict:
    judge = shipped.load(model_dir)
    if sr != judge.cfg.sample_rate:
        import soxr
        vocal = soxr.resample(vocal, sr, judge.cfg.sample_rate)
    hyp = recognise(vocal, model_dir)
    per_word = word_phonemes(words)
    ref = [p for ps in per_word for p in ps]
    return {"per": round(phoneme_errors(ref, hyp) / max(1, len(ref)), 4), "phonemes": len(ref), "heard": len(hyp),
            "judge": os.path.basename(os.path.normpath(model_dir)),
            "decoder": "phone LM beam search" if phone_lm(model_dir) is not None else "greedy",
            "unclear_words": unclear_words(words, per_word, hyp)}


def word_phonemes(words: list[tuple[str, float, float, str]]) -> list[list[str]]:
    """Each asked word's phonemes (asked_phonemes, word by word)."""
    from .text import phonemes_of
    return [phonemes_of(text, lang) for text, _, _, lang in words]


UNCLEAR = 0.5  # a word whose own phonemes are heard with at least this error rate is reported as unclear


def word_error_rates(per_word: list[list[str]], hyp: list[str]) -> list[float | None]:
    """Each asked word's share of one alignment of the heard phonemes to the asked ones: its errors over its phonemes
    (None for a word without phonemes; tones ignored)."""
    from ..text.phonemes import untoned
    from .text import errors_by_group
    ref = [untoned(p) for ps in per_word for p in ps]
    group = [k for k, ps in enumerate(per_word) for _ in ps]
    errs = errors_by_group(ref, [untoned(p) for p in hyp], group)
    errs += [0] * (len(per_word) - len(errs))
    return [e / len(ps) if ps else None for ps, e in zip(per_word, errs)]


def unclear_words(words: list[tuple[str, float, float, str]], per_word: list[list[str]], hyp: list[str]) -> list[dict]:
    """The asked words the judge did not hear clearly (word_error_rates >= UNCLEAR), with their start times."""
    return [{"word": w[0], "start": round(w[1], 2), "per": round(r, 2)}
            for w, r in zip(words, word_error_rates(per_word, hyp)) if r is not None and r >= UNCLEAR]
