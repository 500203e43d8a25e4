"""The outside ear: musicnn's taggers ported to torch agree with TensorFlow's own outputs (recorded once by
scripts/convert_musicnn.py --fixture), its front end does not overflow on loud mixes, and its scores mean what
ears/outside.py says."""
import json
import os

import numpy as np
import pytest
import torch

from songforge.ears.outside import GENRES, STYLE_TAGS, available, ear_scores, genre_rank, load_taggers
from songforge.model.musicnn import N_FRAMES, N_MELS, SR, log_mel, patches

from conftest import ROOT

pytestmark = pytest.mark.skipif(not available(), reason="songforge/models/ear is not shipped in this checkout")


def test_the_port_matches_tensorflow_on_fixed_patches():
    with open(os.path.join(ROOT, "tests", "fixtures", "musicnn_tf_outputs.json")) as f:
        want = json.load(f)
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 4, (3, N_FRAMES, N_MELS)).astype(np.float32))
    for name, model in load_taggers().items():
        with torch.no_grad():
            got = torch.sigmoid(model(x)).numpy()
        assert np.abs(got - np.array(want[name])).max() <= 1e-4, name


def test_loud_mixes_do_not_overflow_and_get_their_own_tags():
    rng = np.random.default_rng(1)
    t = np.arange(SR * 6) / SR
    loud_noise = np.clip(rng.normal(0, 1.0, t.size), -1, 1).astype(np.float32)
    loud_tone = (0.99 * np.sign(np.sin(2 * np.pi * 110 * t))).astype(np.float32)  # a full-scale square wave
    for x in (loud_noise, loud_tone):
        rep = log_mel(x, SR)
        assert np.isfinite(rep).all() and rep.max() > np.log10(65504)  # past float16's range, still finite
    a, b = (load_taggers()["MTT_musicnn"].tag(x, SR) for x in (loud_noise, loud_tone))
    assert max(abs(a[k] - b[k]) for k in a) > 0.1  # different loud inputs, different tags
    assert patches(loud_noise, SR).shape == (2, N_FRAMES, N_MELS)
    with pytest.raises(ValueError, match="at least 3 s"):
        patches(loud_noise[:SR], SR)


def test_genre_rank_counts_the_best_of_a_styles_tags():
    tags = {t: 0.0 for t in GENRES["MSD"]} | {"jazz": 0.9, "metal": 0.8, "heavy metal": 0.1, "rock": 0.85}
    assert genre_rank(tags, "MSD", "jazz") == 1 and genre_rank(tags, "MSD", "metal") == 3  # 'metal' after jazz, rock
    assert genre_rank(tags, "MSD", "reggae") is None  # no such tag in the MSD vocabulary
    for ds, table in STYLE_TAGS.items():
        assert all(t in GENRES[ds] for tags in table.values() for t in tags)
    assert len(GENRES["MSD"]) == 31


def test_ear_scores_report_each_tagger(tmp_path):
    t = np.arange(SR * 4) / SR
    x = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    s = ear_scores(x, SR, "rock", "male", instrumental=False)
    assert set(s) == {"MSD_musicnn", "MSD_vgg", "MTT_musicnn"}
    for row in s.values():
        assert 1 <= row["genre_rank"] <= 31 and row["genre_top3"] in (0, 1) and row["gender"] in ("female", "male")
        assert row["gender_correct"] == int(row["gender"] == "male") and row["instrumental_correct"] in (0, 1)
    assert "genre_rank" not in ear_scores(x, SR, "reggae")["MSD_musicnn"]
