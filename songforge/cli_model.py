"""`songforge model assemble`: a model folder (codec/ + dit/ in fp16 + model.json) from a trained DiT run."""
from __future__ import annotations

import json
import os


def assemble_run(codec: str, dit_run: str, out: str, card: str | None = None, steps: int | None = None,
                 guidance: str | None = None, gl_iters: int | None = None, from_last: bool = False,
                 vocal_guide: float | None = None, accompaniment_guide: float | None = None) -> str:
    """Assemble `out` from the codec (a checkpoint folder, or a codec run whose final/ is used) and the DiT run
    (its final/ and latents/stats.json); returns the model folder. Raises ValueError / FileNotFoundError."""
    from .flow.guidance import parse_guidance
    from .pipeline import Sampling, assemble
    if from_last:
        from .train.loop import export_last
        export_last(dit_run)
    stats_path = os.path.join(dit_run, "latents", "stats.json")
    final = os.path.join(dit_run, "final")
    for path, what in ((stats_path, "its latent statistics"), (os.path.join(final, "config.json"), "its final weights")):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"--dit {dit_run}: no {os.path.relpath(path, dit_run)} ({what}): not a finished "
                                    "DiT run (pass --from-last for a run that stopped early)")
    with open(stats_path) as f:
        stats = json.load(f)
    meta = {}
    if card:
        with open(card) as f:
            meta = json.load(f)
    codec_dir = codec if os.path.exists(os.path.join(codec, "config.json")) else os.path.join(codec, "final")
    for flag, t0 in (("--vocal-guide", vocal_guide), ("--accompaniment-guide", accompaniment_guide)):
        if t0 is not None and not 0 <= t0 <= 1:
            raise ValueError(f"{flag} {t0:g}: must be between 0 and 1")
    sampling = Sampling(steps=steps or Sampling.steps, guidance=parse_guidance(guidance, Sampling.guidance),
                        vocal_guide=vocal_guide or 0.0, accompaniment_guide=accompaniment_guide or 0.0)
    folder = assemble(out, codec_dir, final, stats, sampling, meta)
    if gl_iters:
        path = os.path.join(folder, "codec", "config.json")
        with open(path) as f:
            cfg = json.load(f)
        if "gl_iters" not in cfg["config"]:
            raise ValueError(f"--gl-iters: {path}: this codec has no gl_iters")
        cfg["config"]["gl_iters"] = gl_iters
        with open(path, "w") as f:
            json.dump(cfg, f, indent=1)
    return folder
