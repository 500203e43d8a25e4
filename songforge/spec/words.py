"""Lyric text -> words, and which script a word is written in (hanzi or pinyin: Mandarin; Latin letters: the line's
language, spec/language.py)."""
from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from .song import Line, Word, _is_cjk

_CJK_PUNCT = "，。！？、；：“”‘’（）《》…—～·「」『』"
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\s\u3400-\u9fff\uf900-\ufaff]+")
_PINYIN_NUM = re.compile(r"^[a-zü:v]+[1-5]$", re.IGNORECASE)
_PINYIN_MARKS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")
_LATIN = re.compile(r"[A-Za-z0-9]")


_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
                              "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                              "\u2014": " ", "\u2013": " ", "\u2015": " ", "\u2212": " ", "/": " ", "|": " ",
                              "\\": " ", "~": " ", "\u301c": " "})
_MARKDOWN = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+(?=\S))|\*\*|__|(?<!\w)[*_]|[*_](?!\w)")


def normalize_lyrics(text: str) -> str:
    """Lyric text as people type it -> what songforge sings: full-width forms folded (NFKC), typographic quotes
    and apostrophes made plain (we’re -> we're), dashes and slashes between words made spaces (mark—this ->
    mark this), markdown headings/emphasis/list marks removed. Hanzi and CJK punctuation are kept."""
    t = unicodedata.normalize("NFKC", text).replace("\u2026", "...")
    t = t.translate(_TYPOGRAPHIC)
    t = _MARKDOWN.sub(" ", t)
    return re.sub(r"[ \t]+", " ", t).strip()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def is_pinyin(token: str) -> bool:
    """Numbered pinyin ("ai4"), or one valid pinyin syllable with a tone mark ("ài"; "está", "corazón" are not)."""
    t = strip_punct(token)
    if not t:
        return False
    if _PINYIN_NUM.match(t):
        return True
    return any(c in _PINYIN_MARKS for c in t.lower()) and _valid_syllable(t.lower())


@lru_cache(maxsize=4096)
def _valid_syllable(t: str) -> bool:
    from pypinyin.contrib.tone_convert import to_finals, to_initials

    from ..text.phonemes import PINYIN_FINALS, PINYIN_INITIALS
    try:
        initial, final = to_initials(t, strict=True), to_finals(t, strict=True)
    except Exception:  # pypinyin raises on what is not pinyin at all
        return False
    return (initial == "" or initial in PINYIN_INITIALS) and final in PINYIN_FINALS


def strip_punct(text: str) -> str:
    """The sung part of a word: letters, digits, apostrophes inside words, hanzi."""
    return re.sub(r"^[^\w\u3400-\u9fff]+|[^\w\u3400-\u9fff']+$|'+$|^'+", "", text).replace("_", "")


def word_language(text: str) -> str | None:
    """'zh' for hanzi or pinyin, 'ja' for kana (with kanji), 'ko' for hangul, 'en' for plain Latin letters/digits,
    'latin' for Latin letters with diacritics (the line's language decides: text/g2p.line_languages; so does it for
    kanji alone in a Japanese line), None when nothing is singable or the script is unsupported."""
    core = strip_punct(text)
    if not core:
        return None
    if any(is_kana(c) for c in core) and all(is_kana(c) or _is_cjk(c) or c.isdigit() or c == "ー" for c in core):
        return "ja"
    if all(is_hangul(c) or c.isdigit() for c in core) and any(is_hangul(c) for c in core):
        return "ko"
    if all(_is_cjk(c) or c.isdigit() for c in core) and any(_is_cjk(c) for c in core):
        return "zh"
    if is_pinyin(core):
        return "zh"
    if all(c.isascii() and (c.isalnum() or c in "'-.") for c in core):
        return "en"
    if all(_is_latin(c) or c.isdigit() or c in "'-." for c in core):
        return "latin"
    return None


def _is_latin(c: str) -> bool:
    return c.isalpha() and "LATIN" in unicodedata.name(c, "")


def is_kana(c: str) -> bool:
    return "\u3040" <= c <= "\u30ff" or "\u31f0" <= c <= "\u31ff"


def is_hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f"


@lru_cache(maxsize=1)
def _mecab():
    try:
        import fugashi
        return fugashi.Tagger()
    except (ImportError, RuntimeError):  # fugashi or its dictionary (unidic-lite) missing
        return None


def split_words(text: str) -> list[str]:
    """Split a lyric line into words. A line with kana is Japanese, segmented with MeCab (fugashi + unidic-lite);
    hanzi runs are segmented with jieba; punctuation stays on its word."""
    out: list[str] = []
    if any(is_kana(c) for c in text) and _mecab() is not None:
        for tok in text.split():
            for m in _mecab()(tok):
                if not any(c.isalnum() for c in m.surface) and out:
                    out[-1] += m.surface  # punctuation alone attaches to the word before
                elif m.surface.strip():
                    out.append(m.surface)
        return out
    for tok in _TOKEN.findall(text):
        if _is_cjk(tok[0]):
            out.extend(_jieba().lcut(tok, HMM=False))
        elif not any(c.isalnum() for c in tok):
            if out:
                out[-1] += tok  # punctuation alone attaches to the word before
        else:
            out.append(tok)
    return [w for w in out if w.strip()]


def line_from_text(text: str, language: str | None = None) -> Line:
    return Line(words=tuple(Word(w) for w in split_words(text)), language=language)
