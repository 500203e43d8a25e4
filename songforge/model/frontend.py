"""The front end the evaluation models share (phoneme judge, style tagger): mel power of a waveform, and log-mel
relative to each item's peak (loudness-invariant, floored 120 dB down, scaled to roughly unit range), and a
frequency warp of mel power (vocal-tract length: a training augmentation, and the judge's averaged listening)."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


class MelPower(nn.Module):
    """[B, S] audio -> mel power [B, n_mels, S / hop] (additive across sources: training can mix in this domain).
    Its filterbank and window are rebuilt from the config, never stored with the weights."""

    def __init__(self, sample_rate: int, n_fft: int, hop: int, n_mels: int, fmin: float):
        super().__init__()
        import librosa
        fb = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=sample_rate / 2)
        self.n_fft, self.hop = n_fft, hop
        self.register_buffer("fb", torch.from_numpy(fb).float(), persistent=False)
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        spec = torch.stft(audio.float(), self.n_fft, self.hop, window=self.window, center=True, return_complex=True)[..., :-1]
        return torch.matmul(self.fb, spec.real ** 2 + spec.imag ** 2)


def peak_log_mel(power: torch.Tensor) -> torch.Tensor:
    """mel power [B, n_mels, F] -> log-mel relative to each item's peak, floored at -12 (nepers), mapped to ~[-2, 2]."""
    x = torch.log(power.clamp_min(1e-8))
    x = (x - x.amax(dim=(1, 2), keepdim=True)).clamp_min(-12.0)
    return (x + 6.0) / 3.0


def frequency_warp(power, alpha: float, fmin: float, fmax: float):
    """Mel power [n_mels, frames] as if every frequency were scaled by `alpha` (vocal-tract length perturbation:
    a singer with a shorter or longer vocal tract, formants and harmonics moved together), by linear
    interpolation between the bins of a librosa mel filterbank over [fmin, fmax]; bins warped from beyond the
    range take its edge."""
    import librosa
    n = power.shape[0]
    centres = librosa.mel_frequencies(n + 2, fmin=fmin, fmax=fmax)[1:-1]
    pos = torch.from_numpy(np.interp(centres / alpha, centres, np.arange(n))).float()
    lo = pos.floor().long().clamp(0, n - 1)
    hi = (lo + 1).clamp(max=n - 1)
    w = (pos - lo.float())[:, None]
    return power[lo] * (1 - w) + power[hi] * w
