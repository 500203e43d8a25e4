"""`songforge train codec|dit|judge|tagger|separator|key --config CONFIG --data CORPUS --out DIR`: build the task and model, run the loop."""
from __future__ import annotations

import os

from ..model import checkpoint
from .config import load_config
from .loop import fit


def grown_state(own: dict, src: dict) -> dict:
    """The tensors of `src` that fit `own`: same name and shape, or a weight matrix whose input grew (a newer
    condition layout appends columns): its old columns are kept and the new ones start at zero, so the grown
    model computes exactly what the old one did until training moves them. A new head starts fresh."""
    out = {}
    for k, v in src.items():
        if k not in own:
            continue
        if own[k].shape == v.shape:
            out[k] = v
        elif v.dim() == 2 and own[k].dim() == 2 and own[k].shape[0] == v.shape[0] and own[k].shape[1] > v.shape[1]:
            w = own[k].new_zeros(own[k].shape)
            w[:, :v.shape[1]] = v
            out[k] = w
    return out


def train(kind: str, config: str, data: str | list[str], out: str, codec: str | None = None, init: str | None = None,
          progress: bool = True) -> dict:
    cfg_kind, model_cfg, tc = load_config(config)
    if cfg_kind != kind:
        raise ValueError(f"{config}: field 'kind': this config trains a {cfg_kind}, not a {kind}")
    data = [data] if isinstance(data, str) else list(data)
    if kind not in ("judge", "tagger", "separator", "key") and len(data) != 1:
        raise ValueError(f"train {kind}: --data takes one corpus (the judge, the tagger, the separator and the key "
                         "estimator pool several)")
    if kind == "codec":
        from .codec_task import CodecTask
        task = CodecTask(data[0], model_cfg, tc, progress)
    elif kind == "tagger":
        from .tagger_task import TaggerTask
        task = TaggerTask(data, model_cfg, tc, progress)
    elif kind == "separator":
        from .separator_task import SeparatorTask
        task = SeparatorTask(data, model_cfg, tc, progress)
    elif kind == "key":
        from .key_task import KeyTask
        task = KeyTask(data, model_cfg, tc, codec, os.path.join(out, "chroma"), progress)
    elif kind == "judge":
        from .judge_task import JudgeTask
        task = JudgeTask(data, model_cfg, tc, progress)
    else:
        from .dit_task import DiTTask
        if not codec:
            raise ValueError("train dit: --codec DIR (a trained codec checkpoint) is required")
        task = DiTTask(data[0], model_cfg, tc, codec, os.path.join(out, "latents"), progress)
    model = checkpoint.build(kind, model_cfg, tc.seed)
    if init:
        model.load_state_dict(grown_state(model.state_dict(), checkpoint.load(init)[0].state_dict()), strict=False)
    return fit(task, model, kind, tc, out, progress=progress)
