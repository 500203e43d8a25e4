"""Codec training task: random excerpts of every stem (and some mixes) from a corpus, MR-STFT + mel + KL."""
from __future__ import annotations

import numpy as np
import torch

from ..model.codec import Codec
from .codec_losses import MelLoss, kl_loss, mr_stft_loss, si_sdr
from .config import TrainConfig
from .data import STEMS, load_audio, read_manifest

SILENCE_RMS = 1e-3


class CodecTask:
    """Holds the corpus audio in memory (float32; ~1.3 GB per hour of 5-file clips at 24 kHz)."""

    def __init__(self, corpus: str, model_cfg, tc: TrainConfig, progress: bool = True):
        from tqdm import tqdm
        self.tc, self.sr = tc, model_cfg.sample_rate
        self.segment = int(round(tc.segment_s * self.sr / model_cfg.samples_per_latent)) * model_cfg.samples_per_latent
        rows = read_manifest(corpus, ("train",))
        self.audio = [load_audio(corpus, r, name, self.sr) for r in tqdm(rows, desc="loading audio", disable=not progress)
                      for name in STEMS + ("mix",)]
        self.audio = [a for a in self.audio if len(a) > self.segment]
        valid = (read_manifest(corpus, ("valid", "test"), required=False) or rows[-2:])[:8]
        n = 4 * model_cfg.samples_per_latent * 25  # 4 s
        self.valid = torch.from_numpy(np.stack([self._excerpt(load_audio(corpus, r, name, self.sr), n)
                                                for r in valid for name in STEMS]))
        self.mel = MelLoss(self.sr)

    @staticmethod
    def _excerpt(x: np.ndarray, n: int) -> np.ndarray:
        """The loudest-centred n samples of x (zero-padded if short): a fixed, non-silent validation excerpt."""
        if len(x) < n:
            return np.pad(x, (0, n - len(x)))
        e = np.convolve(x ** 2, np.ones(2400) / 2400, mode="same")
        c = int(np.clip(np.argmax(e), n // 2, len(x) - n // 2))
        return x[c - n // 2:c - n // 2 + n]

    def batch(self, step: int, generator: torch.Generator) -> dict:
        out = []
        for _ in range(self.tc.batch_size):
            for _try in range(8):  # prefer excerpts with sound in them; stems are often silent for a while
                i = int(torch.randint(len(self.audio), (1,), generator=generator))
                a = self.audio[i]
                o = int(torch.randint(len(a) - self.segment, (1,), generator=generator))
                x = a[o:o + self.segment]
                if np.sqrt(np.mean(x ** 2)) > SILENCE_RMS:
                    break
            gain = float(10 ** (torch.empty(1).uniform_(-6, 6, generator=generator) / 20))
            out.append(x * gain)
        return {"audio": torch.from_numpy(np.stack(out))}

    def loss(self, model: Codec, batch: dict, generator: torch.Generator):
        x = batch["audio"]
        y, mu, logvar = model(x, generator)
        if model_cfg(model).phase == "griffinlim":
            stft, mel = spectrum_losses(y, model_ref(model).spectrum(x).float(), self.mel.to(x.device))
        else:
            stft, mel = mr_stft_loss(y, x), self.mel.to(x.device)(y, x)
        kl = kl_loss(mu, logvar)
        total = stft + self.tc.mel_weight * mel + self.tc.kl_weight * kl
        return total, {"stft": stft.item(), "mel": mel.item(), "kl": kl.item()}

    def evaluate(self, model: Codec, step: int) -> dict:
        return reconstruction_scores(model, self.valid.to(next(model.parameters()).device), self.mel)


def model_ref(model):
    return getattr(model, "module", model)  # under DDP the codec sits inside a wrapper


def model_cfg(model):
    return model_ref(model).cfg


def spectrum_losses(logmag: torch.Tensor, target: torch.Tensor, mel: MelLoss) -> tuple[torch.Tensor, torch.Tensor]:
    """Griffin-Lim mode: (spectral convergence + log-magnitude L1, log-mel L1) on the codec's own STFT grid."""
    y, x = torch.exp(logmag), torch.exp(target)
    sc = (torch.linalg.norm(y - x, dim=(1, 2)) / torch.linalg.norm(x, dim=(1, 2)).clamp_min(1e-3)).mean()
    mel_l1 = (torch.log(mel.fb @ y + 1e-5) - torch.log(mel.fb @ x + 1e-5)).abs().mean()
    return sc + (logmag - target).abs().mean(), mel_l1


@torch.no_grad()
def reconstruction_scores(model: Codec, audio: torch.Tensor, mel: MelLoss) -> dict:
    """Mean mel distance, MR-STFT distance and SI-SDR of decode(encode(audio)) against audio [B, S]."""
    y = model.decode(model.encode(audio))[:, :audio.shape[-1]]
    mel = mel.to(audio.device)
    return {"mel_distance": float(mel(y, audio)), "mr_stft": float(mr_stft_loss(y, audio)),
            "si_sdr_db": float(si_sdr(y, audio).mean()),
            "latent_std": float(model.encode(audio).std())}
