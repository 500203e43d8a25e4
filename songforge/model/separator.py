"""The vocal separator: a soft mask over the mixture's STFT that splits a recording into its vocals and the rest,
trained here on the data engine's renders (exact stems).

The DiT separates by latents at 25 frames/s and 128 mel bands; masks that coarse leave the words audible in the
accompaniment (even masks made from the true stems' latents leave the vocals only ~22 dB down). This model works at
the STFT's own resolution (n_fft 2048: 11.7 Hz bins at 24 kHz, hop 512: 21 ms), in the spirit of Open-Unmix:
log power relative to the item's peak -> 1x1 convolution (frequency bins as channels) -> residual blocks of a
dilated depthwise convolution over time + a channel MLP (about 2 s of context) -> a sigmoid mask per bin and frame.
The vocals are mask x mixture, the rest (1 - mask) x mixture, both with the mixture's phase, so they add up to the
mixture exactly."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .codec import ConvNeXt


@dataclass(frozen=True)
class SeparatorConfig:
    sample_rate: int = 24000
    n_fft: int = 2048
    hop: int = 512
    dim: int = 256
    mult: int = 2
    kernel: int = 7
    dilations: tuple[int, ...] = (1, 2, 4, 8, 1, 2, 4, 8)

    @property
    def bins(self) -> int:
        return self.n_fft // 2 + 1


class Separator(nn.Module):
    def __init__(self, cfg: SeparatorConfig):
        super().__init__()
        self.cfg = cfg
        self.inp = nn.Conv1d(cfg.bins, cfg.dim, 1)
        self.blocks = nn.ModuleList(ConvNeXt(cfg.dim, cfg.mult, cfg.kernel, d) for d in cfg.dilations)
        self.norm = nn.LayerNorm(cfg.dim)
        self.out = nn.Conv1d(cfg.dim, cfg.bins, 1)
        self.register_buffer("window", torch.hann_window(cfg.n_fft), persistent=False)

    def stft(self, audio: torch.Tensor) -> torch.Tensor:
        """[B, S] -> complex [B, bins, S / hop + 1]."""
        return torch.stft(audio.float(), self.cfg.n_fft, self.cfg.hop, window=self.window, center=True,
                          return_complex=True)

    def istft(self, spec: torch.Tensor, length: int) -> torch.Tensor:
        return torch.istft(spec, self.cfg.n_fft, self.cfg.hop, window=self.window, center=True, length=length)

    @staticmethod
    def log_power(spec: torch.Tensor) -> torch.Tensor:
        return torch.log(spec.real ** 2 + spec.imag ** 2 + 1e-10)

    def mask(self, spec: torch.Tensor, peak: torch.Tensor | None = None) -> torch.Tensor:
        """complex mixture STFT [B, bins, F] -> the vocals' soft mask [B, bins, F] in [0, 1]. The input is log power
        relative to the item's peak (`peak` [B]: that of the whole recording when `spec` is a part of it); every
        other step is local in time, so a part with enough context gets the mask the whole would."""
        x = self.log_power(spec)
        peak = x.amax(dim=(1, 2)) if peak is None else peak
        x = ((x - peak[:, None, None]).clamp_min(-25.0) + 12.5) / 6.0
        h = self.inp(x)
        for b in self.blocks:
            h = b(h)
        h = F.gelu(self.norm(h.transpose(1, 2))).transpose(1, 2)
        return torch.sigmoid(self.out(h))

    @torch.no_grad()
    def vocal_mask(self, audio: torch.Tensor, chunk_s: float = 60.0) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, S] recording -> (its STFT, the vocals' mask), both [B, bins, F]. Long recordings go in chunks of
        `chunk_s` with 2 s of context either side (exact for this model's reach), so memory stays flat."""
        spec = self.stft(audio)
        peak = self.log_power(spec).amax(dim=(1, 2))
        n = spec.shape[-1]
        step = max(1, int(chunk_s * self.cfg.sample_rate / self.cfg.hop))
        ctx = int(2.0 * self.cfg.sample_rate / self.cfg.hop)
        m = torch.empty(spec.shape, dtype=torch.float32, device=spec.device)
        for a in range(0, n, step):
            lo, hi = max(0, a - ctx), min(n, a + step + ctx)
            m[..., a:min(n, a + step)] = self.mask(spec[..., lo:hi], peak)[..., a - lo:a - lo + min(step, n - a)]
        return spec, m

    @torch.no_grad()
    def separate(self, audio: torch.Tensor, chunk_s: float = 60.0) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, S] mixture -> (vocals [B, S], the rest [B, S]); vocals + rest == the mixture (up to float error)."""
        spec, m = self.vocal_mask(audio, chunk_s)
        vocals = self.istft(m * spec, audio.shape[-1])
        return vocals, audio - vocals

    @torch.no_grad()
    def without_vocals(self, parts: torch.Tensor, power: float = 1.0, chunk_s: float = 60.0) -> torch.Tensor:
        """[K, S] parts of a recording (e.g. its drums, bass and other as first separated) -> the same parts with
        the vocals this model still hears in their sum masked away: one mask (1 - vocal mask) ** power for all, so
        they still add up (power > 1 removes more of the voice and takes more of what plays under it)."""
        _, m = self.vocal_mask(parts.sum(0, keepdim=True), chunk_s)
        return self.istft((1 - m) ** power * self.stft(parts), parts.shape[-1])
