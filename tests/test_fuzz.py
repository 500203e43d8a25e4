"""Hypothesis fuzzing of every parser (and of validation + timing behind them): the only exception that may
escape is SpecError, which load() turns into one reported line per bad item."""
import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from songforge.errors import SpecError
from songforge.songs import load
from songforge.spec.formats import read_songs

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 1000), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=12), st.sampled_from(["[verse] la la", "[intro-short]", "1e400", "-1", "", "a.wav",
                                                           "[solo]", "../x", "春风", "ni3 hao3", "120 bpm"]))
json_like = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                          st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                         max_leaves=12)
KEYS = {
    "songforge": ["id", "duration", "sections", "style", "controls", "generation", "tag", "lines", "words", "word",
                  "start", "end", "chords", "symbol", "melody", "pitch", "bpm", "key", "tags", "language", "text"],
    "jam": ["id", "lrc_path", "duration", "prompt_path", "audio_path", "word", "start", "end"],
    "levo": ["idx", "gt_lyric", "descriptions", "prompt_audio_path", "auto_prompt_audio_type"],
    "acestep": ["prompt", "lyrics", "audio_duration", "infer_step", "manual_seeds", "guidance_scale"],
}


def structured(keys):
    word = st.fixed_dictionaries({}, optional={k: st.one_of(scalars, st.floats(0, 30)) for k in ("word", "start", "end")})
    value = st.one_of(scalars, json_like, st.lists(word, max_size=4), st.lists(st.text(max_size=20), max_size=3))
    obj = st.dictionaries(st.sampled_from(keys), value, max_size=len(keys))
    return st.one_of(obj, st.lists(obj, max_size=3), json_like)


def _run(text_or_bytes, suffix, fmt=None):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "in" + suffix)
        mode = "wb" if isinstance(text_or_bytes, bytes) else "w"
        with open(p, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(text_or_bytes)
        with open(os.path.join(d, "lyr.json"), "w") as f:
            json.dump([{"word": "hi", "start": 1.0, "end": 1.5}], f)
        for item in read_songs(p, fmt):
            assert isinstance(item, (SpecError,)) or hasattr(item, "sections")
        songs, errors = load(p, fmt)
        assert all(isinstance(e, SpecError) for e in errors)
        for e in errors:
            assert "\n" not in str(e)


@FUZZ
@given(st.sampled_from(list(KEYS)), st.data())
def test_fuzz_json_formats(fmt, data):
    doc = data.draw(structured(KEYS[fmt]))
    if fmt == "levo":
        lines = data.draw(st.lists(st.one_of(structured(KEYS[fmt]), st.text(max_size=30)), max_size=3))
        _run("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines), ".jsonl", "levo")
    else:
        _run(json.dumps(doc), ".json", fmt)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("[]0123456789:.abc ti春风\n-+ofsetlngh")), max_size=120))
def test_fuzz_lrc(text):
    _run(text, ".lrc")


@FUZZ
@given(st.text(max_size=200))
def test_fuzz_any_text_any_format(text):
    for suffix in (".json", ".jsonl", ".lrc", ".yaml", ".txt", ".md"):
        _run(text, suffix)


@FUZZ
@given(st.binary(max_size=64))
def test_fuzz_bytes(data):
    _run(data, ".json")
    _run(data, ".lrc")
    _run(data, ".txt")


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("[]verschoutintro-shormdlg;. la春风吹ab\n")), max_size=80))
def test_fuzz_section_text(text):
    _run(json.dumps({"idx": "x", "gt_lyric": text}), ".jsonl")
    _run(json.dumps({"prompt": "pop", "lyrics": text, "audio_duration": 20}), ".json", "acestep")
