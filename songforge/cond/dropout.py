"""Per-condition dropout for classifier-free guidance, in one place: each optional condition is switched
off for a random share of the batch (its on/off flag set to 0), independently per condition."""
from __future__ import annotations

import torch

DEFAULT_RATES = {"lyrics_on": 0.1, "plan_on": 0.2, "style_on": 0.1}


def drop_conditions(cond: dict, generator: torch.Generator | None, rates: dict[str, float] = DEFAULT_RATES) -> dict:
    """A copy of cond with flags zeroed at the given rates (training)."""
    out = dict(cond)
    for flag, p in rates.items():
        keep = (torch.rand(cond[flag].shape, generator=generator, device=cond[flag].device) >= p).to(cond[flag].dtype)
        out[flag] = cond[flag] * keep
    return out


def null_conditions(cond: dict, names: tuple[str, ...]) -> dict:
    """cond with the named conditions ('lyrics', 'plan', 'style') switched off (guidance's negative passes)."""
    out = dict(cond)
    for name in names:
        flag = f"{name}_on"
        if flag not in cond:
            raise KeyError(f"no condition {name!r} to drop (have: {', '.join(k[:-3] for k in cond if k.endswith('_on'))})")
        out[flag] = torch.zeros_like(cond[flag])
    return out
