"""Frame grid: phoneme ids + onset channels at 100 Hz, and an exact inverse."""
import os

import numpy as np
import pytest

from songforge.cond.lyrics_grid import build_grid, grid_spans, quantize, symbols
from songforge.songs import load
from songforge.text.phonemes import BLANK, PAD

from conftest import EXAMPLES


def all_songs():
    out = []
    for f in ("two_songs_levo.jsonl", "harbor_acestep.json", "moonlit_jam_manifest.json", "harbor.lrc"):
        out += load(os.path.join(EXAMPLES, f))[0]
    return out


@pytest.mark.parametrize("song", all_songs(), ids=lambda s: s.spec.id)
@pytest.mark.parametrize("rate", [100.0, 25.0])
def test_grid_roundtrips_spans_exactly(song, rate):
    spans = quantize(song.timing, rate)
    g = build_grid(song.timing, rate)
    assert g.ids.dtype == np.int32 and g.ids.shape == g.word_onset.shape == g.syllable_onset.shape
    assert grid_spans(g) == spans
    assert g.word_onset.sum() == len(song.timing.words)
    assert g.syllable_onset.sum() == len(song.timing.syllables)


def test_grid_values_and_padding():
    song = all_songs()[0]
    g = build_grid(song.timing, 100.0, n_frames=int(song.timing.duration * 100) + 50)
    assert (g.ids[-50:] == PAD).all()
    assert g.ids[0] == BLANK  # intro: nothing sung
    t = song.timing
    w0 = t.words[0]
    f = int(round(w0.start * 100))
    assert g.word_onset[f] == 1 and symbols(g.ids[f:f + 1])[0] == t.phonemes[0].symbol
    for p in t.phonemes:  # each phoneme sits within half a frame of its time, unless squeezed
        s = int(round(p.start * 100))
        assert abs(s / 100 - p.start) <= 0.005 + 1e-9 or p.end - p.start < 0.01
