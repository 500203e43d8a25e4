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


def test_edm_pumps_the_band_at_every_kick(monkeypatch):
    """Sidechain pumping: an EDM song's bass and 'other' stems dip right after each kick and swell back; the drums do
    not move, and without PUMP_DB the stems are the unpumped ones."""
    spec = fit_clip(random_spec(3, 0, ("edm",), ("en",)), 8, 12)
    plan = make_plan(spec, time_song(spec))
    band = accompaniment.band()
    band.stems(plan)  # a fresh synth's first render differs from the next ones in its last bits
    pumped, depth = band.stems(plan), sound.PUMP_DB["edm"]
    monkeypatch.delitem(sound.PUMP_DB, "edm")
    flat = band.stems(plan)
    assert np.allclose(pumped["drums"], flat["drums"], atol=1e-3)
    sr = accompaniment.RENDER_SR
    kicks = sorted({h.time for h in plan.drums if h.instrument == "kick"})
    gain = sound.pump_gain(kicks, len(flat["bass"]), sr, depth)  # keyed by the plan's (humanised) kicks
    for name in ("bass", "other"):
        heard = np.abs(flat[name]) > 1e-3
        ratio = pumped[name][heard].astype(np.float64) / flat[name][heard]
        assert np.median(np.abs(ratio - gain[heard])) < 0.01
        assert gain[heard].min() < 0.55 and (gain[heard] < 0.8).mean() > 0.05 and (gain[heard] > 0.95).mean() > 0.2


def test_pump_gain_ducks_and_recovers():
    sr = 1000
    g = sound.pump_gain([0.1, 0.6], 1000, sr, 6.0, release_s=0.18)
    assert g[:100].min() == 1.0 and g.max() <= 1.0
    assert g[105] == pytest.approx(10 ** (-6 / 20), abs=1e-6) and g[605] == pytest.approx(g[105])
    assert g[300] > 0.97 and g[104] > g[105] < g[150] < g[200]


def test_wah_opens_at_each_onset_and_closes():
    """The envelope-following wah: right after a note onset the band-pass sits high (the output is brighter than the
    input), by the next onset it has closed (darker); the output keeps the input's RMS."""
    from scipy.signal import welch
    sr = 22050
    x = np.random.default_rng(0).standard_normal(sr * 2).astype(np.float32)
    onsets = [0.0, 0.5, 1.0, 1.5]
    y = sound.wah(x, sr, onsets, 450.0, 2400.0, 0.06)
    assert np.sqrt(np.mean(y ** 2)) == pytest.approx(np.sqrt(np.mean(x ** 2)), rel=1e-3)

    def centroid(a, b):
        f, p = welch(y[int(a * sr):int(b * sr)], sr, nperseg=256)
        return float((f * p).sum() / p.sum())
    early = np.mean([centroid(o + 0.005, o + 0.04) for o in onsets])
    late = np.mean([centroid(o + 0.35, o + 0.49) for o in onsets])
    assert early > 1.3 * late
