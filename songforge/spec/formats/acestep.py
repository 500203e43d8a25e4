"""ACE-Step style JSON: prompt tags, a lyrics block with [tag] lines, audio_duration, sampler settings."""
from __future__ import annotations

import os
import re

from ...errors import SpecError, Where
from ..fields import as_num, get_num, get_str, known_keys, obj
from ..song import INSTRUMENTAL_KINDS, Controls, Generation, Line, Section, SongSpec, Style, Word
from ..words import split_words
from .common import dump_json, per_item, join_style, parse_json, parse_tag, read_text, split_style

KEYS = ("prompt", "lyrics", "audio_duration", "infer_step", "guidance_scale", "guidance_scale_text",
        "guidance_scale_lyric", "manual_seeds", "actual_seeds", "scheduler_type", "cfg_type", "omega_scale",
        "guidance_interval", "guidance_interval_decay", "min_guidance_scale", "use_erg_tag", "use_erg_lyric",
        "use_erg_diffusion", "oss_steps", "format", "task", "id")
_GUIDANCE = {"guidance_scale": "all", "guidance_scale_text": "style", "guidance_scale_lyric": "lyrics"}
_TAG_LINE = re.compile(r"^\s*\[([^\]]+)\]\s*$")


def read(path: str) -> list[SongSpec | SpecError]:
    where = Where(path)
    doc = parse_json(read_text(path, where), where)
    items = doc if isinstance(doc, list) else [doc]
    stem = os.path.splitext(os.path.basename(path))[0]
    many = isinstance(doc, list)
    return per_item(items, where, "song" if many else None,
                    lambda d, w, i: _item(d, w, f"{stem}_{i + 1}" if len(items) > 1 else stem))


def _item(d, where: Where, default_id: str) -> SongSpec:
    d = obj(d, where, "an ACE-Step object {prompt, lyrics, audio_duration}")
    known_keys(d, KEYS, where)
    sid = get_str(d, "id", where, default_id)
    tags, bpm = split_style(get_str(d, "prompt", where, ""))
    sections = parse_lyrics(get_str(d, "lyrics", where, nonempty=True), where)
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
    return SongSpec(sid, sections, duration, Style(tags=tags), Controls(bpm=bpm), gen, source=where.file,
                    item=where.item)


def parse_lyrics(text: str, where: Where) -> tuple[Section, ...]:
    sections: list[tuple[str, str | None, list[Line]]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        m = _TAG_LINE.match(raw)
        if m:
            kind, length = parse_tag(m.group(1), where.at(f"lyrics line {n}"), "lyrics")
            sections.append((kind, length, []))
            continue
        if not sections:
            sections.append(("verse", None, []))
        kind = sections[-1][0]
        if kind in INSTRUMENTAL_KINDS:
            raise SpecError(where.at(f"lyrics line {n}"), "lyrics", f"instrumental section [{kind}] carries lyrics {raw.strip()[:30]!r}")
        words = tuple(Word(w) for w in split_words(raw))
        if words:
            sections[-1][2].append(Line(words))
    for kind, _, lines in sections:
        if kind not in INSTRUMENTAL_KINDS and not lines:
            raise SpecError(where, "lyrics", f"section [{kind}] has no lyrics")
    if not sections:
        raise SpecError(where, "lyrics", "no lyrics")
    return tuple(Section(k, tuple(ls), ln) for k, ln, ls in sections)


def write(specs: list[SongSpec], path: str) -> list[str]:
    docs = []
    for s in specs:
        blocks = ["[" + sec.tag + "]" + "".join("\n" + ln.text for ln in sec.lines) for sec in s.sections]
        d = {"prompt": join_style(s.style.tags, s.controls.bpm), "lyrics": "\n\n".join(blocks),
             "audio_duration": s.duration if s.duration is not None else -1}
        g = s.generation
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
        docs.append(d)
    dump_json(docs[0] if len(docs) == 1 else docs, path)
    return [path]
