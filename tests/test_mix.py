"""The mixer's level stage for finished stems: planned levels, muted silent stems, loudness, peak guard."""
import numpy as np

from songforge.render.mix import STEMS, _rms_db, integrated_loudness, level_stems

SR = 24000


def _stems(seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(3 * SR) / SR
    return {name: (g * np.sin(2 * np.pi * f * t) + 0.01 * g * rng.standard_normal(len(t))).astype(np.float32)
            for name, f, g in zip(STEMS, (220.0, 3000.0, 55.0, 440.0), (0.5, 0.05, 0.02, 0.1))}


def test_stems_sit_at_their_planned_levels_and_the_mix_at_the_target():
    levels = (0.0, -3.0, -4.0, -6.0)
    out, mix, loud = level_stems(_stems(), levels, (True,) * 4, SR)
    for i, name in enumerate(STEMS[1:], start=1):
        assert abs((_rms_db(out["vocals"]) - _rms_db(out[name])) - (levels[0] - levels[i])) < 0.15
    assert np.allclose(mix, sum(out.values()), atol=1e-6)
    assert abs(loud - integrated_loudness(mix, SR)) < 1e-6 and (abs(loud + 14.0) < 0.5 or np.abs(mix).max() > 0.97)
    assert np.abs(mix).max() <= 0.98 + 1e-6


def test_a_stem_the_plan_leaves_silent_is_muted():
    out, mix, _ = level_stems(_stems(), (0.0, -3.0, -4.0, -6.0), (True, False, True, True), SR)
    assert not np.any(out["drums"]) and np.any(out["bass"])
