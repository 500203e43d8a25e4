"""The style tagger: which of the planner's styles a mix is in, and which instruments play, trained here on the data
engine's renders (exact labels). Its pooled embedding is the learned FAD embedding of `songforge eval`.

log-mel (64 bins, 50 frames/s, normalised to the item's peak) -> a 1x1 convolution -> three stages of two
ConvNeXt blocks, each followed by a stride-2 convolution (6.25 frames/s at the end: bar-level groove and
timbre) -> mean and standard deviation over time -> a 128-d embedding -> heads: style (one of STYLE_NAMES),
'other'-stem instrument families (multi-label, the 16 General MIDI families), bass family (one of 16), and
(with `gender`) the lead singer's gender."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..plan.styles import STYLES
from .codec import ConvNeXt
from .frontend import MelPower, peak_log_mel

GENDERS = ("female", "male")
GM_FAMILIES = ("piano", "chromatic percussion", "organ", "guitar", "bass", "strings", "ensemble", "brass", "reed", "pipe",
               "synth lead", "synth pad", "synth effects", "ethnic", "percussive", "sound effects")


@dataclass(frozen=True)
class TaggerConfig:
    sample_rate: int = 24000
    n_fft: int = 1024
    hop: int = 480
    n_mels: int = 64
    dim: int = 96
    stages: int = 3
    emb: int = 128
    dropout: float = 0.1
    styles: tuple[str, ...] = tuple(s.name for s in STYLES)  # saved with the weights: new styles need retraining
    gender: bool = False  # a head for the lead singer's gender (female / male)


class StyleTagger(nn.Module):
    def __init__(self, cfg: TaggerConfig):
        super().__init__()
        self.cfg = cfg
        self.mel = MelPower(cfg.sample_rate, cfg.n_fft, cfg.hop, cfg.n_mels, fmin=30.0)
        self.inp = nn.Conv1d(cfg.n_mels, cfg.dim, 1)
        layers: list[nn.Module] = []
        for _ in range(cfg.stages):
            layers += [ConvNeXt(cfg.dim, 2), ConvNeXt(cfg.dim, 2), nn.Conv1d(cfg.dim, cfg.dim, 4, stride=2, padding=1)]
        self.body = nn.Sequential(*layers)
        self.proj = nn.Linear(2 * cfg.dim, cfg.emb)
        self.style = nn.Linear(cfg.emb, len(cfg.styles))
        self.other = nn.Linear(cfg.emb, len(GM_FAMILIES))
        self.bass = nn.Linear(cfg.emb, len(GM_FAMILIES))
        if cfg.gender:
            self.gender = nn.Linear(cfg.emb, len(GENDERS))

    def mel_power(self, audio: torch.Tensor) -> torch.Tensor:
        """[B, S] at sample_rate -> mel power [B, n_mels, S / hop]."""
        return self.mel(audio)

    def embed_power(self, power: torch.Tensor) -> torch.Tensor:
        """mel power [B, n_mels, F] -> embedding [B, emb] (loudness-invariant: log-mel relative to the item's peak)."""
        h = self.body(self.inp(peak_log_mel(power)))
        pooled = torch.cat([h.mean(-1), h.std(-1, unbiased=False)], dim=-1)
        return F.gelu(self.proj(F.dropout(pooled, self.cfg.dropout, self.training)))

    def heads(self, emb: torch.Tensor) -> dict[str, torch.Tensor]:
        """Logits: style [B, styles], other-stem families [B, 16] (independent), bass family [B, 16]."""
        e = F.dropout(emb, self.cfg.dropout, self.training)
        out = {"style": self.style(e), "other": self.other(e), "bass": self.bass(e)}
        if self.cfg.gender:
            out["gender"] = self.gender(e)
        return out

    def forward(self, audio: torch.Tensor) -> dict[str, torch.Tensor]:
        emb = self.embed_power(self.mel_power(audio))
        return self.heads(emb) | {"embedding": emb}

    @torch.no_grad()
    def tag(self, audio: torch.Tensor) -> dict:
        """One mix [S] at sample_rate -> {style, style_probs, other_families, bass_family[, gender]} (whole song
        pooled)."""
        out = self(audio[None])
        probs = out["style"].softmax(-1)[0]
        extra = {"gender": GENDERS[int(out["gender"][0].argmax())]} if "gender" in out else {}
        return extra | {"style": self.cfg.styles[int(probs.argmax())],
                "style_probs": {s: round(float(p), 4) for s, p in zip(self.cfg.styles, probs)},
                "other_families": [GM_FAMILIES[i] for i in torch.nonzero(out["other"][0] > 0).flatten().tolist()],
                "bass_family": GM_FAMILIES[int(out["bass"][0].argmax())]}

    @torch.no_grad()
    def window_embeddings(self, audio: torch.Tensor, window_s: float = 3.0, hop_s: float = 1.5) -> torch.Tensor:
        """[S] -> [windows, emb]: the FAD embedding, one per window_s excerpt every hop_s (silent excerpts skipped)."""
        power = self.mel_power(audio[None])[0]
        rate = self.cfg.sample_rate / self.cfg.hop
        w, h = int(window_s * rate), int(hop_s * rate)
        starts = range(0, max(1, power.shape[-1] - w + 1), h)
        segs = [power[:, a:a + w] for a in starts if float(power[:, a:a + w].amax()) > 1e-6]
        if not segs:
            return torch.zeros(0, self.cfg.emb)
        segs = [F.pad(s, (0, w - s.shape[-1])) for s in segs]
        return self.embed_power(torch.stack(segs))
