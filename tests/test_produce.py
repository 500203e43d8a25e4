"""The production stage (render/produce.py): what a listener receives is 44.1 kHz stereo at -14 LUFS with true peaks
under -1 dBTP, the stems still sum to the mix, and each step does what it says."""
import numpy as np

from songforge.render.produce import (CEILING_DBTP, RELEASE_SR, TARGET_LUFS, air, limiter_gain, loudness, produce,
                                      true_peak_db, true_peak_envelope, widen)


def _band_db(x, sr, lo, hi):
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / sr)
    return 10 * np.log10(spec[(f >= lo) & (f < hi)].sum() + 1e-20)


def _stems(seconds=6.0, sr=24000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    vox = 0.2 * np.sin(2 * np.pi * 330 * t) * (1 + np.sin(2 * np.pi * 2 * t)) + 0.02 * rng.normal(size=t.size)
    kick = np.zeros_like(t)
    kick[:: sr // 2] = 1.0  # clicks: a peaky stem the limiter must catch
    drums = np.convolve(kick, np.exp(-np.arange(2000) / 200) * np.sin(np.arange(2000) * 0.05), "same")
    bass = 0.3 * np.sin(2 * np.pi * 55 * t)
    other = 0.1 * rng.normal(size=t.size)
    return {k: v.astype(np.float32) for k, v in (("vocals", vox), ("drums", drums), ("bass", bass), ("other", other))}


def test_release_grade_output_and_stems_sum_to_the_mix():
    p = produce(_stems(), 24000, seed=1)
    assert p.sample_rate == RELEASE_SR == 44100 and p.mix.shape == (6 * 44100, 2)
    assert all(v.shape == p.mix.shape for v in p.stems.values())
    assert abs(p.loudness - TARGET_LUFS) <= 1.0 and abs(loudness(p.mix) - p.loudness) < 1e-6
    assert p.true_peak_db <= -1.0 and true_peak_db(p.mix) == p.true_peak_db
    assert np.abs(sum(p.stems.values()) - p.mix).max() < 1e-5
    assert np.array_equal(p.stems["bass"][:, 0], p.stems["bass"][:, 1])  # bass stays in the centre
    side = p.stems["other"][:, 0] - p.stems["other"][:, 1]
    assert np.std(side) > 0.2 * np.std(p.stems["other"][:, 0])  # 'other' is wide


def test_widening_keeps_the_mono_sum():
    x = np.random.default_rng(2).normal(size=44100).astype(np.float32)
    y = widen(x, 0.6, seed=3)
    assert np.allclose((y[:, 0] + y[:, 1]) / 2, x, atol=1e-6)
    assert abs(np.corrcoef(y[:, 0], y[:, 1])[0, 1]) < 0.9


def test_air_fills_the_band_above_12_khz_quietly():
    sr = RELEASE_SR
    rng = np.random.default_rng(4)
    import soxr
    x = soxr.resample(rng.normal(size=48000).astype(np.float32) * 0.1, 24000, sr)  # a 24 kHz signal: nothing above 12k
    y = air(x)
    above_before, above_after = _band_db(x, sr, 12500, 20000), _band_db(y, sr, 12500, 20000)
    assert above_after - above_before > 40  # the band is filled
    assert _band_db(y, sr, 6000, 11500) - above_after > 10  # and sits well under the band it comes from
    assert np.allclose(air(np.zeros(1000, np.float32)), 0)
    t = np.arange(sr) / sr
    tone = (0.1 * np.sin(2 * np.pi * 8000 * t)).astype(np.float32)  # the replica lands 5.5 and 11 kHz higher
    spec = np.abs(np.fft.rfft((air(tone) - tone)[4000:-4000]))
    f = np.fft.rfftfreq(sr - 8000, 1 / sr)
    assert abs(f[np.argmax(spec)] - 13500) < 20 and spec[(f > 18500) & (f < 19500)].max() > 0.1 * spec.max()
    assert spec[f < 12000].max() < 0.01 * spec.max()  # nothing below 12 kHz (no lower sideband)


def test_the_limiter_holds_the_true_peak_ceiling():
    rng = np.random.default_rng(5)
    x = (rng.normal(size=(44100, 2)) * 0.1).astype(np.float32)
    x[1000] = [1.5, -1.5]  # a spike far over the ceiling
    g = limiter_gain(x)
    assert g.max() <= 1.0 and g[1000] <= 10 ** (CEILING_DBTP / 20) / 1.5
    assert 20 * np.log10(true_peak_envelope(x * g[:, None]).max()) <= CEILING_DBTP + 0.2
    assert np.median(g) > 0.9  # it acts around the spike, not everywhere
