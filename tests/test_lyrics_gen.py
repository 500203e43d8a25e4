"""The corpus lyrics generator: real variety, rhyme, chorus repetition, clip lengths within bounds."""
import numpy as np

from songforge.data.lyrics import chorus_lines, section_lines
from songforge.data.specs import fit_clip, random_spec
from songforge.plan.timing import time_song


def test_vocabulary_variety():
    rng = np.random.default_rng(0)
    en, zh = set(), set()
    for _ in range(1200):
        for ln in section_lines(rng, "en", 4):
            en.update(w.strip(",").lower() for w in ln.split())
        for ln in section_lines(rng, "zh", 2):
            zh.update(ln)
    assert len(en) >= 3000 and len(zh) >= 1500, (len(en), len(zh))


def test_chorus_repeats_its_hook():
    rng = np.random.default_rng(1)
    for lang in ("en", "zh"):
        lines = chorus_lines(rng, lang, 4)
        assert lines[0] == lines[-1] and len(set(lines)) >= 2


def test_clip_lengths_and_determinism():
    durs = []
    for i in range(12):
        a = fit_clip(random_spec(3, i), 10, 30)
        assert a == fit_clip(random_spec(3, i), 10, 30)
        durs.append(time_song(a).duration)
    assert all(10 <= d <= 30 for d in durs), durs
    assert len({round(d) for d in durs}) > 3
