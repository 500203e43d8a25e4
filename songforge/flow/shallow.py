"""Shallow diffusion (DiffSinger): part of the sample follows a given rendering's straight path up to t0, and the
model takes it from there.

With x0 the starting noise and `target` the rendering's (normalised) latent, the masked entries move with the
constant velocity target - x0 while t < t0, so at every time t <= t0 they sit exactly at the noised rendering
(1 - t) x0 + t target, whatever the sampler; from t0 on the model's own velocity drives them like every other
entry. t0 = 0 is plain generation; t0 = 1 keeps the rendering. Pure: nothing is stored between calls."""
from __future__ import annotations

import torch

from .samplers import Velocity


def anchored(velocity: Velocity, x0: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, t0: float,
             channels: slice = slice(None)) -> Velocity:
    """`velocity` with the entries of x[..., channels] where `mask` (broadcast to target) is true pinned to
    target's path for t < t0; target is [..., len(channels)] (only the pinned channels are held: a long song's
    full latent is large)."""
    pinned = target - x0[..., channels]
    t0 = float("inf") if t0 >= 1.0 else t0  # t0 = 1: pinned at every call, a second-order corrector's at t = 1 too

    def v(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        out = velocity(x, t)
        if float(t) < t0:
            out[..., channels] = torch.where(mask, pinned, out[..., channels])
        return out

    return v
