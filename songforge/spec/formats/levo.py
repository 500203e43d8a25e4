"""SongGeneration / LeVo jsonl: one song per line, sections in gt_lyric, attributes in descriptions."""
from __future__ import annotations

import os
import re

from ...errors import SpecError, Where
from ..fields import get_str, obj
from ..song import INSTRUMENTAL_KINDS, Controls, Line, Section, SongSpec, Style, Word
from ..words import split_words
from .common import dump_json, join_style, parse_json, parse_tag, read_text, relative, resolve, split_style

_SENTENCE = re.compile(r"[.。]")
_TAG = re.compile(r"^\s*\[([^\]]*)\]\s*(.*)$", re.S)


def read(path: str) -> list[SongSpec | SpecError]:
    where = Where(path)
    text = read_text(path, where)
    base = os.path.dirname(os.path.abspath(path))
    out: list[SongSpec | SpecError] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        w = where.with_item(f"line {n}")
        try:
            out.append(_item(parse_json(raw, w), w, base))
        except SpecError as e:
            out.append(e)
    if not out:
        raise SpecError(where, None, "no songs (the file has no JSON lines)")
    return out


def _item(d, where: Where, base: str) -> SongSpec:
    d = obj(d, where, "a song object {idx, gt_lyric, descriptions}")
    idx = get_str(d, "idx", where, nonempty=True)
    where = where.with_item(f"{where.item} (idx '{idx}')")
    sections = parse_gt_lyric(get_str(d, "gt_lyric", where, nonempty=True), where)
    tags, bpm = split_style(get_str(d, "descriptions", where, ""))
    style = Style(tags=tags, reference_audio=resolve(get_str(d, "prompt_audio_path", where, None), base),
                  auto_prompt=get_str(d, "auto_prompt_audio_type", where, None))
    return SongSpec(idx, sections, None, style, Controls(bpm=bpm), source=where.file, item=where.item)


def parse_gt_lyric(text: str, where: Where) -> tuple[Section, ...]:
    sections = []
    for k, part in enumerate(p for p in text.split(";") if p.strip()):
        sw = where.at(f"section {k + 1}")
        m = _TAG.match(part)
        if not m:
            raise SpecError(sw, "gt_lyric", f"section must start with a [tag], got {part.strip()[:30]!r}")
        kind, length = parse_tag(m.group(1), sw, "gt_lyric")
        sentences = [s.strip() for s in _SENTENCE.split(m.group(2)) if s.strip()]
        if kind in INSTRUMENTAL_KINDS and sentences:
            raise SpecError(sw, "gt_lyric", f"instrumental section [{m.group(1)}] carries lyrics {sentences[0][:30]!r}")
        if kind not in INSTRUMENTAL_KINDS and not sentences:
            raise SpecError(sw, "gt_lyric", f"section [{m.group(1)}] has no lyrics")
        lines = tuple(Line(tuple(Word(t) for t in split_words(s))) for s in sentences)
        sections.append(Section(kind, lines, length))
    return tuple(sections)


def gt_lyric(spec: SongSpec) -> str:
    parts = []
    for s in spec.sections:
        tag = s.tag
        if s.kind in ("intro", "outro", "inst") and not s.length:
            tag = f"{s.kind}-short"  # LeVo needs a length on these
        text = ".".join(_SENTENCE.sub("", ln.text).replace(";", ",") for ln in s.lines)
        parts.append(f"[{tag}] {text}".strip())
    return " ; ".join(parts)


def write(specs: list[SongSpec], path: str) -> list[str]:
    out_dir = os.path.dirname(os.path.abspath(path))
    rows = []
    for s in specs:
        row = {"idx": s.id, "gt_lyric": gt_lyric(s)}
        desc = join_style(s.style.tags, s.controls.bpm, levo=True)
        if desc:
            row["descriptions"] = desc
        if s.style.reference_audio:
            row["prompt_audio_path"] = relative(s.style.reference_audio, out_dir)
        if s.style.auto_prompt:
            row["auto_prompt_audio_type"] = s.style.auto_prompt
        rows.append(row)
    dump_json(rows, path, jsonl=True)
    return [path]
