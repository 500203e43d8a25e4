"""Key-estimator training task: the chroma sequences of the data engine's mixes (first 30 s, as a style reference is
read) with the key they were rendered in (labels.json: key).

With a codec (`songforge train key --codec MODEL/codec`), a share of the clips (TrainConfig.decoded_share) also
enters as the generator makes it heard: every stem through the codec and back, summed -- generated songs are
decoded that way, and decoding shifts the chroma (the bass register most). Each batch crops every item to one
random length between 10 s and 30 s at a random position. Validation: whole held-out clips (as rendered, and as
decoded when a codec is given), key accuracy and mode accuracy. Chroma is cached per clip under the run folder."""
from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from .config import TrainConfig
from .data import STEMS, load_audio, read_manifest

SR = 22050
MAX_S = 30.0


def clip_key(corpus: str, row: dict) -> int:
    """Key index of a corpus clip: tonic pitch class + 12 for minor."""
    from ..spec.music import parse_key
    with open(os.path.join(corpus, row["labels"]), encoding="utf-8") as f:
        key = json.load(f)["key"]
    parsed = parse_key(key)
    if parsed is None:
        raise ValueError(f"{corpus}: id '{row['id']}': field 'key': {key!r} is not a key")
    return parsed[0] + 12 * (parsed[1] == "minor")


def clip_mix(corpus: str, row: dict, codec=None) -> np.ndarray:
    """The first 30 s of a clip's mix at 22.05 kHz; with a codec, the sum of its stems through it and back."""
    if codec is None:
        return load_audio(corpus, row, "mix", SR)[:int(MAX_S * SR)]
    import soxr
    sr = codec.cfg.sample_rate
    with torch.no_grad():
        mix = sum(codec.decode_long(codec.encode_long(torch.from_numpy(
            load_audio(corpus, row, s, sr)[:int(MAX_S * sr)])[None]))[0].numpy() for s in STEMS)
    return soxr.resample(mix, sr, SR).astype(np.float32)


class KeyTask:
    def __init__(self, corpus: str | list[str], model_cfg, tc: TrainConfig, codec: str | None = None,
                 cache: str | None = None, progress: bool = True):
        from tqdm import tqdm

        from ..model.chroma import chroma_frames
        self.tc, self.rate = tc, SR / 2048
        corpora = [corpus] if isinstance(corpus, str) else list(corpus)
        coder = None
        if codec and os.path.exists(os.path.join(codec, "model.json")):  # a model folder: its codec, decoded as it decodes
            from ..pipeline import load
            coder = load(codec).codec
        elif codec:
            from ..model import checkpoint
            coder = checkpoint.load(codec)[0]

        def features(split: str, required: bool, decoded_share: float) -> list[tuple[torch.Tensor, int]]:
            rows = [(c, r) for c in corpora for r in read_manifest(c, (split,), required=required)]
            jobs = [(c, r, None) for c, r in rows]
            if coder is not None and decoded_share > 0:  # every k-th clip also as decoded (a spread, reproducible)
                k = max(1, int(round(1 / decoded_share)))
                jobs += [(c, r, coder) for i, (c, r) in enumerate(rows) if i % k == 0]
            out = []
            for c, r, cd in tqdm(jobs, desc=f"chroma ({split})", disable=not progress):
                path = None
                if cache:  # one file per clip and hearing, so a restarted run skips the decoding
                    tag = hashlib.sha1(f"{os.path.abspath(c)}|{codec if cd is not None else ''}".encode()).hexdigest()[:12]
                    path = os.path.join(cache, f"{tag}_{r['id']}_{'decoded' if cd is not None else 'mix'}.npy")
                if path and os.path.exists(path):
                    f = np.load(path)
                else:
                    f = chroma_frames(clip_mix(c, r, cd), SR)
                    if path:
                        os.makedirs(cache, exist_ok=True)
                        np.save(path + ".tmp.npy", f)
                        os.replace(path + ".tmp.npy", path)
                out.append((torch.from_numpy(f), clip_key(c, r)))
            return out

        self.items = features("train", True, tc.decoded_share)
        self.valid = features("valid", False, 1.0 if coder is not None else 0.0) or self.items[-8:]

    def batch(self, step: int, generator: torch.Generator) -> dict:
        lo = int(10 * self.rate)
        n = int(lo + (MAX_S * self.rate - lo) * float(torch.rand(1, generator=generator)))
        chroma, mask, key = [], [], []
        for _ in range(self.tc.batch_size):
            c, k = self.items[int(torch.randint(len(self.items), (1,), generator=generator))]
            a = int(torch.randint(max(1, c.shape[-1] - n + 1), (1,), generator=generator))
            x = c[..., a:a + n]
            chroma.append(F.pad(x, (0, n - x.shape[-1])))
            mask.append(torch.arange(n) < x.shape[-1])
            key.append(k)
        return {"chroma": torch.stack(chroma), "mask": torch.stack(mask), "key": torch.tensor(key)}

    def loss(self, model, batch: dict, generator: torch.Generator):
        loss = F.cross_entropy(model(batch["chroma"], batch["mask"]), batch["key"])
        return loss, {"ce": loss.item()}

    @torch.no_grad()
    def evaluate(self, model, step: int) -> dict:
        model.eval()
        pred = torch.tensor([int(model(c[None]).argmax()) for c, _ in self.valid])
        want = torch.tensor([k for _, k in self.valid])
        model.train()
        return {"key_acc": round(float((pred == want).float().mean()), 4),
                "mode_acc": round(float(((pred >= 12) == (want >= 12)).float().mean()), 4), "clips": len(self.valid)}
