"""Guidance as one pure function over named condition subsets (JAM-style per-condition CFG).

v = v(c) + sum_k w_k(t) * (v(c) - v(c without S_k)), where w_k(t) = weight_k inside its time interval and 0
outside. All needed passes (the full condition + one per active term) go through the model in ONE batched
forward call (or, with `max_batch`, in calls of at most that many samples: same result, less peak memory for long
songs); `drop(cond, names)` returns the condition dict with those conditions nulled (model-specific)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch


@dataclass(frozen=True)
class Term:
    drop: tuple[str, ...]  # conditions removed for this term's negative pass, e.g. ("style",)
    weight: float
    interval: tuple[float, float] = (0.0, 1.0)  # active for t in [lo, hi]

    def active(self, t: float) -> bool:
        return self.weight != 0.0 and self.interval[0] <= t <= self.interval[1]


Model = Callable[[torch.Tensor, torch.Tensor, dict], torch.Tensor]  # (x [B, ...], t [B], cond) -> v
Drop = Callable[[dict, tuple[str, ...]], dict]


def stack_conditions(conds: list[dict]) -> dict:
    """Concatenate condition dicts along the batch dim (values: tensors [B, ...] or None)."""
    out = {}
    for k in conds[0]:
        vals = [c[k] for c in conds]
        out[k] = None if vals[0] is None else torch.cat(vals, dim=0)
    return out


def guided_velocity(model: Model, x: torch.Tensor, t: torch.Tensor, cond: dict, terms: tuple[Term, ...],
                    drop: Drop, max_batch: int | None = None) -> torch.Tensor:
    """Guided velocity at scalar time t for x [B, ...]."""
    tf = float(t)
    live = [term for term in terms if term.active(tf)]
    conds = [cond] + [drop(cond, term.drop) for term in live]
    n = len(conds)
    xb = x.repeat((n,) + (1,) * (x.dim() - 1))
    tb = t.reshape(1).expand(x.shape[0] * n).to(x.dtype)
    cb = stack_conditions(conds)
    step = max_batch or xb.shape[0]
    parts = [model(xb[i:i + step], tb[i:i + step], {k: None if v is None else v[i:i + step] for k, v in cb.items()})
             for i in range(0, xb.shape[0], step)]
    v = torch.cat(parts, dim=0).chunk(n, dim=0)
    out = v[0]
    for term, v_neg in zip(live, v[1:]):
        out = out + term.weight * (v[0] - v_neg)
    return out


def parse_guidance(text: str | None, default: tuple) -> tuple[tuple[str, float], ...]:
    """'lyrics=2,style+plan=1.5' -> (('lyrics', 2.0), ('style+plan', 1.5)); empty text -> `default`."""
    if not text:
        return default
    out = []
    for part in text.split(","):
        name, _, w = part.partition("=")
        names = [n.strip() for n in name.split("+")]
        if not w or any(n not in ("lyrics", "style", "plan") for n in names):
            raise ValueError(f"--guidance: {part!r} is not NAME=WEIGHT with NAME in lyrics, style, plan "
                             "(or several joined by +)")
        out.append(("+".join(names), float(w)))
    return tuple(out)
