"""A style's acoustic kit: its drums play from the multi-sampled kit where it is installed, on the planned hits, and
where it is not the General MIDI kit plays and a warning says so (never a silent fallback)."""
import dataclasses
import os

import numpy as np
import pytest

from songforge.data.specs import fit_clip, random_spec
from songforge.eval.rhythm import beat_f1
from songforge.plan.plan import make_plan
from songforge.plan.timing import time_song
from songforge.render import accompaniment, sound
from songforge.render.accompaniment import Band

KIT = sound.ACOUSTIC_KIT["jazz"]
needs_kit = pytest.mark.skipif(not os.path.isfile(sound.KIT_FONTS[KIT]), reason="avldrums.lv2-soundfont not installed")


@pytest.fixture(scope="module")
def jazz_plan():
    spec = fit_clip(random_spec(5, 0, ("jazz",), ("en",)), 8, 12)
    return make_plan(spec, time_song(spec))


@needs_kit
def test_an_acoustic_kit_plays_the_planned_hits(jazz_plan, monkeypatch):
    band = accompaniment.band()
    assert sound.drum_samples("jazz").startswith("AVL Drumkits") and "CC-BY-SA" in sound.drum_samples("jazz")
    acoustic = band.stems(jazz_plan)["drums"]
    monkeypatch.delitem(sound.ACOUSTIC_KIT, "jazz")
    general = band.stems(jazz_plan)["drums"]
    assert np.sqrt(np.mean(acoustic ** 2)) > 1e-3
    assert not np.allclose(acoustic, general, atol=1e-3)  # another kit sounded
    sr = accompaniment.RENDER_SR
    assert beat_f1(np.array(jazz_plan.beats), acoustic, sr, jazz_plan.bpm) >= 0.95
    # the drum the kit lacks still sounds: a shaker-only plan is silent on the kit's channel, not in the stem
    shaker = dataclasses.replace(jazz_plan, drums=tuple(dataclasses.replace(h, instrument="shaker")
                                                        for h in jazz_plan.drums[:8]))
    monkeypatch.setitem(sound.ACOUSTIC_KIT, "jazz", KIT)
    assert np.max(np.abs(band.stems(shaker)["drums"])) > 1e-3


def test_a_kit_that_is_not_installed_is_said(jazz_plan, monkeypatch):
    monkeypatch.setitem(sound.KIT_FONTS, KIT, "/nonexistent/kit.sf2")
    monkeypatch.setattr(accompaniment, "_WARNED", set())
    band = Band()
    with pytest.warns(UserWarning, match="jazz drums play the General MIDI kit"):
        drums = band.stems(jazz_plan)["drums"]
    assert sound.drum_samples("jazz") == "FluidR3 GM (MIT)"  # the labels say whose drums were played
    monkeypatch.delitem(sound.ACOUSTIC_KIT, "jazz")
    assert np.array_equal(drums, Band().stems(jazz_plan)["drums"])
