"""`songforge data build`: a corpus of rendered clips with exact labels — deterministic from the seed,
parallel, resumable after a kill (finished clips are kept, partial ones redone), FLAC, manifest + splits."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, replace

from ..spec.formats.common import write_atomic
from .clip import BuildConfig, clip_spec, render_clip, saved_config

STEM_FILES = ("mix", "vocals", "drums", "bass", "other")
SPLITS = (("train", 0.9), ("valid", 0.95), ("test", 1.0))


def split_of(seed: int, index: int) -> str:
    u = int.from_bytes(hashlib.sha256(f"{seed}:{index}".encode()).digest()[:8], "little") / 2 ** 64
    return next(name for name, upto in SPLITS if u < upto)


def plan_clips(cfg: BuildConfig) -> list[tuple[int, float]]:
    """(index, planned duration) of every clip, until the corpus reaches cfg.hours. A clip whose generated lyrics
    cannot be sung (a word the G2P gives no syllable) is left out, said once, and the corpus goes on."""
    import sys

    from ..errors import SpecError
    from ..plan.timing import time_song
    out, total, i = [], 0.0, 0
    while total < cfg.hours * 3600:
        try:
            d = time_song(clip_spec(cfg, i)).duration
        except SpecError as e:
            print(f"clip {i} left out: {e}", file=sys.stderr)
            i += 1
            continue
        out.append((i, d))
        total += d
        i += 1
    return out



def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build(out: str, cfg: BuildConfig, workers: int, progress: bool = True, ray: str | None = None) -> dict:
    """Build (or resume) the corpus in `out`. Returns a summary with throughput. `ray`: a Ray cluster's address
    ("auto": the local one) whose nodes render the clips (data/ray_build.py) instead of the local process pool."""
    from functools import partial

    from ..render.batch import run_isolated
    if ray is not None:
        from .ray_build import connect
        connect(ray)
    os.makedirs(os.path.join(out, "clips"), exist_ok=True)
    cfg_path = os.path.join(out, "build.json")
    if os.path.exists(cfg_path):
        with open(cfg_path) as f:
            old = saved_config(json.load(f))
        if replace(old, planner=cfg.planner) != cfg:
            raise ValueError(f"{out} holds a corpus built with other settings ({asdict(old)}); use another folder")
        cfg = old  # a corpus is finished with the planner it was begun with
    else:
        write_atomic(cfg_path, json.dumps(asdict(cfg), indent=1) + "\n")
    clips = plan_clips(cfg)
    clip_dir = os.path.join(out, "clips")
    for name in os.listdir(clip_dir):  # a kill leaves at most partial folders: redo those clips
        if name.endswith(".partial"):
            shutil.rmtree(os.path.join(clip_dir, name), ignore_errors=True)
    ids = {i: f"{cfg.seed}-{i:06d}" for i, _ in clips}
    todo = [i for i, _ in clips if not os.path.exists(os.path.join(clip_dir, ids[i], "labels.json"))]
    cpu, audio, failed, nodes = 0.0, 0.0, [], {}
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit="clip", desc="rendering", dynamic_ncols=True)
    if ray is not None:
        from .ray_build import render_on_ray
        results = render_on_ray(cfg, todo, clip_dir, ids)
    else:
        results = ((*r, "local") for r in run_isolated(partial(render_clip, cfg, out), todo, workers))
    for index, dur, err, cpu_s, node in results:
        nodes[node] = nodes.get(node, 0) + 1
        if err:
            failed.append((ids.get(index, "?"), err))
        else:
            cpu += cpu_s
            audio += dur
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{audio / 3600 / max(cpu / 3600, 1e-9):.1f} audio-h/CPU-h")
    if bar is not None:
        bar.close()
    manifest = write_manifest(out, cfg, [i for i, _ in clips], ids)
    return {"clips": len(manifest), "rendered_now": len(todo) - len(failed), "failed": failed, "clips_per_node": nodes,
            "hours": round(sum(m["duration"] for m in manifest) / 3600, 4), "cpu_s": round(cpu, 2),
            "audio_s_rendered": round(audio, 2),
            "audio_hours_per_cpu_hour": round(audio / cpu, 2) if cpu else None}


def write_manifest(out: str, cfg: BuildConfig, indices: list[int], ids: dict[int, str]) -> list[dict]:
    rows = []
    for i in indices:
        d = os.path.join(out, "clips", ids[i])
        lab_path = os.path.join(d, "labels.json")
        if not os.path.exists(lab_path):
            continue
        with open(lab_path, encoding="utf-8") as f:
            lab = json.load(f)
        langs = sorted({w["language"] for w in lab["words"] if w["language"]})
        rows.append({"id": ids[i], "index": i, "split": split_of(cfg.seed, i), "duration": lab["duration"],
                     "style": lab["style"], "language": "+".join(langs), "tags": lab["tags"], "bpm": lab["bpm"],
                     "key": lab["key"], "voice": lab["voice"]["id"],
                     "voice_engine": lab["voice"].get("engine", "espeak"), "words": len(lab["words"]),
                     "labels": f"clips/{ids[i]}/labels.json",
                     "audio": {s: f"clips/{ids[i]}/{s}.flac" for s in STEM_FILES},
                     "sha256": {s: _sha256(os.path.join(d, f"{s}.flac")) for s in STEM_FILES}})
    write_atomic(os.path.join(out, "manifest.jsonl"), "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return rows
