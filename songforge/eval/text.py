"""Text normalisation and error rates for lyric intelligibility: WER (English), CER (Mandarin), PER."""
from __future__ import annotations

import re

from ..spec.words import line_from_text

_HAN = re.compile(r"[\u3400-\u9fff]")


def normalise(text: str, language: str) -> str:
    """Lower case, no punctuation, digits read out, traditional -> simplified; Mandarin without spaces."""
    if language == "zh":
        import zhconv
        from ..text.mandarin import number_to_hanzi
        t = zhconv.convert(text, "zh-cn")
        t = re.sub(r"\d+", lambda m: number_to_hanzi(m.group(0)), t)
        return "".join(c for c in t if _HAN.match(c) or c.isalnum()).lower()
    import inflect
    eng = inflect.engine()
    t = re.sub(r"\d+", lambda m: " " + eng.number_to_words(m.group(0)) + " ", text.lower())
    t = re.sub(r"[^a-z' ]+", " ", t.replace("-", " "))
    return " ".join(w.strip("'") for w in t.split() if w.strip("'"))


def edit_distance(a: list, b: list) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def error_rate(ref: list, hyp: list) -> float:
    """Levenshtein distance / len(ref) (1.0 for an empty hypothesis; inf-free)."""
    return edit_distance(ref, hyp) / max(1, len(ref))


def word_error_rate(ref: str, hyp: str, language: str) -> float:
    """WER for English, CER (characters) for Mandarin, on normalised text."""
    r, h = normalise(ref, language), normalise(hyp, language)
    return error_rate(list(r), list(h)) if language == "zh" else error_rate(r.split(), h.split())


def phonemes_of(text: str, language: str) -> list[str]:
    from ..text.g2p import line_syllables
    line = line_from_text(normalise(text, language) if language == "en" else text)
    return [p for w in line_syllables(line) for s in w for p in s.phonemes]


def phoneme_error_rate(ref: str, hyp: str, language: str) -> float:
    return error_rate(phonemes_of(ref, language), phonemes_of(hyp, language))
