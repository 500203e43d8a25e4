"""One training loop for every model kind (accelerate: one CPU, one GPU, or DDP via `accelerate launch`).

The loop owns optimisation only: AdamW with warmup + cosine decay computed from the step (no scheduler state),
gradient clipping, an EMA of the weights, periodic checkpoints and evaluation. What a batch is and what the
loss is belong to a Task. Every step draws its randomness from a generator seeded by (seed, step, process),
so a run killed and resumed from its last checkpoint replays exactly the same batches, noise and loss curve.

Output folder: log.jsonl (one line per step, with its wall-clock time), eval.jsonl, last/ (resume state: weights, EMA, optimizer, step,
all safetensors + JSON) and final/ (the EMA weights as a loadable checkpoint folder)."""
from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import asdict
from typing import Protocol

import torch

from ..model import checkpoint
from .config import TrainConfig


class Task(Protocol):
    """A task whose `shardable` is True takes batch(step, generator, (rank, world)) and returns this process's
    share of a global batch that does not depend on the number of processes (train/dit_task.py)."""
    def batch(self, step: int, generator: torch.Generator) -> dict: ...
    def loss(self, model: torch.nn.Module, batch: dict, generator: torch.Generator) -> tuple[torch.Tensor, dict]: ...
    def evaluate(self, model: torch.nn.Module, step: int) -> dict: ...


def lr_at(step: int, tc: TrainConfig) -> float:
    if step < tc.warmup:
        return tc.lr * (step + 1) / tc.warmup
    p = (step - tc.warmup) / max(1, tc.steps - tc.warmup)
    return tc.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))


def step_generator(seed: int, step: int, process: int, device) -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed((seed * 1_000_003 + step * 101 + process) % (2 ** 63))
    return g


def _to(batch: dict, device) -> dict:
    return {k: (v.to(device) if isinstance(v, torch.Tensor) else v) for k, v in batch.items()}


# -- resume state (safetensors + JSON, never pickle) ---------------------------------------------------------
def _save_state(folder: str, model, ema: dict, opt, step: int, kind: str) -> None:
    from safetensors.torch import save_file
    tmp = folder + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    save_file({k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}, os.path.join(tmp, "model.safetensors"))
    save_file({k: v.contiguous().cpu() for k, v in ema.items()}, os.path.join(tmp, "ema.safetensors"))
    sd = opt.state_dict()
    flat = {f"{i}.{name}": v.detach().contiguous().cpu() for i, s in sd["state"].items() for name, v in s.items()}
    save_file(flat, os.path.join(tmp, "optimizer.safetensors"))
    with open(os.path.join(tmp, "state.json"), "w") as f:
        json.dump({"step": step, "kind": kind, "param_groups": sd["param_groups"]}, f)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)


def _load_state(folder: str, model, opt, device) -> tuple[dict, int]:
    from safetensors.torch import load_file
    model.load_state_dict(load_file(os.path.join(folder, "model.safetensors"), device=str(device)))
    ema = load_file(os.path.join(folder, "ema.safetensors"), device=str(device))
    with open(os.path.join(folder, "state.json")) as f:
        meta = json.load(f)
    state: dict = {}
    for key, v in load_file(os.path.join(folder, "optimizer.safetensors"), device=str(device)).items():
        i, name = key.split(".", 1)
        state.setdefault(int(i), {})[name] = v
    for s in state.values():  # AdamW keeps `step` on the CPU unless capturable
        if "step" in s:
            s["step"] = s["step"].cpu()
    opt.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    return ema, int(meta["step"])


def _truncate_log(path: str, start: int) -> None:
    """Drop log lines at or after `start` (written by a run killed after its last checkpoint)."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        keep = [line for line in f if line.strip() and json.loads(line)["step"] < start]
    with open(path, "w") as f:
        f.writelines(keep)


def fit(task: Task, model: torch.nn.Module, kind: str, tc: TrainConfig, out: str, stop_at: int | None = None,
        progress: bool = True) -> dict:
    """Train `model` (built by the caller) for tc.steps, resuming from out/last if it exists.
    `stop_at` ends the run early after that step's checkpoint logic (used to test kill/resume).
    Returns {"step", "loss", "eval"} of the last step run."""
    from accelerate import Accelerator
    from tqdm import tqdm
    mp = "bf16" if tc.precision in ("auto", "bf16") and torch.cuda.is_available() else "no"
    acc = Accelerator(mixed_precision=mp, cpu=not torch.cuda.is_available())
    os.makedirs(out, exist_ok=True)
    model = model.to(acc.device)
    if tc.train_only:  # e.g. a new decoder on a frozen encoder, so latents cached for the DiT stay valid
        for name, p in model.named_parameters():
            p.requires_grad_(name.startswith(tc.train_only))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=tc.lr, weight_decay=tc.weight_decay, betas=(0.9, 0.99))
    start, ema = 0, {k: v.detach().clone().float() for k, v in model.state_dict().items()}
    last = os.path.join(out, "last")
    if os.path.exists(os.path.join(last, "state.json")):
        ema, start = _load_state(last, model, opt, acc.device)
    model, opt = acc.prepare(model, opt)
    raw = acc.unwrap_model(model)
    log_path = os.path.join(out, "log.jsonl")
    if acc.is_main_process:
        _truncate_log(log_path, start)
        with open(os.path.join(out, "train_config.json"), "w") as f:
            json.dump({"kind": kind, "model": asdict(raw.cfg), "train": asdict(tc)}, f, indent=1)
    end = tc.steps if stop_at is None else min(tc.steps, stop_at)
    bar = tqdm(range(start, end), initial=start, total=tc.steps, desc=f"train {kind}", unit="step",
               disable=not (progress and acc.is_main_process))
    result: dict = {"step": start, "loss": None, "eval": None}
    for step in bar:
        g = step_generator(tc.seed, step, acc.process_index, acc.device)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, tc)
        model.train()
        with acc.autocast():
            batch = task.batch(step, g, (acc.process_index, acc.num_processes)) if getattr(task, "shardable", False) \
                else task.batch(step, g)
            loss, logs = task.loss(model, _to(batch, acc.device), g)
        acc.backward(loss)
        gnorm = acc.clip_grad_norm_(model.parameters(), tc.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        decay = min(tc.ema_decay, (1 + step) / (10 + step))
        with torch.no_grad():
            for k, v in raw.state_dict().items():
                ema[k].mul_(decay).add_(v.detach().float(), alpha=1 - decay)
        done = step + 1
        # the loss of the whole step: every process's share of the batch
        shown = acc.reduce(loss.detach(), reduction="mean") if acc.num_processes > 1 else loss.detach()
        rec = {"step": step, "time": round(time.time(), 2), "loss": shown.item(), "lr": lr_at(step, tc),
               "grad_norm": float(gnorm), **logs}
        result.update(step=done, loss=rec["loss"])
        if acc.is_main_process:
            with open(log_path, "a") as f:
                f.write(json.dumps(rec) + "\n")
            if step % tc.log_every == 0:
                bar.set_postfix(loss=f"{rec['loss']:.4f}")
        if acc.is_main_process and (done % tc.save_every == 0 or done in (tc.steps, end)):
            _save_state(last, raw, ema, opt, done, kind)
        if (tc.eval_every and done % tc.eval_every == 0) or done == tc.steps:
            result["eval"] = _evaluate(task, raw, ema, kind, out, done, acc)
    acc.wait_for_everyone()
    return result


def ema_model(raw: torch.nn.Module, ema: dict, kind: str) -> torch.nn.Module:
    """A copy of `raw` carrying the EMA weights, in eval mode."""
    m = checkpoint.KINDS[kind][0](raw.cfg).to(next(raw.parameters()).device)
    m.load_state_dict({k: v.to(raw.state_dict()[k].dtype) for k, v in ema.items()})
    return m.eval()


def _evaluate(task: Task, raw, ema: dict, kind: str, out: str, step: int, acc) -> dict | None:
    if not acc.is_main_process:
        return None
    m = ema_model(raw, ema, kind)
    checkpoint.save(m, kind, os.path.join(out, "final"))
    with torch.no_grad():
        scores = {"step": step, **task.evaluate(m, step)}
    with open(os.path.join(out, "eval.jsonl"), "a") as f:
        f.write(json.dumps(scores) + "\n")
    return scores


def export_last(run: str) -> str:
    """Write run/final from the EMA weights of the newest resume checkpoint (run/last); returns its path."""
    from safetensors.torch import load_file
    with open(os.path.join(run, "train_config.json")) as f:
        meta = json.load(f)
    kind = meta["kind"]
    cls, cfg_cls = checkpoint.KINDS[kind]
    model = cls(cfg_cls(**{k: checkpoint.tuples_from_json(v) for k, v in meta["model"].items()}))
    model.load_state_dict(load_file(os.path.join(run, "last", "ema.safetensors")))
    return checkpoint.save(model, kind, os.path.join(run, "final"))


def refuse_finished(out: str, steps: int, result: str) -> None:
    """ValueError when the run in `out` has already reached `steps` (`result`: where its output is)."""
    state = run_state(out)
    if state is not None and state[0] >= steps:
        raise ValueError(f"{out}: this run is finished (step {state[0]} of {state[1]}; {result}); pass --steps N > "
                         f"{state[0]} to train it further, or another --out")


def run_state(out: str) -> tuple[int, int] | None:
    """(step reached, steps asked) of the run in `out`, or None if it holds none."""
    state, saved = os.path.join(out, "last", "state.json"), os.path.join(out, "train_config.json")
    if not os.path.isfile(state):
        return None
    with open(state) as f:
        step = int(json.load(f)["step"])
    total = step
    if os.path.isfile(saved):
        with open(saved) as f:
            total = int(json.load(f)["train"]["steps"])
    return step, total
