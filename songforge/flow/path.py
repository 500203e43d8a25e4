"""The straight (rectified-flow) path between noise x0 (t=0) and data x1 (t=1).

x_t = (1 - t) x0 + t x1, and its velocity dx_t/dt = x1 - x0 is the regression target. `t` has shape [B]
and broadcasts over the remaining dims of x [B, ...]."""
from __future__ import annotations

import torch


def _bt(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return t.reshape(t.shape + (1,) * (like.dim() - t.dim()))


def interpolate(x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """x_t [B, ...] for t [B] (or a scalar tensor)."""
    t = _bt(t, x0)
    return (1 - t) * x0 + t * x1


def target_velocity(x0: torch.Tensor, x1: torch.Tensor) -> torch.Tensor:
    return x1 - x0


def velocity_from_data(x_t: torch.Tensor, x1: torch.Tensor, t: torch.Tensor, min_gap: float = 0.05) -> torch.Tensor:
    """The velocity that reaches a predicted x1 from x_t: (x1 - x_t) / (1 - t), with 1 - t kept >= min_gap
    (x-prediction, as in JiT: the network outputs data, which lies near a low-dimensional manifold, instead of
    noise-laden velocity; this matters when the latent has more channels than the network's width)."""
    return (x1 - x_t) / (1 - _bt(t, x_t)).clamp_min(min_gap)


def data_from_velocity(x_t: torch.Tensor, v: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The x1 a velocity points to from x_t: x_t + (1 - t) v."""
    return x_t + (1 - _bt(t, x_t)) * v


def noise_from_velocity(x_t: torch.Tensor, v: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The x0 a velocity comes from: x_t - t v."""
    return x_t - _bt(t, x_t) * v
