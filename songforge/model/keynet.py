"""The key estimator: which of the 24 major/minor keys a mix is in, trained here on the data engine's renders (exact
key labels) and on the same renders through the generator's codec, so that generated songs are heard in the key
they were planned in.

Input: the CQT chroma sequence of the mix and of its bass register (model/chroma.py chroma_frames,
~10.8 frames/s). The network is transposition-equivariant by construction, as key profiles are: the chroma is
rolled to each of the 12 candidate tonics and one shared temporal network scores "major on this tonic" and "minor
on this tonic" from it, so all 24 keys are judged by the same weights. The temporal convolutions (receptive field
~6 s) can hear what a mean chroma cannot -- which chord the phrases start and end on, what the bass plays on the
strong beats -- the cues that tell a key from its relative major/minor and from its dominant."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .chroma import key_name  # noqa: F401  (the names of the 24 logits)


@dataclass(frozen=True)
class KeyNetConfig:
    dim: int = 64
    layers: int = 4  # dilated convolutions (dilations 1, 2, 4, 8 ...), kernel 5
    pool: int = 4  # chroma frames averaged into one step (4: ~0.37 s, about a beat) before the convolutions
    dropout: float = 0.1
    frame_rate: float = 22050 / 2048  # chroma frames per second the network was trained on (informational)


class KeyNet(nn.Module):
    def __init__(self, cfg: KeyNetConfig):
        super().__init__()
        self.cfg = cfg
        self.inp = nn.Conv1d(24, cfg.dim, 1)
        self.convs = nn.ModuleList(nn.Conv1d(cfg.dim, cfg.dim, 5, padding=2 * 2 ** i, dilation=2 ** i)
                                   for i in range(cfg.layers))
        self.norms = nn.ModuleList(nn.LayerNorm(cfg.dim) for _ in range(cfg.layers))  # per frame: padding-blind
        self.attn = nn.Conv1d(cfg.dim, 1, 1)
        self.head = nn.Linear(2 * cfg.dim, 2)

    def forward(self, chroma: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """chroma [B, 2 (full, bass), 12, T], mask [B, T] (True: a frame of the song) -> logits [B, 24]
        (C..B major, then C..B minor)."""
        b = chroma.shape[0]
        m = torch.ones(b, chroma.shape[-1], dtype=torch.bool, device=chroma.device) if mask is None else mask
        if self.cfg.pool > 1:  # a masked mean over each group of frames: frames past the end count for nothing
            p, t_in = self.cfg.pool, chroma.shape[-1]
            pad = (-t_in) % p
            w = F.pad(m.to(chroma.dtype), (0, pad)).view(b, 1, 1, -1, p)
            chroma = (F.pad(chroma, (0, pad)).view(*chroma.shape[:3], -1, p) * w).sum(-1) / w.sum(-1).clamp_min(1)
            m = w[:, 0, 0].amax(-1) > 0
        t = chroma.shape[-1]
        m = m.repeat_interleave(12, 0)
        keep = m[:, None].to(chroma.dtype)  # frames past a song's end stay zero, as the convolutions' own padding
        rolled = torch.stack([torch.roll(chroma, -r, dims=2) for r in range(12)], 1)  # [B, 12 tonics, 2, 12, T]
        h = self.inp(rolled.reshape(b * 12, 24, t)) * keep
        for conv, norm in zip(self.convs, self.norms):
            h = h + F.dropout(F.gelu(norm(conv(h).transpose(1, 2)).transpose(1, 2)), self.cfg.dropout, self.training) * keep
        score = self.attn(h)[:, 0].masked_fill(~m, float("-inf")).softmax(-1)  # [B*12, T]: where the key shows
        pooled = torch.cat([(h * score[:, None]).sum(-1),
                            h.masked_fill(~m[:, None], float("-inf")).amax(-1)], -1)
        logits = self.head(pooled).view(b, 12, 2)  # [B, tonic, (major, minor)]
        return logits.transpose(1, 2).reshape(b, 24)

    @torch.no_grad()
    def estimate(self, chroma: torch.Tensor) -> tuple[int, torch.Tensor]:
        """One song's chroma [2, 12, T] -> (key index, probabilities [24])."""
        p = self(chroma[None].float())[0].softmax(-1)
        return int(p.argmax()), p
