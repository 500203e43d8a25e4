"""Preference pairs for DPO, made and ranked automatically (issue #37): for each prompt (a clip's plan from a
data-engine corpus), K candidates from the current model with different seeds and the settings users run (but the
accompaniment the model's own: `aligned_sampling`), each
scored by the evaluation suite against the plan, combined into one reward, and the best and worst kept as a pair when
their rewards differ by a margin.

    python -m songforge.train.dpo_pairs --corpus PROMPTS --model songforge/models/default --out PAIRS \\
        [--prompts 200] [--candidates 4] [--seed 0] [--margin 0.05] [--rendering] [--guided N --guide T0]

With --rendering the data engine's own rendering of each prompt (the corpus clip) joins the candidates as k = -1,
scored by the same suite: where it beats the model's worst candidate by the margin, the pair is (rendering, worst) and
the DPO loss pushes the model from its own failure towards the arrangement it was asked for (off-policy winners, as
in self-play fine-tuning; its latents are the corpus's cached codec latents, not stored here).

With --guided N, N more candidates (k = K .. K+N-1) are the model's own samples nudged towards the rendering: the
accompaniment starts from the rendering noised to t0 = --guide (a shallow guide) and the model samples the rest of
the path; candidate K+j uses candidate j's seed, so the two differ only by the guide. Such a winner is the model's own
output (on-policy where the DPO loss noises it deeper than t0), unlike the rendering itself.

PAIRS/candidates.jsonl: one line per candidate (prompt, seed, every reward component, the reward); PAIRS/pairs.jsonl:
one line per kept pair; PAIRS/latents/<clip>_<k>.safetensors: the candidate's sampled latents (normalised; what the
DPO loss noises), rebuildable from the model, the prompt and the seed. Resumable: finished candidates are kept.
The reward never sees Whisper WER or the outside ear (they are not even computed here): benchmarks/dpo.py measures
them on held-out prompts, before and after, to catch reward hacking."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field

# reward components: (group, key, direction); "down" components are mapped to 1 - x (PER) or 1 - ms / 100 (onsets)
COMPONENTS = {
    "chords": ("harmony", "chord_majmin", "up"), "bass_f1": ("notes", "bass_f1", "up"),
    "other_f1": ("notes", "other_f1", "up"), "style": ("style", "style_correct", "up"),
    "mode": ("harmony", "mode_correct", "up"), "judge_per": ("judge", "per", "down"),
    "onsets": ("timing", "onset_median_ms", "ms"), "pitch": ("melody", "raw_pitch_accuracy", "up"),
    "beats": ("harmony", "beat_f1", "up"),
}
HELD_OUT = ("lyrics", "ear")  # never in the reward
RENDERING = -1  # the candidate number of a prompt's own rendering (--rendering)


@dataclass(frozen=True)
class PairsConfig:
    prompts: int = 200
    candidates: int = 4
    seed: int = 0
    margin: float = 0.05
    rendering: bool = False  # the prompt's rendering joins the candidates (k = RENDERING)
    guided: int = 0  # candidates sampled with a shallow accompaniment guide (k = candidates .. candidates+guided-1)
    guide: float = 0.4  # their accompaniment's t0
    weights: dict = field(default_factory=lambda: {"chords": 2.0, "bass_f1": 1.0, "other_f1": 1.0, "style": 1.0,
                                                   "mode": 0.5, "judge_per": 1.0, "onsets": 0.5, "pitch": 1.0,
                                                   "beats": 0.5})


def components(row: dict) -> dict[str, float]:
    """Each reward component of one evaluated song (evaluate_song's row) on a 0..1 scale, higher is better."""
    out = {}
    for name, (group, key, how) in COMPONENTS.items():
        v = row.get(group, {}).get(key)
        if v is None:
            continue
        v = float(v)
        out[name] = min(1.0, max(0.0, 1 - v)) if how == "down" else max(0.0, 1 - v / 100) if how == "ms" else v
    return out


def reward(parts: dict[str, float], weights: dict) -> float:
    """The weighted mean of the components present (weights renormalised over them)."""
    used = {k: w for k, w in weights.items() if k in parts and w > 0}
    total = sum(used.values())
    return sum(parts[k] * w for k, w in used.items()) / total if total else 0.0


def candidate_seed(cfg: PairsConfig, index: int, k: int) -> int:
    """A guided candidate (k >= cfg.candidates) shares the seed of the unguided candidate k - cfg.candidates."""
    k = k - cfg.candidates if k >= cfg.candidates else k
    return (cfg.seed * 1_000_003 + index * cfg.candidates + k) % (2 ** 31)


def candidate_guide(cfg: PairsConfig, k: int) -> float:
    """The accompaniment's t0 candidate k is sampled with (0: the model's own from noise)."""
    return cfg.guide if k >= cfg.candidates else 0.0


def _done(path: str) -> dict[tuple[str, int], dict]:
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out[(r["prompt"], r["k"])] = r
    return out


def aligned_sampling(model, guide: float = 0.0):
    """The sampling DPO makes candidates with and is measured at: the model's defaults, but with drums, bass and
    other the model's own (accompaniment_guide 0): a stem the default takes from the rendering would give every
    candidate the same accompaniment, and it is the model's own accompaniment that falls short. `guide`: a guided
    candidate's accompaniment t0 (--guided)."""
    from dataclasses import replace
    return replace(model.sampling, accompaniment_guide=guide)


def score_candidate(model, plan, seed: int, work: str, skip: tuple[str, ...] = HELD_OUT,
                    guide: float = 0.0) -> tuple[dict, object]:
    """(the suite's row for the song `model` makes of `plan` with `seed` (and `guide`), its sampled latents); `work`
    is scratch."""
    from ..eval.report import evaluate_song
    from ..eval.songs import discover
    g = model.generate_batch([plan], seed, aligned_sampling(model, guide))[0]
    folder = g.write(work, picture=False, release=False)
    songs, _ = discover(folder)
    row = evaluate_song(songs[0], asr="lyrics" not in skip, skip=skip)
    shutil.rmtree(folder, ignore_errors=True)
    return row, g.latents


def score_rendering(corpus: str, row: dict, skip: tuple[str, ...] = HELD_OUT) -> dict:
    """The suite's row for the corpus clip itself (the data engine's rendering of the prompt)."""
    from ..eval.report import evaluate_song
    from ..eval.songs import discover
    songs, problems = discover(os.path.join(corpus, os.path.dirname(row["labels"])))
    if not songs:
        raise ValueError(f"{corpus}: clip {row['id']}: {'; '.join(problems) or 'no audio'}")
    return evaluate_song(songs[0], asr="lyrics" not in skip, skip=skip)


def make_pairs(corpus: str, model_dir: str, out: str, cfg: PairsConfig, progress: bool = True) -> dict:
    """Candidates, their scores and the kept pairs for the first cfg.prompts training clips of `corpus`."""
    import torch
    from safetensors.torch import save_file
    from tqdm import tqdm

    from ..pipeline import load
    from .data import clip_plan, read_manifest
    os.makedirs(os.path.join(out, "latents"), exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump({"corpus": os.path.abspath(corpus), "model": os.path.abspath(model_dir)} | asdict(cfg), f, indent=1)
    rows = read_manifest(corpus, ("train",))[:cfg.prompts]
    model = load(model_dir)
    cand_path, pair_path = os.path.join(out, "candidates.jsonl"), os.path.join(out, "pairs.jsonl")
    done = _done(cand_path)
    t0 = time.time()
    with tempfile.TemporaryDirectory() as work, open(cand_path, "a", encoding="utf-8") as log:
        for row in tqdm(rows, desc="prompts", unit="prompt", disable=not progress):
            plan = clip_plan(corpus, row)
            for k in ([RENDERING] if cfg.rendering else []) + list(range(cfg.candidates + cfg.guided)):
                if (row["id"], k) in done:
                    continue
                seed = None if k == RENDERING else candidate_seed(cfg, row["index"], k)
                try:
                    if k == RENDERING:
                        scored = score_rendering(corpus, row)
                    else:
                        scored, latents = score_candidate(model, plan, seed, work, guide=candidate_guide(cfg, k))
                except Exception as e:  # one bad candidate never stops the batch
                    print(f"{corpus}: clip {row['id']}: candidate {k}: {type(e).__name__}: {e}", file=sys.stderr)
                    continue
                if k != RENDERING:
                    save_file({"x1": latents.to(torch.float16).contiguous()},
                              os.path.join(out, "latents", f"{row['id']}_{k}.safetensors"))
                parts = components(scored)
                rec = {"prompt": row["id"], "index": row["index"], "k": k, "seed": seed,
                       "guide": candidate_guide(cfg, k) if k != RENDERING else None, "components": parts,
                       "reward": round(reward(parts, cfg.weights), 5), "time": round(time.time(), 1)}
                log.write(json.dumps(rec) + "\n")
                log.flush()
                done[(row["id"], k)] = rec
    pairs = []
    for row in rows:
        ks = ([RENDERING] if cfg.rendering else []) + list(range(cfg.candidates + cfg.guided))
        cands = [done[(row["id"], k)] for k in ks if (row["id"], k) in done]
        if len(cands) < 2:
            continue
        best, worst = max(cands, key=lambda r: r["reward"]), min(cands, key=lambda r: r["reward"])
        if best["k"] != worst["k"] and best["reward"] - worst["reward"] >= cfg.margin:  # (all tied: no pair)
            pairs.append({"prompt": row["id"], "index": row["index"], "winner": best["k"], "loser": worst["k"],
                          "reward_w": best["reward"], "reward_l": worst["reward"]})
            for c in (best, worst):  # candidates.jsonl alone (seeds) rebuilds what another machine lacks
                if c["k"] == RENDERING:  # the corpus's own latents
                    continue
                path = os.path.join(out, "latents", f"{row['id']}_{c['k']}.safetensors")
                if not os.path.exists(path):
                    z = model.generate_batch([clip_plan(corpus, row)], c["seed"],
                                             aligned_sampling(model, candidate_guide(cfg, c["k"])))[0].latents
                    save_file({"x1": z.to(torch.float16).contiguous()}, path)
    tmp = pair_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(p) + "\n" for p in pairs)
    os.replace(tmp, pair_path)
    return {"prompts": len(rows), "candidates": len(done), "pairs": len(pairs), "seconds": round(time.time() - t0, 1),
            "out": out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m songforge.train.dpo_pairs", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, help="a data-engine corpus whose training clips are the prompts")
    ap.add_argument("--model", required=True, help="the model that makes the candidates")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prompts", type=int, default=PairsConfig.prompts)
    ap.add_argument("--candidates", type=int, default=PairsConfig.candidates)
    ap.add_argument("--seed", type=int, default=PairsConfig.seed)
    ap.add_argument("--margin", type=float, default=PairsConfig.margin)
    ap.add_argument("--rendering", action="store_true", help="the prompt's own rendering joins the candidates")
    ap.add_argument("--guided", type=int, default=PairsConfig.guided,
                    help="this many more candidates with a shallow accompaniment guide (seeds of candidates 0..N-1)")
    ap.add_argument("--guide", type=float, default=PairsConfig.guide, help="the guided candidates' accompaniment t0")
    a = ap.parse_args(argv)
    if a.candidates < 2 or a.prompts < 1:
        print("--candidates must be >= 2 and --prompts >= 1", file=sys.stderr)
        return 2
    if not 0 <= a.guided <= a.candidates or not 0 < a.guide < 1:
        print("--guided must be between 0 and --candidates, and --guide strictly between 0 and 1", file=sys.stderr)
        return 2
    try:
        summary = make_pairs(a.corpus, a.model, a.out, PairsConfig(a.prompts, a.candidates, a.seed, a.margin,
                                                                         a.rendering, guided=a.guided, guide=a.guide))
    except (FileNotFoundError, ValueError) as e:
        print(f"dpo_pairs: {e}", file=sys.stderr)
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
