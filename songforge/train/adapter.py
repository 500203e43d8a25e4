"""`songforge train dit --init MODEL_DIR --data CORPUS --lora RANK --out RUN`: a low-rank adapter (model/lora.py) for
a model folder's DiT, trained on a corpus (your own songs from `songforge data import`, or a rendered one) with the
DiT's own flow loss; only the adapters train. The latents are normalised with the model folder's statistics (the
base model's frame of reference, not the small corpus's). RUN/adapter holds the adapter (safetensors + adapter.json
with its card); `songforge generate --adapter RUN/adapter` uses it. Resumes like every run."""
from __future__ import annotations

import json
import os
import time
from dataclasses import replace

import torch

from ..model import checkpoint
from ..model.lora import is_lora, save_adapter


def train_adapter(config: str, corpus: str, init_model: str, out: str, rank: int, overrides: dict | None = None,
                  progress: bool = True) -> dict:
    from .config import load_config, with_overrides
    from .dit_task import DiTTask
    from .loop import fit, refuse_finished
    from .preflight import Mismatch, check_corpus, check_dit, check_resume
    dit_dir, codec_dir = os.path.join(init_model, "dit"), os.path.join(init_model, "codec")
    meta_path = os.path.join(init_model, "model.json")
    if not (os.path.isfile(os.path.join(dit_dir, "config.json")) and os.path.isfile(meta_path)):
        raise ValueError(f"--init {init_model}: --lora needs a model folder (dit/, codec/, model.json), e.g. "
                         "songforge/models/default")
    if rank < 1:
        raise ValueError(f"--lora {rank}: the adapter's rank must be >= 1")
    kind, lora_cfg, tc = load_config(config)
    if kind != "dit":
        raise ValueError(f"{config}: field 'kind': an adapter config trains a dit, not a {kind}")
    tc = with_overrides(tc, overrides)
    base, _ = checkpoint.load(dit_dir)
    cfg = replace(base.cfg, lora_rank=rank, lora_alpha=lora_cfg.lora_alpha)
    with open(meta_path) as f:
        latent = json.load(f)["latent"]
    try:
        check_corpus(corpus, check_dit(cfg, codec_dir).sample_rate)
        check_resume(out, "dit", cfg)
    except Mismatch as e:
        raise ValueError(str(e)) from None
    refuse_finished(out, tc.steps, f"the adapter is in {out}/adapter")
    model = checkpoint.build("dit", cfg, tc.seed)
    model.load_state_dict(base.state_dict(), strict=False)  # every base tensor; the adapters start as built
    for name, p in model.named_parameters():
        p.requires_grad_(is_lora(name))
    task = DiTTask(corpus, cfg, tc, codec_dir, os.path.join(out, "latents"), progress,
                   latent_stats=(latent["mean"], latent["std"]))
    t0 = time.process_time()
    result = fit(task, model, "dit", tc, out, progress=progress)
    final, _ = checkpoint.load(os.path.join(out, "final"))
    with open(os.path.join(corpus, "manifest.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    train_rows = [r for r in rows if r["split"] == "train"]
    card = {"base_model": os.path.abspath(init_model), "data": os.path.abspath(corpus),
            "songs": len(train_rows), "hours": round(sum(r["duration"] for r in train_rows) / 3600, 3),
            "styles": sorted({r["style"] for r in train_rows if r.get("style")}), "steps": result["step"],
            "batch_size": tc.batch_size, "segment_s": tc.segment_s, "lr": tc.lr,
            "cpu_s_this_session": round(time.process_time() - t0, 1), "eval": result.get("eval"),
            "trainable_parameters": sum(p.numel() for n, p in model.named_parameters() if is_lora(n)),
            "hardware": "cpu" if not torch.cuda.is_available() else torch.cuda.get_device_name(0)}
    adapter = save_adapter(final.state_dict(), rank, cfg.lora_alpha, dit_dir, os.path.join(out, "adapter"), card)
    return result | {"adapter": adapter}
