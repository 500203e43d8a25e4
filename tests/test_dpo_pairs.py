"""DPO preference pairs (train/dpo_pairs.py): candidates from a model, scored by the suite, ranked by one reward
that never sees the held-out measures; resumable; pairs only where the rewards differ by the margin."""
import json
import os


from songforge.train.dpo_pairs import HELD_OUT, PairsConfig, components, make_pairs, reward


def test_components_map_every_measure_to_higher_is_better():
    row = {"harmony": {"chord_majmin": 0.8, "mode_correct": 1, "beat_f1": 0.9}, "judge": {"per": 0.3},
           "timing": {"onset_median_ms": 20.0}, "melody": {"raw_pitch_accuracy": 0.7}, "style": {"style_correct": 0},
           "notes": {"bass_f1": 0.5, "other_f1": 0.25}, "lyrics": {"wer": 0.1}}
    c = components(row)
    assert c == {"chords": 0.8, "bass_f1": 0.5, "other_f1": 0.25, "style": 0.0, "mode": 1.0, "judge_per": 0.7,
                 "onsets": 0.8, "pitch": 0.7, "beats": 0.9}
    assert "lyrics" in HELD_OUT and "ear" in HELD_OUT  # Whisper and the outside ear stay out of the reward
    assert reward({"chords": 1.0, "pitch": 0.0}, {"chords": 3.0, "pitch": 1.0, "style": 5.0}) == 0.75
    assert components({"judge": {"per": 1.4}})["judge_per"] == 0.0


def test_pairs_from_a_tiny_model_and_resume(tiny_corpus, tiny_model, tmp_path):
    out = str(tmp_path / "pairs")
    cfg = PairsConfig(prompts=2, candidates=2, seed=3, margin=0.0)
    s = make_pairs(tiny_corpus, tiny_model, out, cfg, progress=False)
    cands = [json.loads(x) for x in open(os.path.join(out, "candidates.jsonl"))]
    differ = sum(len({c["reward"] for c in cands if c["prompt"] == p}) > 1 for p in {c["prompt"] for c in cands})
    assert s["candidates"] == 4 and s["pairs"] == differ >= 1  # a prompt whose candidates tie gives no pair
    assert len({c["seed"] for c in cands}) == 4 and all(0 <= c["reward"] <= 1 for c in cands)
    assert all("lyrics" not in c["components"] and "ear" not in c["components"] for c in cands)
    for p in (json.loads(x) for x in open(os.path.join(out, "pairs.jsonl"))):
        assert p["reward_w"] >= p["reward_l"] and p["winner"] != p["loser"]
        assert os.path.exists(os.path.join(out, "latents", f"{p['prompt']}_{p['winner']}.safetensors"))
    again = make_pairs(tiny_corpus, tiny_model, out, cfg, progress=False)  # nothing new to make
    assert again["candidates"] == 4 and len(open(os.path.join(out, "candidates.jsonl")).readlines()) == 4
    from safetensors.torch import load_file
    first = json.loads(open(os.path.join(out, "pairs.jsonl")).readline())
    lat = os.path.join(out, "latents", f"{first['prompt']}_{first['winner']}.safetensors")
    before = load_file(lat)["x1"]
    os.remove(lat)  # another machine: the seeds in candidates.jsonl rebuild the latents
    make_pairs(tiny_corpus, tiny_model, out, cfg, progress=False)
    assert (load_file(lat)["x1"] == before).all()
    strict = make_pairs(tiny_corpus, tiny_model, out, PairsConfig(2, 2, 3, margin=2.0), progress=False)
    assert strict["pairs"] == 0  # no two rewards differ by more than the whole scale


def test_dpo_loss_is_log2_at_the_reference_and_falls_toward_the_winner():
    import math

    import torch

    from songforge.flow.dpo import dpo_loss, masked_error
    e = torch.tensor([0.5, 0.7])
    loss, logs = dpo_loss(e, e, e, e, beta=10.0)
    assert abs(float(loss) - math.log(2)) < 1e-6 and logs["dpo_d"] == 0
    better, _ = dpo_loss(e - 0.01, e + 0.01, e, e, beta=10.0)  # closer on the winner, further on the loser
    worse, _ = dpo_loss(e + 0.01, e - 0.01, e, e, beta=10.0)
    assert float(better) < math.log(2) < float(worse)
    w = torch.ones(1, 3, 2)
    w[0, 2] = 0
    assert float(masked_error(torch.ones(1, 3, 2), torch.zeros(1, 3, 2), w)) == 1.0


def test_train_dpo_end_to_end_and_resume(tiny_corpus, tiny_model, tmp_path):
    import math

    from songforge.cli import main
    from conftest import ROOT
    pairs = str(tmp_path / "pairs")
    make_pairs(tiny_corpus, tiny_model, pairs, PairsConfig(prompts=3, candidates=2, seed=1, margin=0.0), progress=False)
    run = str(tmp_path / "run")
    cfg = os.path.join(ROOT, "configs", "dpo_tiny.json")
    assert main(["train", "dpo", "--config", cfg, "--init", tiny_model, "--data", pairs, "--out", run,
                 "--steps", "2"]) == 0
    first = json.loads(open(os.path.join(run, "log.jsonl")).readline())
    assert abs(first["dpo_d"]) < 1e-6 and abs(first["loss"] - (math.log(2) + 0.1 * first["err_w"])) < 1e-4
    assert main(["train", "dpo", "--config", cfg, "--init", tiny_model, "--data", pairs, "--out", run,
                 "--steps", "4", "--resume"]) == 0
    steps = [json.loads(x)["step"] for x in open(os.path.join(run, "log.jsonl"))]
    assert steps == [0, 1, 2, 3]
    assert os.path.isfile(os.path.join(run, "model", "dit", "model.safetensors"))
    songs = str(tmp_path / "songs")
    spec = tmp_path / "s.txt"
    spec.write_text("[verse]\nsail on home\n")
    assert main(["generate", str(spec), "--model", os.path.join(run, "model"), "-o", songs, "--steps", "2",
                 "--no-picture"]) == 0
    assert main(["train", "dpo", "--config", cfg, "--data", pairs, "--out", str(tmp_path / "x")]) == 1  # no --init


def test_the_rendering_joins_as_a_candidate_and_trains_as_a_winner(tiny_corpus, tiny_model, tmp_path):
    """--rendering: the corpus clip itself is candidate -1, scored by the same suite; a pair it wins trains on the
    corpus's own latents, normalised as the model's samples are (same shape as a sampled candidate's)."""
    import torch

    from songforge.cli import main
    from songforge.model import checkpoint
    from songforge.train.dpo_pairs import RENDERING
    from songforge.train.dpo_task import DPOTask, load_dpo_config
    from conftest import ROOT
    pairs = str(tmp_path / "pairs")
    s = make_pairs(tiny_corpus, tiny_model, pairs, PairsConfig(prompts=2, candidates=2, seed=1, margin=0.0,
                                                               rendering=True), progress=False)
    cands = [json.loads(x) for x in open(os.path.join(pairs, "candidates.jsonl"))]
    assert s["candidates"] == 6 and sum(c["k"] == RENDERING for c in cands) == 2
    rendered = {c["prompt"]: c["reward"] for c in cands if c["k"] == RENDERING}
    model_best = {p: max(c["reward"] for c in cands if c["prompt"] == p and c["k"] != RENDERING) for p in rendered}
    assert all(rendered[p] > model_best[p] for p in rendered)  # a tiny random model plays nothing the plan asked
    got = [json.loads(x) for x in open(os.path.join(pairs, "pairs.jsonl"))]
    assert got and all(p["winner"] == RENDERING for p in got)
    assert not any(f.startswith(f"{p['prompt']}_-1") for p in got for f in os.listdir(os.path.join(pairs, "latents")))
    cfg = os.path.join(ROOT, "configs", "dpo_tiny.json")
    tc, dc = load_dpo_config(cfg)
    dit, _ = checkpoint.load(os.path.join(tiny_model, "dit"))
    task = DPOTask(pairs, dit.cfg, tc, dc, os.path.join(tiny_model, "codec"), str(tmp_path / "cache"), dit, False,
                   latent_stats=([0.0] * 8, [1.0] * 8))
    w, lo = task.latents[0]
    assert w.shape[1] == lo.shape[1] and w.dtype == torch.float32
    assert main(["train", "dpo", "--config", cfg, "--init", tiny_model, "--data", pairs, "--out",
                 str(tmp_path / "run"), "--steps", "2"]) == 0


def test_dpo_positive_counts_a_winner_fitted_worse_than_the_reference():
    import math

    import torch

    from songforge.flow.dpo import dpo_loss
    e = torch.tensor([0.5, 0.7])
    assert abs(float(dpo_loss(e, e, e, e, 10.0, positive=50.0)[0]) - math.log(2)) < 1e-6  # at the reference
    displaced = (e + 0.01, e + 0.03, e, e)  # both errors up, the loser's more: plain DPO calls that progress
    plain, _ = dpo_loss(*displaced, beta=10.0)
    positive, logs = dpo_loss(*displaced, beta=10.0, positive=50.0)
    assert float(plain) < math.log(2) < float(positive) and logs["dpo_d"] > 0
    better, _ = dpo_loss(e - 0.01, e + 0.01, e, e, beta=10.0, positive=50.0)  # the winner fitted better: no penalty
    assert float(better) == float(dpo_loss(e - 0.01, e + 0.01, e, e, beta=10.0)[0])


def test_guided_candidates_share_their_seed_and_differ_by_the_guide(tiny_corpus, tiny_model, tmp_path):
    """--guided: the model's own samples with the accompaniment started from the rendering noised to t0; candidate
    K + j has candidate j's seed (same noise), so the pair differs only by the guide."""
    from songforge.train.dpo_pairs import candidate_guide, candidate_seed
    cfg = PairsConfig(prompts=1, candidates=2, seed=4, margin=0.0, guided=1, guide=0.5)
    out = str(tmp_path / "pairs")
    s = make_pairs(tiny_corpus, tiny_model, out, cfg, progress=False)
    cands = {c["k"]: c for c in map(json.loads, open(os.path.join(out, "candidates.jsonl")))}
    assert s["candidates"] == 3 and sorted(cands) == [0, 1, 2]
    assert cands[2]["seed"] == cands[0]["seed"] == candidate_seed(cfg, cands[0]["index"], 2)
    assert (cands[0]["guide"], cands[1]["guide"], cands[2]["guide"]) == (0.0, 0.0, 0.5) == tuple(
        candidate_guide(cfg, k) for k in range(3))
    from safetensors.torch import load_file
    prompt = cands[0]["prompt"]
    a, g = (load_file(os.path.join(out, "latents", f"{prompt}_{k}.safetensors"))["x1"] for k in (0, 2))
    assert a.shape == g.shape and not (a == g).all()  # the guide moved the sample
