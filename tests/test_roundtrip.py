"""Every example reads, validates, converts to every other format and back, keeping what each format holds."""
import os

import pytest

from songforge.songs import convert, for_format, load
from songforge.spec.formats import EXTENSIONS, FORMATS
from songforge.spec.words import strip_punct

from conftest import EXAMPLES

SOURCES = ["harbor.lrc", "harbor_acestep.json", "moonlit_jam_manifest.json", "two_songs_levo.jsonl"]
SOURCE_FORMAT = {"harbor.lrc": "lrc", "harbor_acestep.json": "acestep", "moonlit_jam_manifest.json": "jam",
                 "two_songs_levo.jsonl": "levo"}
ALL = {"id", "words", "lines", "sections", "word_times", "line_starts", "duration", "style", "ref", "generation"}
CAPS = {
    "songforge": ALL,
    "jam": {"id", "words", "word_times", "duration", "style", "ref"},
    "levo": {"id", "words", "lines", "sections", "style", "ref"},
    "lrc": {"id", "words", "lines", "line_starts", "duration"},
    "acestep": {"id", "words", "lines", "sections", "duration", "style", "generation"},
    "yue": {"id", "words", "lines", "sections", "style"},
    "text": {"id", "words", "lines", "sections", "duration", "style"},
}


def project(spec, fields):
    """The parts of `spec` named by `fields`, normalised the way formats legitimately differ."""
    r2 = lambda x: None if x is None else round(x, 2)  # noqa: E731
    out = {}
    if "id" in fields:
        out["id"] = spec.id
    if "words" in fields:
        out["words"] = [strip_punct(w.text) for w in spec.words]
    if "lines" in fields:
        out["lines"] = [[strip_punct(w.text) for w in ln.words] for ln in spec.lines]
    if "sections" in fields:
        out["sections"] = [s.tag if s.length or s.kind not in ("intro", "outro", "inst") else s.tag + "-short"
                           for s in spec.sections]
    if "word_times" in fields:
        out["word_times"] = [(r2(w.start), r2(w.end)) for w in spec.words]
    if "line_starts" in fields:
        out["line_starts"] = [r2(ln.start if ln.start is not None else ln.words[0].start) for ln in spec.lines]
    if "duration" in fields:
        out["duration"] = r2(spec.duration)
    if "style" in fields:
        out["style"] = (spec.style.tags, spec.controls.bpm)
    if "ref" in fields:
        out["ref"] = spec.style.reference_audio
    if "generation" in fields:
        g = spec.generation
        out["generation"] = (g.seed, g.steps, g.sampler, dict(g.guidance))
    return out


def _write_read(songs, fmt, tmp_path, tag):
    out = tmp_path / tag / f"out{EXTENSIONS[fmt]}"
    os.makedirs(out.parent, exist_ok=True)
    written = convert(songs, str(out), fmt)
    assert written and all(os.path.exists(p) for p in written)
    back, errors = load(str(out), fmt)
    assert not errors, [str(e) for e in errors]
    return back


@pytest.mark.parametrize("src", SOURCES)
def test_examples_are_valid(src):
    songs, errors = load(os.path.join(EXAMPLES, src))
    assert not errors, [str(e) for e in errors]
    assert songs and all(s.timing.words for s in songs)


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("target", list(FORMATS))
def test_roundtrip(src, target, tmp_path):
    a = SOURCE_FORMAT[src]
    songs, errors = load(os.path.join(EXAMPLES, src))
    assert not errors
    if target == "lrc":
        songs = songs[:1]  # an LRC file holds one song
    # A -> B keeps what B can hold
    there = _write_read(songs, target, tmp_path, "there")
    assert len(there) == len(songs)
    order = {s.spec.id: i for i, s in enumerate(songs)}
    there.sort(key=lambda s: order[s.spec.id])  # a YuE batch is a folder of song folders: read back by name
    for orig, got in zip(songs, there):
        assert project(for_format(orig, target), CAPS[target]) == project(got.spec, CAPS[target])
    # A -> B -> A keeps what both can hold
    back = _write_read(there, a, tmp_path, "back")
    for orig, got in zip(songs, back):
        common = CAPS[a] & CAPS[target]
        if "word_times" not in CAPS[target] and "line_starts" not in CAPS[target]:
            common -= {"word_times", "line_starts"}  # times were planned on the way, not carried
        if orig.spec.duration is None:
            common -= {"duration"}  # a planned duration may be added on the way; nothing is lost
        assert project(orig.spec, common) == project(got.spec, common)


def test_native_yaml_roundtrip(tmp_path):
    songs, _ = load(os.path.join(EXAMPLES, "two_songs_levo.jsonl"))
    out = tmp_path / "songs.yaml"
    convert(songs, str(out), "songforge")
    back, errors = load(str(out))
    assert not errors
    assert [s.spec for s in back] == [s.spec for s in songs]
