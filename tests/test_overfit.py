"""The whole neural path learns: a tiny DiT overfit on one rendered clip (latents from the shipped mel codec)
samples audio whose sung word onsets land within 40 ms of the clip's labels and whose vocal pitch follows the
planned melody, measured by the evaluation suite (word timing, mir_eval raw pitch accuracy) on the decoded
vocals. Control: the untrained DiT's sample from the same noise does neither."""
import os

import numpy as np
import pytest
import torch

from songforge.model import checkpoint
from songforge.model.dit import DiTConfig
from songforge.pipeline import Sampling, Songforge
from songforge.train.config import TrainConfig
from songforge.train.loop import ema_model, fit

from conftest import ROOT

CODEC = os.path.join(ROOT, "configs", "codec_mel")  # the representation the default model generates in


def _scores(model: Songforge, plan) -> dict:
    """Word onsets and pitch of the sampled vocals against the plan."""
    from songforge.eval.report import melody_metrics
    from songforge.eval.songs import Asked
    from songforge.eval.timing import word_timing
    from songforge.plan.melody import F0_HOP_S, f0_curve
    g = model.generate(plan, seed=0, sampling=Sampling(steps=12, guidance=()))
    words = plan.timing.words
    starts, ends = np.array([w.start for w in words]), np.array([w.end for w in words])
    f0 = f0_curve(plan.melody, plan.duration)
    asked = Asked("overfit", plan.duration, [], f0=(np.arange(len(f0)) * F0_HOP_S, f0))
    pitch = melody_metrics(asked, g.stems["vocals"], g.sample_rate)
    return dict(word_timing(g.stems["vocals"], g.sample_rate, starts, ends)["summary"], **pitch)


def test_dit_overfits_one_clip_and_reproduces_word_onsets(tmp_path):
    from songforge.data.build import BuildConfig, build
    from songforge.train.data import clip_plan, read_manifest
    from songforge.train.dit_task import DiTTask
    corpus = str(tmp_path / "corpus")
    build(corpus, BuildConfig(seed=11, hours=0.0012, min_s=5.0, max_s=6.0, languages=("en",)), workers=1, progress=False)
    rows = read_manifest(corpus, ("train", "valid", "test"))
    assert len(rows) == 1
    codec, _ = checkpoint.load(CODEC)
    cfg = DiTConfig(latent_channels=codec.cfg.latent_channels, dim=96, depth=2, heads=2, mlp_hidden=192, lyrics_dim=32,
                    predict="data")
    tc = TrainConfig(steps=300, batch_size=4, lr=3e-3, warmup=20, ema_decay=0.9, save_every=1000, segment_s=0.0,
                     log_every=1000)
    import json
    with open(os.path.join(corpus, "manifest.jsonl"), "w") as f:  # one clip: train on it (whatever its split)
        f.write(json.dumps(dict(rows[0], split="train")) + "\n")
    task = DiTTask(corpus, cfg, tc, CODEC, str(tmp_path / "latents"), progress=False)
    out = str(tmp_path / "run")
    fit(task, checkpoint.build("dit", cfg, 0), "dit", tc, out, progress=False)
    meta = {"latent": {"mean": task.mean.tolist(), "std": task.std.tolist()}}
    plan = clip_plan(corpus, rows[0])
    trained = _scores(Songforge(codec, checkpoint.load(os.path.join(out, "final"))[0], meta, torch.device("cpu"),
                                torch.float32), plan)
    untrained = _scores(Songforge(codec, checkpoint.build("dit", cfg, 0).eval(), meta, torch.device("cpu"),
                                  torch.float32), plan)
    print("trained", trained, "untrained", untrained)
    assert trained["onset_median_ms"] <= 40.0 and abs(trained["lag_ms"]) <= 40.0
    assert trained["raw_pitch_accuracy"] >= 0.7
    assert untrained["onset_median_ms"] > 40.0 or abs(untrained["lag_ms"]) > 40.0
    assert untrained["raw_pitch_accuracy"] < 0.2
