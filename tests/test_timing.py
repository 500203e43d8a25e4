"""Timing: planned lines sit on bar lines, no syllable shorter than a 16th, the song fits its duration;
given word times are kept; LRC line starts become word times inside each line; fillers cover spans."""
import os

import pytest

from songforge.plan.fill import fill
from songforge.plan.timing import time_song
from songforge.songs import load

from conftest import EXAMPLES

EPS = 1e-6


def planned_songs():
    out = []
    for f in ("two_songs_levo.jsonl", "harbor_acestep.json"):
        songs, errors = load(os.path.join(EXAMPLES, f))
        assert not errors
        out += songs
    return out


@pytest.mark.parametrize("song", planned_songs(), ids=lambda s: s.spec.id)
def test_planned_timing_is_musical(song):
    t = song.timing
    assert t.origin == "planned"
    assert len(t.words) == len(song.spec.words) and all(w.end > w.start for w in t.words)
    bar, sixteenth = t.bar_s, 15.0 / t.bpm
    for ln in t.lines:  # every line starts on a bar line
        k = (ln.start - t.grid_start) / bar
        assert abs(k - round(k)) < EPS, (ln.label, ln.start, bar)
    for s in t.syllables:  # nothing shorter than a 16th note, and on the 16th grid
        assert s.end - s.start >= sixteenth - EPS
        assert abs(s.start / sixteenth - round(s.start / sixteenth)) < 1e-4
    prev = 0.0
    for w in t.words:  # in order, no overlaps
        assert w.start >= prev - EPS
        prev = w.end
    for a, b in zip(t.lines, t.lines[1:]):  # a breath between lines
        assert b.start - a.end >= sixteenth - EPS
    if song.spec.duration is not None:
        assert t.words[-1].end <= song.spec.duration + EPS
        assert t.sections[-1].end <= song.spec.duration + EPS
        assert t.duration == song.spec.duration
    for sec in t.sections:
        assert abs((sec.end - sec.start) / bar - round((sec.end - sec.start) / bar)) < EPS


def test_phrase_end_held_longer():
    song = planned_songs()[0]
    t = song.timing
    for i, ln in enumerate(t.lines):
        syl = [s for s in t.syllables if t.words[s.word].line == i]
        assert syl[-1].end - syl[-1].start >= max(s.end - s.start for s in syl[:-1]) - EPS


def test_given_times_are_kept():
    songs, _ = load(os.path.join(EXAMPLES, "moonlit_jam_manifest.json"))
    s = songs[0]
    assert s.timing.origin == "given"
    assert [(w.start, w.end) for w in s.timing.words] == [(w.start, w.end) for w in s.spec.words]
    for tw in s.timing.words:  # syllables and phonemes tile each word exactly
        k = s.timing.words.index(tw)
        syl = [x for x in s.timing.syllables if x.word == k]
        assert abs(syl[0].start - tw.start) < EPS and abs(syl[-1].end - tw.end) < EPS
        for a, b in zip(syl, syl[1:]):
            assert abs(a.end - b.start) < EPS


def test_lrc_line_starts_become_word_times():
    songs, _ = load(os.path.join(EXAMPLES, "harbor.lrc"))
    t = songs[0].timing
    starts = [ln.start for ln in songs[0].spec.lines]
    assert [ln.start for ln in t.lines] == starts
    for i, ln in enumerate(t.lines):
        nxt = starts[i + 1] if i + 1 < len(starts) else t.duration
        assert ln.end <= nxt + EPS
        words = [w for w in t.words if w.line == i]
        assert words[0].start == starts[i] and all(a.end <= b.start + EPS for a, b in zip(words, words[1:]))


def test_tempo_given_is_kept_and_too_long_lyrics_fail(tmp_path):
    import json
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"prompt": "ballad, 70 bpm", "lyrics": "[verse]\nhello there my friend", "audio_duration": 30}))
    songs, errors = load(str(p))
    assert not errors and songs[0].timing.bpm == 70


@pytest.mark.parametrize("filler", ["average", "vowel"])
def test_fillers_tile_the_span(filler):
    phones = ["s", "t", "ɹ", "ɪ", "ŋ"]
    spans = fill(phones, 1.0, 1.6, filler)
    assert spans[0][0] == 1.0 and spans[-1][1] == 1.6
    assert all(abs(a[1] - b[0]) < EPS for a, b in zip(spans, spans[1:]))
    if filler == "vowel":
        assert spans[3][1] - spans[3][0] > spans[0][1] - spans[0][0]  # the vowel carries the note
    else:
        assert all(abs((b - a) - 0.12) < EPS for a, b in spans)


def test_fillers_selectable_by_name():
    songs, _ = load(os.path.join(EXAMPLES, "moonlit_jam_manifest.json"), filler="average")
    t_avg = songs[0].timing
    t_vow = time_song(songs[0].spec, "vowel")
    assert [p.symbol for p in t_avg.phonemes] == [p.symbol for p in t_vow.phonemes]
    assert [p.end for p in t_avg.phonemes] != [p.end for p in t_vow.phonemes]
    with pytest.raises(ValueError):
        time_song(songs[0].spec, "nope")
