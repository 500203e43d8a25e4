"""Diffusion-DPO (Wallace et al. 2023) carried over to rectified flow, as pure functions.

For a pair generated under one condition, winner x1_w and loser x1_l, both noised with the same noise x0 to the same
t, the trained model's velocity error e = |v(x_t) - (x1 - x0)|^2 is compared with a frozen reference model's e_ref:

    d      = (e_w - e_ref_w) - (e_l - e_ref_l)      (< 0: the model moved toward the winner, away from the loser)
    d     += positive * max(0, e_w - e_ref_w)      (DPO-positive, Pal et al. 2024: a winner fitted worse than the
                                                    reference fits it counts against; plain DPO lowers d by
                                                    raising the loser's error while the winner's rises too)
    loss   = -log sigmoid(-beta * d) + sft * e_w    (the SFT term keeps the winner's plain flow loss low)

With the model equal to the reference, d = 0 and the loss is log 2 (+ sft * e_w)."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def masked_error(v: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Per-sample mean squared velocity error [B] over the positions `weight` [B, T, C] (0/1) keeps."""
    w = weight.to(v.dtype)
    return (((v.float() - target.float()) ** 2) * w).sum(dim=(1, 2)) / w.sum(dim=(1, 2)).clamp_min(1.0)


def dpo_loss(err_w: torch.Tensor, err_l: torch.Tensor, ref_w: torch.Tensor, ref_l: torch.Tensor, beta: float,
             sft: float = 0.0, positive: float = 0.0) -> tuple[torch.Tensor, dict]:
    """(loss, logs) from per-sample errors [B] of the model and the frozen reference on winners and losers."""
    d = (err_w - ref_w) - (err_l - ref_l) + positive * (err_w - ref_w).clamp_min(0.0)
    loss = -F.logsigmoid(-beta * d).mean() + sft * err_w.mean()
    logs = {"dpo_d": float(d.detach().mean()), "dpo_acc": float((d < 0).float().mean()), "err_w": float(err_w.detach().mean()),
            "err_l": float(err_l.detach().mean())}
    return loss, logs
