"""The style tagger (model/tagger.py, trained here on the data engine's renders) as an ear: its reading of a mix
(style, instrument families, the singer's gender) and its window embeddings. Used when a tagger checkpoint is
present (the shipped one: songforge/models/tagger)."""
from __future__ import annotations

import numpy as np

from . import shipped
TAGGER_DIR = shipped.model_dir("tagger")


def available(model_dir: str = TAGGER_DIR) -> bool:
    return shipped.available(model_dir)


def _audio(model, x: np.ndarray, sr: int):
    import torch
    if sr != model.cfg.sample_rate:
        import soxr
        x = soxr.resample(x, sr, model.cfg.sample_rate)
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


def tag_audio(audio: np.ndarray, sr: int, model_dir: str = TAGGER_DIR) -> dict:
    """The tagger's reading of one mix: {style, style_probs, other_families, bass_family[, gender]}."""
    model = shipped.load(model_dir)
    return model.tag(_audio(model, audio, sr))


def tagger_embedding(audio: np.ndarray, sr: int, model_dir: str = TAGGER_DIR) -> np.ndarray:
    """[windows, emb]: the tagger's pooled embedding of 3 s windows every 1.5 s (the learned FAD embedding)."""
    model = shipped.load(model_dir)
    return model.window_embeddings(_audio(model, audio, sr)).numpy().astype(np.float64)
