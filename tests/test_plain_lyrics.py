"""Plain lyrics in, song out: text files with or without [section] tags and header lines, standard input, REST
with no format, and the run's --style/--duration/--bpm/--key/--language/--id (the file wins, with a note)."""
import io
import json
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from songforge.cli import main
from songforge.errors import SpecError
from songforge.songs import Overrides, load
from songforge.spec.formats import detect, sniff

TAGGED = "[verse]\nthe harbor lights are low tonight\nI count the boats\n\n[chorus]\nhold on hold on\n"
UNTAGGED = "hello there my friend\nwe sing along tonight\n"
HEADER = "style: sad piano ballad, female vocals\nbpm: 72\nkey: A minor\nduration: 0:24\n\n" + TAGGED


def _file(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _labels(out, sid):
    with open(os.path.join(out, sid, "labels.json"), encoding="utf-8") as f:
        return json.load(f)


def test_reads_tagged_untagged_and_headed_text(tmp_path):
    songs, errors = load([_file(tmp_path, "tagged.txt", TAGGED), _file(tmp_path, "untagged.lyrics", UNTAGGED),
                          _file(tmp_path, "head.txt", HEADER)])
    assert not errors, errors
    tagged, untagged, head = songs
    assert tagged.spec.id == "tagged" and [s.kind for s in tagged.spec.sections] == ["verse", "chorus"]
    assert [s.kind for s in untagged.spec.sections] == ["verse"] and len(untagged.spec.sections[0].lines) == 2
    assert head.spec.style.tags == ("sad piano ballad", "female vocals")
    assert (head.spec.controls.bpm, head.spec.controls.key, head.spec.duration) == (72, "A minor", 24.0)
    assert head.timing.duration == pytest.approx(24.0)


def test_header_errors_name_the_line_and_a_colon_in_a_lyric_is_sung(tmp_path):
    songs, errors = load(_file(tmp_path, "bad.txt", "bpm: fast\n\nla la la\n"))
    assert not songs and len(errors) == 1
    assert "bad.txt: id 'bad': line 1: field 'bpm': expected a tempo" in str(errors[0])
    songs, errors = load(_file(tmp_path, "colon.txt", "note to self: sing it loud\nla la\n"))
    assert not errors and songs[0].spec.sections[0].lines[0].text.startswith("note to self")


def test_detection_never_says_invalid_yaml_for_lyrics(tmp_path):
    assert sniff(TAGGED) == "text" and sniff(HEADER) == "text" and sniff(UNTAGGED) == "text"
    assert sniff("id: x\nsections: []\n") == "songforge" and sniff("[00:01.00]la\n") == "lrc"
    assert sniff('{"idx": "a", "gt_lyric": "[verse] la"}') == "levo_json"
    md = _file(tmp_path, "song.md", TAGGED)  # a name that says nothing: the content decides
    assert detect(md) == "text"
    songs, errors = load(md)
    assert songs and not errors
    (tmp_path / "blob.bin").write_bytes(b"\xff\xfe\x00garbage")
    _, errors = load(str(tmp_path / "blob.bin"))
    assert "not UTF-8 text (so not JSON, YAML, LRC or plain lyrics)" in str(errors[0])


def test_yue_lyrics_alone_reads_with_a_note(tmp_path):
    d = tmp_path / "my_song"
    d.mkdir()
    (d / "lyrics.txt").write_text(TAGGED)
    songs, errors = load(str(d), overrides=Overrides(style="lo-fi hip hop"))  # a YuE song folder: its name
    assert not errors and songs[0].spec.id == "my_song" and songs[0].spec.style.text == "lo-fi hip hop"
    assert any("no genre.txt beside lyrics.txt" in str(w) for w in songs[0].warnings)
    songs, errors = load(str(d / "lyrics.txt"))  # the file alone is plain lyrics, named as the README says
    assert not errors and songs[0].spec.id == "lyrics"


def test_flags_fill_what_the_file_leaves_out_and_lose_to_what_it_states(tmp_path):
    ov = Overrides(style="funk", duration=30.0, bpm=100.0, key="E minor", language="en", id="mine")
    (plain,), _ = load(_file(tmp_path, "plain.txt", TAGGED), overrides=ov)
    assert plain.spec.id == "mine" and plain.spec.style.text == "funk" and plain.spec.duration == 30.0
    assert (plain.spec.controls.bpm, plain.spec.controls.key) == (100.0, "E minor")
    assert {ln.language for sec in plain.spec.sections for ln in sec.lines} == {"en"}
    (head,), _ = load(_file(tmp_path, "head.txt", HEADER), overrides=ov)
    assert head.spec.controls.bpm == 72 and head.spec.duration == 24.0 and head.spec.style.tags[0] == "sad piano ballad"
    said = " ".join(str(w) for w in head.warnings)
    for flag in ("--style 'funk' not used", "--duration 30 not used", "--bpm 100 not used", "--key E minor not used"):
        assert flag in said, said


def test_check_render_and_generate_plain_text_and_stdin(tmp_path, tiny_model, monkeypatch, capsys):
    paths = [_file(tmp_path, "tagged.txt", TAGGED), _file(tmp_path, "untagged.txt", UNTAGGED),
             _file(tmp_path, "head.txt", HEADER)]
    assert main(["check", *paths]) == 0
    out = str(tmp_path / "r")
    assert main(["render", *paths, "-o", out, "--style", "funk", "--bpm", "110", "--duration", "20",
                 "--no-picture", "--workers", "1"]) == 0
    assert _labels(out, "tagged")["bpm"] == pytest.approx(110, abs=0.5) and _labels(out, "tagged")["duration"] == 20
    assert _labels(out, "tagged")["style_resolution"]["style"] == "funk"
    assert _labels(out, "head")["bpm"] == pytest.approx(72, abs=0.5)  # the file wins
    assert _labels(out, "head")["style_resolution"]["style"] == "ballad"
    gen = str(tmp_path / "g")
    assert main(["generate", *paths, "-o", gen, "--model", tiny_model, "--steps", "2", "--style", "funk",
                 "--duration", "12", "--no-picture"]) == 0
    assert _labels(gen, "untagged")["duration"] == 12 and _labels(gen, "head")["duration"] == 24
    monkeypatch.setattr(sys, "stdin", io.StringIO(TAGGED))
    capsys.readouterr()
    assert main(["generate", "-", "-o", gen, "--model", tiny_model, "--steps", "2", "--id", "piped",
                 "--duration", "10", "--no-picture"]) == 0
    assert _labels(gen, "piped")["duration"] == 10
    monkeypatch.setattr(sys, "stdin", io.StringIO("bpm: slow\nla la\n"))
    assert main(["check", "-"]) == 1
    err = capsys.readouterr().err
    assert "<stdin>: id 'stdin': line 1: field 'bpm'" in err and "songforge-stdin" not in err


def test_convert_writes_plain_lyrics(tmp_path):
    from conftest import EXAMPLES
    out = tmp_path / "harbor.txt"
    assert main(["convert", os.path.join(EXAMPLES, "harbor_acestep.json"), "--to", "text", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("title: harbor") and "[verse]" in text and "style: " in text
    a, _ = load(os.path.join(EXAMPLES, "harbor_acestep.json"))
    b, errors = load(str(out))
    assert not errors and [ln.text for s in a[0].spec.sections for ln in s.lines] == \
        [ln.text for s in b[0].spec.sections for ln in s.lines]
    assert main(["convert", os.path.join(EXAMPLES, "two_songs_levo.jsonl"), "--to", "text",
                 "-o", str(tmp_path / "both")]) == 0
    assert sorted(os.listdir(tmp_path / "both")) == ["chuntian.txt", "harbor.txt"]


def test_rest_takes_plain_text_with_no_format(tmp_path, tiny_model):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from songforge.serve.app import create_app
    from songforge.serve.config import ServerConfig
    from songforge.serve.ui import PLACEHOLDER
    cfg = ServerConfig(str(tmp_path / "d"), tiny_model, max_duration=60)
    with TestClient(create_app(cfg, ui=False)) as client:
        r = client.post("/v1/check", json={"text": HEADER}).json()
        assert r["ok"] and r["songs"][0]["bpm"] == 72, r
        r = client.post("/v1/check", json={"text": "[verse]\nhello there my friend\n"}).json()
        assert r["ok"] and "YAML" not in json.dumps(r)
        r = client.post("/v1/jobs", json={"text": PLACEHOLDER, "settings": {"steps": 2}})
        assert r.status_code == 202, r.text
        import time
        jid, t0 = r.json()["id"], time.time()
        while (job := client.get(f"/v1/jobs/{jid}").json())["status"] not in ("done", "failed") and time.time() - t0 < 200:
            time.sleep(0.3)
        assert job["status"] == "done", job


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200),
                 st.text(alphabet=st.sampled_from(list("[]():：styleb pmkeydurationgu\n0123456789.-春风la")), max_size=120)))
def test_fuzzed_plain_text_gives_one_line_errors(data):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "song.txt")
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        songs, errors = load(p)
        assert all(isinstance(e, SpecError) and "\n" not in str(e) for e in errors)
        assert songs or errors
