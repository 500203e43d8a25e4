"""Training-time t samplers and sampling-time grids (all explicit about device and random generator)."""
from __future__ import annotations

import torch


def train_times(batch: int, generator: torch.Generator | None, device: torch.device | str = "cpu",
                kind: str = "logit_normal", mean: float = 0.0, std: float = 1.0) -> torch.Tensor:
    """t [batch] in (0, 1): 'uniform', or 'logit_normal' (sigmoid of N(mean, std), SD3-style: more weight mid-path)."""
    if kind == "uniform":
        return torch.rand(batch, generator=generator, device=device)
    if kind == "logit_normal":
        return torch.sigmoid(mean + std * torch.randn(batch, generator=generator, device=device))
    raise ValueError(f"unknown time distribution {kind!r} (uniform, logit_normal)")


def sampling_grid(steps: int, shift: float = 1.0, device: torch.device | str = "cpu",
                  dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """[steps + 1] times from 0 (noise) to 1 (data). shift > 1 spends more steps near the noise end:
    t' = t / (t + shift (1 - t)) (the SD3 time shift written for t=0 at noise)."""
    if steps < 1:
        raise ValueError("steps must be >= 1")
    t = torch.linspace(0.0, 1.0, steps + 1, device=device, dtype=torch.float64)
    t = t / (t + shift * (1 - t))
    return t.to(dtype)
