"""ACE-Step style JSON: prompt tags, a lyrics block with [tag] lines, audio_duration, sampler settings."""
from __future__ import annotations

import json
import os

from ...errors import SpecError, Where
from ..fields import as_num, get_num, get_str, obj
from ..song import Controls, Generation, SongSpec, Style
from ..files import LOCAL, FileAccess
from .common import (dump_json, foreign_keys, join_style, parse_json, parse_tagged_lyrics, per_item, read_text,
                     relative, split_style, tagged_lyrics)

USED = ("prompt", "lyrics", "audio_duration", "infer_step", "guidance_scale", "guidance_scale_text",
        "guidance_scale_lyric", "manual_seeds", "actual_seeds", "scheduler_type", "id", "audio2audio_enable",
        "ref_audio_input")
# ACE-Step's own settings and the bookkeeping it writes into the files it reads back: kept as metadata, quietly
ACESTEP_KEYS = ("cfg_type", "omega_scale", "guidance_interval", "guidance_interval_decay", "min_guidance_scale",
                "use_erg_tag", "use_erg_lyric", "use_erg_diffusion", "oss_steps", "format", "task", "timecosts",
                "retake_seeds", "retake_variance", "lora_name_or_path", "audio_path", "ref_audio_strength", "src_audio_path", "edit_n_avg", "edit_n_max", "edit_n_min",
                "edit_target_lyrics", "edit_target_prompt", "repaint_start", "repaint_end")
_GUIDANCE = {"guidance_scale": "all", "guidance_scale_text": "style", "guidance_scale_lyric": "lyrics"}


def read(path: str, files: FileAccess = LOCAL) -> list[SongSpec | SpecError]:
    where = Where(path)
    doc = parse_json(read_text(path, where), where)
    items = doc if isinstance(doc, list) else [doc]
    stem = os.path.splitext(os.path.basename(path))[0]
    many = isinstance(doc, list)
    return per_item(items, where, "song" if many else None,
                    lambda d, w, i: _item(d, w, f"{stem}_{i + 1}" if len(items) > 1 else stem, files))


def _item(d, where: Where, default_id: str, files: FileAccess) -> SongSpec:
    d = obj(d, where, "an ACE-Step object {prompt, lyrics, audio_duration}")
    meta, notes = foreign_keys(d, USED, ACESTEP_KEYS)
    sid = get_str(d, "id", where, default_id)
    tags, bpm = split_style(get_str(d, "prompt", where, ""))
    sections, lyric_notes = parse_tagged_lyrics(get_str(d, "lyrics", where, nonempty=True), where)
    duration = get_num(d, "audio_duration", where, None)
    if duration is not None and duration <= 0:
        duration = None  # ACE-Step's -1 means "pick one"
    seeds = d.get("manual_seeds", d.get("actual_seeds"))
    seed = None
    if isinstance(seeds, list) and seeds:
        seed = seeds[0]
    elif isinstance(seeds, str) and seeds.strip():
        seed = seeds.split(",")[0].strip()
    elif isinstance(seeds, (int, float)) and not isinstance(seeds, bool):
        seed = seeds
    if seed is not None:
        seed = as_num(seed, where, "manual_seeds")
        if seed != int(seed):
            raise SpecError(where, "manual_seeds", f"expected whole numbers, got {seed}")
        seed = int(seed)
    guidance = tuple((name, get_num(d, key, where)) for key, name in _GUIDANCE.items() if d.get(key) is not None)
    steps = get_num(d, "infer_step", where, None)
    gen = Generation(seed, int(steps) if steps is not None else None, get_str(d, "scheduler_type", where, None), guidance)
    ref, ref_notes = _reference(d, where, files)
    return SongSpec(sid, sections, duration, Style(tags=tags, reference_audio=ref), Controls(bpm=bpm), gen,
                    instrumental=not any(s.lines for s in sections), metadata=meta, source=where.file,
                    item=where.item, notes=tuple((None, n) for n in notes) + tuple(("lyrics", n) for n in lyric_notes)
                    + ref_notes)


def _reference(d: dict, where: Where, files: FileAccess) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """ACE-Step's audio2audio reference (ref_audio_input, used when audio2audio_enable is true) as the style
    reference; a missing file is a note (the style then comes from the prompt), not an error."""
    path = d.get("ref_audio_input")
    if not d.get("audio2audio_enable") or not isinstance(path, str) or not path.strip():
        return None, ()
    try:
        return files.find(path, os.path.dirname(os.path.abspath(where.file)), where, "ref_audio_input"), ()
    except SpecError as e:
        return None, (("ref_audio_input", f"{e.message}; the style comes from the prompt alone"),)


def write(specs: list[SongSpec], path: str) -> list[str]:
    out_dir = os.path.dirname(os.path.abspath(path))
    docs = []
    for s in specs:
        d = {"prompt": join_style(s.style.tags, s.controls.bpm), "lyrics": tagged_lyrics(s),
             "audio_duration": s.duration if s.duration is not None else -1}
        g = s.generation
        if s.style.reference_audio:
            d |= {"audio2audio_enable": True, "ref_audio_input": relative(s.style.reference_audio, out_dir)}
        if g.steps is not None:
            d["infer_step"] = g.steps
        if g.seed is not None:
            d["manual_seeds"] = [g.seed]
        if g.sampler is not None:
            d["scheduler_type"] = g.sampler
        for key, name in _GUIDANCE.items():
            if name in dict(g.guidance):
                d[key] = dict(g.guidance)[name]
        d["id"] = s.id  # not an ACE-Step field, but it keeps the name through a round trip
        d.update({k: json.loads(v) for k, v in s.metadata if k not in d})
        docs.append(d)
    dump_json(docs[0] if len(docs) == 1 else docs, path)
    return [path]
