"""Style from a reference recording (ears/reference.py): tempo, key and the tagger's reading of a render,
and the planner filling what the style text leaves open from it (text facts win)."""
import dataclasses
import os

import numpy as np
import pytest
import soundfile as sf

from conftest import ROOT


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A 20 s data-engine render in a known style, tempo and key: (mix path, plan)."""
    from songforge.plan.plan import make_plan
    from songforge.plan.timing import time_song
    from songforge.render.song import render_plan
    from songforge.songs import load
    song = load(os.path.join(ROOT, "examples", "moonlit_jam_manifest.json"))[0][0]
    spec = dataclasses.replace(song.spec, style=dataclasses.replace(song.spec.style, tags=("funk", "male vocals")),
                               controls=dataclasses.replace(song.spec.controls, bpm=None, key="E minor"))
    plan = make_plan(spec, time_song(spec), seed=3)
    r = render_plan(plan)
    path = tmp_path_factory.mktemp("ref") / "ref.flac"
    sf.write(path, r.mix, r.sample_rate)
    return str(path), plan


def test_tempo_and_key_of_a_render(reference):
    from songforge.ears.reference import analyse_style
    path, plan = reference
    p = analyse_style(path)
    assert abs(p.bpm - plan.bpm) <= 0.04 * plan.bpm, (p.bpm, plan.bpm)
    assert p.seconds >= 10 and p.key.split()[1] in ("major", "minor") and p.loudness_lufs < 0
    if p.style is not None:  # the shipped tagger hears the style and the singer
        assert p.style == "funk" and p.gender == "male"


@pytest.mark.parametrize("tonic,mode", [(9, "minor"), (2, "major")])
def test_key_of_a_cadence(tonic, mode):
    """i-iv-V-i (or I-IV-V-I) as harmonic tones: the Krumhansl-Kessler estimate names its key."""
    from songforge.ears.reference import estimate_key
    from songforge.model.chroma import PITCH_CLASSES as _PC
    sr, third = 22050, (3 if mode == "minor" else 4)
    chords = [(0, third, 7), (5, 5 + third, 12), (7, 11, 14), (0, third, 7)]
    t = np.arange(sr) / sr
    y = np.concatenate([sum(np.sin(2 * np.pi * 220 * 2 ** ((tonic - 9 + i) / 12) * k * t) / k
                            for i in ch for k in (1, 2, 3)) for ch in chords for _ in range(2)]) * 0.1
    assert estimate_key(y.astype(np.float32), sr)[0] == f"{_PC[tonic]} {mode}"


def test_the_planner_fills_what_the_text_leaves_open(reference):
    from songforge.ears.reference import analyse_style
    from songforge.plan.describe import resolve_style
    path, plan = reference
    heard = analyse_style(path)  # the ears listen; the planner reads what they heard
    c = resolve_style((), None, heard)
    assert c.reference["bpm"] == c.bpm and c.key == c.reference["key"]
    if c.reference["style"] is not None:
        assert c.style == "funk" and c.how.startswith("reference audio")
    stated = resolve_style(("ballad, 70 bpm, female vocals",), None, heard)
    assert (stated.style, stated.bpm, stated.gender) == ("ballad", 70.0, "female")  # the text's facts win


def test_a_short_or_unreadable_reference_is_one_clear_error(tmp_path):
    from songforge.ears.reference import analyse_style
    sf.write(tmp_path / "short.wav", np.zeros(22050 * 4, np.float32), 22050)
    with pytest.raises(ValueError, match=r"short.wav: style reference: 4.0 s long \(need at least 10 s\)"):
        analyse_style(str(tmp_path / "short.wav"))
    (tmp_path / "bad.wav").write_bytes(b"not audio")
    with pytest.raises(ValueError, match="bad.wav: style reference: cannot read"):
        analyse_style(str(tmp_path / "bad.wav"))


def test_generate_style_audio_errors_name_the_file(tmp_path, capsys):
    from songforge.cli import main
    spec = os.path.join(ROOT, "examples", "moonlit_jam_manifest.json")
    assert main(["generate", spec, "-o", str(tmp_path / "out"), "--style-audio", str(tmp_path / "nope.wav")]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"--style-audio: audio file not found: {tmp_path / 'nope.wav'}"
    sf.write(tmp_path / "short.wav", np.zeros(22050 * 4, np.float32), 22050)
    main(["generate", spec, "-o", str(tmp_path / "out"), "--style-audio", str(tmp_path / "short.wav")])
    err = capsys.readouterr().err
    assert "short.wav: style reference: 4.0 s long" in err and "style" in err


def test_acestep_audio2audio_reference_is_the_style_reference(tmp_path):
    import json
    from songforge.songs import load
    sf.write(tmp_path / "ref.wav", np.zeros(22050, np.float32), 22050)
    doc = {"prompt": "funk", "lyrics": "[verse]\nhello there", "audio_duration": 20, "audio2audio_enable": True,
           "ref_audio_input": "ref.wav", "ref_audio_strength": 0.5}
    (tmp_path / "a.json").write_text(json.dumps(doc))
    from songforge.spec.formats import read_songs
    spec = read_songs(str(tmp_path / "a.json"))[0]
    assert spec.style.reference_audio == str(tmp_path / "ref.wav")
    (tmp_path / "b.json").write_text(json.dumps(doc | {"ref_audio_input": "gone.wav"}))
    spec = read_songs(str(tmp_path / "b.json"))[0]
    assert spec.style.reference_audio is None and any(f == "ref_audio_input" for f, _ in spec.notes)
    songs, errors = load(str(tmp_path / "a.json"))  # a 1 s reference: the song stays, the reference is not used
    from songforge.plan.describe import choice_for
    c = choice_for(songs[0].spec.style)
    assert not errors and c.style == "funk" and "ref.wav: style reference: 1.0 s long" in c.reference["error"]


@pytest.mark.parametrize("bpm,lo,hi,want", [(117.4, 164, 180, 176.1), (72.0, 60, 84, 72.0), (144.0, 60, 84, 72.0),
                                            (92.3, 116, 144, 138.45), (300.0, 60, 70, 300.0)])
def test_tempo_folds_into_the_style_range(bpm, lo, hi, want):
    from songforge.plan.describe import fold_tempo
    got, folded = fold_tempo(bpm, lo, hi)
    assert abs(got - want) < 0.01 and folded == (abs(got - bpm) > 1e-9)
