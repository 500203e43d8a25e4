"""Latin-script lyrics in a language songforge does not sing are refused with one line, never sung as English; English
lyrics (real ones, the data engine's, the examples') pass; a stated language wins."""
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


@pytest.mark.parametrize("lang", sorted(SONGS))
def test_other_latin_languages_are_refused_in_one_line(tmp_path, lang):
    p = tmp_path / f"{lang}.txt"
    p.write_text(SONGS[lang])
    songs, errors = load(str(p))
    assert not songs and len(errors) == 1
    line = str(errors[0])
    assert f"{lang}.txt: id '{lang}': field 'lyrics': read as {NAMES[lang]}" in line and "\n" not in line
    assert "does not sing yet" in line and "--language en" in line
    songs, errors = load(str(p), overrides=Overrides(language="en"))  # said to be English: sung as English
    assert songs and not errors


def test_a_single_foreign_line_in_an_english_song_is_named(tmp_path):
    p = tmp_path / "mixed.txt"
    p.write_text("[verse]\nthe harbor lights are low tonight\nI count the boats that never came\n"
                 "every wave remembers my name\nhold on hold on the tide will turn\n"
                 "[chorus]\nbajo la luna cantamos juntos esta noche\n")
    _, errors = load(str(p))
    assert len(errors) == 1 and "line 5" in str(errors[0]) and "reads as Spanish" in str(errors[0])


def test_english_lyrics_pass(tmp_path):
    from songforge.data.build import BuildConfig, clip_spec
    from songforge.errors import Where
    from songforge.spec.language import check_language
    cfg = BuildConfig(seed=11, hours=1.0, languages=("en",))
    assert not [i for i in range(80) if check_language(clip_spec(cfg, i), Where("x"))]
    p = tmp_path / "la.txt"
    p.write_text("la la la\noh yeah\n")  # too short to tell: not refused
    songs, errors = load(str(p))
    assert songs and not errors
