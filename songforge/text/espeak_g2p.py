"""G2P for the Latin-script languages songforge sings beside English — Spanish, French, German, Italian and Portuguese
(Brazilian) — through espeak-ng's voices (via phonemizer, as English), into songforge's one phoneme inventory
(text/phonemes.py: a sound shared with English or Mandarin keeps its symbol), split into syllables by maximal onset
within each language's legal onsets. The data engine sings these words with the same espeak-ng voice, whose phoneme
events carry the same symbols (render/voice.py)."""
from __future__ import annotations

from functools import lru_cache

from .english import G2PUnavailable
from .phonemes import Syllable, is_vowel

ESPEAK_VOICES = {"es": "es", "fr": "fr", "de": "de", "it": "it", "pt": "pt-br"}  # the renderer's voice names
_PHONEMIZER_VOICES = {"fr": "fr-fr"}  # phonemizer's name where it differs
# espeak-ng spellings folded onto one symbol each (1:1, so the renderer's phoneme events still line up):
# geminates and dental diacritics onto the plain consonant, French schwa/vowel reduction marks dropped
_FOLD = {"tː": "t", "kː": "k", "pː": "p", "bː": "b", "dː": "d", "ɡː": "ɡ", "dʒː": "dʒ", "tʃː": "tʃ", "tsː": "ts",
         "dzː": "dz", "ss": "s", "lː": "l", "mː": "m", "nː": "n", "rː": "r", "fː": "f", "vː": "v", "sː": "s",
         "ʃː": "ʃ", "ɲː": "ɲ", "ʎː": "ʎ", "d̪": "d", "t̪": "t", "ʊː": "ʊ", "ə-": "ə", "a-": "a", "e-": "e",
         "y-": "y", "o-": "o", "i-": "i", "u-": "u", "??": ""}  # '??': a letter espeak-ng cannot read
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
    return _FOLD.get(phone, phone)


_cache: dict[tuple[str, str], tuple[Syllable, ...]] = {}


def espeak_syllables(words: list[str], lang: str) -> list[tuple[Syllable, ...]]:
    """Syllables of each word (stripped of punctuation) in `lang`; uncached words go to espeak-ng in one call."""
    keys = [w.lower() for w in words]
    todo = sorted({k for k in keys if (lang, k) not in _cache})
    if todo:
        from phonemizer.separator import Separator
        outs = _backend(lang).phonemize(todo, separator=Separator(phone=" ", word="|"), strip=True, njobs=1)
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
    if len(cons) >= 2:
        pair = (cons[-2], cons[-1])
        if (pair[0] in _OBSTRUENTS and pair[1] in _LIQUIDS) or pair in _EXTRA_ONSETS[lang]:
            if len(cons) >= 3 and lang in ("it", "de") and (cons[-3], cons[-2]) in _EXTRA_ONSETS[lang]:
                return 3
            return 2
    return 1
