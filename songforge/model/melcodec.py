"""The mel codec: a fixed (untrained) representation that keeps pitch and harmony.

Encode: 24 kHz mono -> log-mel (n_mels bins, hop 240 -> 100 frames/s) -> `down` consecutive frames stacked into one
latent frame: [B, n_mels * down, T] at 25 Hz, the token rate the DiT runs at. Decode: the inverse stacking ->
mel -> linear magnitude by the filterbank's pseudo-inverse refined with non-negative multiplicative updates ->
fast Griffin-Lim started from a phase-vocoder phase (model/phase.py). Chosen by measurement (benchmarks/codec_ceiling.py): the learned 32-channel codec kept pitch
0.08 / chords 0.05 of the renders; a log-mel through Griffin-Lim keeps nearly all of both (F5-TTS generates a
mel directly for the same reason). The same interface as the learned Codec (encode/decode, and *_long, frames_for from LatentCoding),
so the pipeline, latent cache and training use either."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .codec import FrameRates, LatentCoding
from .phase import griffin_lim


@dataclass(frozen=True)
class MelCodecConfig(FrameRates):
    sample_rate: int = 24000
    n_fft: int = 1024
    hop: int = 240  # 100 mel frames/s
    down: int = 4  # mel frames per latent frame -> 25 latent frames/s
    n_mels: int = 128
    fmin: float = 0.0
    fmax: float = 12000.0
    gl_iters: int = 64
    gl_init: str = "vocoder"  # Griffin-Lim's starting phase: "vocoder" (phase.vocoder_phase) or "zero"
    nnls_iters: int = 8  # multiplicative refinements of the mel -> linear inversion
    floor: float = 1e-5  # log floor of the mel magnitude

    @property
    def latent_channels(self) -> int:
        return self.n_mels * self.down



def mel_filterbank(cfg: MelCodecConfig) -> np.ndarray:
    """[n_mels, bins] Slaney-normalised triangular filters (librosa's)."""
    import librosa
    return librosa.filters.mel(sr=cfg.sample_rate, n_fft=cfg.n_fft, n_mels=cfg.n_mels, fmin=cfg.fmin, fmax=cfg.fmax)


class MelCodec(LatentCoding, nn.Module):
    """No trainable weights: everything is derived from the config, so the checkpoint is the config alone."""

    def __init__(self, cfg: MelCodecConfig):
        super().__init__()
        self.cfg = cfg
        fb = torch.from_numpy(mel_filterbank(cfg)).float()
        self.register_buffer("fb", fb, persistent=False)
        self.register_buffer("fb_pinv", torch.linalg.pinv(fb), persistent=False)
        self.register_buffer("window", torch.hann_window(cfg.n_fft), persistent=False)

    def mel(self, audio: torch.Tensor) -> torch.Tensor:
        """[B, S] (S a multiple of hop*down) -> log-mel [B, n_mels, S/hop]."""
        spec = torch.stft(audio.float(), self.cfg.n_fft, self.cfg.hop, window=self.window, center=True,
                          return_complex=True)[..., :-1]
        return torch.log(torch.matmul(self.fb, spec.abs()).clamp_min(self.cfg.floor))

    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        """audio [B, S] -> latent [B, n_mels * down, ceil(S / (hop * down))]; frame k of a latent holds mel
        frames 4k..4k+3, bin-major within each."""
        return self.stack(self.mel(self._pad(audio)))

    def stack(self, logmel: torch.Tensor) -> torch.Tensor:
        """log-mel [B, n_mels, F] (F a multiple of down) -> latent [B, n_mels * down, F / down]."""
        b, n, f = logmel.shape
        d = self.cfg.down
        return logmel.reshape(b, n, f // d, d).permute(0, 3, 1, 2).reshape(b, n * d, f // d)

    def unstack(self, z: torch.Tensor) -> torch.Tensor:
        """latent [B, n_mels * down, T] -> log-mel [B, n_mels, T * down]."""
        b, _, t = z.shape
        d, n = self.cfg.down, self.cfg.n_mels
        return z.reshape(b, d, n, t).permute(0, 2, 3, 1).reshape(b, n, t * d)

    def linear_magnitude(self, logmel: torch.Tensor) -> torch.Tensor:
        """log-mel [B, n_mels, F] -> magnitude [B, bins, F]: pseudo-inverse, then multiplicative non-negative
        least-squares steps (Lee & Seung) so the magnitude's mel matches the target."""
        mel = torch.exp(logmel.float())
        mag = torch.matmul(self.fb_pinv, mel).clamp_min(1e-7)
        num = torch.matmul(self.fb.T, mel)
        for _ in range(self.cfg.nnls_iters):
            den = torch.matmul(self.fb.T, torch.matmul(self.fb, mag)).clamp_min(1e-9)
            mag = mag * num / den
        return mag

    @torch.no_grad()
    def mask_mixture(self, mix: torch.Tensor, z: torch.Tensor, power: float = 2.0) -> torch.Tensor:
        """Separate a recording by the stems' latents: mix [S] audio, z [stems, C, T] (the stems estimated from
        it) -> [stems, S] audio. Each stem's share of every mel band, m_s^p / sum_k m_k^p (a Wiener mask for
        p = 2), is spread onto the STFT bins the band covers and applied to the mixture's own STFT, so the stems
        keep the recording's phase and fine detail (no Griffin-Lim) and add up to the mixture exactly."""
        mel = torch.exp(self.unstack(z.float()) * power)  # [stems, n_mels, F]
        share = mel / mel.sum(0, keepdim=True).clamp_min(1e-30)
        w = self.fb / self.fb.sum(1, keepdim=True).clamp_min(1e-12)  # [n_mels, bins], each band's weights sum to 1
        cover = w.sum(0)  # [bins]; 0 above fmax
        top = int(torch.nonzero(cover > 0).max())
        w[:, cover == 0] = w[:, top:top + 1]  # bins above the last band take its mask
        masks = torch.einsum("mb,smf->sbf", w, share) / w.sum(0)[None, :, None]
        spec = torch.stft(mix.float(), self.cfg.n_fft, self.cfg.hop, window=self.window, center=True,
                          return_complex=True)  # [bins, F'] with F' = S / hop + 1
        f = spec.shape[-1]
        masks = F.pad(masks, (0, max(0, f - masks.shape[-1])), mode="replicate")[..., :f]
        return torch.istft(masks * spec[None], self.cfg.n_fft, self.cfg.hop, window=self.window, center=True,
                           length=mix.shape[-1])

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """latent [B, C, T] -> audio [B, T * hop * down]."""
        mag = self.linear_magnitude(self.unstack(z))
        mag = F.pad(mag, (0, 1), mode="replicate")  # the dropped last STFT frame
        n = z.shape[-1] * self.cfg.samples_per_latent
        return griffin_lim(mag, self.cfg.n_fft, self.cfg.hop, self.window, n, self.cfg.gl_iters, init=self.cfg.gl_init)
