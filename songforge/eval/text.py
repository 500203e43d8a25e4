"""Text normalisation and error rates for lyric intelligibility: WER (English and the other Latin-script languages),
CER (Mandarin, and beside WER for the other languages), PER."""
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
    if language != "en":  # Spanish, French, ...: lower case, letters (with their accents), digits and apostrophes
        t = re.sub(r"[^\w' ]+", " ", text.lower().replace("-", " ")).replace("_", " ")
        return " ".join(w.strip("'") for w in t.split() if w.strip("'"))
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


def errors_by_group(ref: list, hyp: list, group: list[int]) -> list[int]:
    """One minimum-edit alignment of hyp to ref, its errors counted per group of ref items (group[i]: ref[i]'s group,
    non-decreasing, e.g. a phoneme's word): substitutions and deletions where they fall, an insertion against the group
    of the ref item before it (the first group at the start). Sums to edit_distance(ref, hyp)."""
    n, m = len(ref), len(hyp)
    d = [list(range(m + 1))] + [[i] + [0] * m for i in range(1, n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    out = [0] * (max(group) + 1 if group else 0)
    i, j = n, m
    while i or j:
        if i and j and d[i][j] == d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            out[group[i - 1]] += ref[i - 1] != hyp[j - 1]
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            out[group[i - 1]] += 1
            i -= 1
        else:
            if out:
                out[group[max(i - 1, 0)]] += 1
            j -= 1
    return out


def error_rate(ref: list, hyp: list) -> float:
    """Levenshtein distance / len(ref) (1.0 for an empty hypothesis; inf-free)."""
    return edit_distance(ref, hyp) / max(1, len(ref))


def word_error_rate(ref: str, hyp: str, language: str) -> float:
    """WER for English, CER (characters) for Mandarin, on normalised text."""
    r, h = normalise(ref, language), normalise(hyp, language)
    return error_rate(list(r), list(h)) if language == "zh" else error_rate(r.split(), h.split())


def char_error_rate(ref: str, hyp: str, language: str) -> float:
    """Characters of the normalised text, spaces left out."""
    return error_rate(list(normalise(ref, language).replace(" ", "")), list(normalise(hyp, language).replace(" ", "")))


def phonemes_of(text: str, language: str) -> list[str]:
    from ..spec.song import Line
    from ..text.g2p import line_syllables
    line = line_from_text(normalise(text, language) if language == "en" else text)
    if language not in ("en", "zh"):
        line = Line(line.words, language)
    return [p for w in line_syllables(line) for s in w for p in s.phonemes]


def phoneme_error_rate(ref: str, hyp: str, language: str) -> float:
    return error_rate(phonemes_of(ref, language), phonemes_of(hyp, language))
