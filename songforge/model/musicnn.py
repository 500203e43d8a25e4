"""musicnn's music taggers (Pons & Serra 2019; github.com/jordipons/musicnn, ISC licence), ported to torch: an ear
trained on real records (the Million Song Dataset: 50 tags, 31 of them genres, male/female vocalists, moods, eras;
MagnaTagATune: 50 tags incl. instruments and vocal gender). The weights were converted once from the TensorFlow
checkpoints inside the `musicnn==0.1.0` wheel (scripts/convert_musicnn.py) and verified against TensorFlow on the
same inputs; songforge/models/ear/* holds them with their licence.

Input: log-compressed mel patches [batch, 187 frames, 96 mels] (16 kHz, n_fft 512, hop 256: 3 s), computed in
float32 (`patches`; musicnn's own extractor computes them in float16, which overflows on loud mixes so that every
loud input gets the same tags). Output: logits [batch, 50]; `tag` averages the sigmoid over a song's patches.

Two architectures, as published:
  musicnn  a musically motivated front end (timbral filters 7x38 and 7x67 over the mel axis, temporal filters
           128/64/32 frames long, each max-pooled over frequency), three dense 1-D convolutions with residuals,
           max + mean pooling over time, a 200-unit dense layer
  vgg      five 3x3 convolution blocks (128 filters) with max pooling, a dense layer"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SR = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
N_FRAMES = 187  # 3 s: librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1
BN_EPS = 1e-3  # TensorFlow's batch_normalization default


@dataclass(frozen=True)
class MusicnnConfig:
    arch: str = "musicnn"  # "musicnn" | "vgg"
    labels: tuple[str, ...] = ()
    midend: int = 64  # musicnn: filters of the mid-end convolutions
    backend: int = 200  # musicnn: units of the penultimate dense layer
    vgg_filters: int = 128
    dataset: str = ""  # "MSD" | "MTT": what the tagger was trained on (informational)


class _BN(nn.BatchNorm1d):
    """TensorFlow-style batch norm over the last axis of any tensor, with TF's epsilon; inference only."""

    def __init__(self, n: int):
        super().__init__(n, eps=BN_EPS)

    def forward(self, x):
        return F.batch_norm(x.reshape(-1, x.shape[-1]), self.running_mean, self.running_var, self.weight, self.bias,
                            False, 0.0, self.eps).reshape(x.shape)


def _same_pad_time(x: torch.Tensor, k: int) -> torch.Tensor:
    """Pad the time axis (dim 2 of [B, C, T, F]) as TensorFlow's 'same' does: the extra frame goes after."""
    return F.pad(x, (0, 0, (k - 1) // 2, k - 1 - (k - 1) // 2))


class Musicnn(nn.Module):
    def __init__(self, cfg: MusicnnConfig):
        super().__init__()
        if cfg.arch not in ("musicnn", "vgg"):
            raise ValueError(f"MusicnnConfig.arch: {cfg.arch!r} (known: musicnn, vgg)")
        self.cfg = cfg
        n = len(cfg.labels)
        self.bn_in = _BN(1)
        if cfg.arch == "musicnn":
            nt, ns = int(1.6 * 128), int(1.6 * 32)
            self.timbral = nn.ModuleList([nn.Conv2d(1, nt, (7, int(f * N_MELS))) for f in (0.4, 0.7)])
            self.timbral_bn = nn.ModuleList([_BN(nt) for _ in range(2)])
            self.temporal = nn.ModuleList([nn.Conv2d(1, ns, (k, 1)) for k in (128, 64, 32)])
            self.temporal_bn = nn.ModuleList([_BN(ns) for _ in range(3)])
            front = 2 * nt + 3 * ns
            self.mid = nn.ModuleList([nn.Conv2d(1, cfg.midend, (7, w)) for w in (front, cfg.midend, cfg.midend)])
            self.mid_bn = nn.ModuleList([_BN(cfg.midend) for _ in range(3)])
            pooled = 2 * (front + 3 * cfg.midend)
            self.pool_bn = _BN(pooled)
            self.dense = nn.Linear(pooled, cfg.backend)
            self.dense_bn = _BN(cfg.backend)
            self.out = nn.Linear(cfg.backend, n)
        else:
            f = cfg.vgg_filters
            self.convs = nn.ModuleList([nn.Conv2d(1 if i == 0 else f, f, 3, padding=1) for i in range(5)])
            self.conv_bn = nn.ModuleList([_BN(f) for _ in range(5)])
            self.out = nn.Linear(2 * 1 * f, n)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 187, 96] log-mel patches -> logits [B, n_labels]."""
        h = self.bn_in(x[..., None]).permute(0, 3, 1, 2)  # [B, 1, T, F]
        return self._musicnn(h) if self.cfg.arch == "musicnn" else self._vgg(h)

    def _musicnn(self, h: torch.Tensor) -> torch.Tensor:
        feats = []
        padded = F.pad(h, (0, 0, 3, 3))
        for conv, bn in zip(self.timbral, self.timbral_bn):
            y = bn(F.relu(conv(padded)).permute(0, 2, 3, 1))  # [B, T, F', C]
            feats.append(y.amax(dim=2))  # max over frequency -> [B, T, C]
        for conv, bn in zip(self.temporal, self.temporal_bn):
            y = bn(F.relu(conv(_same_pad_time(h, conv.kernel_size[0]))).permute(0, 2, 3, 1))
            feats.append(y.amax(dim=2))
        front = torch.cat(feats, dim=2)  # [B, T, 561]
        layers, y = [front], front
        for i, (conv, bn) in enumerate(zip(self.mid, self.mid_bn)):
            z = conv(F.pad(y[:, None], (0, 0, 3, 3)))  # [B, C, T, 1]
            z = bn(F.relu(z)[..., 0].transpose(1, 2))  # [B, T, C]
            y = z if i == 0 else z + y
            layers.append(y)
        mid = torch.cat(layers, dim=2)  # [B, T, 753]
        pooled = torch.stack([mid.amax(dim=1), mid.mean(dim=1)], dim=2).flatten(1)  # TF order: (max, mean) per feature
        hidden = self.dense_bn(F.relu(self.dense(self.pool_bn(pooled))))
        return self.out(hidden)

    def _vgg(self, h: torch.Tensor) -> torch.Tensor:
        pools = ((4, 1), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4), (4, 4))
        for conv, bn, (size, stride) in zip(self.convs, self.conv_bn, pools):
            h = bn(F.relu(conv(h)).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
            h = F.max_pool2d(h, size, stride)
        return self.out(h.permute(0, 2, 3, 1).flatten(1))  # TF flattens [B, T, F, C]

    @torch.no_grad()
    def tag_patches(self, p: np.ndarray) -> dict[str, float]:
        """Mean tag probability over log-mel patches [n, 187, 96] (`patches`)."""
        return dict(zip(self.cfg.labels, torch.sigmoid(self(torch.from_numpy(p))).mean(dim=0).tolist()))

    def tag(self, audio: np.ndarray, sr: int) -> dict[str, float]:
        """Mean tag probability over the 3 s patches of `audio` (mono float at `sr`; at least 3 s)."""
        return self.tag_patches(patches(audio, sr))


def log_mel(audio: np.ndarray, sr: int) -> np.ndarray:
    """[frames, 96] log10(10000 * mel + 1) at 16 kHz, in float32 (musicnn's front end without its float16 overflow)."""
    import librosa
    y = np.asarray(audio, dtype=np.float32)
    if sr != SR:
        y = librosa.resample(y, orig_sr=sr, target_sr=SR, res_type="soxr_hq")
    mel = librosa.feature.melspectrogram(y=y, sr=SR, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS).T
    return np.log10(10000 * mel.astype(np.float32) + 1).astype(np.float32)


def patches(audio: np.ndarray, sr: int) -> np.ndarray:
    """[n, 187, 96]: the song's consecutive 3 s patches (a tail shorter than 3 s is dropped, as musicnn does)."""
    rep = log_mel(audio, sr)
    if rep.shape[0] < N_FRAMES:
        raise ValueError(f"{rep.shape[0] * HOP / SR:.2f} s of audio: the tagger needs at least 3 s")
    n = (rep.shape[0] - N_FRAMES) // N_FRAMES + 1
    return np.stack([rep[i * N_FRAMES:(i + 1) * N_FRAMES] for i in range(n)])
