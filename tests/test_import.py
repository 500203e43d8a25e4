"""`songforge data import`: the CTC forced aligner on posteriors whose answer is known, lyric sidecars, and a folder
of data-engine clips treated as recordings (labels against the exact ones; bad songs reported, the batch goes on;
re-running resumes)."""
import json
import os

import numpy as np
import pytest

from songforge.label.align import ctc_viterbi

BLANK = 1


def _posteriors(frames: int, vocab: int, where: dict[int, int], sure: float = 0.9) -> np.ndarray:
    """log-probabilities: symbol where[t] likely at frame t, blank elsewhere."""
    p = np.full((frames, vocab), (1 - sure) / (vocab - 1))
    for t in range(frames):
        p[t, where.get(t, BLANK)] = sure
    return np.log(p / p.sum(1, keepdims=True))


def test_viterbi_finds_the_frames_each_token_is_heard():
    logp = _posteriors(30, 8, {3: 4, 4: 4, 10: 5, 20: 6})
    path = ctc_viterbi(logp, [4, 5, 6], BLANK)
    assert path.first.tolist() == [3, 10, 20] and path.last.tolist() == [4, 10, 20]
    assert path.cost_per_token < 0.5 and np.all(path.margin > -0.1)


def test_viterbi_repeated_token_needs_a_blank_between():
    logp = _posteriors(12, 8, {2: 4, 3: 4, 8: 4})
    path = ctc_viterbi(logp, [4, 4], BLANK)
    assert path.first[1] > path.last[0] + 1  # a blank frame separates the two


def test_viterbi_windows_hold_tokens_and_wrong_lyrics_cost_more():
    logp = _posteriors(40, 8, {5: 4, 25: 5})
    held = ctc_viterbi(logp, [4, 5], BLANK, lo=np.array([0, 30]), hi=np.array([39, 39]))
    assert held.first[1] >= 30
    right = ctc_viterbi(logp, [4, 5], BLANK).cost_per_token
    wrong = ctc_viterbi(logp, [6, 7], BLANK).cost_per_token
    assert wrong > right + 1.0
    with pytest.raises(ValueError):
        ctc_viterbi(logp[:3], [4, 5, 6, 7], BLANK)  # more tokens than frames can hold


def test_lyric_sidecars_read_as_text_lines_and_words(tmp_path):
    from songforge.label.lyrics import read_lyrics, sidecar
    (tmp_path / "a.flac").write_bytes(b"")
    (tmp_path / "a.txt").write_text("[verse]\nhold the light\n[chorus]\n我们 一起 唱\n", encoding="utf-8")
    (tmp_path / "b.lrc").write_text("[00:01.00]hold the light\n[00:04.50]and sing\n", encoding="utf-8")
    assert sidecar(str(tmp_path / "a.flac")) == str(tmp_path / "a.txt")
    a = read_lyrics(str(tmp_path / "a.txt"))
    assert a.format == "text" and [w.text for w in a.words][:3] == ["hold", "the", "light"]
    assert a.languages == ["en", "zh"] and [s[0] for s in a.sections] == ["verse", "chorus"]
    assert all(w.syllables for w in a.words)
    b = read_lyrics(str(tmp_path / "b.lrc"))
    assert b.format == "lines" and b.lines[1][1] == 4.5


@pytest.fixture(scope="module")
def imported(tiny_corpus, tmp_path_factory):
    """Four clips of the tiny corpus as recordings (three with their own lyrics as text, LRC and JAM word times
    0.4 s late, one with another clip's lyrics), one recording without lyrics and one file that is not audio;
    imported twice."""
    from songforge.label.corpus import import_folder
    with open(os.path.join(tiny_corpus, "manifest.jsonl")) as f:
        rows = [json.loads(line) for line in f][:4]
    src = tmp_path_factory.mktemp("src")
    labs = {}
    for r in rows:
        with open(os.path.join(tiny_corpus, r["labels"])) as f:
            labs[r["id"]] = json.load(f)
        os.symlink(os.path.join(tiny_corpus, r["audio"]["mix"]), src / f"{r['id']}.flac")
    a, b, c, d = (r["id"] for r in rows)
    (src / f"{a}.txt").write_text("\n".join(ln["text"] for ln in labs[a]["lines"]) + "\n", encoding="utf-8")
    (src / f"{b}.lrc").write_text("".join(f"[00:{ln['start']:05.2f}]{ln['text']}\n" for ln in labs[b]["lines"]),
                                  encoding="utf-8")
    (src / f"{c}.txt").write_text("\n".join(ln["text"] for ln in labs[a]["lines"]) + "\n", encoding="utf-8")
    (src / f"{d}.json").write_text(json.dumps([{"word": w["text"], "start": w["start"] + 0.4, "end": w["end"] + 0.4}
                                               for w in labs[d]["words"]]), encoding="utf-8")
    os.symlink(os.path.join(tiny_corpus, rows[0]["audio"]["mix"]), src / "no_lyrics.flac")
    (src / "broken.wav").write_bytes(b"not audio at all")
    (src / "broken.txt").write_text("la la la\n")
    out = str(tmp_path_factory.mktemp("imported"))
    first = import_folder(str(src), out, progress=False)
    again = import_folder(str(src), out, progress=False)
    return out, first, again, labs, (a, b, c, d)


def test_import_labels_a_folder_and_reports_what_it_could_not(imported):
    out, first, again, labs, (a, b, c, d) = imported
    assert first["recordings"] == 6 and first["imported"] == 3
    why = dict(first["failed"])
    assert "do not match" in why[c]
    assert "no lyrics beside it" in why["no_lyrics"]
    assert "ffmpeg cannot read it" in why["broken"]
    assert again["imported_now"] == 0 and again["imported"] == 3  # resumed: nothing redone
    with open(os.path.join(out, "manifest.jsonl")) as f:
        manifest = [json.loads(line) for line in f]
    assert [m["id"] for m in manifest] == [a, b, d]
    for m in manifest:
        for path in m["audio"].values():
            assert os.path.getsize(os.path.join(out, path)) > 0
    with open(os.path.join(out, "report.jsonl")) as f:
        report = {r["id"]: r for r in map(json.loads, f)}
    assert len(report) == 6
    late = report[d]["given_word_times"]  # the JAM times were checked, not trusted
    assert late["words_off_by_more_than_150ms"] == late["words"] and 300 < late["median_off_ms"] < 500


def test_imported_labels_match_the_exact_ones(imported):
    out, _, _, labs, (a, b, _, d) = imported
    for sid, fmt in ((a, "text"), (b, "lines"), (d, "words")):
        with open(os.path.join(out, "clips", sid, "labels.json")) as f:
            got = json.load(f)
        true = labs[sid]
        assert got["lyrics_format"] == fmt and got["imported"] is True
        assert [w["text"] for w in got["words"]] == [w["text"] for w in true["words"]]
        err = np.abs(np.array([w["start"] for w in got["words"]]) - np.array([w["start"] for w in true["words"]]))
        assert (err <= 0.15).mean() >= 0.8, err
        assert all(0 <= w["confidence"] <= 1 for w in got["words"])
        for group in ("syllables", "phonemes", "notes", "chords", "beats", "downbeats", "f0", "key", "bpm"):
            assert got[group], group
        assert {k for k in true if k not in ("drums", "bass", "other", "voice", "programs", "style_resolution",
                                             "seed")} <= set(got)


def test_an_imported_corpus_reads_like_a_rendered_one_for_training(imported):
    """Four stems that sum to the mix, and a plan whose conditions have the rendered layout."""
    import soundfile as sf

    from songforge.cond.plan_grid import PLAN_DIM
    from songforge.cond.song import song_conditions
    from songforge.train.data import STEMS, clip_plan, read_manifest
    out = imported[0]
    row = read_manifest(out, ("train", "valid", "test"))[0]
    audio = {s: sf.read(os.path.join(out, row["audio"][s]), dtype="float32")[0] for s in STEMS + ("mix",)}
    assert np.abs(sum(audio[s] for s in STEMS) - audio["mix"]).max() < 1e-3
    plan = clip_plan(out, row)
    frames = int(plan.duration * 25) + 1
    cond = song_conditions(plan, frames)
    assert cond["plan"].shape == (frames, PLAN_DIM) and cond["plan"][:, 37].sum() > 0  # sung notes
    assert (cond["phonemes"] > 3).sum() > 0 and cond["frame_mask"].sum() >= frames - 1
