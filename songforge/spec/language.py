"""Which language each lyric line is sung in. songforge sings English, Mandarin, Spanish, French, German, Italian,
Portuguese, Japanese and Korean. A line's stated language wins (`language:` in a songforge file, a plain-lyrics header,
`--language`). The script decides the rest where it can: hangul is Korean, a line with kana is Japanese (its kanji
too), hanzi and pinyin are Mandarin. Unmarked Latin-script lines are identified by lingua-language-detector (Apache-2.0; its
models ship in the wheel), on the song's text and on each longer line, and the song says what was decided (a note,
never a silent choice): a line is sung in another language than English only when the detector is sure of it, so
English lyrics stay English."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from ..errors import SpecError, Where

NAMES = {"en": "English", "zh": "Mandarin", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
         "pt": "Portuguese", "ja": "Japanese", "ko": "Korean"}
SUNG = tuple(NAMES)
LATIN = ("en", "es", "fr", "de", "it", "pt")  # sung from Latin script
ALIASES = {"english": "en", "mandarin": "zh", "chinese": "zh", "中文": "zh", "英文": "en", "spanish": "es",
           "español": "es", "espanol": "es", "french": "fr", "français": "fr", "francais": "fr", "german": "de",
           "deutsch": "de", "italian": "it", "italiano": "it", "portuguese": "pt", "português": "pt",
           "portugues": "pt", "pt-br": "pt", "brazilian portuguese": "pt", "japanese": "ja", "日本語": "ja",
           "korean": "ko", "한국어": "ko"}
_LINGUA = {"ENGLISH": "en", "SPANISH": "es", "FRENCH": "fr", "GERMAN": "de", "ITALIAN": "it", "PORTUGUESE": "pt"}
SONG_MIN_WORDS = 6  # fewer words than this tell too little ("la la la" reads as Spanish)
LINE_MIN_WORDS = 5
SONG_CONFIDENCE, SONG_ENGLISH_MAX = 0.6, 0.2  # the song reads as another language: its share, and English's at most
LINE_CONFIDENCE, LINE_ENGLISH_MAX = 0.7, 0.05  # one line: English all but ruled out (short texts are noisier)


def parse_language(value: str) -> str | None:
    """'es', 'Spanish', 'español' -> 'es'; None if songforge does not sing it."""
    v = value.strip().lower()
    v = ALIASES.get(v, v)
    return v if v in SUNG else None


@lru_cache(maxsize=1)
def _detector():
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in _LINGUA)).build()


def available() -> bool:
    return _detector() is not None


def heard_as(text: str) -> tuple[str, float, float]:
    """(most likely language code, its confidence, English's confidence) for Latin-script text."""
    values = _detector().compute_language_confidence_values(text)
    english = next((v.value for v in values if v.language.name == "ENGLISH"), 0.0)
    return _LINGUA[values[0].language.name], float(values[0].value), float(english)


def confidences(text: str) -> dict[str, float]:
    """{language code: the detector's confidence} for Latin-script text."""
    return {_LINGUA[v.language.name]: float(v.value) for v in _detector().compute_language_confidence_values(text)}


def _latin_line(line) -> bool:
    """An unmarked line written in Latin script (a line of pinyin syllables only is Mandarin)."""
    from .words import word_language
    langs = [word_language(w.text) for w in line.words]
    return bool(langs) and all(g in ("en", "latin", "zh") for g in langs) and any(g in ("en", "latin") for g in langs) \
        and not any(_han(w.text) for w in line.words)


def _han(text: str) -> bool:
    from .song import _is_cjk
    return any(_is_cjk(c) for c in text)


def detect_line(line) -> str | None:
    """The language of one unmarked Latin-script line when the detector is sure of it (as for a song's lines), else
    None (English)."""
    if line.language is not None or not _latin_line(line) or _detector() is None or len(line.words) < 2:
        return None
    heard, conf, en = heard_as(line.text)
    return heard if heard != "en" and conf >= LINE_CONFIDENCE and en <= LINE_ENGLISH_MAX else None


def assign_languages(spec, where: Where) -> tuple[object, list[SpecError]]:
    """(spec with a language on every unmarked Latin-script line, notes saying what was decided). Without lingua (a
    core dependency) the lines stay English and a warning says the check was not made."""
    lines = [(n, ln) for n, ln in enumerate(spec.lines, 1) if ln.language is None and _latin_line(ln)]
    if not lines:
        return spec, []
    if _detector() is None:
        return spec, [SpecError(where, "lyrics", "lingua-language-detector is not installed: Latin-script lyrics are "
                                "sung as English without checking their language", "warning")]
    words = [w.text for _, ln in lines for w in ln.words]
    song_lang, why = "en", None
    if len(words) >= SONG_MIN_WORDS:
        lang, conf, en = heard_as(" ".join(words))
        if lang != "en" and conf >= SONG_CONFIDENCE and en <= SONG_ENGLISH_MAX:
            song_lang, why = lang, f"confidence {conf:.2f}"
    chosen: dict[int, str] = {}
    for n, ln in lines:  # first the lines the detector is sure of
        lang = song_lang
        if len(ln.words) >= LINE_MIN_WORDS:
            heard, conf, en = heard_as(ln.text)
            if heard != song_lang and conf >= LINE_CONFIDENCE and (heard == "en" or en <= LINE_ENGLISH_MAX):
                lang = heard
        chosen[n] = lang
    in_play = set(chosen.values())
    if len(in_play) > 1:  # a song in two languages: every other line of 2+ words goes to the likelier of them
        for n, ln in lines:
            if len(ln.words) >= 2:
                values = confidences(ln.text)
                chosen[n] = max(sorted(in_play), key=lambda g: values.get(g, 0.0))
    notes = []
    if song_lang != "en":
        notes.append(SpecError(where, "lyrics", f"read as {NAMES[song_lang]} ({why}): sung in {NAMES[song_lang]} "
                               "(mark lines with `language:` or pass --language to choose)", "note"))
    others = sorted({lang for lang in chosen.values() if lang != song_lang})
    for lang in others:
        nums = [n for n, g in chosen.items() if g == lang]
        notes.append(SpecError(where, "lyrics", f"line{'s' if len(nums) > 1 else ''} {_ranges(nums)} read as "
                               f"{NAMES[lang]}: sung in {NAMES[lang]}", "note"))
    if not notes:
        return spec, []
    k = 0
    sections = []
    for sec in spec.sections:
        out = []
        for ln in sec.lines:
            k += 1
            out.append(replace(ln, language=chosen[k]) if k in chosen else ln)
        sections.append(replace(sec, lines=tuple(out)))
    return replace(spec, sections=tuple(sections)), notes


def _ranges(nums: list[int]) -> str:
    out, start = [], nums[0]
    for a, b in zip(nums, nums[1:] + [None]):
        if b != a + 1:
            out.append(f"{start}" if start == a else f"{start}-{a}")
            start = b
    return ", ".join(out)
