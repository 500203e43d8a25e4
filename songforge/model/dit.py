"""The velocity network: a LLaMA-style Diffusion Transformer over audio-codec latent frames.

forward(x, t, cond) -> v and nothing else (no guidance, no condition dropout, no caches). Routes:
  per-frame (added to the input projection): noisy latents of all stems, in-context known latents with their
      keep mask, the lyrics (phoneme grid at grid_factor x the latent rate: embedding + conv, pooled to the
      latent rate, JAM-style), the symbolic plan features (chords, melody, beats; cond/plan_grid.py);
  global (adaLN): time t, the style vector, duration scalars;
  attention: frames past the song's end are masked out as keys.
  mix (per-frame, for stem extraction/removal from a mixture): the latent of the mixture, with its flag.
Each optional condition comes with an on/off flag [B] (cond/dropout.py sets it): 0 removes its contribution.
cfg.predict = "data" makes the network predict clean latents and return the velocity toward them (needed when
the latent is wider than the network, e.g. 4 stems x 512 mel channels into dim 256: noise cannot pass a
rank-256 bottleneck, data near its manifold can).
ROUTES names every condition's route; it is saved with the config (config.json) so a checkpoint says how it
reads its conditions."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..cond.plan_grid import PLAN_DIM
from ..cond.style import STYLE_DIM
from ..flow.path import velocity_from_data
from ..text.phonemes import SYMBOLS, UNK
from .frame_head import FrameHead
from .layers import Block, RMSNorm, rope_tables, timestep_embedding

ROUTES = {"known": "input-concat", "edit_mask": "input-concat", "mix": "input-concat", "phonemes": "input-add",
          "onsets": "input-add", "plan": "input-add", "style": "global-adaLN (+ input-add with style_tokens)", "duration": "global-adaLN",
          "frame_mask": "attention-key-mask"}


@dataclass(frozen=True)
class DiTConfig:
    latent_channels: int = 32
    stems: int = 4
    dim: int = 256
    depth: int = 6
    heads: int = 4
    mlp_hidden: int = 683
    grid_factor: int = 4
    phoneme_vocab: int = len(SYMBOLS)
    lyrics_dim: int = 128
    plan_dim: int = PLAN_DIM
    style_dim: int = STYLE_DIM
    style_tokens: bool = False  # also add the style to every frame's token (not only through adaLN)
    lyrics_subframes: bool = False  # also feed the lyrics encoder's grid_factor sub-frames side by side (where
    # inside a latent frame each phoneme sits; the mean-pooled route alone blurs boundaries to 1 / rate)
    frame_head: int = 0  # width of a refiner of the vocal stem at the codec's frame rate (model/frame_head.py);
    # 0 = none. Needs latent_channels = grid_factor x mel bins (the mel codec's stacking)
    frame_head_layers: int = 4
    attention_window: int = 0  # > 0: block-local attention over blocks of this many frames for sequences longer
    # than 3 blocks (long songs: cost linear in length; training windows are far shorter, so training is unchanged)
    predict: str = "velocity"  # what out_proj predicts: "velocity", or "data" (x1; the velocity is derived from it)
    checkpoint_blocks: bool = False  # training: recompute each block's activations in the backward pass instead of
    # keeping them (activation checkpointing: memory per block ~ its input only, ~1/3 more compute)
    lora_rank: int = 0  # > 0: linear layers carry low-rank adapters (model/lora.py: BLOCK_TARGETS, TOP_TARGETS)
    lora_alpha: float = 8.0
    routes: tuple[tuple[str, str], ...] = tuple(ROUTES.items())

    @property
    def io_channels(self) -> int:
        return self.latent_channels * self.stems


class DiT(nn.Module):
    def __init__(self, cfg: DiTConfig):
        super().__init__()
        if cfg.predict not in ("velocity", "data"):
            raise ValueError(f"DiTConfig.predict: {cfg.predict!r} (known: velocity, data)")
        self.cfg = cfg
        c, d = cfg.io_channels, cfg.dim
        self.in_proj = nn.Linear(2 * c + cfg.stems + cfg.latent_channels + 1, d)
        self.phoneme_emb = nn.Embedding(cfg.phoneme_vocab, cfg.lyrics_dim)
        self.onset_proj = nn.Linear(3, cfg.lyrics_dim)
        self.lyrics_conv = nn.Conv1d(cfg.lyrics_dim, cfg.lyrics_dim, kernel_size=5, padding=2)
        self.lyrics_proj = nn.Linear(cfg.lyrics_dim, d)
        self.plan_proj = nn.Sequential(nn.Linear(cfg.plan_dim, d), nn.SiLU(), nn.Linear(d, d))
        self.time_mlp = nn.Sequential(nn.Linear(256, d), nn.SiLU(), nn.Linear(d, d))
        self.style_proj = nn.Linear(cfg.style_dim, d)
        self.duration_proj = nn.Linear(2, d)
        self.blocks = nn.ModuleList(Block(d, cfg.heads, cfg.mlp_hidden) for _ in range(cfg.depth))
        self.final_norm = RMSNorm(d, affine=False)
        self.final_mod = nn.Linear(d, 2 * d)
        self.out_proj = nn.Linear(d, c)
        for layer in (self.final_mod, self.out_proj):  # the network starts by predicting zero velocity
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
        if cfg.style_tokens:  # created last and zero: a model grown from one without it starts unchanged
            self.style_tok = nn.Linear(cfg.style_dim, d)
            nn.init.zeros_(self.style_tok.weight)
            nn.init.zeros_(self.style_tok.bias)
        if cfg.lyrics_subframes:  # zero too, for the same reason
            self.lyrics_sub = nn.Linear(cfg.grid_factor * cfg.lyrics_dim, d)
            nn.init.zeros_(self.lyrics_sub.weight)
            nn.init.zeros_(self.lyrics_sub.bias)
        if cfg.frame_head:  # its output layer starts at zero: a grown model starts unchanged
            if cfg.latent_channels % cfg.grid_factor:
                raise ValueError(f"DiTConfig.frame_head: latent_channels {cfg.latent_channels} is not "
                                 f"grid_factor {cfg.grid_factor} x mel bins")
            self.frame_head = FrameHead(d, cfg.lyrics_dim, cfg.latent_channels // cfg.grid_factor, cfg.grid_factor,
                                        cfg.frame_head, cfg.frame_head_layers)
        if cfg.lora_rank:  # last: the base layers are built (and seeded) as without adapters
            from .lora import add_lora
            add_lora(self, cfg.lora_rank, cfg.lora_alpha)

    def lyrics(self, phonemes: torch.Tensor, onsets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, G*T] ids + [B, G*T, 3] onset flags -> ([B, T, dim] conv at grid rate, mean-pooled, projected, plus
        the sub-frames side by side with lyrics_subframes; [B, G*T, lyrics_dim] the grid-rate features)."""
        # a symbol added to the inventory after this model was trained (a new language's) is read as <unk>
        phonemes = torch.where(phonemes < self.cfg.phoneme_vocab, phonemes, torch.full_like(phonemes, UNK))
        frames = self.phoneme_emb(phonemes) + self.onset_proj(onsets)
        frames = F.gelu(self.lyrics_conv(frames.transpose(1, 2))).transpose(1, 2)
        b, n, k = frames.shape
        h = frames.view(b, n // self.cfg.grid_factor, self.cfg.grid_factor, k)
        out = self.lyrics_proj(h.mean(dim=2))
        return (out + self.lyrics_sub(h.flatten(2)) if self.cfg.lyrics_subframes else out), frames

    def inputs(self, x: torch.Tensor, cond: dict) -> torch.Tensor:
        """in_proj over [noisy latents, known latents * keep, keep, mix * mix_on, mix_on]: the same linear map, by
        column blocks, skipping the blocks that are all zero (no edit, no mixture: plain generation)."""
        b, n, c = x.shape
        w, stems = self.in_proj.weight, self.cfg.stems
        h = F.linear(x, w[:, :c], self.in_proj.bias)
        keep = cond["edit_mask"]
        if bool(keep.any()):
            known = cond["known"] * keep.repeat_interleave(self.cfg.latent_channels, dim=-1)
            h = h + F.linear(torch.cat([known, keep], dim=-1), w[:, c:2 * c + stems])
        mix_on = cond["mix_on"][:, None, None].to(x.dtype)
        if bool(mix_on.any()):
            h = h + F.linear(torch.cat([cond["mix"] * mix_on, mix_on.expand(b, n, 1)], dim=-1), w[:, 2 * c + stems:])
        return h

    def forward(self, x: torch.Tensor, t: torch.Tensor, cond: dict) -> torch.Tensor:
        """x [B, T, stems*C] noisy latents, t [B] in [0, 1] -> velocity [B, T, stems*C].

        cond: known [B, T, stems*C], edit_mask [B, T, stems] (1 = keep), phonemes [B, G*T] long,
        onsets [B, G*T, 3], plan [B, T, plan_dim], style [B, style_dim], duration [B, 2], frame_mask [B, T] bool,
        mix [B, T, C], lyrics_on / plan_on / style_on / mix_on [B] (1 = present, 0 = dropped)."""
        h = self.inputs(x, cond)
        lyrics_on = cond["lyrics_on"][:, None, None]
        lyr, lyr_frames = self.lyrics(cond["phonemes"], cond["onsets"])
        h = h + lyr * lyrics_on
        plan = cond["plan"][..., :self.cfg.plan_dim]  # older models read a prefix of the plan features
        h = h + self.plan_proj(plan) * cond["plan_on"][:, None, None]
        style = cond["style"][..., :self.cfg.style_dim]  # older models read a prefix of the style vector
        if self.cfg.style_tokens:
            h = h + (self.style_tok(style) * cond["style_on"][:, None])[:, None, :]
        g = self.time_mlp(timestep_embedding(t, 256).to(x.dtype))
        g = g + self.style_proj(style) * cond["style_on"][:, None] + self.duration_proj(cond["duration"])
        cos, sin = rope_tables(x.shape[1], self.cfg.dim // self.cfg.heads, device=x.device, dtype=x.dtype)
        mask = cond.get("frame_mask")
        if mask is not None and bool(mask.all()):  # every frame is in the song: attention without a mask (faster)
            mask = None
        for blk in self.blocks:
            if self.cfg.checkpoint_blocks and self.training and torch.is_grad_enabled():
                from torch.utils.checkpoint import checkpoint
                h = checkpoint(blk, h, g, cos, sin, mask, self.cfg.attention_window, use_reentrant=False)
            else:
                h = blk(h, g, cos, sin, mask, self.cfg.attention_window)
        shift, scale = self.final_mod(F.silu(g))[:, None, :].chunk(2, dim=-1)
        h = self.final_norm(h) * (1 + scale) + shift
        out = self.out_proj(h)
        if self.cfg.frame_head:  # the vocal stem (stem 0) refined at the frame rate
            c = self.cfg.latent_channels
            fix = self.frame_head(h, g, lyr_frames * lyrics_on, x[..., :c], out[..., :c], mask)
            out = torch.cat([out[..., :c] + fix, out[..., c:]], dim=-1)
        return velocity_from_data(x, out, t) if self.cfg.predict == "data" else out
