"""Style-tagger training task: excerpts of the data engine's mixes with the style and instruments they were rendered
with (labels.json: style, programs).

Features are computed once per clip (mix mel power, float16). Each batch draws one excerpt length between 3 s and
segment_s (the tagger pools over time, and the FAD embedding reads 3 s windows), a random position per item, and a
random spectral tilt of up to +-3 dB. Validation: whole held-out clips, style accuracy, bass-family accuracy and
the 'other'-stem family F1."""
from __future__ import annotations

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from ..model.tagger import GENDERS
from .config import TrainConfig
from .data import load_audio, read_manifest, spectral_tilt


def clip_targets(corpus: str, row: dict, styles: tuple[str, ...]) -> tuple[int, torch.Tensor, int, int]:
    """(style index, 'other' GM families multi-hot [16], bass GM family, singer gender index) of one corpus clip."""
    with open(os.path.join(corpus, row["labels"]), encoding="utf-8") as f:
        lab = json.load(f)
    if lab["style"] not in styles:
        raise ValueError(f"{corpus}: id '{row['id']}': field 'style': {lab['style']!r} is not one of the tagger's styles")
    other = torch.zeros(16)
    for p in lab["programs"]["other"]:
        other[p // 8] = 1.0
    return styles.index(lab["style"]), other, lab["programs"]["bass"] // 8, GENDERS.index(lab["voice"]["gender"])


class TaggerTask:
    def __init__(self, corpus: str | list[str], model_cfg, tc: TrainConfig, progress: bool = True):
        from tqdm import tqdm

        from ..model.tagger import StyleTagger
        self.tc, self.cfg = tc, model_cfg
        self.rate = model_cfg.sample_rate / model_cfg.hop
        frontend = StyleTagger(model_cfg)
        corpora = [corpus] if isinstance(corpus, str) else list(corpus)

        def features(split: str, required: bool):
            rows = [(c, r) for c in corpora for r in read_manifest(c, (split,), required=required)]
            out = []
            with torch.no_grad():
                for c, r in tqdm(rows, desc=f"mix features ({split})", disable=not progress):
                    mix = torch.from_numpy(load_audio(c, r, "mix", model_cfg.sample_rate))
                    out.append((frontend.mel_power(mix[None])[0].half(), *clip_targets(c, r, model_cfg.styles)))
            return out

        self.items = features("train", True)
        self.valid = features("valid", False)[:64] or self.items[-8:]

    def batch(self, step: int, generator: torch.Generator) -> dict:
        lo = min(3.0, self.tc.segment_s)
        n = int(round((lo + (self.tc.segment_s - lo) * float(torch.rand(1, generator=generator))) * self.rate))
        power, style, other, bass, gender = [], [], [], [], []
        for _ in range(self.tc.batch_size):
            p, s, o, b, g = self.items[int(torch.randint(len(self.items), (1,), generator=generator))]
            a = int(torch.randint(max(1, p.shape[-1] - n + 1), (1,), generator=generator))
            x = p[:, a:a + n].float()
            db = float(torch.empty(1).uniform_(-3.0, 3.0, generator=generator))
            x = spectral_tilt(x, db)
            power.append(F.pad(x, (0, n - x.shape[-1])))
            style.append(s)
            other.append(o)
            bass.append(b)
            gender.append(g)
        return {"power": torch.stack(power), "style": torch.tensor(style), "other": torch.stack(other),
                "bass": torch.tensor(bass), "gender": torch.tensor(gender)}

    def loss(self, model, batch: dict, generator: torch.Generator):
        m = getattr(model, "module", model)  # unwrapped under DDP
        out = m.heads(m.embed_power(batch["power"]))
        ls = F.cross_entropy(out["style"], batch["style"])
        lo = F.binary_cross_entropy_with_logits(out["other"], batch["other"])
        lb = F.cross_entropy(out["bass"], batch["bass"])
        loss = ls + 0.5 * lo + 0.5 * lb
        parts = {"style": ls.item(), "other": lo.item(), "bass": lb.item()}
        if "gender" in out:
            lg = F.cross_entropy(out["gender"], batch["gender"])
            loss = loss + 0.5 * lg
            parts["gender"] = lg.item()
        return loss, parts

    @torch.no_grad()
    def evaluate(self, model, step: int) -> dict:
        model.eval()
        hit, bass_hit, gender_hit, tp, fp, fn = 0, 0, 0, 0.0, 0.0, 0.0
        for p, s, o, b, g in self.valid:
            out = model.heads(model.embed_power(p[None].float()))
            gender_hit += "gender" in out and int(out["gender"].argmax()) == g
            hit += int(out["style"].argmax()) == s
            bass_hit += int(out["bass"].argmax()) == b
            pred = (out["other"][0] > 0).float()
            tp, fp, fn = tp + float((pred * o).sum()), fp + float((pred * (1 - o)).sum()), fn + float(((1 - pred) * o).sum())
        model.train()
        n = max(1, len(self.valid))
        return {"style_acc": round(hit / n, 4), "bass_acc": round(bass_hit / n, 4), "gender_acc": round(gender_hit / n, 4),
                "other_f1": round(2 * tp / max(1e-9, 2 * tp + fp + fn), 4), "clips": len(self.valid)}
