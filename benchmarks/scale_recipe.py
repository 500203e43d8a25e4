"""A large run on paper, checked small: configs/dit_large.json (a JAM-size DiT) — its parameters, memory per GPU and
throughput on 1 and 8 H100s from arithmetic; and the same code's training step measured on this CPU at small widths
(the step's time should follow 6 x parameters x tokens: the measured FLOP rate at each width says how well).

    python benchmarks/scale_recipe.py --out benchmarks/results/scale_recipe.json

Arithmetic (stated so it can be checked): training FLOPs per token = 6 P (forward 2 P, backward 4 P) + 2 P for the
recomputed forward of checkpointed blocks, plus windowed attention 12 x window x dim per layer; bytes per parameter
with bf16 autocast over fp32 weights and AdamW = 4 (weights) + 4 (grads) + 8 (Adam moments) = 16, sharded 8 ways
by FSDP full sharding; activations with block checkpointing = each block's fp32 input (4 x dim bytes per token per
block) + one block recomputed (~34 x dim bytes per token: q, k, v, attention output, two norms, the SwiGLU's
3 x 8/3 dim hidden, in fp32/bf16). H100 SXM: 989 TFLOP/s dense bf16; an assumed 40% of it (MFU 0.4)."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace

import torch
from roundtrip import write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
H100_BF16 = 989e12
MFU = 0.4


def load_large():
    from songforge.train.config import load_config
    _, cfg, tc = load_config(os.path.join(ROOT, "configs", "dit_large.json"))
    return cfg, tc


def params(cfg) -> int:
    from songforge.model.dit import DiT
    with torch.device("meta"):
        return sum(p.numel() for p in DiT(cfg).parameters())


def synthetic_batch(cfg, b: int, t: int) -> dict:
    """Every input the DiT reads, random, for b windows of t latent frames."""
    from songforge.cond.plan_grid import PLAN_DIM
    from songforge.cond.style import STYLE_DIM
    g = torch.Generator().manual_seed(0)
    c = cfg.io_channels
    return {"x1": torch.randn(b, t, c, generator=g), "known": torch.zeros(b, t, c),
            "edit_mask": torch.zeros(b, t, cfg.stems), "mix": torch.zeros(b, t, cfg.latent_channels),
            "mix_on": torch.zeros(b), "phonemes": torch.randint(4, 60, (b, t * cfg.grid_factor), generator=g),
            "onsets": torch.zeros(b, t * cfg.grid_factor, 3), "plan": torch.rand(b, t, PLAN_DIM, generator=g),
            "style": torch.rand(b, STYLE_DIM, generator=g), "duration": torch.full((b, 2), 0.25),
            "frame_mask": torch.ones(b, t, dtype=torch.bool), "lyrics_on": torch.ones(b), "plan_on": torch.ones(b),
            "style_on": torch.ones(b)}


def measure(cfg, b: int, t: int, steps: int = 3) -> dict:
    """Seconds per training step (forward, backward, AdamW) of the real loss on this CPU, after a warm-up step."""
    from songforge.model.dit import DiT
    from songforge.train.dit_task import flow_loss
    torch.manual_seed(0)
    model = DiT(cfg).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    batch = synthetic_batch(cfg, b, t)
    times = []
    for k in range(steps + 1):
        t0 = time.perf_counter()
        loss, _ = flow_loss(model, batch, torch.Generator().manual_seed(k), train=True)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - t0)
    p = sum(x.numel() for x in model.parameters())
    step_s = sorted(times[1:])[len(times[1:]) // 2]
    flops = (8 if cfg.checkpoint_blocks else 6) * p * b * t
    return {"dim": cfg.dim, "depth": cfg.depth, "params_m": round(p / 1e6, 2), "tokens": b * t,
            "step_s": round(step_s, 3), "gflops_per_s": round(flops / step_s / 1e9, 1)}


def plan_table(cfg, tc, p: int) -> list[dict]:
    frames = int(tc.segment_s * 25)  # 25 latent frames per second
    tokens = tc.batch_size * frames
    attn = 12 * cfg.attention_window * cfg.dim * cfg.depth
    flops_token = 8 * p + attn
    rows = []
    for gpus in (1, 8):
        state_gb = 16 * p / gpus / 1e9
        act_gb = tokens * (cfg.depth * 4 * cfg.dim + 34 * cfg.dim) / 1e9
        block_gb = 2 * p / cfg.depth * 2 / 1e9 if gpus > 1 else 0.0  # FSDP: a block's full bf16 weights (+ prefetch)
        step_s = flops_token * tokens / (H100_BF16 * MFU)
        rows.append({"gpus": gpus, "per_gpu_batch": f"{tc.batch_size} x {tc.segment_s:g} s", "state_gb": round(state_gb, 2),
                     "activations_gb": round(act_gb, 2), "gathered_gb": round(block_gb, 2),
                     "total_gb": round(state_gb + act_gb + block_gb, 2), "step_s": round(step_s, 3),
                     "audio_h_per_hour": round(gpus * tc.batch_size * tc.segment_s / step_s, 0)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out")
    a = ap.parse_args()
    cfg, tc = load_large()
    p = params(cfg)
    table = plan_table(cfg, tc, p)
    small = [measure(replace(cfg, dim=d, depth=4, heads=d // 64, mlp_hidden=int(d * 8 / 3), lyrics_dim=64), 2, 200)
             for d in (128, 256, 512)]
    result = {"config": "configs/dit_large.json", "params_m": round(p / 1e6, 1), "plan": table, "cpu_small": small,
              "assumptions": {"h100_bf16_flops": H100_BF16, "mfu": MFU, "bytes_per_param": 16}}
    lines = [f"configs/dit_large.json: {p / 1e6:.0f}M parameters (dim {cfg.dim}, {cfg.depth} blocks, {cfg.heads} heads), "
             f"bf16, block checkpointing, FSDP over the GPUs (configs/accelerate_fsdp.yaml). From arithmetic "
             f"(benchmarks/scale_recipe.py states it), MFU {MFU}:", "",
             "| H100s | batch per GPU | weights + grads + Adam GB | activations GB | gathered block GB | total GB | "
             "step s | audio-hours seen per hour |", "|---|---|---|---|---|---|---|---|"]
    for r in table:
        lines.append(f"| {r['gpus']} | {r['per_gpu_batch']} | {r['state_gb']} | {r['activations_gb']} | "
                     f"{r['gathered_gb']} | {r['total_gb']} | {r['step_s']} | {r['audio_h_per_hour']:.0f} |")
    lines += ["", "The same training step measured on this CPU at small widths (4 blocks, batch 2 x 8 s, block "
              "checkpointing on), torch's default threads:", "",
              "| dim | params M | step s | GFLOP/s (8 x params x tokens / step) |", "|---|---|---|---|"]
    lines += [f"| {r['dim']} | {r['params_m']} | {r['step_s']} | {r['gflops_per_s']} |" for r in small]
    print("\n".join(lines))
    if a.out:
        write_results(a.out, result, "\n".join(lines) + "\n")
    else:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
