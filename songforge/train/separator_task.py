"""Vocal-separator training task: the data engine's mixes and their exact vocal stems.

Every clip's vocals and accompaniment (mix - vocals: the corpus mix is the sum of its stems) are held in memory as
float16. A batch takes `segment_s` excerpts; half of them sing over another clip's accompaniment (new
combinations, so the mask cannot learn which voice goes with which arrangement), each part at a random gain (vocals
-6..+3 dB, accompaniment -3..+3 dB). Loss: L1 between the masked mixture's magnitudes and the true stems', both
compressed (power 0.3), for the vocals and for the rest; with `leak_weight` / `lost_weight`, also the measure a
removal is judged by, in 128 mel bands (fewer for a tiny test model): the rest's power above the true
accompaniment's (over the batch, relative to the vocals' power) and the accompaniment's power missing from it
(relative to its own). Validation: whole held-out clips, the vocal energy left in the rest (dB below the vocals,
over frames where they sing) and the accompaniment energy the mask takes away."""
from __future__ import annotations

import torch

from .config import TrainConfig
from .data import load_audio, read_manifest

REMIX = 0.5


def _db(num: torch.Tensor, den: torch.Tensor) -> float:
    return float(10 * torch.log10(num.clamp_min(1e-12) / den.clamp_min(1e-12)))


def separation_db(model, vocals: torch.Tensor, rest: torch.Tensor) -> tuple[float, float]:
    """(vocal energy left in the separated rest, accompaniment energy lost from it), dB relative to the vocals' and
    the accompaniment's energy in the frames where the vocals sing (within 40 dB of their loudest frame)."""
    v, a = model.stft(vocals[None].float())[0], model.stft(rest[None].float())[0]
    m = model.mask(v[None] + a[None])[0]
    pv, pa = v.abs() ** 2, a.abs() ** 2
    pr = ((1 - m) * (v + a)).abs() ** 2
    e = pv.sum(0)
    sung = e > e.max() * 1e-4
    return _db((pr - pa).clamp_min(0)[:, sung].sum(), pv[:, sung].sum()), \
        _db((pa - pr).clamp_min(0)[:, sung].sum(), pa[:, sung].sum())


class SeparatorTask:
    def __init__(self, corpus: str | list[str], model_cfg, tc: TrainConfig, progress: bool = True):
        import librosa
        from tqdm import tqdm
        self.tc, self.cfg = tc, model_cfg
        self.fb = torch.from_numpy(librosa.filters.mel(sr=model_cfg.sample_rate, n_fft=model_cfg.n_fft,
                                                       n_mels=min(128, model_cfg.n_fft // 16)))  # 128 at n_fft 2048
        corpora = [corpus] if isinstance(corpus, str) else list(corpus)

        def clips(split: str, required: bool):
            rows = [(c, r) for c in corpora for r in read_manifest(c, (split,), required=required) if r.get("words", 1)]
            out = []
            for c, r in tqdm(rows, desc=f"stems ({split})", disable=not progress):
                mix = torch.from_numpy(load_audio(c, r, "mix", model_cfg.sample_rate))
                voc = torch.from_numpy(load_audio(c, r, "vocals", model_cfg.sample_rate))
                n = min(len(mix), len(voc))
                out.append((voc[:n].half(), (mix[:n] - voc[:n]).half()))
            return out

        self.items = clips("train", True)
        self.valid = clips("valid", False)[:16] or self.items[-4:]

    def batch(self, step: int, generator: torch.Generator) -> dict:
        n = int(self.tc.segment_s * self.cfg.sample_rate)

        def crop(x: torch.Tensor) -> torch.Tensor:
            a = int(torch.randint(max(1, len(x) - n + 1), (1,), generator=generator))
            x = x[a:a + n].float()
            return torch.nn.functional.pad(x, (0, n - len(x)))

        def pick() -> int:
            return int(torch.randint(len(self.items), (1,), generator=generator))

        voc, acc = [], []
        for _ in range(self.tc.batch_size):
            i = pick()
            j = pick() if float(torch.rand(1, generator=generator)) < REMIX else i
            gv = 10 ** (float(torch.empty(1).uniform_(-6.0, 3.0, generator=generator)) / 20)
            ga = 10 ** (float(torch.empty(1).uniform_(-3.0, 3.0, generator=generator)) / 20)
            voc.append(crop(self.items[i][0]) * gv)
            acc.append(crop(self.items[j][1]) * ga)
        return {"vocals": torch.stack(voc), "rest": torch.stack(acc)}

    def loss(self, model, batch: dict, generator: torch.Generator):
        m = getattr(model, "module", model)  # unwrapped under DDP
        v, a = m.stft(batch["vocals"]), m.stft(batch["rest"])
        x = (v + a).abs()
        mask = m.mask(v + a)
        c = lambda s: (s + 1e-6) ** 0.3  # noqa: E731
        lv = (c(mask * x) - c(v.abs())).abs().mean()
        la = (c((1 - mask) * x) - c(a.abs())).abs().mean()
        loss, parts = lv + la, {"vocals": lv.item(), "rest": la.item()}
        if self.tc.leak_weight or self.tc.lost_weight:
            mel = lambda s: torch.matmul(self.fb, s)  # noqa: E731  power [B, bins, F] -> [B, 128, F]
            pr, pa, pv = mel(((1 - mask) * x) ** 2), mel(a.abs() ** 2), mel(v.abs() ** 2)
            leak = (pr - pa).clamp_min(0).sum() / pv.sum().clamp_min(1e-6)
            lost = (pa - pr).clamp_min(0).sum() / pa.sum().clamp_min(1e-6)
            loss = loss + self.tc.leak_weight * leak + self.tc.lost_weight * lost
            parts.update(leak=leak.item(), lost=lost.item())
        return loss, parts

    @torch.no_grad()
    def evaluate(self, model, step: int) -> dict:
        model.eval()
        scores = [separation_db(model, v.float(), a.float()) for v, a in self.valid]
        model.train()
        n = max(1, len(scores))
        return {"leak_db": round(sum(s[0] for s in scores) / n, 2), "lost_db": round(sum(s[1] for s in scores) / n, 2),
                "clips": len(scores)}
