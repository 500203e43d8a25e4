"""Files in the exact shapes the peer systems publish (jamify inputs/, SongGeneration sample/, DiffRhythm
infer/example/, ACE-Step examples/*/input_params/, YuE prompt_egs/), with lyrics written for songforge.
Read leniently (notes, not errors), with repository-root paths, aligned word times kept, instrumentals sung silent."""
import json
import os
import shutil

import numpy as np
import pytest
import soundfile

from songforge.cli import main, songs_line
from songforge.errors import SpecError, Where
from songforge.songs import load

PEER = os.path.join(os.path.dirname(__file__), "fixtures", "peer")
ACE = "acestep/examples/default/input_params"


def _tone(path, seconds=2.0):
    t = np.arange(int(24000 * seconds)) / 24000
    soundfile.write(str(path), (0.1 * np.sin(2 * np.pi * 220 * t)).astype("float32"), 24000)


@pytest.fixture
def peer(tmp_path):
    """A copy of the fixtures with the audio the manifests name (made here: no one's recordings are committed)."""
    root = tmp_path / "peer"
    shutil.copytree(PEER, root)
    for name in ("Paper Boats", "City Rain"):
        _tone(root / "jamify" / "inputs" / f"{name}.mp3")
    _tone(root / "songgeneration" / "sample" / "prompt_lake.wav")
    return root


def _load_ok(path):
    songs, errors = load(str(path))
    assert not errors, [str(e) for e in errors]
    return {s.spec.id: s for s in songs}


def _words_in_file(path):
    doc = json.loads(open(path).read())
    return doc["word"] if isinstance(doc, dict) else doc


def test_jamify_repository_root_paths_from_any_working_directory(peer, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # jamify runs from its root; we run from anywhere above or beside the manifest
    songs = _load_ok(peer / "jamify" / "inputs" / "input.json")
    assert set(songs) == {"Paper Boats", "City Rain"}
    pb = songs["Paper Boats"]
    assert pb.spec.style.reference_audio == str(peer / "jamify" / "inputs" / "Paper Boats.mp3")
    assert pb.spec.style.tags[:2] == ("folk", "acoustic") and pb.spec.duration == 24.0
    given = _words_in_file(peer / "jamify" / "inputs" / "Paper Boats.json")
    got = pb.timing.words
    assert [w.text for w in got][-3:] == ["We're", "drifting", "home"]  # typographic apostrophe made plain
    assert len(got) == len(given)
    assert max(abs(a.start - b["start"]) + abs(a.end - b["end"]) for a, b in zip(got, given)) < 1e-3


def test_missing_path_names_every_place_it_looked(peer, tmp_path, monkeypatch):
    os.remove(peer / "jamify" / "inputs" / "City Rain.mp3")
    monkeypatch.chdir(tmp_path)
    songs, errors = load(str(peer / "jamify" / "inputs" / "input.json"))
    assert [s.spec.id for s in songs] == ["Paper Boats"] and len(errors) == 1
    msg = str(errors[0])
    assert "\n" not in msg and "id 'City Rain'" in msg and "field 'audio_path'" in msg
    for place in (peer / "jamify" / "inputs", tmp_path, peer / "jamify", peer):
        assert str(place) in msg, msg


def test_aligned_80ms_words_render_at_their_given_times(peer, tmp_path):
    """One-step (80 ms) words are sung inside their span; labels.json keeps every file time within 1 ms."""
    out = tmp_path / "out"
    assert main(["render", str(peer / "jamify" / "inputs" / "input.json"), "-o", str(out), "--workers", "1"]) == 0
    for sid, name in (("City Rain", "City Rain.json"), ("Paper Boats", "Paper Boats.json")):
        given = _words_in_file(peer / "jamify" / "inputs" / name)
        labels = json.loads((out / sid / "labels.json").read_text())
        spans = [(w["start"], w["end"]) for w in labels["words"]]
        assert len(spans) == len(given)  # "coat—": the dash is punctuation, the word keeps its span
        assert max(abs(a - g["start"]) + abs(b - g["end"]) for (a, b), g in zip(spans, given)) <= 1e-3
        assert min(g["end"] - g["start"] for g in given) < 0.081  # the file does hold one-step words


def test_songgeneration_samples(peer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    songs = _load_ok(peer / "songgeneration" / "sample" / "lyrics.jsonl")
    lake = songs["lake_01"]
    assert lake.spec.controls.bpm == 125 and lake.timing.bpm == 125  # "..., the bpm is 125." keeps its tempo
    assert lake.spec.style.tags == ("female", "bright", "pop", "hopeful", "piano and drums")
    assert lake.spec.style.reference_audio == str(peer / "songgeneration" / "sample" / "prompt_lake.wav")
    stray = songs["stray_sep"]
    assert stray.spec.style.tags[-1] == "drum kit"  # the closing period is not part of the tag
    assert [s.kind for s in stray.spec.sections] == ["intro", "verse", "chorus", "outro"]
    assert len(stray.spec.sections[1].lines) == 3  # a stray ';' inside a section separates sentences
    bgm = songs["bgm_only"]
    assert bgm.spec.instrumental and not bgm.timing.words and bgm.timing.duration > 10


def test_diffrhythm_examples(peer):
    songs = _load_ok(peer / "diffrhythm" / "infer" / "example" / "eg_en.lrc")
    assert [round(ln.start, 2) for ln in songs["eg_en"].timing.lines][:3] == [4.2, 7.85, 11.4]
    mixed = _load_ok(peer / "diffrhythm" / "infer" / "example" / "eg_mixed.lrc")["lantern"]
    assert {w.language for w in mixed.timing.words} == {"en", "zh"}


def test_acestep_files_as_acestep_writes_them(peer):
    songs = {}
    for f in sorted(os.listdir(peer / ACE)):
        songs.update(_load_ok(peer / ACE / f))
    assert len(songs) == 4
    first = songs["output_20260101000000_0_input_params"]
    sp = first.spec
    assert dict(sp.metadata)["task"] == '"text2music"' and "timecosts" in dict(sp.metadata)
    assert sp.generation.seed == 1198023141 and sp.generation.steps == 60
    assert [s.kind for s in sp.sections] == ["intro", "verse", "prechorus", "chorus", "verse", "outro"]
    texts = [w.text for w in sp.words]
    assert "We're" in texts and "go" in texts and "one" in texts  # ’ made plain; "go—one" split at the dash
    assert any("sung" in str(n) for n in first.warnings)  # lyrics under [Intro]/[Outro] are sung, with a note
    md = songs["output_20260101000100_0_input_params"].spec
    assert [s.kind for s in md.sections] == ["intro", "verse", "chorus", "outro"]  # ### **[Intro – Spoken]**
    assert md.words[0].text.startswith('"The')
    paren = songs["output_20260101000200_0_input_params"]
    assert [s.kind for s in paren.spec.sections] == ["intro", "verse", "chorus", "chorus"]
    assert any("annotation" in str(n) for n in paren.warnings)  # [chorus]（重复）
    inst = songs["output_20260101000300_0_input_params"]
    assert inst.spec.instrumental and inst.spec.controls.bpm == 70 and inst.timing.duration == 30.0


def test_unknown_keys_of_other_systems_are_one_note(peer, tmp_path, capsys):
    src = peer / ACE / "output_20260101000000_0_input_params.json"
    doc = json.loads(src.read_text())
    doc.update(my_plugin_strength=0.7, my_plugin_mode="warm")
    p = tmp_path / "x.json"
    p.write_text(json.dumps(doc, ensure_ascii=False))
    assert main(["check", str(p)]) == 0
    notes = [ln for ln in capsys.readouterr().out.splitlines() if "note:" in ln and "metadata" in ln]
    assert len(notes) == 1 and "my_plugin_strength, my_plugin_mode" in notes[0]
    out = tmp_path / "back.json"  # kept through a conversion back to ACE-Step
    assert main(["convert", str(p), "--to", "acestep", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["my_plugin_mode"] == "warm"


def test_native_format_stays_strict(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"id": "x", "sections": [{"tag": "verse", "lines": ["hello there"]}], "timecosts": {}}))
    _, errors = load(str(p))
    assert len(errors) == 1 and "unknown field" in str(errors[0]) and "timecosts" in str(errors[0])
    p.write_text(json.dumps({"id": "x", "instrumental": True, "sections": [{"tag": "verse", "lines": ["hi"]}]}))
    _, errors = load(str(p))
    assert len(errors) == 1 and "instrumental has no lyrics" in str(errors[0])


def test_yue_prompt_folder_and_files(peer, tmp_path):
    folder = peer / "yue" / "prompt_egs"
    by_folder = _load_ok(folder)["prompt_egs"]
    by_file = _load_ok(folder / "lyrics.txt")["prompt_egs"]
    by_genre = _load_ok(folder / "genre.txt")["prompt_egs"]
    assert by_folder.spec == by_file.spec == by_genre.spec
    sp = by_folder.spec
    assert [s.kind for s in sp.sections] == ["verse", "chorus", "bridge", "outro"]
    assert sp.style.tags[:3] == ("hopeful", "female", "uplifting") and len(sp.lines) == 10
    out = tmp_path / "yue_out"
    assert main(["convert", str(folder), "--to", "yue", "-o", str(out)]) == 0
    back = _load_ok(out)["prompt_egs"]  # a folder of song folders is a batch
    assert [w.text for w in back.spec.words] == [w.text for w in sp.words]
    assert main(["convert", str(peer / "songgeneration" / "sample" / "lyrics.jsonl"), "--to", "yue", "-o",
                 str(tmp_path / "many")]) == 0
    assert set(_load_ok(tmp_path / "many")) == {"lake_01", "lake_01_autoprompt", "stray_sep", "bgm_only"}


@pytest.mark.parametrize("tag,kind", [("[Hook]", "chorus"), ("[Pre-Chorus]", "prechorus"), ("[refrain]", "chorus"),
                                      ("[Interlude]", "inst"), ("[Break]", "inst"), ("[Verse 2]", "verse"),
                                      ("[verse3]", "verse"), ("[Bridge 2]", "bridge"), ("[Hook/Chorus – Reprise]", "chorus"),
                                      ("### **[Outro – Spoken]**", "outro"), ("(Chorus)", "chorus")])
def test_tag_aliases(tag, kind, tmp_path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"prompt": "pop", "lyrics": f"[verse]\nhello there my friend\n\n{tag}\nsing it again tonight"}))
    songs = _load_ok(p)
    assert [s.kind for s in songs["a"].spec.sections] == ["verse", kind]


def test_truly_unknown_tag_lists_the_known_ones(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"prompt": "pop", "lyrics": "[guitar solo]\nhello there"}))
    _, errors = load(str(p))
    assert len(errors) == 1 and "unknown section tag [guitar solo]" in str(errors[0]) and "verse" in str(errors[0])


def _jam_words(tmp_path, words, name="m.json"):
    (tmp_path / "l.json").write_text(json.dumps([{"word": w, "start": a, "end": b} for w, a, b in words]))
    (tmp_path / name).write_text(json.dumps([{"id": "s", "lrc_path": "l.json", "duration": 30.0}]))
    return load(str(tmp_path / name))


def test_singability_is_judged_per_phrase(tmp_path):
    step = [("I", 1.0, 1.08), ("can", 1.08, 1.16), ("see", 1.16, 1.5), ("you", 1.5, 1.9), ("now", 1.9, 2.5)]
    songs, errors = _jam_words(tmp_path, step)  # one-step words at 12.5/s each, a phrase at ~4/s
    assert not errors and songs
    fast = [(w, 5.0 + 0.08 * k, 5.08 + 0.08 * k) for k, w in enumerate(["many", "little", "city", "melody", "every"])]
    _, errors = _jam_words(tmp_path, fast)  # 11 syllables in 0.4 s sustained: nobody sings that
    assert len(errors) == 1
    msg = str(errors[0])
    assert "over a phrase" in msg and "word 1" in msg
    rate = msg.split(" is ")[1].split("/s")[0]
    assert "." in rate and float(rate) > 12  # shown with one decimal, never contradicting the limit


def test_closing_line_counts_songs():
    errs = [SpecError(Where("f", "line 1"), "x", "a"), SpecError(Where("f", "line 1"), "y", "b"),
            SpecError(Where("f", "line 4"), "x", "c")]
    assert songs_line(3, errs) == "3 songs ok, 2 songs with 3 problems"
    assert songs_line(1, []) == "1 song ok"


def _dbfs(path):
    x, _ = soundfile.read(str(path))
    return 20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12)


@pytest.mark.parametrize("command", ["render", "generate"])
def test_instrumental_renders_and_generates_with_silent_vocals(command, peer, tmp_path):
    out = tmp_path / command
    src = peer / ACE / "output_20260101000300_0_input_params.json"
    doc = json.loads(src.read_text())
    doc["audio_duration"] = 8.0
    p = tmp_path / "inst.json"
    p.write_text(json.dumps(doc))
    assert main([command, str(p), "-o", str(out)]) == 0
    song = out / "inst"
    assert _dbfs(song / "vocals.flac") <= -60
    labels = json.loads((song / "labels.json").read_text())
    assert labels["style"] == "ambient" and labels["drums"] == []  # an ambient band plays no drums (planner 3)
    assert all(_dbfs(song / f"{s}.flac") > -45 for s in ("bass", "other")) and _dbfs(song / "drums.flac") <= -60
    assert labels["words"] == []
