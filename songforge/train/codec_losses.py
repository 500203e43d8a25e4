"""Codec training losses: multi-resolution STFT (spectral convergence + log-magnitude L1), log-mel L1, KL."""
from __future__ import annotations

import torch
from torch import nn

RESOLUTIONS = ((512, 128), (1024, 256), (2048, 512))  # (n_fft, hop)


def _mag(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    w = torch.hann_window(n_fft, device=x.device)
    return torch.stft(x.float(), n_fft, hop, window=w, center=True, return_complex=True).abs().clamp_min(1e-5)


def mr_stft_loss(y: torch.Tensor, x: torch.Tensor, resolutions=RESOLUTIONS) -> torch.Tensor:
    """y, x [B, S]: mean over resolutions of ||Y| - |X||_F / ||X||_F + mean |log|Y| - log|X||."""
    total = 0.0
    for n_fft, hop in resolutions:
        my, mx = _mag(y, n_fft, hop), _mag(x, n_fft, hop)
        sc = torch.linalg.norm(my - mx, dim=(1, 2)) / torch.linalg.norm(mx, dim=(1, 2)).clamp_min(1e-3)
        total = total + sc.mean() + (my.log() - mx.log()).abs().mean()
    return total / len(resolutions)


class MelLoss(nn.Module):
    """Mean |log mel(y) - log mel(x)| (80 bands, n_fft 1024, hop 256); filterbank from librosa, kept as a buffer."""

    def __init__(self, sample_rate: int, n_mels: int = 80, n_fft: int = 1024, hop: int = 256):
        super().__init__()
        import librosa
        fb = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=0.0, fmax=sample_rate / 2)
        self.register_buffer("fb", torch.from_numpy(fb).float(), persistent=False)
        self.n_fft, self.hop = n_fft, hop

    def log_mel(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log(self.fb @ _mag(x, self.n_fft, self.hop) + 1e-5)

    def forward(self, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return (self.log_mel(y) - self.log_mel(x)).abs().mean()


def kl_loss(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, var) || N(0, 1)) per latent element, averaged."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).mean()


def si_sdr(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Scale-invariant SDR in dB per item: y estimate, x reference, both [B, S]."""
    x = x - x.mean(-1, keepdim=True)
    y = y - y.mean(-1, keepdim=True)
    a = (y * x).sum(-1, keepdim=True) / (x.pow(2).sum(-1, keepdim=True) + 1e-8)
    s = a * x
    return 10 * torch.log10(s.pow(2).sum(-1) / ((y - s).pow(2).sum(-1) + 1e-8) + 1e-8)
