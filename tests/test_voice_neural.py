"""The neural voice: the Piper graph speaks at the durations it is given, deterministically; phrases cover
every English phoneme with spans inside the spoken audio; the engine is chosen per song and named in the
labels; a wrong engine name in a songforge file is a one-line error. (Exactness of both engines on the
stems: test_render_exact.py; intelligibility: benchmarks/data_engine.py --intelligibility.)"""
import dataclasses

import numpy as np
import pytest

from songforge.errors import SpecError
from songforge.plan.plan import make_plan
from songforge.plan.timing import time_song
from songforge.render import neural
from songforge.render.labels import labels
from songforge.render.piper import HOP, voice
from songforge.spec.formats import native
from songforge.spec.song import Line, Section, SongSpec, Style, Word


def _plan(text="hold my hand until the morning comes", engine=None, zh=False):
    lines = (Line(tuple(Word(w) for w in text.split()), "en"),)
    if zh:
        lines += (Line(tuple(Word(w) for w in "春天 来了".split()), "zh"),)
    spec = SongSpec("v", (Section("verse", lines),), None, Style(("pop",), voice_engine=engine))
    return make_plan(spec, time_song(spec))


def test_piper_speaks_given_durations_deterministically():
    v = voice()
    ids = v.ids("^") + [v.id_map[c] for c in "_h_ɛ_l_oʊ_"] + v.ids("$")
    frames = np.array([2, 1, 3, 1, 9, 1, 4, 1, 20, 0, 1, 2])[: len(ids)]
    frames = np.pad(frames, (0, len(ids) - len(frames)), constant_values=1)
    a, b, c = v.speak(ids, frames, seed=1), v.speak(ids, frames, seed=1), v.speak(ids, frames, seed=2)
    assert len(a) == frames.sum() * HOP
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    longer = frames.copy()
    longer[8] += 30  # one token 30 frames longer: the audio is exactly that much longer
    assert len(v.speak(ids, longer, seed=1)) == len(a) + 30 * HOP
    with pytest.raises(ValueError):
        v.speak(ids, frames[:-1], seed=1)


def test_phrases_cover_english_phonemes_and_spans_fit_the_audio():
    plan = _plan(engine="neural", zh=True)
    t = plan.timing
    covered = [i for idx in neural.phrases(plan) for i in idx]
    english = [i for i, p in enumerate(t.phonemes) if t.words[t.syllables[p.syllable].word].language != "zh"]
    assert covered == english
    for idx in neural.phrases(plan):
        spoken = neural.speak_phrase(plan, idx)
        assert len(spoken.spans) == len(idx)
        starts = [a for a, _ in spoken.spans]
        assert starts == sorted(starts)
        assert spoken.spans[-1][1] <= len(spoken.audio) / spoken.sample_rate
        assert all(b - a <= neural.SPOKEN_MAX * HOP / spoken.sample_rate + 1e-9 for a, b in spoken.spans)


def test_engine_per_song_and_in_labels():
    assert _plan().voice.engine == "neural"  # the default English voice
    esp = _plan(engine="espeak")
    assert esp.voice.engine == "espeak" and not esp.voice.id.startswith("piper")
    neu = _plan(engine="neural")
    assert neu.voice.id.startswith("piper-joe")
    # the engine takes no random draw: everything else about the song is the same
    assert dataclasses.replace(esp.voice, engine="neural", id="") == dataclasses.replace(neu.voice, id="")
    assert esp.melody == neu.melody and esp.chords == neu.chords
    assert labels(neu, 24000, -14.0)["voice"]["engine"] == "neural"


def test_voice_engine_in_songforge_files(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("id: a\nstyle: {tags: [pop], voice_engine: espeak}\nsections:\n- tag: verse\n  lines: [hello there]\n")
    (spec,) = native.read(str(ok))
    assert spec.style.voice_engine == "espeak"
    out = tmp_path / "round.json"
    native.write([spec], str(out))
    assert native.read(str(out))[0].style.voice_engine == "espeak"
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: b\nstyle: {voice_engine: robot}\nsections:\n- tag: verse\n  lines: [hello there]\n")
    (err,) = native.read(str(bad))
    assert isinstance(err, SpecError)
    msg = str(err)
    assert "bad.yaml" in msg and "voice_engine" in msg and "robot" in msg and "\n" not in msg


def _voiced_share(stem: np.ndarray, sr: int, plan, keep) -> float:
    """Share of the 5 ms frames of the phonemes picked by keep(symbol) that DIO hears as voiced in the stem."""
    import pyworld as pw
    f0, _ = pw.dio(stem.astype(np.float64), sr, frame_period=5.0)
    frames = [f0[int(p.start / 0.005) + 1:int(p.end / 0.005) - 1] for p in plan.timing.phonemes if keep(p.symbol)]
    frames = np.concatenate([f for f in frames if len(f)])
    return float((frames > 0).mean())


def test_neural_voice_sings_each_phoneme_with_its_own_voicing(monkeypatch):
    """DIO on the Piper voice's speech hears barely half its vowels and sonorants as voiced; the sung voice
    takes voicing from the planned phonemes instead, so nasals and liquids are sung, not whispered."""
    from songforge.render import voice as voice_mod
    plan = _plan("hold my hand until the morning comes and the summer rain", engine="neural")
    sonorant = lambda s: s in ("m", "n", "ŋ", "l", "ɹ", "w", "j")  # noqa: E731
    voiceless = lambda s: s in ("h", "t", "k", "s", "f", "p", "θ", "ʃ")  # noqa: E731
    shares = {}
    for mode in ("phoneme", "source"):
        monkeypatch.setattr(voice_mod, "NEURAL_VOICING", mode)
        stem = voice_mod.Singer().sing(plan)
        shares[mode] = (_voiced_share(stem, 24000, plan, sonorant), _voiced_share(stem, 24000, plan, voiceless))
    print(shares)
    assert shares["phoneme"][0] >= 0.9 and shares["phoneme"][1] <= 0.3
    assert shares["source"][0] < shares["phoneme"][0] - 0.15  # the control: DIO's voicing whispers them
