"""`songforge train dpo`: preference alignment of a model folder's DiT on pairs from train/dpo_pairs.py, with the
Diffusion-DPO loss for rectified flow (flow/dpo.py) against a frozen copy of the starting DiT.

Config (configs/dpo.json): {"kind": "dpo", "train": {TrainConfig fields}, "dpo": {"beta": ..., "sft": ...}}.
The run folder is like every other run's (log.jsonl, last/ for exact resume, final/ with the EMA weights), plus
model/: the starting model folder with its DiT replaced by the aligned one (fp16), ready for `--model`."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass

import torch

from ..flow.dpo import dpo_loss, masked_error
from ..flow.path import interpolate, target_velocity
from ..flow.timesteps import train_times
from .config import TrainConfig, _build
from .dpo_pairs import RENDERING


@dataclass(frozen=True)
class DPOConfig:
    beta: float = 1000.0  # sharpness: the per-sample error differences are small, so beta is large
    sft: float = 0.0  # weight of the winner's plain flow loss
    positive: float = 0.0  # DPO-positive: weight of the winner's error above the reference's inside d (flow/dpo.py)


def load_dpo_config(path: str) -> tuple[TrainConfig, DPOConfig]:
    with open(path) as f:
        raw = json.load(f)
    if raw.get("kind") != "dpo":
        raise ValueError(f"{path}: field 'kind': {raw.get('kind')!r}, expected 'dpo'")
    unknown = sorted(set(raw) - {"kind", "train", "dpo"})
    if unknown:
        raise ValueError(f"{path}: unknown field(s) {', '.join(unknown)} (known: kind, train, dpo)")
    return _build(TrainConfig, raw.get("train", {}), f"{path}: train"), _build(DPOConfig, raw.get("dpo", {}),
                                                                                f"{path}: dpo")


class DPOTask:
    """Batches of (winner, loser) latents of one prompt, windowed alike, with the prompt's conditions."""

    def __init__(self, pairs_dir: str, model_cfg, tc: TrainConfig, dc: DPOConfig, codec_dir: str, cache: str,
                 reference: torch.nn.Module, progress: bool = True,
                 latent_stats: tuple[list[float], list[float]] | None = None):
        from safetensors.torch import load_file

        from .dit_task import DiTTask
        with open(os.path.join(pairs_dir, "config.json")) as f:
            corpus = json.load(f)["corpus"]
        with open(os.path.join(pairs_dir, "pairs.jsonl"), encoding="utf-8") as f:
            self.pairs = [json.loads(line) for line in f if line.strip()]
        if not self.pairs:
            raise ValueError(f"{pairs_dir}/pairs.jsonl: no pairs (make them with python -m songforge.train.dpo_pairs)")
        self.cfg, self.tc, self.dc, self.reference = model_cfg, tc, dc, reference.eval().requires_grad_(False)
        # the prompts' cached conditions, and their renderings' latents normalised as the model's samples are
        self.base = DiTTask(corpus, model_cfg, tc, codec_dir, cache, progress, latent_stats=latent_stats)
        by_index = dict(zip(self.base.train_indices, self.base.train))
        self.items = [by_index[p["index"]] for p in self.pairs]
        lat = os.path.join(pairs_dir, "latents")

        def latents(p: dict, k: int) -> torch.Tensor:
            if k == RENDERING:
                return by_index[p["index"]]["stems"].flatten(1)
            return load_file(os.path.join(lat, f"{p['prompt']}_{k}.safetensors"))["x1"]
        self.latents = [(latents(p, p["winner"]), latents(p, p["loser"])) for p in self.pairs]

    def _one(self, i: int, generator: torch.Generator) -> dict:
        item, (w, l) = self.items[i], self.latents[i]
        t = min(item["stems"].shape[0], w.shape[0], l.shape[0])
        n = self.base.frames
        start = int(torch.randint(0, max(1, t - n + 1), (1,), generator=generator))
        c = {k: v for k, v in self.base.conditions(item, start).items() if k != "x1"}

        def crop(x: torch.Tensor) -> torch.Tensor:
            y = x[start:min(t, start + n)].float()
            return torch.cat([y, y.new_zeros((n - len(y),) + tuple(y.shape[1:]))])
        w, l = crop(w), crop(l)
        return c | {"known": torch.zeros_like(w), "x1_w": w, "x1_l": l}

    def batch(self, step: int, generator: torch.Generator) -> dict:
        picks = [int(torch.randint(len(self.pairs), (1,), generator=generator)) for _ in range(self.tc.batch_size)]
        items = [self._one(i, generator) for i in picks]
        return {k: torch.stack([it[k] for it in items]) for k in items[0]}

    def loss(self, model, batch: dict, generator: torch.Generator):
        xw, xl = batch["x1_w"], batch["x1_l"]
        cond = {k: v for k, v in batch.items() if k not in ("x1_w", "x1_l")}
        b = xw.shape[0]
        x0 = torch.randn(xw.shape, generator=generator, device=xw.device, dtype=xw.dtype)
        t = train_times(b, generator, xw.device)
        both = {k: torch.cat([v, v]) for k, v in cond.items()}
        xt = torch.cat([interpolate(x0, xw, t), interpolate(x0, xl, t)])
        tt = torch.cat([t, t])
        target = torch.cat([target_velocity(x0, xw), target_velocity(x0, xl)])
        weight = cond["frame_mask"][..., None].expand_as(xw)
        weight = torch.cat([weight, weight])
        err = masked_error(model(xt, tt, both), target, weight)
        ref = self.reference.to(xw.device)
        with torch.no_grad():
            err_ref = masked_error(ref(xt, tt, both), target, weight)
        return dpo_loss(err[:b], err[b:], err_ref[:b], err_ref[b:], self.dc.beta, self.dc.sft,
                        self.dc.positive)

    @torch.no_grad()
    def evaluate(self, model, step: int) -> dict:
        """The DPO loss and implicit accuracy on fixed windows and noise (comparable across steps)."""
        g = torch.Generator().manual_seed(1234)
        batch = {k: v.to(next(model.parameters()).device)
                 for k, v in self.batch(0, g).items()}
        loss, logs = self.loss(model, batch, torch.Generator().manual_seed(99))
        return {"dpo_loss": float(loss)} | logs


def train_dpo(config: str, pairs: str, init_model: str, out: str, overrides: dict | None = None,
              progress: bool = True) -> dict:
    """Align the DiT of the model folder `init_model` on `pairs`; returns fit's result plus the aligned model."""
    from ..model import checkpoint
    from .config import with_overrides
    from .loop import fit, refuse_finished
    tc, dc = load_dpo_config(config)
    tc = with_overrides(tc, overrides)
    dit_dir = os.path.join(init_model, "dit")
    if not os.path.isfile(os.path.join(dit_dir, "config.json")):
        raise ValueError(f"--init {init_model}: not a model folder (no dit/config.json; `songforge model assemble` "
                         "makes one)")
    if not os.path.isfile(os.path.join(pairs, "pairs.jsonl")):
        raise ValueError(f"--data {pairs}: no pairs.jsonl (python -m songforge.train.dpo_pairs makes it)")
    refuse_finished(out, tc.steps, f"the aligned model is in {out}/model")
    model, kind = checkpoint.load(dit_dir)
    reference, _ = checkpoint.load(dit_dir)
    with open(os.path.join(init_model, "model.json")) as f:
        latent = json.load(f)["latent"]
    task = DPOTask(pairs, model.cfg, tc, dc, os.path.join(init_model, "codec"), os.path.join(out, "latents"),
                   reference, progress, latent_stats=(latent["mean"], latent["std"]))
    result = fit(task, model, "dit", tc, out, progress=progress)
    aligned = os.path.join(out, "model")
    tmp = aligned + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(init_model, tmp)
    ema, _ = checkpoint.load(os.path.join(out, "final"))
    shutil.rmtree(os.path.join(tmp, "dit"))
    checkpoint.save(ema, "dit", os.path.join(tmp, "dit"), dtype=torch.float16)
    with open(os.path.join(out, "dpo_config.json"), "w") as f:
        json.dump({"pairs": os.path.abspath(pairs), "init": os.path.abspath(init_model), "beta": dc.beta,
                   "sft": dc.sft, "pair_count": len(task.pairs)}, f, indent=1)
    shutil.rmtree(aligned, ignore_errors=True)
    os.replace(tmp, aligned)
    return result | {"model": aligned}
