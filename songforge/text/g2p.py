"""Line-level G2P: each word of a lyric line -> its syllables, language per word (Mandarin mixed with the Latin-script
languages)."""
from __future__ import annotations

import re

from ..spec.song import Line, Word
from ..spec.words import is_pinyin, strip_punct, word_language
from ..spec.language import LATIN
from .english import english_syllables
from .espeak_g2p import espeak_syllables
from .mandarin import hanzi_syllables, number_to_hanzi, pinyin_syllable
from .phonemes import Syllable, is_vowel

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def line_languages(line: Line) -> list[str | None]:
    """Language each word is sung in. Hanzi are Mandarin; Latin-script words are the line's language (English when
    it names none, or names Mandarin), and in a line stated to be Spanish, French, ... so are words that could be read
    as pinyin ("sí", "là"). Kanji in a line with kana (or stated Japanese) are Japanese. Digits follow the line:
    Mandarin in a line with hanzi or language 'zh'."""
    langs = [word_language(w.text) for w in line.words]
    ja_line = line.language == "ja" or (line.language is None and "ja" in langs)
    zh_line = not ja_line and (line.language == "zh" or (line.language is None and any(_HAN.search(w.text)
                                                                                         for w in line.words)))
    latin = line.language if line.language in LATIN else "en"
    out = []
    for w, lang in zip(line.words, langs):
        if ja_line and lang == "zh" and _HAN.search(w.text):  # kanji in a Japanese line
            lang = "ja"
        elif lang == "en" and zh_line and strip_punct(w.text).isdigit():
            lang = "zh"
        elif lang in ("en", "latin") or (lang == "zh" and latin != "en" and not _HAN.search(w.text)):
            lang = latin
        out.append(lang)
    return out


def line_syllables(line: Line) -> list[tuple[Syllable, ...]]:
    """Syllables per word of `line` (empty tuple for a word with nothing singable)."""
    langs = line_languages(line)
    result: list[tuple[Syllable, ...] | None] = [None] * len(line.words)
    by_lang: dict[str, list[int]] = {}  # language -> its words, sent to espeak-ng together
    for i, (w, lang) in enumerate(zip(line.words, langs)):
        if w.phonemes:
            result[i] = from_phonemes(w.phonemes)
        elif lang in LATIN or lang in ("ja", "ko"):
            by_lang.setdefault(lang, []).append(i)
        elif lang == "zh":
            result[i] = _mandarin_word(line.words, i)
        else:
            result[i] = ()
    for lang, idx in by_lang.items():
        words = [strip_punct(line.words[i].text) for i in idx]
        for i, syl in zip(idx, english_syllables(words) if lang == "en" else espeak_syllables(words, lang)):
            result[i] = syl
    return [r or () for r in result]


def _mandarin_word(words: tuple[Word, ...], i: int) -> tuple[Syllable, ...]:
    core = strip_punct(words[i].text)
    if is_pinyin(core):
        return (pinyin_syllable(core),)
    nxt = strip_punct(words[i + 1].text) if i + 1 < len(words) else ""
    text = re.sub(r"\d+", lambda m: number_to_hanzi(m.group(0), digitwise=nxt.startswith("年") or core.endswith("年")), core)
    return hanzi_syllables("".join(_HAN.findall(text)))


def from_phonemes(phonemes: tuple[str, ...]) -> tuple[Syllable, ...]:
    """User-given phonemes; '|' separates syllables (else one syllable per vowel)."""
    groups: list[list[str]] = [[]]
    for p in phonemes:
        if p == "|":
            groups.append([])
        else:
            groups[-1].append(p)
    if len(groups) == 1:
        from .english import syllabify
        return syllabify(groups[0])
    out = []
    for g in groups:
        if g:
            nuc = next((k for k, p in enumerate(g) if is_vowel(p)), 0)
            out.append(Syllable(tuple(g), nuc, 0))
    return tuple(out)
