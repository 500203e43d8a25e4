"""Pure ODE samplers for dx/dt = v(x, t) from t=ts[0] to ts[-1]: no state, no scheduler objects.

`velocity(x, t)` takes x [B, ...] and a scalar time tensor and returns v like x."""
from __future__ import annotations

from typing import Callable

import torch

Velocity = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def euler(velocity: Velocity, x: torch.Tensor, ts: torch.Tensor) -> torch.Tensor:
    for a, b in zip(ts[:-1], ts[1:]):
        x = x + (b - a) * velocity(x, a)
    return x


def heun(velocity: Velocity, x: torch.Tensor, ts: torch.Tensor) -> torch.Tensor:
    """Second order (trapezoid predictor-corrector); two velocity calls per step."""
    for a, b in zip(ts[:-1], ts[1:]):
        h = b - a
        v1 = velocity(x, a)
        v2 = velocity(x + h * v1, b)
        x = x + h * 0.5 * (v1 + v2)
    return x


def midpoint(velocity: Velocity, x: torch.Tensor, ts: torch.Tensor) -> torch.Tensor:
    """Second order explicit midpoint; two velocity calls per step."""
    for a, b in zip(ts[:-1], ts[1:]):
        h = b - a
        x_mid = x + 0.5 * h * velocity(x, a)
        x = x + h * velocity(x_mid, a + 0.5 * h)
    return x


SAMPLERS = {"euler": euler, "heun": heun, "midpoint": midpoint}


def sample(name: str, velocity: Velocity, x: torch.Tensor, ts: torch.Tensor) -> torch.Tensor:
    if name not in SAMPLERS:
        raise ValueError(f"unknown sampler {name!r} (known: {', '.join(SAMPLERS)})")
    return SAMPLERS[name](velocity, x, ts)
