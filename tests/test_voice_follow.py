"""Voice follow: a reference singer's register and gender from its F0 (ears/voice.py), and the planner putting
the melody there without moving the song's other choices."""
import dataclasses
import os

import numpy as np
import pytest
import soundfile as sf

from songforge.ears.voice import analyse_voice, heard

from conftest import ROOT


def _sung(path, midi: float, seconds: float = 4.0, sr: int = 24000):
    t = np.arange(int(seconds * sr)) / sr
    f = 440 * 2 ** ((midi - 69) / 12) * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))  # a little vibrato
    phase = 2 * np.pi * np.cumsum(f) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, 8)) * 0.2
    sf.write(path, y.astype(np.float32), sr)
    return str(path)


def test_register_and_gender_of_a_reference(tmp_path):
    low = analyse_voice(_sung(tmp_path / "low.wav", 52))
    high = analyse_voice(_sung(tmp_path / "high.wav", 67))
    assert abs(low.median_midi - 52) < 0.3 and low.gender == "male"
    assert abs(high.median_midi - 67) < 0.3 and high.gender == "female"
    sf.write(tmp_path / "quiet.wav", np.zeros(24000 * 3, np.float32), 24000)
    with pytest.raises(ValueError, match="quiet.wav"):
        analyse_voice(str(tmp_path / "quiet.wav"))


def _plan(voice_reference=None, tags=None):
    from songforge.plan.plan import make_plan
    from songforge.songs import load
    song = load(os.path.join(ROOT, "examples", "moonlit_jam_manifest.json"))[0][0]
    style = heard(dataclasses.replace(song.spec.style, voice_reference=voice_reference,
                                      tags=song.spec.style.tags if tags is None else tags))
    return make_plan(dataclasses.replace(song.spec, style=style), song.timing, seed=7)


@pytest.mark.parametrize("midi", [50.0, 56.0, 63.0, 69.0])
def test_the_melody_follows_the_reference_register(tmp_path, midi):
    ref = _sung(tmp_path / "ref.wav", midi)
    plain, followed = _plan(tags=()), _plan(ref, tags=())
    sung = followed.f0[followed.f0 > 0]
    assert abs(float(np.median(69 + 12 * np.log2(sung / 440))) - midi) <= 2.0
    assert followed.voice.gender == ("male" if midi < 60 else "female")
    assert (followed.key, followed.chords, followed.bpm, followed.style) == (plain.key, plain.chords, plain.bpm, plain.style)


def test_tags_name_the_gender_even_with_a_reference(tmp_path):
    ref = _sung(tmp_path / "ref.wav", 50)
    assert _plan(ref, tags=("pop", "female vocals")).voice.gender == "female"


def test_generate_voice_audio_missing_file_is_one_clear_line(tmp_path, capsys):
    from songforge.cli import main
    spec = os.path.join(ROOT, "examples", "moonlit_jam_manifest.json")
    assert main(["generate", spec, "-o", str(tmp_path / "out"), "--voice-audio", str(tmp_path / "nope.wav")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"--voice-audio: audio file not found: {tmp_path / 'nope.wav'}"
