"""The phoneme judge: `songforge train judge` runs end to end on a real tiny corpus and writes a loadable
checkpoint; greedy CTC decoding collapses repeats and drops blanks."""
import json
import os

from songforge.model import checkpoint
from songforge.model.judge import PhonemeJudge, greedy
from songforge.text.phonemes import BLANK, phoneme_id

from conftest import ROOT


def test_train_judge_cli(tiny_corpus, tmp_path):
    from songforge.cli import main
    out = str(tmp_path / "judge")
    assert main(["train", "judge", "--config", os.path.join(ROOT, "configs", "judge_tiny.json"), "--data", tiny_corpus,
                 "--out", out]) == 0
    model, kind = checkpoint.load(os.path.join(out, "final"))
    assert kind == "judge" and isinstance(model, PhonemeJudge)
    with open(os.path.join(out, "eval.jsonl")) as f:
        last = json.loads(f.readlines()[-1])
    assert any(k.startswith("per_") for k in last)


def test_greedy_decoding_merges_repeats_then_drops_blanks():
    a, n = phoneme_id("a1"), phoneme_id("n")
    assert greedy([BLANK, a, a, BLANK, a, n, n, BLANK]) == ["a1", "a1", "n"]
    assert greedy([BLANK, BLANK]) == []
