"""The audio codec: a small VAE between 24 kHz mono waveforms and a 25 Hz continuous latent (one stream per stem).

Encoder: log-magnitude STFT (hop 240 -> 100 Hz frames) -> ConvNeXt stack -> stride-4 conv -> (mu, logvar)
[B, C, T/960]. Decoder: latent -> 4x transposed conv -> ConvNeXt stack -> an inverse-STFT head that predicts
log-magnitude and phase per bin (Vocos-style), so decoding is one iSTFT: cheap on a CPU. Both are
non-causal convolutions with a finite receptive field, so long songs go through in overlapping chunks
(encode_long / decode_long) with the same result away from the chunk seams. Training losses live in
train/codec_losses.py; this file is only the network."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .phase import griffin_lim


class FrameRates:
    """For a codec config with sample_rate, hop (STFT) and down (STFT frames per latent frame)."""

    @property
    def samples_per_latent(self) -> int:
        return self.hop * self.down

    @property
    def latent_rate(self) -> float:
        return self.sample_rate / self.samples_per_latent


@dataclass(frozen=True)
class CodecConfig(FrameRates):
    sample_rate: int = 24000
    n_fft: int = 1024
    hop: int = 240  # STFT hop: 100 frames/s at 24 kHz
    down: int = 4  # STFT frames per latent frame -> 25 latent frames/s
    latent_channels: int = 32
    dim: int = 256
    enc_blocks: int = 3
    dec_blocks: int = 6
    mlp_mult: int = 3
    phase: str = "istft"  # "istft": the head predicts phase too; "griffinlim": magnitude only, phase by Griffin-Lim
    gl_iters: int = 32



class ConvNeXt(nn.Module):
    """Depthwise conv (k=7 unless said, optionally dilated) + channel MLP with a small layer scale;
    [B, D, T] -> [B, D, T]."""

    def __init__(self, dim: int, mult: int, kernel: int = 7, dilation: int = 1):
        super().__init__()
        self.dw = nn.Conv1d(dim, dim, kernel, padding=dilation * (kernel - 1) // 2, dilation=dilation, groups=dim)
        self.norm = nn.LayerNorm(dim)
        self.up = nn.Linear(dim, mult * dim)
        self.down = nn.Linear(mult * dim, dim)
        self.scale = nn.Parameter(torch.full((dim,), 0.1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(self.dw(x).transpose(1, 2))
        h = self.down(F.gelu(self.up(h))) * self.scale
        return x + h.transpose(1, 2)


class LatentCoding:
    """Shape helpers and chunked coding shared by every codec: needs `cfg.samples_per_latent`, `encode` and
    `decode`. Long songs go through in overlapping chunks with the same result away from the seams."""

    # -- shapes -------------------------------------------------------------------------------------------
    def frames_for(self, samples: int) -> int:
        """Latent frames covering `samples` (the audio is zero-padded up to a whole latent frame)."""
        return -(-samples // self.cfg.samples_per_latent)

    def _pad(self, audio: torch.Tensor) -> torch.Tensor:
        n = self.frames_for(audio.shape[-1]) * self.cfg.samples_per_latent
        return F.pad(audio, (0, n - audio.shape[-1]))

    # -- long audio ---------------------------------------------------------------------------------------
    @torch.no_grad()
    def encode_long(self, audio: torch.Tensor, chunk_frames: int = 750, overlap: int = 16) -> torch.Tensor:
        """encode() over [B, S] of any length in overlapping chunks of latent frames; returns [B, C, T]."""
        spl = self.cfg.samples_per_latent
        total = self.frames_for(audio.shape[-1])
        audio = self._pad(audio)
        out = []
        for start in range(0, total, chunk_frames):
            a, b = max(0, start - overlap), min(total, start + chunk_frames + overlap)
            z = self.encode(audio[..., a * spl:b * spl])
            out.append(z[..., start - a:start - a + min(chunk_frames, total - start)])
        return torch.cat(out, dim=-1)

    @torch.no_grad()
    def decode_long(self, z: torch.Tensor, chunk_frames: int = 750, overlap: int = 16) -> torch.Tensor:
        """decode() over [B, C, T] of any length in overlapping chunks, cross-faded; returns [B, T * 960]."""
        spl, total = self.cfg.samples_per_latent, z.shape[-1]
        if total <= chunk_frames + 2 * overlap:
            return self.decode(z)
        out = torch.zeros(z.shape[0], total * spl, device=z.device, dtype=torch.float32)
        weight = torch.zeros(total * spl, device=z.device, dtype=torch.float32)
        fade = overlap * spl // 2
        for start in range(0, total, chunk_frames):
            a, b = max(0, start - overlap), min(total, start + chunk_frames + overlap)
            y = self.decode(z[..., a:b]).float()
            w = torch.ones(y.shape[-1], device=z.device)
            ramp = torch.linspace(0.0, 1.0, fade, device=z.device)
            if a > 0:  # fade in over the middle of the leading overlap, zero before it
                lo = (start - a) * spl - fade // 2
                w[:lo] = 0.0
                w[lo:lo + fade] = ramp
            if b < total:
                hi = (start + chunk_frames - a) * spl - fade // 2
                w[hi:hi + fade] = ramp.flip(0)
                w[hi + fade:] = 0.0
            out[:, a * spl:b * spl] += y * w
            weight[a * spl:b * spl] += w
        return out / weight.clamp_min(1e-6)


class Codec(LatentCoding, nn.Module):
    def __init__(self, cfg: CodecConfig):
        super().__init__()
        self.cfg = cfg
        bins, d = cfg.n_fft // 2 + 1, cfg.dim
        self.enc_in = nn.Conv1d(bins, d, 7, padding=3)
        self.enc = nn.Sequential(*[ConvNeXt(d, cfg.mlp_mult) for _ in range(cfg.enc_blocks)])
        self.enc_down = nn.Conv1d(d, d, cfg.down, stride=cfg.down)
        self.enc_out = nn.Conv1d(d, 2 * cfg.latent_channels, 3, padding=1)
        self.dec_in = nn.Conv1d(cfg.latent_channels, d, 3, padding=1)
        self.dec_up = nn.ConvTranspose1d(d, d, cfg.down, stride=cfg.down)
        self.dec = nn.Sequential(*[ConvNeXt(d, cfg.mlp_mult) for _ in range(cfg.dec_blocks)])
        self.dec_norm = nn.LayerNorm(d)
        if cfg.phase not in ("istft", "griffinlim"):
            raise ValueError(f"codec phase {cfg.phase!r}: use 'istft' or 'griffinlim'")
        self.head = nn.Linear(d, (2 if cfg.phase == "istft" else 1) * bins)
        self.register_buffer("window", torch.hann_window(cfg.n_fft), persistent=False)

    # -- encoder ------------------------------------------------------------------------------------------
    def spectrum(self, audio: torch.Tensor) -> torch.Tensor:
        """[B, S] (S a multiple of hop*down) -> log-magnitude [B, bins, S/hop]."""
        spec = torch.stft(audio.float(), self.cfg.n_fft, self.cfg.hop, window=self.window, center=True,
                          return_complex=True)[..., :-1]
        return torch.log(spec.abs() + 1e-5).to(audio.dtype)

    def encode_dist(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """audio [B, S] -> (mu, logvar), each [B, C, ceil(S / 960)]."""
        h = self.enc_in(self.spectrum(self._pad(audio)))
        h = self.enc_down(self.enc(h))
        mu, logvar = self.enc_out(F.gelu(h)).chunk(2, dim=1)
        return mu, logvar.clamp(-12.0, 6.0)

    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        """The deterministic latent (the posterior mean), [B, C, T]."""
        return self.encode_dist(audio)[0]

    # -- decoder ------------------------------------------------------------------------------------------
    def decode_spectrum(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """z [B, C, T] -> (log-magnitude [B, bins, 4T], phase [B, bins, 4T] or None in Griffin-Lim mode)."""
        h = self.dec(self.dec_up(F.gelu(self.dec_in(z))))
        out = self.head(self.dec_norm(h.transpose(1, 2))).float().transpose(1, 2)
        if self.cfg.phase == "istft":
            logmag, phase = out.chunk(2, dim=1)
            return logmag.clamp(max=8.0), phase
        return out.clamp(max=8.0), None

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z [B, C, T] -> audio [B, T * 960]."""
        logmag, phase = self.decode_spectrum(z)
        n = z.shape[-1] * self.cfg.samples_per_latent
        mag = F.pad(torch.exp(logmag), (0, 1), mode="replicate")  # the dropped last STFT frame
        if phase is None:
            return griffin_lim(mag, self.cfg.n_fft, self.cfg.hop, self.window, n, self.cfg.gl_iters)
        spec = mag * torch.exp(1j * F.pad(phase, (0, 1), mode="replicate"))
        return torch.istft(spec, self.cfg.n_fft, self.cfg.hop, window=self.window, center=True, length=n)

    def forward(self, audio: torch.Tensor, generator: torch.Generator | None = None):
        """Training pass with a reparameterised sample: (audio [B, S'], mu, logvar) in istft mode,
        (log-magnitude [B, bins, S'/hop], mu, logvar) in Griffin-Lim mode (trained on magnitudes directly)."""
        mu, logvar = self.encode_dist(audio)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        z = mu + torch.exp(0.5 * logvar) * eps
        return (self.decode(z) if self.cfg.phase == "istft" else self.decode_spectrum(z)[0]), mu, logvar
