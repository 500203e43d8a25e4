"""A refiner for one stem at the codec's frame rate (the mel hop, 4x the DiT's token rate).

Why: the DiT predicts every stem of a 40 ms token (4 stems x 4 mel frames x 128 bins) from one 256-d vector by a
linear map. Articulation lives below that: a consonant is one or two mel frames, a vowel's formants change inside
a token. Measured (benchmarks/results/words_lost.md): even when 60% of the clean signal is given (t = 0.6) the
model's vocals lose the words (judge PER 0.37 vs 0.14 for the codec alone), so the bottleneck is the output, not
only what the network knows. This head works on the vocal stem's own mel frames: per frame it sees the token's
hidden state (expanded to its sub-frames), the lyrics encoder's feature for that sub-frame (which phoneme sits
there), the noisy frame itself and the base prediction, and adds a correction through a few depthwise-conv
blocks. Its output layer starts at zero, so a model grown with it computes exactly what it computed before.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .layers import RMSNorm


class ConvBlock(nn.Module):
    """ConvNeXt-style residual block over frames: depthwise conv, norm, pointwise MLP."""

    def __init__(self, dim: int, kernel: int):
        super().__init__()
        self.dw = nn.Conv1d(dim, dim, kernel, padding=kernel // 2, groups=dim)
        self.norm = RMSNorm(dim)
        self.up, self.down = nn.Linear(dim, 2 * dim), nn.Linear(2 * dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x [B, F, dim] -> [B, F, dim]."""
        y = self.dw(x.transpose(1, 2)).transpose(1, 2)
        return x + self.down(F.gelu(self.up(self.norm(y))))


class FrameHead(nn.Module):
    def __init__(self, dim: int, lyrics_dim: int, bins: int, sub: int, width: int, layers: int, kernel: int = 7):
        super().__init__()
        self.sub, self.bins = sub, bins
        self.token = nn.Linear(dim, sub * width)
        self.lyrics = nn.Linear(lyrics_dim, width)
        self.frames = nn.Linear(2 * bins, width)
        self.glob = nn.Linear(dim, width)
        self.blocks = nn.ModuleList(ConvBlock(width, kernel) for _ in range(layers))
        self.norm = RMSNorm(width)
        self.out = nn.Linear(width, bins)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, h: torch.Tensor, g: torch.Tensor, lyr: torch.Tensor, x: torch.Tensor, base: torch.Tensor,
                frame_mask: torch.Tensor | None = None):
        """h [B, T, dim] token states, g [B, dim] global condition, lyr [B, sub*T, lyrics_dim] sub-frame lyrics
        features, x and base [B, T, sub*bins] the stem's noisy input and base prediction (sub-frame-major, as the
        mel codec stacks them), frame_mask [B, T] (False past the song's end: zeroed before every conv, so
        nothing there reaches the song's frames) -> correction [B, T, sub*bins]."""
        b, t, _ = h.shape
        frames = torch.cat([x.reshape(b, t * self.sub, self.bins), base.reshape(b, t * self.sub, self.bins)], -1)
        z = self.token(h).reshape(b, t * self.sub, -1) + self.lyrics(lyr) + self.frames(frames)
        z = z + self.glob(F.silu(g))[:, None, :]
        keep = frame_mask.repeat_interleave(self.sub, dim=1)[..., None].to(z.dtype) if frame_mask is not None else None
        for blk in self.blocks:
            z = blk(z * keep if keep is not None else z)
        return self.out(self.norm(z)).reshape(b, t, self.sub * self.bins)
