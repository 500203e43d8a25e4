"""Every line is sung in its own language: Spanish, French, German, Italian and Portuguese lyrics are identified and
sung in that language (never through the English G2P), a stated language wins, English lyrics (real ones, the data
engine's, the examples') stay English, and what was decided is said."""
import unicodedata

import pytest

from songforge.songs import Overrides, load

pytest.importorskip("lingua")

SONGS = {
    "es": "[verse]\nbajo la luna cantamos juntos\nhasta que el sol vuelva a salir\n",
    "fr": "[verse]\nje t aime encore ce soir\nmon coeur ne bat que pour toi\n",
    "de": "[verse]\nich liebe dich so sehr\nund ich bleibe hier bei dir\n",
    "it": "[verse]\namore mio resta con me\nla notte e lunga senza te\n",
    "pt": "[verse]\neu te amo demais\nvem dancar comigo ate o sol nascer\n",
}
NAMES = {"es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese"}


def _word_languages(song) -> list[str]:
    return [w.language for w in song.timing.words]


@pytest.mark.parametrize("lang", sorted(SONGS))
def test_other_latin_languages_are_sung_in_their_language(tmp_path, lang):
    p = tmp_path / f"{lang}.txt"
    p.write_text(SONGS[lang])
    songs, errors = load(str(p))
    assert songs and not errors
    assert set(_word_languages(songs[0])) == {lang}  # never labelled English
    notes = [str(n) for n in songs[0].warnings]
    assert any(f"read as {NAMES[lang]}" in n and f"sung in {NAMES[lang]}" in n and "\n" not in n for n in notes)
    songs, errors = load(str(p), overrides=Overrides(language="en"))  # said to be English: sung as English
    assert songs and not errors and set(_word_languages(songs[0])) == {"en"}


def test_a_stated_language_wins_and_names_are_understood(tmp_path):
    p = tmp_path / "es.txt"
    p.write_text("language: español\n\n" + SONGS["es"])
    songs, _ = load(str(p))
    assert set(_word_languages(songs[0])) == {"es"} and not songs[0].warnings


def test_spanish_verse_english_chorus(tmp_path):
    p = tmp_path / "mixed.txt"
    p.write_text("[verse]\nbajo la luna cantamos juntos esta noche\nhasta que el sol vuelva a salir otra vez\n"
                 "[chorus]\nthe harbor lights are low tonight my love\nI count the boats that never came back home\n")
    songs, errors = load(str(p))
    assert songs and not errors
    by_line = {}
    for w in songs[0].timing.words:
        by_line.setdefault(w.line, set()).add(w.language)
    assert [by_line[k] for k in sorted(by_line)] == [{"es"}, {"es"}, {"en"}, {"en"}]
    assert any("lines 1-2 read as Spanish" in str(n) for n in songs[0].warnings)


def test_accented_words_are_the_lines_language_not_pinyin(tmp_path):
    from songforge.spec.words import is_pinyin, word_language
    assert not is_pinyin("está") and not is_pinyin("corazón") and is_pinyin("ài") and is_pinyin("zhōng")
    assert word_language("corazón") == "latin" and word_language("Straße") == "latin"
    p = tmp_path / "es.txt"
    p.write_text("[verse]\nmi corazón está contigo sí\nesta noche no termina jamás\n")
    songs, errors = load(str(p))
    assert songs and not errors and set(_word_languages(songs[0])) == {"es"}  # "sí" is not read as pinyin


def test_english_lyrics_stay_english(tmp_path):
    from songforge.data.build import BuildConfig, clip_spec
    from songforge.errors import Where
    from songforge.spec.language import assign_languages
    cfg = BuildConfig(seed=11, hours=1.0, languages=("en",))
    assert not [i for i in range(80) if assign_languages(clip_spec(cfg, i), Where("x"))[1]]
    p = tmp_path / "la.txt"
    p.write_text("la la la\noh yeah\n")  # too short to tell: English
    songs, errors = load(str(p))
    assert songs and not errors and set(_word_languages(songs[0])) == {"en"}


def test_the_new_languages_are_sung_in_their_own_phonemes():
    from songforge.spec.song import Line
    from songforge.spec.words import line_from_text
    from songforge.text.g2p import line_syllables
    from songforge.text.phonemes import ID, UNK
    for lang, text, expect in (("es", "corazón", "k o ɾ a θ o n"), ("fr", "toujours", "t u ʒ u ʁ"),
                               ("de", "Mädchen", "m ɛː d ç ə n"), ("it", "quella", "k w e l l a"),
                               ("pt", "coração", "k o ɾ a s ɐ̃ʊ̃")):
        syls = line_syllables(Line(line_from_text(text).words, lang))[0]
        phones = [p for s in syls for p in s.phonemes]
        assert " ".join(phones) == unicodedata.normalize("NFD", expect), (lang, phones)
        assert all(ID.get(p, UNK) != UNK for p in phones)


def test_japanese_and_korean_are_sung_by_mora_and_by_block(tmp_path):
    from songforge.spec.song import Line
    from songforge.spec.words import line_from_text
    from songforge.text.g2p import line_syllables
    ja = line_from_text("東京の夜空に星が光る")
    assert [w.text for w in ja.words] == ["東京", "の", "夜空", "に", "星", "が", "光る"]
    syls = line_syllables(ja)
    assert [len(s) for s in syls] == [2, 1, 3, 1, 2, 1, 3]  # to-o kyo-o | no | yo zo ra | ni | ho shi | ga | hi ka ru
    kon = line_syllables(line_from_text("こんにちは"))[0]
    assert len(kon) == 5 and kon[1].phonemes == ("n",)  # ko-n-ni-chi-wa: the moraic nasal is a syllable
    ko = line_syllables(Line(line_from_text("사랑해 영원히").words))
    assert [len(s) for s in ko] == [3, 3]  # one syllable per hangul block
    p = tmp_path / "mixed.txt"
    p.write_text("[verse]\n君の声が聞こえる\n사랑해 너를 영원히\n我们一起唱\n")
    songs, errors = load(str(p))
    assert songs and not errors
    assert [w.language for w in songs[0].timing.words] == ["ja"] * 5 + ["ko"] * 3 + ["zh"] * 3


def test_the_inventory_only_grows():
    """Models trained before a language was added read its symbols as <unk>: the first symbols never move (291: the
    default DiT and judge v7; 354: judge_multi)."""
    import hashlib

    from songforge.text.phonemes import ENGLISH, MANDARIN, SPECIALS, SYMBOLS
    assert SYMBOLS[:291] == SPECIALS + ENGLISH + MANDARIN and len(SPECIALS + ENGLISH + MANDARIN) == 291
    assert hashlib.sha256("\n".join(SYMBOLS[:354]).encode()).hexdigest()[:16] == "feca469f80833710"


def test_songs_in_the_new_languages_are_judged_by_the_judge_that_knows_them():
    from songforge.eval.judge import JUDGE_DIR, MULTI_DIR, judge_for
    assert judge_for([("love", 0, 1, "en"), ("爱", 1, 2, "zh")]) == JUDGE_DIR
    assert judge_for([("amor", 0, 1, "es"), ("love", 1, 2, "en")]) == MULTI_DIR
    assert judge_for([("x", 0, 1, "ru")]) is None
