"""English G2P: espeak-ng (through phonemizer) per word, cached, split into syllables by maximal onset."""
from __future__ import annotations

from functools import lru_cache

from .phonemes import Syllable, is_vowel

# Words espeak reads as letter names when alone, but singers reduce.
_OVERRIDES = {"a": "ə"}
_STOPS = {"p", "b", "t", "d", "k", "ɡ"}
_LIQUID_ONSETS = {("p", "ɹ"), ("b", "ɹ"), ("t", "ɹ"), ("d", "ɹ"), ("k", "ɹ"), ("ɡ", "ɹ"), ("f", "ɹ"), ("θ", "ɹ"),
                  ("ʃ", "ɹ"), ("p", "l"), ("b", "l"), ("k", "l"), ("ɡ", "l"), ("f", "l"), ("s", "l"),
                  ("t", "w"), ("d", "w"), ("k", "w"), ("s", "w"), ("θ", "w"), ("ɡ", "w"),
                  ("s", "p"), ("s", "t"), ("s", "k"), ("s", "m"), ("s", "n"), ("s", "f")}
_J_ONSET = {"p", "b", "k", "ɡ", "m", "f", "v", "h", "n", "l"}


class G2PUnavailable(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _backend():
    try:
        from phonemizer.backend import EspeakBackend
        return EspeakBackend("en-us", with_stress=True, preserve_punctuation=False)
    except RuntimeError as e:  # phonemizer raises RuntimeError when espeak-ng is missing
        raise G2PUnavailable(f"espeak-ng is needed for English G2P ({e}); run scripts/install.sh") from None


_cache: dict[str, tuple[Syllable, ...]] = {}


def english_syllables(words: list[str]) -> list[tuple[Syllable, ...]]:
    """Syllables of each word (already stripped of punctuation). Uncached words go to espeak in one call."""
    keys = [w.lower() for w in words]
    todo = sorted({k for k in keys if k not in _cache and k not in _OVERRIDES})
    if todo:
        from phonemizer.separator import Separator
        outs = _backend().phonemize(todo, separator=Separator(phone=" ", word="|"), strip=True, njobs=1)
        for k, out in zip(todo, outs):
            _cache[k] = syllabify(out.replace("|", " ").split())
    return [syllabify(_OVERRIDES[k].split()) if k in _OVERRIDES else _cache[k] for k in keys]


def syllabify(phones: list[str]) -> tuple[Syllable, ...]:
    """Stress-marked espeak phones -> syllables; consonants between nuclei go to the next syllable as far as
    English allows an onset (maximal onset principle)."""
    clean, stress = [], []
    for p in phones:
        s = 1 if "ˈ" in p else 2 if "ˌ" in p else 0
        p = p.replace("ˈ", "").replace("ˌ", "")
        if p:
            clean.append(p)
            stress.append(s)
    nuclei = [i for i, p in enumerate(clean) if is_vowel(p)]
    if not nuclei:
        return ()
    bounds = [0]
    for a, b in zip(nuclei, nuclei[1:]):
        cons = clean[a + 1:b]
        bounds.append(b - _onset_len(cons))
    bounds.append(len(clean))
    out = []
    for k, n in enumerate(nuclei):
        lo, hi = bounds[k], bounds[k + 1]
        out.append(Syllable(tuple(clean[lo:hi]), n - lo, max(stress[lo:hi]) if hi > lo else 0))
    return tuple(out)


def _onset_len(cons: list[str]) -> int:
    if not cons:
        return 0
    best = 1 if cons[-1] != "ŋ" else 0
    if len(cons) >= 2 and ((cons[-2], cons[-1]) in _LIQUID_ONSETS or (cons[-1] == "j" and cons[-2] in _J_ONSET)):
        best = 2
        if len(cons) >= 3 and cons[-3] == "s" and cons[-2] in _STOPS and cons[-1] in ("ɹ", "l", "w", "j"):
            best = 3
    return best
