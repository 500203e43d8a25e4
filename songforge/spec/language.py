"""Which language Latin-script lyrics are in, so that words songforge cannot sing are refused instead of being sung
through the English G2P ("bajo" as b ɑː dʒ oʊ). lingua-language-detector (Apache-2.0; its models ship in the wheel)
tells English from Spanish, French, German, Italian and Portuguese, on the song's text and on each longer line.
Lines whose language the spec states (`language: en`, `--language en`) are not checked."""
from __future__ import annotations

from functools import lru_cache

from ..errors import SpecError, Where

OTHER = ("SPANISH", "FRENCH", "GERMAN", "ITALIAN", "PORTUGUESE")
SONG_MIN_WORDS = 6  # fewer words than this tell too little ("la la la" reads as Spanish)
LINE_MIN_WORDS = 5
SONG_CONFIDENCE, SONG_ENGLISH_MAX = 0.6, 0.2  # the song reads as another language: its share, and English's at most
LINE_CONFIDENCE, LINE_ENGLISH_MAX = 0.7, 0.05  # one line: English all but ruled out (short texts are noisier)


@lru_cache(maxsize=1)
def _detector():
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, *(getattr(Language, n) for n in OTHER)).build()


def available() -> bool:
    return _detector() is not None


def heard_as(text: str) -> tuple[str, float, float]:
    """(most likely language, its confidence, English's confidence) for Latin-script text."""
    values = _detector().compute_language_confidence_values(text)
    english = next((v.value for v in values if v.language.name == "ENGLISH"), 0.0)
    return values[0].language.name.lower(), float(values[0].value), float(english)


def check_language(spec, where: Where) -> list[SpecError]:
    """One error for a song whose unmarked Latin-script lyrics read as a language songforge does not sing, else one
    per longer line that does; without lingua (a core dependency) a warning says the check was not made."""
    from .words import word_language
    if _detector() is None:
        return [SpecError(where, "lyrics", "lingua-language-detector is not installed: whether Latin-script lyrics "
                          "are English was not checked", "warning")]
    lines = [(n, ln) for n, ln in enumerate(spec.lines, 1) if ln.language is None
             and ln.words and all(word_language(w.text) == "en" for w in ln.words)]
    words = [w.text for _, ln in lines for w in ln.words]
    refuse = ("a language songforge does not sing yet (it sings English and Mandarin); mark the lines "
              "`language: en` (or pass --language en) to sing them as English")
    if len(words) >= SONG_MIN_WORDS:
        lang, conf, en = heard_as(" ".join(words))
        if lang != "english" and conf >= SONG_CONFIDENCE and en <= SONG_ENGLISH_MAX:
            return [SpecError(where, "lyrics", f"read as {lang.capitalize()} (confidence {conf:.2f}, English "
                              f"{en:.2f}): {refuse}")]
    out = []
    for n, ln in lines:
        if len(ln.words) >= LINE_MIN_WORDS:
            lang, conf, en = heard_as(ln.text)
            if lang != "english" and conf >= LINE_CONFIDENCE and en <= LINE_ENGLISH_MAX:
                out.append(SpecError(where.at(f"line {n}"), "lyrics", f"{ln.text[:40]!r} reads as "
                                     f"{lang.capitalize()} (confidence {conf:.2f}): {refuse}"))
    return out
