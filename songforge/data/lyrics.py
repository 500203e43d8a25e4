"""Lyrics generator for the data engine: English and Mandarin lines from large frequency vocabularies
(wordfreq), lyric-like frames, rhymes at line ends (CMU dictionary / pinyin finals) and repeated chorus lines; the
other languages songforge sings (Spanish, French, German, Italian, Portuguese, Japanese, Korean) as runs of their
frequent words, without rhyme. The aim is phoneme and word variety with song-like shape, not meaning."""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

FRAMES = (
    "{a} {b} in the {c}", "I {a} your {b}", "we {a} and {b}", "all the {a} {b}", "{a} {b} {c}",
    "don't {a} the {b}", "{a} me {b}", "every {a} {b}", "{a}, {b} {c}", "under the {a} {b}", "till the {a} {b}",
    "oh {a} {b}", "you {a} like {b}", "we were {a} {b}", "take my {a} {b}", "{a} on the {b} {c}", "{a} is {b}",
    "through the {a} and the {b}", "hold the {a}", "I can {a} the {b}", "when the {a} {b}", "my {a} {b} {c}",
    "{a} {b} tonight", "never {a} {b}", "into the {a}", "{a} away from {b}", "if you {a} {b}", "{a} of {b}",
)
_BLOCK = {"sex", "porn", "fuck", "shit", "nigga", "bitch", "fucking", "dick", "pussy", "cock", "ass", "damn", "hell",
          "kill", "rape", "nazi", "gay", "fag", "cunt", "whore", "slut", "drug", "drugs", "gun", "guns", "suicide"}
_HAN = re.compile(r"^[\u4e00-\u9fff]{1,3}$")


@lru_cache(maxsize=1)
def english_vocab() -> tuple[list[str], np.ndarray]:
    """(~6000 frequent singable English words, sampling weights ~ frequency^0.3)."""
    import pronouncing
    from wordfreq import top_n_list, word_frequency
    words = []
    for w in top_n_list("en", 20000):
        if w.isalpha() and w.isascii() and len(w) >= 2 and w not in _BLOCK and pronouncing.phones_for_word(w):
            words.append(w)
        if len(words) >= 6000:
            break
    f = np.array([word_frequency(w, "en") for w in words]) ** 0.3
    return words, f / f.sum()


@lru_cache(maxsize=1)
def mandarin_vocab() -> tuple[list[str], np.ndarray]:
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)  # wordfreq builds a jieba dictionary and would announce it
    from wordfreq import top_n_list, word_frequency
    words = [w for w in top_n_list("zh", 30000) if _HAN.match(w)][:9000]
    f = np.array([word_frequency(w, "zh") for w in words]) ** 0.3
    return words, f / f.sum()


@lru_cache(maxsize=8)
def word_vocab(language: str) -> tuple[list[str], np.ndarray]:
    """(~4000 frequent words of `language` written in its own script, sampling weights ~ frequency^0.3, the frequency
    taken as Zipf's 1/rank: wordfreq's own lookup needs MeCab's C library for Japanese)."""
    from wordfreq import top_n_list

    from ..spec.words import word_language
    script = {"ja": ("ja", "zh"), "ko": ("ko",)}.get(language, ("en", "latin"))
    words = [w for w in top_n_list(language, 20000)
             if len(w) >= 2 and all(c.isalpha() for c in w) and word_language(w) in script][:4000]
    f = (1.0 / np.arange(1, len(words) + 1)) ** 0.3
    return words, f / f.sum()


def word_line(rng: np.random.Generator, language: str) -> str:
    """4-7 frequent words (Japanese: 3-5, written without spaces)."""
    words, p = word_vocab(language)
    n = int(rng.integers(3, 6)) if language == "ja" else int(rng.integers(4, 8))
    picked = [words[int(rng.choice(len(words), p=p))] for _ in range(n)]
    return ("" if language == "ja" else " ").join(picked)


@lru_cache(maxsize=1)
def _rhyme_index() -> dict[str, list[str]]:
    import pronouncing
    words, _ = english_vocab()
    idx: dict[str, list[str]] = {}
    for w in words:
        phones = pronouncing.phones_for_word(w)
        if phones:
            idx.setdefault(pronouncing.rhyming_part(phones[0]), []).append(w)
    return {k: v for k, v in idx.items() if len(v) >= 2}


@lru_cache(maxsize=1)
def _final_index() -> dict[str, list[str]]:
    from pypinyin import Style, lazy_pinyin
    words, _ = mandarin_vocab()
    idx: dict[str, list[str]] = {}
    for w in words:
        fin = lazy_pinyin(w[-1], style=Style.FINALS)[0]
        idx.setdefault(fin, []).append(w)
    return {k: v for k, v in idx.items() if len(v) >= 3}


def english_line(rng: np.random.Generator, rhyme_with: str | None = None) -> str:
    words, p = english_vocab()
    frame = FRAMES[int(rng.integers(len(FRAMES)))]
    slots = re.findall(r"\{(\w)\}", frame)
    fill = {s: words[int(rng.choice(len(words), p=p))] for s in slots}
    if rhyme_with is not None and slots:
        import pronouncing
        phones = pronouncing.phones_for_word(rhyme_with)
        cands = _rhyme_index().get(pronouncing.rhyming_part(phones[0]), []) if phones else []
        cands = [c for c in cands if c != rhyme_with]
        if cands:
            last = re.findall(r"\{(\w)\}", frame)[-1]
            if frame.rstrip().endswith("{" + last + "}"):
                fill[last] = cands[int(rng.integers(len(cands)))]
    return frame.format(**fill)


def mandarin_line(rng: np.random.Generator, rhyme_final: str | None = None) -> str:
    words, p = mandarin_vocab()
    target = int(rng.integers(5, 10))
    out = ""
    while len(out) < target - 1:
        out += words[int(rng.choice(len(words), p=p))]
    if rhyme_final is not None and rhyme_final in _final_index():
        cands = _final_index()[rhyme_final]
        out += cands[int(rng.integers(len(cands)))]
    else:
        out += words[int(rng.choice(len(words), p=p))]
    return out[:12]


def last_word(line: str, language: str) -> str:
    if language == "zh":
        from pypinyin import Style, lazy_pinyin
        return lazy_pinyin(line[-1], style=Style.FINALS)[0]
    return re.sub(r"[^a-z']", "", line.split()[-1].lower())


def section_lines(rng: np.random.Generator, language: str, n: int, rhyme: bool = True) -> list[str]:
    """n lines; lines 2 and 4 rhyme with 1 and 3 (AABB when rng says so)."""
    if language not in ("en", "zh"):
        return [word_line(rng, language) for _ in range(n)]
    make = mandarin_line if language == "zh" else english_line
    lines: list[str] = []
    couplets = rng.random() < 0.5
    for i in range(n):
        partner = i - 1 if couplets and i % 2 == 1 else (i - 2 if not couplets and i >= 2 else None)
        lines.append(make(rng, last_word(lines[partner], language) if rhyme and partner is not None else None))
    return lines


def chorus_lines(rng: np.random.Generator, language: str, n: int) -> list[str]:
    """A chorus: its hook line comes back (first and last lines are the same)."""
    body = section_lines(rng, language, max(1, n - 1))
    return body + [body[0]] if n >= 2 else body
