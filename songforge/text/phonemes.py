"""One phoneme inventory shared by every language songforge sings; ids are stable (the model's embedding rows):
new symbols are only ever appended, and a model trained before them reads them as <unk>."""
from __future__ import annotations

from dataclasses import dataclass

SPECIALS = ("<pad>", "<blank>", "<unk>", "<sp>")  # past-the-end, no lyric, unknown, short pause
PAD, BLANK, UNK, SP = range(4)

# espeak-ng en-us phones (stress stripped), as found over the CMU dictionary's words.
ENGLISH = (
    "p", "b", "t", "d", "k", "ɡ", "f", "v", "θ", "ð", "s", "z", "ʃ", "ʒ", "h", "x", "tʃ", "dʒ", "m", "n", "ŋ",
    "l", "ɹ", "r", "w", "j", "ɾ", "ʔ", "ɬ", "ɡʲ",
    "ɪ", "ɛ", "æ", "ʌ", "ʊ", "ə", "ɐ", "ᵻ", "i", "iː", "uː", "ɑː", "ɔː", "ɜː", "oː", "ɔ", "ɚ", "əl", "n̩",
    "eɪ", "aɪ", "ɔɪ", "aʊ", "oʊ", "iə", "aɪə", "aɪɚ", "ɑːɹ", "oːɹ", "ɔːɹ", "ɛɹ", "ʊɹ", "ɪɹ", "ɑ̃", "ɔ̃",
)
# Mandarin initials written in IPA, so that sounds shared with English share ids.
PINYIN_INITIALS = {
    "b": "p", "p": "pʰ", "m": "m", "f": "f", "d": "t", "t": "tʰ", "n": "n", "l": "l", "g": "k", "k": "kʰ",
    "h": "x", "j": "tɕ", "q": "tɕʰ", "x": "ɕ", "zh": "ʈʂ", "ch": "ʈʂʰ", "sh": "ʂ", "r": "ʐ", "z": "ts",
    "c": "tsʰ", "s": "s",
}
# Mandarin finals (pypinyin strict spelling, v = ü); a token is final + tone digit, e.g. "ang3".
PINYIN_FINALS = (
    "a", "ai", "an", "ang", "ao", "e", "ei", "en", "eng", "er", "i", "ia", "ian", "iang", "iao", "ie", "in",
    "ing", "iong", "iou", "o", "ong", "ou", "u", "ua", "uai", "uan", "uang", "uei", "uen", "ueng", "uo", "v",
    "van", "ve", "vn", "ê", "m", "n", "ng", "hm", "hng",
)
MANDARIN = tuple(dict.fromkeys(v for v in PINYIN_INITIALS.values() if v not in ENGLISH)) + tuple(
    f"{f}{t}" for f in PINYIN_FINALS for t in range(1, 6))

# espeak-ng's Spanish, French, German, Italian and Portuguese phones that English and Mandarin do not have (over
# wordfreq's 5000 most frequent words of each, after text/espeak_g2p.fold); shared sounds keep their symbols.
EUROPEAN_VOWELS = ("a", "e", "o", "u", "y", "eː", "aː", "yː", "ɛː", "øː", "ø", "œ", "ɜ", "ɑ", "ɒ", "ɐ̃", "ɐ̃ʊ̃", "ɛ̃",
                   "œ̃", "ũ", "õ", "ĩ", "ɔø", "eʊ", "iʊ", "oɪ", "ɛʊ", "uɪ", "ɛɪ", "əʊ", "eə", "ʊə", "ʊɐ")
EUROPEAN_CONSONANTS = ("ʁ", "β", "ɣ", "ç", "ɲ", "ʎ", "ʝ", "dz", "pf")
EUROPEAN = EUROPEAN_VOWELS + EUROPEAN_CONSONANTS
# espeak-ng's Japanese (from kana) and Korean phones, the same way (wordfreq's 5000 most frequent words of each; the
# Japanese read into kana by MeCab). Japanese long vowels are one symbol (one syllable of two morae).
EAST_ASIAN_VOWELS = ("ä", "e̞", "o̞", "ɯᵝ", "ɯ", "ää", "e̞e̞", "o̞o̞", "ɯᵝɯᵝ")
EAST_ASIAN_CONSONANTS = ("ɽ", "ɽʲ", "kʲ", "nʲ", "bʲ", "mʲ", "pʲ", "ɸ", "dʑ", "ɴ", "ɫ", "q")
EAST_ASIAN = EAST_ASIAN_VOWELS + EAST_ASIAN_CONSONANTS

SYMBOLS = SPECIALS + ENGLISH + MANDARIN + EUROPEAN + EAST_ASIAN
ID = {s: i for i, s in enumerate(SYMBOLS)}
_FINALS = frozenset(PINYIN_FINALS)
# Phonemes said without voicing: voiceless obstruents (English, and the Mandarin initials in IPA).
VOICELESS = frozenset(("p", "t", "k", "f", "θ", "s", "ʃ", "h", "x", "tʃ", "ʔ", "ɬ", "pʰ", "tʰ", "kʰ", "tɕ", "tɕʰ",
                       "ɕ", "ʈʂ", "ʈʂʰ", "ʂ", "ts", "tsʰ", "c\u0327", "pf", "kʲ", "pʲ", "ɸ", "q"))  # c + cedilla: ç (NFD)
_EUROPEAN_VOWELS = frozenset(EUROPEAN_VOWELS + EAST_ASIAN_VOWELS)
_VOWEL_START = set("aeiouɪɛæʌʊəɐᵻɑɔɜɚêvn")  # 'v'/'n' only reach here as finals ("v3", "n2") or syllabic n̩


def phoneme_id(symbol: str) -> int:
    return ID.get(symbol, UNK)


def untoned(symbol: str) -> str:
    """A Mandarin final on its neutral-tone form ("ang3" -> "ang5"); every other symbol unchanged. Sung Mandarin
    carries no lexical tone (the melody sets the pitch), so the phoneme judge neither learns nor scores tones."""
    return symbol[:-1] + "5" if symbol[-1:] in "1234" and symbol[:-1] in _FINALS else symbol


def is_vowel(symbol: str) -> bool:
    """Syllable nuclei: vowels, diphthongs and syllabic consonants, and every Mandarin final."""
    if symbol in _EUROPEAN_VOWELS:
        return True
    if symbol in ENGLISH:
        return symbol[0] in _VOWEL_START and symbol not in ("v", "n")
    return symbol[-1:].isdigit()


def is_voiced(symbol: str) -> bool:
    """Vowels, sonorants and voiced obstruents; False for the voiceless obstruents."""
    return symbol not in VOICELESS


@dataclass(frozen=True)
class Syllable:
    phonemes: tuple[str, ...]
    nucleus: int  # index of the vowel/final in phonemes
    stress: int  # English: 0 none, 1 primary, 2 secondary; Mandarin: tone 1-5

    @property
    def vowel(self) -> str:
        return self.phonemes[self.nucleus]
