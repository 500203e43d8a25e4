"""The evaluation models that ship inside the package (songforge/models/<name>: safetensors + config.json + card),
loaded once per process. An evaluator whose model is absent is skipped with a note, never downloaded."""
from __future__ import annotations

import os
from functools import lru_cache

MODELS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "models")


def model_dir(name: str) -> str:
    return os.path.join(MODELS_DIR, name)


def available(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, "config.json"))


@lru_cache(maxsize=4)
def load(folder: str):
    """The model in a checkpoint folder, in eval mode on the CPU."""
    from ..model import checkpoint
    return checkpoint.load(folder)[0]
