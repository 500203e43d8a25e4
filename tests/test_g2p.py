"""G2P into the shared inventory: English (espeak-ng), Mandarin (pypinyin: heteronyms, tone sandhi), pinyin
input, numbers, punctuation, mixed lines; syllable boundaries kept; deterministic."""
import pytest

from songforge.spec.song import Line
from songforge.spec.words import line_from_text
from songforge.text.g2p import line_syllables
from songforge.text.phonemes import ID, SYMBOLS, UNK, is_vowel, phoneme_id


def syl(text, language=None):
    line = line_from_text(text)
    if language:
        line = Line(line.words, language)
    return [[s.phonemes for s in w] for w in line_syllables(line)]


ENGLISH = {
    "hello": [("h", "ə"), ("l", "oʊ")],
    "harbor": [("h", "ɑːɹ"), ("b", "ɚ")],
    "string": [("s", "t", "ɹ", "ɪ", "ŋ")],
    "morning": [("m", "ɔːɹ"), ("n", "ɪ", "ŋ")],
    "a": [("ə",)],
    "light.": [("l", "aɪ", "t")],
    "Sail,": [("s", "eɪ", "l")],
}


@pytest.mark.parametrize("word", list(ENGLISH))
def test_english(word):
    assert syl(word) == [ENGLISH[word]]


def test_english_syllable_counts_and_numbers():
    assert [len(w) for w in syl("remembers every little promise")] == [3, 2, 2, 2]
    assert syl("42") == [[("f", "oːɹ"), ("ɾ", "i"), ("t", "uː")]]  # forty-two


MANDARIN = {
    "长大": [[("ʈʂ", "ang3"), ("t", "a4")]],  # heteronym 长 zhǎng
    "长城": [[("ʈʂʰ", "ang2"), ("ʈʂʰ", "eng2")]],  # 长 cháng
    "银行": [[("in2",), ("x", "ang2")]],  # 行 háng
    "你好": [[("n", "i2"), ("x", "ao3")]],  # third-tone sandhi
    "一个": [[("i2",), ("k", "e4")]],  # 一 sandhi before 4th tone
    "不是": [[("p", "u2"), ("ʂ", "i4")]],  # 不 sandhi
    "春风": [[("ʈʂʰ", "uen1"), ("f", "eng1")]],
    "臺灣": [[("tʰ", "ai2"), ("uan1",)]],  # traditional characters
    "绿": [[("l", "v4")]],
}


@pytest.mark.parametrize("text", list(MANDARIN))
def test_mandarin(text):
    flat = lambda words: [s for w in words for s in w]  # noqa: E731  (jieba may split a phrase into words)
    assert flat(syl(text)) == flat(MANDARIN[text])


def test_pinyin_input_and_numbers_in_mandarin():
    assert syl("ni3 hao3") == [[("n", "i3")], [("x", "ao3")]]  # given tones are kept
    assert syl("nǐ hǎo") == [[("n", "i3")], [("x", "ao3")]]
    assert syl("2020年") == [[("er4",), ("l", "ing2"), ("er4",), ("l", "ing2")], [("n", "ian2")]]
    assert syl("15", "zh") == [[("ʂ", "i2"), ("u3",)]]


def test_mixed_line_and_punctuation():
    out = syl("我爱你, baby!")
    assert out[0] == [("uo3",), ("ai4",), ("n", "i3")]
    assert out[1] == [("b", "eɪ"), ("b", "i")]


def test_shared_inventory():
    assert len(SYMBOLS) == len(set(SYMBOLS)) == len(ID)
    for text in ("The harbor lights are calling me home", "春风吹过小河边 baby", "strengths rhythm 1999"):
        for w in syl(text):
            for s in w:
                assert sum(is_vowel(p) for p in s) >= 1
                assert all(phoneme_id(p) != UNK for p in s), s
    assert ID["m"] < 100 and phoneme_id("m") == ID["m"]  # Mandarin m shares English m


def test_deterministic_and_cached():
    import time
    a = syl("every little promise turning into light")
    t = time.perf_counter()
    b = syl("every little promise turning into light")
    assert a == b
    assert time.perf_counter() - t < 0.05
