"""Shared transformer blocks: RMSNorm, rotary position embedding, SwiGLU, attention, adaLN-zero block."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6, affine: bool = True):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim)) if affine else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return y * self.weight if self.weight is not None else y


def rope_tables(n: int, head_dim: int, base: float = 10000.0, device=None, dtype=torch.float32):
    """(cos, sin) [n, head_dim/2] for positions 0..n-1."""
    inv = 1.0 / base ** (torch.arange(0, head_dim, 2, device=device, dtype=torch.float32) / head_dim)
    ang = torch.arange(n, device=device, dtype=torch.float32)[:, None] * inv[None, :]
    return ang.cos().to(dtype), ang.sin().to(dtype)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x [B, H, T, D] rotated pairwise by position (D even)."""
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    return out.flatten(-2)


class SwiGLU(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.w12 = nn.Linear(dim, 2 * hidden, bias=False)
        self.w3 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = self.w12(x).chunk(2, dim=-1)
        return self.w3(F.silu(a) * b)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.q_norm, self.k_norm = RMSNorm(dim // heads), RMSNorm(dim // heads)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, key_mask: torch.Tensor | None,
                window: int = 0) -> torch.Tensor:
        """x [B, T, dim]; key_mask [B, T] True where a frame may be attended to; window > 0 and T > 3 * window:
        block-local attention (queries in block i of `window` frames see blocks i-1..i+1: cost linear in T)."""
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k = apply_rope(self.q_norm(q), cos, sin), apply_rope(self.k_norm(k), cos, sin)
        if window and t > 3 * window:
            y = torch.cat([_attend(q[:, :, a:a + window], k, v, key_mask, max(0, a - window), a + 2 * window)
                           for a in range(0, t, window)], dim=2)
        else:
            y = _attend(q, k, v, key_mask, 0, t)
        return self.out(y.transpose(1, 2).reshape(b, t, d))


def _attend(q, k, v, key_mask, lo: int, hi: int) -> torch.Tensor:
    """q [B, H, Tq, D] attending to keys/values [lo, hi) (a key_mask [B, T] limits them further)."""
    mask = key_mask[:, None, None, lo:hi] if key_mask is not None else None
    if mask is not None:  # a block wholly past a song's end sees its whole range (finite garbage, never read)
        mask = mask | ~mask.any(dim=-1, keepdim=True)
    return F.scaled_dot_product_attention(q, k[:, :, lo:hi], v[:, :, lo:hi], attn_mask=mask)


class Block(nn.Module):
    """Pre-norm transformer block whose norms are modulated by the global condition (adaLN-zero: the block
    starts as the identity)."""

    def __init__(self, dim: int, heads: int, mlp_hidden: int):
        super().__init__()
        self.norm1, self.norm2 = RMSNorm(dim, affine=False), RMSNorm(dim, affine=False)
        self.attn = Attention(dim, heads)
        self.mlp = SwiGLU(dim, mlp_hidden)
        self.mod = nn.Linear(dim, 6 * dim)
        nn.init.zeros_(self.mod.weight)
        nn.init.zeros_(self.mod.bias)

    def forward(self, x, g, cos, sin, key_mask, window: int = 0):
        """x [B, T, dim], g [B, dim] global condition; window: see Attention."""
        s1, b1, a1, s2, b2, a2 = self.mod(F.silu(g))[:, None, :].chunk(6, dim=-1)
        x = x + a1 * self.attn(self.norm1(x) * (1 + s1) + b1, cos, sin, key_mask, window)
        return x + a2 * self.mlp(self.norm2(x) * (1 + s2) + b2)


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal features [B, dim] of t in [0, 1] (scaled by 1000 like diffusion time)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    ang = 1000.0 * t.float()[:, None] * freqs[None, :]
    return torch.cat([ang.cos(), ang.sin()], dim=-1)
