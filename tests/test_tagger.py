"""The style tagger: `songforge train tagger` runs end to end on a real tiny corpus (two corpora pooled) and writes a
loadable checkpoint; targets come from each clip's labels; tags and FAD window embeddings have the promised shapes."""
import json
import os

import torch

from songforge.model import checkpoint
from songforge.model.tagger import GENDERS, GM_FAMILIES, StyleTagger, TaggerConfig
from songforge.train.tagger_task import clip_targets

from conftest import ROOT


def test_train_tagger_cli(tiny_corpus, tmp_path):
    from songforge.cli import main
    out = str(tmp_path / "tagger")
    assert main(["train", "tagger", "--config", os.path.join(ROOT, "configs", "tagger_tiny.json"), "--data", tiny_corpus,
                 tiny_corpus, "--out", out]) == 0
    model, kind = checkpoint.load(os.path.join(out, "final"))
    assert kind == "tagger" and isinstance(model, StyleTagger)
    with open(os.path.join(out, "eval.jsonl")) as f:
        last = json.loads(f.readlines()[-1])
    assert 0.0 <= last["style_acc"] <= 1.0 and last["clips"] > 0


def test_clip_targets_follow_the_labels(tiny_corpus):
    cfg = TaggerConfig()
    with open(os.path.join(tiny_corpus, "manifest.jsonl")) as f:
        row = json.loads(f.readline())
    with open(os.path.join(tiny_corpus, row["labels"])) as f:
        lab = json.load(f)
    style, other, bass, gender = clip_targets(tiny_corpus, row, cfg.styles)
    assert GENDERS[gender] == lab["voice"]["gender"]
    assert cfg.styles[style] == lab["style"]
    assert {GM_FAMILIES[i] for i in torch.nonzero(other).flatten().tolist()} == {GM_FAMILIES[p // 8] for p in lab["programs"]["other"]}
    assert bass == lab["programs"]["bass"] // 8


def test_tag_and_window_embeddings():
    cfg = TaggerConfig(dim=16, stages=1, emb=8, gender=True)
    model = StyleTagger(cfg).eval()
    audio = torch.randn(cfg.sample_rate * 7) * 0.1
    tags = model.tag(audio)
    assert tags["gender"] in GENDERS
    assert tags["style"] in cfg.styles and abs(sum(tags["style_probs"].values()) - 1) < 1e-3
    emb = model.window_embeddings(audio, window_s=3.0, hop_s=1.5)
    assert emb.shape == (3, 8)  # starts at 0, 1.5, 3.0 s fit a 7 s song
    silent = model.window_embeddings(torch.zeros(cfg.sample_rate * 7))
    assert silent.shape == (0, 8)
