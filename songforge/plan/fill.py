"""Phoneme fillers: spread a span's phonemes over its time (JAM-style 'average', and 'vowel'-weighted)."""
from __future__ import annotations

from ..text.phonemes import is_vowel

FILLERS = ("average", "vowel")
CONSONANT_S = 0.06  # a sung consonant; vowels carry the rest
CONSONANT_SHARE = 0.4  # consonants never take more than this share of a span


def fill(phonemes: list[str], start: float, end: float, filler: str) -> list[tuple[float, float]]:
    """(start, end) per phoneme, contiguous, exactly covering [start, end]."""
    n = len(phonemes)
    if n == 0:
        return []
    span = end - start
    if filler == "average":
        weights = [1.0] * n
    elif filler == "vowel":
        vowels = [is_vowel(p) for p in phonemes]
        n_c = n - sum(vowels)
        if n_c == n or n_c == 0:
            weights = [1.0] * n
        else:
            c_total = min(n_c * CONSONANT_S, CONSONANT_SHARE * span)
            c = c_total / n_c
            v = (span - c_total) / (n - n_c)
            weights = [v if isv else c for isv in vowels]
    else:
        raise ValueError(f"unknown filler {filler!r} (known: {', '.join(FILLERS)})")
    total = sum(weights)
    out, t = [], start
    for k, w in enumerate(weights):
        nxt = end if k == n - 1 else t + span * w / total
        out.append((t, nxt))
        t = nxt
    return out
