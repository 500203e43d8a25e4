"""SongGeneration / LeVo jsonl: one song per line, sections in gt_lyric, attributes in descriptions."""
from __future__ import annotations

import json
import os
import re

from ...errors import SpecError, Where
from ..fields import get_str, obj
from ..song import INSTRUMENTAL_KINDS, Controls, Line, Section, SongSpec, Style, Word
from ..words import normalize_lyrics, split_words
from ..files import LOCAL, FileAccess
from .common import dump_json, foreign_keys, join_style, parse_json, parse_tag, read_text, relative, split_style

_SENTENCE = re.compile(r"[.。;；]")
_TAG_START = re.compile(r"\[([^\]]*)\]")


def read(path: str, files: FileAccess = LOCAL) -> list[SongSpec | SpecError]:
    where = Where(path)
    text = read_text(path, where)
    base = os.path.dirname(os.path.abspath(path))
    out: list[SongSpec | SpecError] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        w = where.with_item(f"line {n}")
        try:
            out.append(_item(parse_json(raw, w), w, base, files))
        except SpecError as e:
            out.append(e)
    if not out:
        raise SpecError(where, None, "no songs (the file has no JSON lines)")
    return out


USED = ("idx", "gt_lyric", "descriptions", "prompt_audio_path", "auto_prompt_audio_type")


def _item(d, where: Where, base: str, files: FileAccess) -> SongSpec:
    d = obj(d, where, "a song object {idx, gt_lyric, descriptions}")
    idx = get_str(d, "idx", where, nonempty=True)
    where = where.with_item(f"{where.item} (idx '{idx}')")
    meta, notes = foreign_keys(d, USED)
    sections, lyric_notes = parse_gt_lyric(get_str(d, "gt_lyric", where, nonempty=True), where)
    tags, bpm = split_style(get_str(d, "descriptions", where, ""))
    prompt = get_str(d, "prompt_audio_path", where, None)
    style = Style(tags=tags, reference_audio=files.find(prompt, base, where, "prompt_audio_path") if prompt else None,
                  auto_prompt=get_str(d, "auto_prompt_audio_type", where, None))
    return SongSpec(idx, sections, None, style, Controls(bpm=bpm), instrumental=not any(x.lines for x in sections),
                    metadata=meta, source=where.file, item=where.item,
                    notes=tuple((None, n) for n in notes) + tuple(("gt_lyric", n) for n in lyric_notes))


def parse_gt_lyric(text: str, where: Where) -> tuple[tuple[Section, ...], list[str]]:
    """Sections start at each [tag] (SongGeneration splits on the tags; ' ; ' between them is a separator, a stray
    ';' inside a section separates sentences). Returns (sections, notes)."""
    sections, notes = [], []
    starts = [m for m in _TAG_START.finditer(text)]
    head = text[:starts[0].start() if starts else len(text)].strip(" ;\t\n")
    if head or not starts:
        raise SpecError(where.at("section 1"), "gt_lyric", f"section must start with a [tag], got {head[:30]!r}")
    for k, m in enumerate(starts):
        sw = where.at(f"section {k + 1}")
        body = text[m.end():starts[k + 1].start() if k + 1 < len(starts) else len(text)]
        kind, length = parse_tag(m.group(1), sw, "gt_lyric")
        body = normalize_lyrics(body.strip().strip(";").strip())
        sentences = [s.strip() for s in _SENTENCE.split(body) if s.strip() and any(c.isalnum() for c in s)]
        if kind in INSTRUMENTAL_KINDS and sentences:
            if length:  # LeVo's own grammar: a timed instrumental tag carries no text
                raise SpecError(sw, "gt_lyric", f"instrumental section [{m.group(1)}] carries lyrics {sentences[0][:30]!r}")
            notes.append(f"lyrics under [{m.group(1)}] are sung")
        if kind not in INSTRUMENTAL_KINDS and not sentences:
            raise SpecError(sw, "gt_lyric", f"section [{m.group(1)}] has no lyrics")
        lines = tuple(Line(tuple(Word(t) for t in split_words(s))) for s in sentences)
        sections.append(Section(kind, lines, length))
    return tuple(sections), notes


def gt_lyric(spec: SongSpec) -> str:
    parts = []
    for s in spec.sections:
        tag = s.tag
        if s.kind in ("intro", "outro", "inst") and not s.length and not s.lines:
            tag = f"{s.kind}-short"  # LeVo needs a length on these
        text = ".".join(_SENTENCE.sub("", ln.text) for ln in s.lines)
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
        row.update({k: json.loads(v) for k, v in s.metadata if k not in row})
        if s.style.reference_audio:
            row["prompt_audio_path"] = relative(s.style.reference_audio, out_dir)
        if s.style.auto_prompt:
            row["auto_prompt_audio_type"] = s.style.auto_prompt
        rows.append(row)
    dump_json(rows, path, jsonl=True)
    return [path]
