"""G2P for the languages songforge sings through espeak-ng's voices beside English and Mandarin — Spanish, French,
German, Italian, Portuguese (Brazilian), Japanese (kana; kanji read by MeCab first) and Korean (hangul) — via
phonemizer, as English, into songforge's one phoneme inventory (text/phonemes.py: a sound shared with English or
Mandarin keeps its symbol), split into syllables by maximal onset within each language's legal onsets (Japanese by
mora: a moraic nasal is a syllable of its own; Korean by hangul block: one consonant and a glide at most). The data engine sings these words with the same espeak-ng voice, whose phoneme
events carry the same symbols (render/voice.py)."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from .english import G2PUnavailable
from .phonemes import Syllable, is_vowel

ESPEAK_VOICES = {"es": "es", "fr": "fr", "de": "de", "it": "it", "pt": "pt-br", "ja": "ja", "ko": "ko"}  # renderer's
_PHONEMIZER_VOICES = {"fr": "fr-fr"}  # phonemizer's name where it differs
# espeak-ng spellings folded onto one symbol each (1:1, so the renderer's phoneme events still line up):
# geminates and dental diacritics onto the plain consonant, French schwa/vowel reduction marks dropped
_FOLD = {"tː": "t", "kː": "k", "pː": "p", "bː": "b", "dː": "d", "ɡː": "ɡ", "dʒː": "dʒ", "tʃː": "tʃ", "tsː": "ts",
         "dzː": "dz", "ss": "s", "lː": "l", "mː": "m", "nː": "n", "rː": "r", "fː": "f", "vː": "v", "sː": "s",
         "ʃː": "ʃ", "ɲː": "ɲ", "ʎː": "ʎ", "d̪": "d", "t̪": "t", "ʊː": "ʊ", "ə-": "ə", "a-": "a", "e-": "e",
         "y-": "y", "o-": "o", "i-": "i", "u-": "u", "??": "ʊɐ"}  # '??': German 'ur' (durch, wurde),
# the one vowel espeak-ng has no IPA name for
_OBSTRUENTS = {"p", "b", "t", "d", "k", "ɡ", "f", "v", "β", "ð", "ɣ", "θ"}
_LIQUIDS = {"l", "r", "ɾ", "ʁ", "ʎ"}
# onsets beyond a single consonant and obstruent + liquid, per language
_EXTRA_ONSETS = {
    "es": set(),
    "it": {("s", c) for c in ("p", "t", "k", "f", "m", "n", "l", "v", "b", "d", "ɡ")} | {("k", "w"), ("ɡ", "w")},
    "fr": {("k", "w"), ("f", "w"), ("m", "w"), ("n", "w"), ("p", "w"), ("s", "w"), ("t", "w"), ("v", "w"),
           ("ʁ", "w"), ("l", "w"), ("b", "w"), ("d", "w"), ("ʒ", "w"), ("ʃ", "w")},
    "de": {("ʃ", "t"), ("ʃ", "p"), ("ʃ", "v"), ("ʃ", "m"), ("ʃ", "n"), ("ʃ", "l"), ("k", "n"), ("ɡ", "n"), ("t", "s"),
           ("p", "f"), ("k", "v"), ("ts", "v")},
    "pt": set(),
}


@lru_cache(maxsize=8)
def _backend(lang: str):
    try:
        from phonemizer.backend import EspeakBackend
        return EspeakBackend(_PHONEMIZER_VOICES.get(lang, ESPEAK_VOICES[lang]), with_stress=True, preserve_punctuation=False,
                             language_switch="remove-flags")
    except RuntimeError as e:
        raise G2PUnavailable(f"espeak-ng is needed for {lang} G2P ({e}); run scripts/install.sh") from None


def fold(phone: str) -> str:
    """espeak-ng's spelling of a phone -> songforge's symbol: the table above; a trailing '-' (a French reduced
    vowel, a Korean unreleased coda) dropped; Korean aspirates written as Mandarin's (ph -> pʰ)."""
    phone = unicodedata.normalize("NFD", phone)  # as the inventory writes them (u + combining tilde)
    phone = _FOLD.get(phone, phone)
    if len(phone) > 1 and phone.endswith("-"):
        phone = phone[:-1]
    return _ASPIRATED.get(phone, phone)


_ASPIRATED = {"ph": "pʰ", "th": "tʰ", "kh": "kʰ", "tɕh": "tɕʰ"}


_GLIDE_ONSETS = {"j", "w"}
_MORAIC = {"n", "m", "ŋ", "ɴ"}  # Japanese and Korean onsets: one consonant, or one and a glide


def speakable(word: str, lang: str) -> str:
    """What espeak-ng is given for a word: Japanese as its kana pronunciation (MeCab with unidic-lite; espeak-ng's
    Japanese voice reads kana, not kanji), every other language as written."""
    if lang != "ja":
        return word
    return "".join(_reading(word))


@lru_cache(maxsize=8192)
def _reading(word: str) -> tuple[str, ...]:
    from ..spec.words import _mecab
    tagger = _mecab()
    if tagger is None:
        raise G2PUnavailable("Japanese needs fugashi and unidic-lite (pip install fugashi unidic-lite; "
                             "scripts/install.sh installs them)")
    return tuple((getattr(m.feature, "pron", None) or getattr(m.feature, "kana", None) or m.surface)
                 if m.feature and getattr(m.feature, "pron", None) != "*" else m.surface for m in tagger(word))


_cache: dict[tuple[str, str], tuple[Syllable, ...]] = {}


def espeak_syllables(words: list[str], lang: str) -> list[tuple[Syllable, ...]]:
    """Syllables of each word (stripped of punctuation) in `lang`; uncached words go to espeak-ng in one call."""
    keys = [w.lower() for w in words]
    todo = sorted({k for k in keys if (lang, k) not in _cache})
    if todo:
        from phonemizer.separator import Separator
        outs = _backend(lang).phonemize([speakable(k, lang) for k in todo], separator=Separator(phone=" ", word="|"),
                                        strip=True, njobs=1)
        for k, out in zip(todo, outs):
            _cache[(lang, k)] = syllabify(out.replace("|", " ").split(), lang)
    return [_cache[(lang, k)] for k in keys]


def syllabify(phones: list[str], lang: str) -> tuple[Syllable, ...]:
    """Stress-marked espeak phones -> syllables: the consonants between two nuclei go to the next syllable as far as
    the language allows an onset (one consonant, obstruent + liquid, and the language's own clusters)."""
    clean, stress = [], []
    for p in phones:
        s = 1 if "ˈ" in p else 2 if "ˌ" in p else 0
        p = fold(p.replace("ˈ", "").replace("ˌ", ""))
        if p:
            clean.append(p)
            stress.append(s)
    nuclei = [i for i, p in enumerate(clean) if is_vowel(p)]
    if lang == "ja":  # mora timing: the moraic nasal (ん) after a vowel and before a consonant is a syllable of its own
        nuclei = sorted(nuclei + [i for i, p in enumerate(clean) if p in _MORAIC and i and is_vowel(clean[i - 1])
                                  and (i + 1 == len(clean) or not is_vowel(clean[i + 1]))])
    if not nuclei:
        return ()
    bounds = [0]
    for a, b in zip(nuclei, nuclei[1:]):
        bounds.append(b - _onset_len(clean[a + 1:b], lang))
    bounds.append(len(clean))
    return tuple(Syllable(tuple(clean[bounds[k]:bounds[k + 1]]), n - bounds[k], max(stress[bounds[k]:bounds[k + 1]]))
                 for k, n in enumerate(nuclei))


def _onset_len(cons: list[str], lang: str) -> int:
    if not cons:
        return 0
    if lang in ("ja", "ko"):  # a nasal ŋ closes its syllable (Korean ㅇ), it never starts one
        if cons[-1] == "ŋ":
            return 0
        return 2 if len(cons) >= 2 and cons[-1] in _GLIDE_ONSETS and cons[-2] != "ŋ" else 1
    if len(cons) >= 2:
        pair = (cons[-2], cons[-1])
        if (pair[0] in _OBSTRUENTS and pair[1] in _LIQUIDS) or pair in _EXTRA_ONSETS[lang]:
            if len(cons) >= 3 and lang in ("it", "de") and (cons[-3], cons[-2]) in _EXTRA_ONSETS[lang]:
                return 3
            return 2
    return 1
