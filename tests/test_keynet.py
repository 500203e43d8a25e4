"""The key estimator (model/keynet.py): transposition-equivariant by construction, `songforge train key` runs end to
end on a real tiny corpus (with the codec's decoding mixed in) and writes a loadable checkpoint, and its targets
are the labels' keys."""
import json
import os

import torch

from songforge.model import checkpoint
from songforge.model.keynet import KeyNet, KeyNetConfig, key_name
from songforge.train.key_task import clip_key

from conftest import ROOT


def test_transposing_the_chroma_transposes_the_key_scores():
    torch.manual_seed(0)
    model = KeyNet(KeyNetConfig(dim=8, layers=2)).eval()
    chroma = torch.rand(2, 2, 12, 40)
    mask = torch.ones(2, 40, dtype=torch.bool)
    mask[1, 30:] = False
    logits = model(chroma, mask)
    up3 = model(torch.roll(chroma, 3, dims=2), mask)  # every pitch class three semitones up
    for mode in range(2):
        assert torch.allclose(up3[:, 12 * mode:12 * mode + 12], torch.roll(logits[:, 12 * mode:12 * mode + 12], 3, dims=1),
                              atol=1e-5)
    assert torch.allclose(model(chroma[1:, ..., :30])[0], logits[1], atol=1e-5)  # masked frames change nothing


def test_key_names():
    assert key_name(0) == "C major" and key_name(21) == "A minor" and key_name(11) == "B major"


def test_train_key_cli(tiny_corpus, tmp_path):
    from songforge.cli import main
    out = str(tmp_path / "key")
    assert main(["train", "key", "--config", os.path.join(ROOT, "configs", "key_tiny.json"), "--data", tiny_corpus,
                 "--codec", os.path.join(ROOT, "songforge", "models", "default", "codec"), "--out", out]) == 0
    model, kind = checkpoint.load(os.path.join(out, "final"))
    assert kind == "key" and isinstance(model, KeyNet)
    with open(os.path.join(out, "eval.jsonl")) as f:
        last = json.loads(f.readlines()[-1])
    assert 0.0 <= last["key_acc"] <= last["mode_acc"] + 1e-9 <= 1.0 + 1e-9 and last["clips"] > 0


def test_clip_key_follows_the_labels(tiny_corpus):
    with open(os.path.join(tiny_corpus, "manifest.jsonl")) as f:
        row = json.loads(f.readline())
    with open(os.path.join(tiny_corpus, row["labels"])) as f:
        lab = json.load(f)
    from songforge.spec.music import parse_key
    assert parse_key(key_name(clip_key(tiny_corpus, row))) == parse_key(lab["key"])
