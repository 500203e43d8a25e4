"""Deliberately broken inputs: each gives exactly one clear line naming file, item and field, and a non-zero
exit for that item; good items in the same batch still succeed."""
import json

import pytest

from songforge.cli import main
from songforge.songs import load

W = lambda w, s, e: {"word": w, "start": s, "end": e}  # noqa: E731
GOOD_WORDS = [W("Under", 1.0, 1.5), W("a", 1.5, 1.75), W("moon", 1.75, 2.5)]
LEVO_GOOD = {"idx": "ok", "gt_lyric": "[verse] Hello there.Sing it now ; [outro-short]", "descriptions": "pop"}


def jam(tmp, words=None, item=None, lyrics_doc=None):
    (tmp / "lyr.json").write_text(json.dumps(lyrics_doc if lyrics_doc is not None else (words or GOOD_WORDS)))
    (tmp / "style.txt").write_text("folk, soft")
    it = {"id": "song1", "lrc_path": "lyr.json", "duration": 10.0, "prompt_path": "style.txt"}
    it.update(item or {})
    it = {k: v for k, v in it.items() if v is not None}
    (tmp / "m.json").write_text(json.dumps([it]))
    return tmp / "m.json"


def levo(tmp, **kw):
    d = dict(LEVO_GOOD, idx="bad")
    d.update(kw)
    d = {k: v for k, v in d.items() if v is not None}
    (tmp / "s.jsonl").write_text(json.dumps(d, ensure_ascii=False) + "\n")
    return tmp / "s.jsonl"


def native(tmp, doc, name="s.json"):
    p = tmp / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return p


def song(**kw):
    d = {"id": "n1", "duration": 20.0, "sections": [{"tag": "verse", "lines": ["Hello there", "Sing it now"]}]}
    d.update(kw)
    return d


def wav(path):
    import numpy as np
    import soundfile
    soundfile.write(str(path), np.zeros(2400, dtype="float32"), 24000)
    return path


def raw(tmp, name, text, mode="w"):
    p = tmp / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


CASES = {
    "jam lyric object without 'word'": (lambda t: jam(t, lyrics_doc={"char": [], "segment": []}), "'word'", "lyr.json"),
    "jam lyric file missing": (lambda t: jam(t, item={"lrc_path": "nope.json"}), "file not found", "nope.json"),
    "jam end before start": (lambda t: jam(t, [W("Under", 1.0, 1.5), W("moon", 2.0, 1.8)]), "not after start", "word 2"),
    "jam overlapping words": (lambda t: jam(t, [W("Under", 1.0, 1.5), W("moon", 1.4, 1.8)]), "overlaps", "word 2"),
    "jam word past duration": (lambda t: jam(t, [W("Under", 1.0, 1.5), W("moon", 9.8, 10.5)]), "past the song", "field 'end'"),
    "jam word too short": (lambda t: jam(t, [W("Under", 1.0, 1.5), W("moon", 1.5, 1.52)]), "40 ms", "word 2"),
    "jam too many syllables per second": (lambda t: jam(t, [W("remembering", 1.0, 1.2)]), "no singer", "word 1"),
    "jam words out of order": (lambda t: jam(t, [W("Under", 3.0, 3.5), W("moon", 1.0, 1.5)]), "time order", "word 2"),
    "jam item without duration": (lambda t: jam(t, item={"duration": None}), "missing", "field 'duration'"),
    "jam prompt file missing": (lambda t: jam(t, item={"prompt_path": "gone.txt"}), "file not found", "gone.txt"),
    "jam word without start": (lambda t: jam(t, [{"word": "moon", "end": 1.0}]), "missing", "field 'start'"),
    "jam unsupported script": (lambda t: jam(t, [W("привет", 1.0, 1.5)]), "unsupported script", "word 1"),
    "jam punctuation-only word": (lambda t: jam(t, [W("Under", 1.0, 1.5), W("...", 1.5, 2.0)]), "no letters", "word 2"),
    "levo both prompt audio and auto type": (lambda t: (wav(t / "a.wav"), levo(t, prompt_audio_path="a.wav",
                                             auto_prompt_audio_type="Pop"))[1], "not both", "prompt_audio_path"),
    "levo unknown section tag": (lambda t: levo(t, gt_lyric="[solo] ; [verse] la la"), "unknown section tag", "gt_lyric"),
    "levo idx escapes output folder": (lambda t: levo(t, idx="../../etc/evil"), "output folder", "field 'idx'"),
    "levo instrumental tag with lyrics": (lambda t: levo(t, gt_lyric="[intro-short] hello there"), "carries lyrics", "section 1"),
    "levo lyric section without text": (lambda t: levo(t, gt_lyric="[verse] ; [chorus] la la"), "no lyrics", "section 1"),
    "levo empty gt_lyric": (lambda t: levo(t, gt_lyric="  "), "is empty", "field 'gt_lyric'"),
    "levo invalid JSON line": (lambda t: raw(t, "s.jsonl", '{"idx": "x", "gt_lyric": \n'), "invalid JSON", "line 1"),
    "levo missing idx": (lambda t: levo(t, idx=None), "missing", "field 'idx'"),
    "levo prompt audio not found": (lambda t: levo(t, prompt_audio_path="missing.wav"), "not found", "prompt_audio_path"),
    "levo prompt audio unreadable": (lambda t: (raw(t, "junk.wav", b"not audio at all"),
                                                levo(t, prompt_audio_path="junk.wav"))[1], "cannot read audio", "junk.wav"),
    "lrc malformed timestamp": (lambda t: raw(t, "s.lrc", "[00:01.00]hello\n[1:2x]world\n"), "expected [mm:ss.xx]", "line 2"),
    "lrc no timed lines": (lambda t: raw(t, "s.lrc", "[ti:x]\n[ar:y]\n"), "no timed lyric lines", "field 'lyrics'"),
    "lrc line too fast": (lambda t: raw(t, "s.lrc", "[00:01.00]remembering everything immediately\n[00:01.40]next\n"),
                          "faster than anyone", "line 1"),
    "acestep duration not a number": (lambda t: native(t, {"prompt": "pop", "lyrics": "[verse]\nhi there",
                                                           "audio_duration": "thirty"}, "a.json"), "expected a number", "audio_duration"),
    "acestep lyrics longer than duration": (lambda t: native(t, {"prompt": "pop, 120 bpm", "lyrics": "[verse]\n" + "\n".join(
        ["every little promise turning into light"] * 8), "audio_duration": 10}, "a.json"), "need at least", "field 'duration'"),
    "acestep empty lyrics": (lambda t: native(t, {"prompt": "pop", "lyrics": "", "audio_duration": 10}, "a.json"),
                             "is empty", "field 'lyrics'"),
    "native partially timed words": (lambda t: native(t, song(sections=[{"tag": "verse", "lines": [
        {"words": [{"word": "hi", "start": 1, "end": 1.5}, {"word": "there"}]}]}])), "other words do", "word 2"),
    "native bad chord symbol": (lambda t: native(t, song(controls={"chords": [{"symbol": "H7", "start": 0, "end": 2}]})),
                                "cannot read chord", "chord 1"),
    "native bad key": (lambda t: native(t, song(controls={"key": "Q major"})), "cannot read key", "field 'key'"),
    "native bpm out of range": (lambda t: native(t, song(controls={"bpm": 500})), "outside 30..300", "field 'bpm'"),
    "native negative duration": (lambda t: native(t, song(duration=-3)), "outside", "field 'duration'"),
    "native unknown field": (lambda t: native(t, dict(song(), lyrics="x")), "unknown field", "field 'lyrics'"),
    "native melody pitch out of range": (lambda t: native(t, song(controls={"melody": [{"pitch": 200, "start": 0, "end": 1}]})),
                                         "outside 0..127", "note 1"),
    "native YAML syntax error": (lambda t: raw(t, "s.yaml", "id: x\nsections: [\n  - tag: verse\n   lines: ]\n"), "invalid YAML", "s.yaml"),
    "native file not UTF-8": (lambda t: raw(t, "s.json", b'{"id": "\xff\xfe"}'), "not UTF-8", "s.json"),
    "native unknown section tag": (lambda t: native(t, song(sections=[{"tag": "verze", "lines": ["hi"]}])), "unknown section tag", "section 1"),
    "native unsupported language": (lambda t: native(t, song(sections=[{"tag": "verse", "lines": [
        {"text": "privet", "language": "ru"}]}])), "unsupported language", "field 'language'"),
    "native empty lyrics": (lambda t: native(t, song(sections=[{"tag": "intro-short"}])), "empty lyrics", "field 'lyrics'"),
    "duplicate id in one file": (lambda t: native(t, [song(), song()]), "duplicate id", "n1"),
}


def test_there_are_at_least_25_kinds():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", list(CASES))
def test_broken_input_gives_one_line(name, tmp_path, capsys):
    make, needle, place = CASES[name]
    path = make(tmp_path)
    songs, errors = load(str(path))
    assert len(errors) == 1, [str(e) for e in errors]
    msg = str(errors[0])
    assert needle in msg and place in msg, msg
    assert str(path.name) in msg or place in msg
    rc = main(["check", str(path)])
    err_lines = [ln for ln in capsys.readouterr().err.splitlines() if ln and " ok" not in ln]
    assert rc != 0
    assert err_lines == [msg]


def test_batch_keeps_good_items(tmp_path, capsys):
    lines = [LEVO_GOOD, dict(LEVO_GOOD, idx="../x"), "{broken json", dict(LEVO_GOOD, idx="ok2"),
             dict(LEVO_GOOD, idx="bad2", gt_lyric="[solo] la")]
    p = tmp_path / "batch.jsonl"
    p.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln)) + "\n" for ln in lines))
    songs, errors = load(str(p))
    assert [s.spec.id for s in songs] == ["ok", "ok2"]
    assert len(errors) == 3
    assert {e.where.item.split()[1] for e in errors} == {"2", "3", "5"}  # "line N" of the jsonl
    rc = main(["convert", str(p), "--to", "songforge", "-o", str(tmp_path / "out.json")])
    assert rc == 1
    out = json.loads((tmp_path / "out.json").read_text())
    assert [d["id"] for d in out] == ["ok", "ok2"]
