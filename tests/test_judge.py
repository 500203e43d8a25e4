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
                 tiny_corpus, "--out", out]) == 0  # two corpora pooled (here the same one twice)
    model, kind = checkpoint.load(os.path.join(out, "final"))
    assert kind == "judge" and isinstance(model, PhonemeJudge) and model.rnn is not None
    with open(os.path.join(out, "eval.jsonl")) as f:
        last = json.loads(f.readlines()[-1])
    assert any(k.startswith("per_") for k in last)


def test_greedy_decoding_merges_repeats_then_drops_blanks():
    a, n = phoneme_id("a1"), phoneme_id("n")
    assert greedy([BLANK, a, a, BLANK, a, n, n, BLANK]) == ["a1", "a1", "n"]
    assert greedy([BLANK, BLANK]) == []


def test_judge_augment_masks_and_tilts_without_touching_the_source(tiny_corpus):
    import torch
    from songforge.model.judge import JudgeConfig
    from songforge.train.config import TrainConfig
    from songforge.train.judge_task import JudgeTask
    task = JudgeTask(tiny_corpus, JudgeConfig(dim=32, layers=1), TrainConfig(segment_s=3.0, spec_masks=2, tilt_db=6.0),
                     progress=False)
    x = torch.rand(80, 300) + 0.5
    x0 = x.clone()
    y = task.augment(x, torch.Generator().manual_seed(3))
    assert torch.equal(x, x0)
    ratio = (y / x)
    zeroed = ratio == 0
    assert zeroed.any() and zeroed.float().mean() < 0.5  # masks cut bands and spans, not everything
    kept = ratio[~zeroed.all(dim=1)][:, ~zeroed.all(dim=0)]  # rows and columns no mask cut: only the tilt
    per_bin = kept.mean(dim=1)
    assert torch.allclose(kept, per_bin[:, None].expand_as(kept), rtol=1e-5)  # a gain per mel bin
    tilt_db = 10 * torch.log10(per_bin[-1] / per_bin[0])
    assert 0.0 < abs(float(tilt_db)) <= 6.0


def test_mandarin_tones_are_neither_learned_nor_scored(tiny_corpus):
    """Sung Mandarin has no lexical tone: PER ignores it, and a tones=False judge learns each final on its
    neutral-tone symbol (English and initials untouched)."""
    import torch
    from songforge.eval.judge import phoneme_errors
    from songforge.model.judge import JudgeConfig
    from songforge.text.phonemes import untoned
    from songforge.train.config import TrainConfig
    from songforge.train.judge_task import JudgeTask
    assert [untoned(s) for s in ("ang3", "v1", "i4", "n2", "a5", "v", "i", "n", "ʈʂʰ")] == \
        ["ang5", "v5", "i5", "n5", "a5", "v", "i", "n", "ʈʂʰ"]
    assert phoneme_errors(["ʂ", "ʐ", "ang3", "v"], ["ʂ", "ʐ", "ang1", "v"]) == 0
    assert phoneme_errors(["ʂ", "ang3"], ["ʂ", "ong3"]) == 1
    from songforge.text.phonemes import SYMBOLS
    tc = TrainConfig(segment_s=3.0, batch_size=8)
    batches = {}
    for tones in (True, False):
        task = JudgeTask(tiny_corpus, JudgeConfig(dim=32, layers=1, tones=tones), tc, progress=False)
        batches[tones] = [t for k in range(6) for t in task.batch(0, torch.Generator().manual_seed(k))["targets"]]
    heard = [SYMBOLS[i] for seq in batches[True] for i in seq]
    assert any(s[-1] in "1234" for s in heard)  # the tiny corpus sings Mandarin
    assert batches[False] == [[phoneme_id(untoned(SYMBOLS[i])) for i in seq] for seq in batches[True]]


def test_frequency_warp_moves_a_band_by_the_factor():
    """A peak at one mel bin's centre, warped by alpha, lands on the bin nearest alpha times that frequency."""
    import librosa
    import torch
    from songforge.model.frontend import frequency_warp
    n, fmin, fmax = 80, 50.0, 12000.0
    centres = librosa.mel_frequencies(n + 2, fmin=fmin, fmax=fmax)[1:-1]
    x = torch.full((n, 4), 1e-6)
    x[30] = 1.0
    for alpha in (0.9, 1.12):
        y = frequency_warp(x, alpha, fmin, fmax)
        want = int(abs(centres - centres[30] * alpha).argmin())
        assert abs(int(y[:, 0].argmax()) - want) <= 1, (alpha, int(y[:, 0].argmax()), want)
    assert torch.allclose(frequency_warp(x, 1.0, fmin, fmax), x)


def test_stretched_windows_keep_the_shape_and_the_phonemes_inside(tiny_corpus):
    import torch
    from songforge.model.judge import JudgeConfig
    from songforge.train.config import TrainConfig
    from songforge.train.judge_task import JudgeTask
    tc = TrainConfig(segment_s=3.0, batch_size=6, stretch=0.15, warp=0.1)
    task = JudgeTask(tiny_corpus, JudgeConfig(dim=32, layers=1), tc, progress=False)
    b = task.batch(0, torch.Generator().manual_seed(1))
    assert b["power"].shape == (6, 80, task.frames) and torch.isfinite(b["power"]).all()
    plain = JudgeTask(tiny_corpus, JudgeConfig(dim=32, layers=1), TrainConfig(segment_s=3.0, batch_size=6), progress=False)
    n_plain = [len(t) for k in range(4) for t in plain.batch(0, torch.Generator().manual_seed(k))["targets"]]
    n_str = [len(t) for k in range(4) for t in task.batch(0, torch.Generator().manual_seed(k))["targets"]]
    assert sum(n_str) > 0 and n_str != n_plain  # stretched windows hear more or fewer of the clip's phonemes


def test_recognition_averages_the_warped_listenings():
    """recognise() averages the log-probabilities of the mel power warped by each LISTEN_WARPS factor; one unwarped
    pass is the plain greedy decoding of forward()."""
    import torch
    from songforge.model.judge import LISTEN_WARPS, JudgeConfig
    torch.manual_seed(0)
    judge = PhonemeJudge(JudgeConfig(dim=32, layers=1, rnn=1)).eval()
    audio = torch.randn(24000) * 0.1
    assert judge.recognise(audio, warps=(1.0,)) == greedy(judge(audio[None]).argmax(-1)[0].tolist())
    seen = []
    plain = judge.from_power
    judge.from_power = lambda p: seen.append(p) or plain(p)
    judge.recognise(audio)
    assert len(seen) == len(LISTEN_WARPS) == 5 and 1.0 in LISTEN_WARPS
    assert len({float(p.sum()) for p in seen}) == len(LISTEN_WARPS)  # each listening hears another warp
