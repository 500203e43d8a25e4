"""plan -> stems + mix + labels (+ picture), written atomically into one folder per song."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass

import numpy as np

from ..plan.plan import SongPlan
from .accompaniment import RENDER_SR, band
from .labels import labels
from .mix import STEMS, mix
from .voice import Singer

SAMPLE_RATES = (24000, 44100)


@dataclass(frozen=True)
class Rendered:
    stems: dict[str, np.ndarray]  # name -> float32 [samples]
    mix: np.ndarray
    sample_rate: int
    loudness: float


_singers: dict[int, Singer] = {}


def render_plan(plan: SongPlan, sample_rate: int = 24000) -> Rendered:
    import soxr
    if sample_rate not in SAMPLE_RATES:
        raise ValueError(f"sample rate {sample_rate} not supported ({', '.join(map(str, SAMPLE_RATES))})")
    from .batch import mark_sounded
    mark_sounded()
    singer = _singers.setdefault(sample_rate, Singer(sample_rate))
    n = int(round(plan.duration * sample_rate))
    stems = {"vocals": singer.sing(plan)}
    for name, x in band().stems(plan).items():
        y = soxr.resample(x, RENDER_SR, sample_rate)
        stems[name] = np.pad(y, (0, max(0, n - len(y))))[:n].astype(np.float32)
    stems, m, loud = mix({k: stems[k] for k in STEMS}, plan.levels_db, sample_rate, plan.seed)
    return Rendered(stems, m, sample_rate, loud)


def write_song(plan: SongPlan, r: Rendered, out_dir: str, audio_format: str = "flac", picture: bool = True,
               release: bool = True, stems: tuple[str, ...] | None = None) -> str:
    """Write mix + stems + labels.json (+ song.png) to out_dir/<id>/; a crash leaves no half-written folder.
    `release`: through the production stage (render/produce.py: 44.1 kHz stereo, -14 LUFS, true peak <= -1 dBTP),
    as a listener gets it; off, the engine's mono stems as they are (the training corpus). `stems`: which stem files
    to write (default: all; the mix is always the sum of all of them)."""
    import soundfile as sf
    final = os.path.join(out_dir, plan.spec.id)
    tmp = os.path.join(out_dir, f".{plan.spec.id}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    fmt = {"flac": ("FLAC", "PCM_16"), "wav": ("WAV", "PCM_16")}[audio_format]
    lab = labels(plan, r.sample_rate, r.loudness)
    audio, rate = r.stems, r.sample_rate
    mixed = r.mix
    if release:
        from .produce import produce
        p = produce(r.stems, r.sample_rate, plan.seed)
        audio, rate, mixed = p.stems, p.sample_rate, p.mix
        lab |= {"sample_rate": rate, "channels": 2, "loudness_lufs": round(p.loudness, 2),
                "true_peak_dbtp": round(p.true_peak_db, 2), "engine_sample_rate": r.sample_rate}
    for name, x in [("mix", mixed)] + [(k, v) for k, v in audio.items() if stems is None or k in stems]:
        sf.write(os.path.join(tmp, f"{name}.{audio_format}"), np.clip(x, -1, 1), rate, format=fmt[0], subtype=fmt[1])
    with open(os.path.join(tmp, "labels.json"), "w", encoding="utf-8") as f:
        json.dump(lab, f, ensure_ascii=False, separators=(",", ":"))
    if picture:
        from ..picture import plot_song
        plot_song(plan.spec, plan.timing, os.path.join(tmp, "song.png"), chords=plan.chords, melody=plan.melody,
                  key=plan.key_name)
    if os.path.isdir(final):
        shutil.rmtree(final)
    os.replace(tmp, final)
    return final
