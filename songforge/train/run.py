"""`songforge train codec|dit|judge|tagger|separator|key --config CONFIG --data CORPUS --out DIR`: build the task and model, run the loop."""
from __future__ import annotations

import os

from ..model import checkpoint
from .config import load_config, with_overrides
from .loop import fit, refuse_finished
from .preflight import Mismatch, check_corpus, check_dit, check_init, check_resume, rows_grew


def grown_state(own: dict, src: dict) -> dict:
    """The tensors of `src` that fit `own`: same name and shape, or a weight matrix whose input grew (a newer
    condition layout appends columns): its old columns are kept and the new ones start at zero, so the grown
    model computes exactly what the old one did until training moves them; or a tensor whose first dimension grew
    (the phoneme inventory appended symbols: an embedding's or an output layer's rows): the old rows are kept, new
    weight rows start at zero and new biases at the smallest old bias (a new output starts as the least likely).
    A new head starts fresh."""
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
        elif rows_grew(tuple(v.shape), tuple(own[k].shape)):
            w = own[k].new_zeros(own[k].shape) if v.dim() == 2 else own[k].new_full(own[k].shape, float(v.min()))
            w[:v.shape[0]] = v
            out[k] = w
    return out



def train(kind: str, config: str, data: str | list[str], out: str, codec: str | None = None, init: str | None = None,
          progress: bool = True, overrides: dict | None = None, stop_at: int | None = None) -> dict:
    """Train a `kind` model from `config` on `data` into the run folder `out` (continuing the run there, if any);
    `stop_at`: stop after that step's checkpoint (the run continues later with the same call).
    `overrides`: {steps, batch_size, lr, seed, segment_s} over the config's train fields, saved with the run.
    Every mismatch between config, codec, init and corpus raises a one-line ValueError before any work.
    `dpo`: `data` is a pairs folder (train/dpo_pairs.py) and `init` the model folder to align."""
    if kind == "dpo":
        from .dpo_task import train_dpo
        if not init:
            raise ValueError("train dpo: --init MODEL_DIR (the model folder to align) is required")
        pairs = [data] if isinstance(data, str) else list(data)
        if len(pairs) != 1:
            raise ValueError("train dpo: --data takes one pairs folder")
        return train_dpo(config, pairs[0], init, out, overrides, progress)
    cfg_kind, model_cfg, tc = load_config(config)
    if cfg_kind != kind:
        raise ValueError(f"{config}: field 'kind': this config trains a {cfg_kind}, not a {kind}")
    tc = with_overrides(tc, overrides)
    data = [data] if isinstance(data, str) else list(data)
    if kind not in ("judge", "tagger", "separator", "key") and len(data) != 1:
        raise ValueError(f"train {kind}: --data takes one corpus (the judge, the tagger, the separator and the key "
                         "estimator pool several)")
    if kind == "dit" and not codec:
        raise ValueError("train dit: --codec DIR (a trained codec checkpoint, or configs/codec_mel) is required")
    try:
        sample_rate = check_dit(model_cfg, codec).sample_rate if kind == "dit" else getattr(model_cfg, "sample_rate", None)
        for corpus in data:
            check_corpus(corpus, sample_rate)
        check_resume(out, kind, model_cfg)
        model = checkpoint.build(kind, model_cfg, tc.seed)
        if init:
            check_init(init, kind, model_cfg, model)
    except Mismatch as e:
        raise ValueError(str(e)) from None
    refuse_finished(out, tc.steps, f"the model is in {out}/final")
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
        task = DiTTask(data[0], model_cfg, tc, codec, os.path.join(out, "latents"), progress)
    if init:
        model.load_state_dict(grown_state(model.state_dict(), checkpoint.load(init)[0].state_dict()), strict=False)
    return fit(task, model, kind, tc, out, stop_at=stop_at, progress=progress)
