"""Plain lyrics: what a person writes. Optional header lines (`style:`, `bpm:`, `key:`, `duration:`, `language:`,
`title:`) at the top, then lyric lines, one sung line per line, with optional `[section]` tags (every spelling the
lenient readers accept: `[Verse 2]`, `### **[Chorus]**`, `(Hook)`) and blank lines between sections.

    style: sad piano ballad, female vocals
    bpm: 72

    [verse]
    the harbor lights are low tonight

One song per file (a folder of them is a batch). Its id is the `title:` header, else the file's name (`lyrics.txt`
-> `lyrics`; a YuE song folder, read as YuE, takes the folder's name)."""
from __future__ import annotations

import os
import re

from ...errors import SpecError, Where
from ..language import SUNG, parse_language
from ..song import Controls, Line, Section, SongSpec, Style
from .common import parse_tagged_lyrics, read_text, split_style, tagged_lyrics, write_atomic

HEADERS = ("title", "style", "bpm", "key", "duration", "language")
_ALIASES = {"tempo": "bpm", "genre": "style", "tags": "style", "length": "duration", "lang": "language", "id": "title"}
_HEADER = re.compile(r"^\s*([A-Za-z]+)\s*[:：]\s*(.*?)\s*$")
_DURATION = re.compile(r"^(?:(\d+):)?(\d+(?:\.\d+)?)\s*(?:s|sec|seconds?)?$", re.IGNORECASE)


def parse_duration(value: str) -> float | None:
    """'75', '75 s', '1:15' -> 75.0; None if it is not a duration."""
    m = _DURATION.match(value.strip())
    if m is None:
        return None
    return int(m.group(1) or 0) * 60 + float(m.group(2))


def _headers(lines: list[str], where: Where) -> tuple[dict[str, tuple[str, int]], int]:
    """Header lines at the top (blank lines allowed): ({name: (value, line number)}, index of the first lyric line).
    Only the known names are headers, so a lyric line with a colon stays a lyric line."""
    found: dict[str, tuple[str, int]] = {}
    i = 0
    while i < len(lines):
        raw = lines[i]
        m = _HEADER.match(raw)
        if not raw.strip():
            i += 1
            continue
        name = m and _ALIASES.get(m.group(1).lower(), m.group(1).lower())
        if name not in HEADERS:
            break
        if name in found:
            raise SpecError(where.at(f"line {i + 1}"), name, f"given twice (also on line {found[name][1]})")
        found[name] = (m.group(2), i + 1)
        i += 1
    return found, i


def read(path: str) -> list[SongSpec | SpecError]:
    """One song per file; a folder reads every .txt / .lyrics file in it (by name), one bad file not stopping the rest."""
    if not os.path.isdir(path):
        return _read_file(path)
    names = sorted(f for f in os.listdir(path) if f.lower().endswith((".txt", ".lyrics")))
    if not names:
        raise SpecError(Where(path), None, "no .txt or .lyrics files in this folder")
    out: list[SongSpec | SpecError] = []
    for f in names:
        try:
            out += _read_file(os.path.join(path, f))
        except SpecError as e:
            out.append(e)
    return out


def _read_file(path: str) -> list[SongSpec]:
    where = Where(path)
    text = read_text(path, where)
    lines = text.splitlines()
    head, first = _headers(lines, where)
    stem = os.path.splitext(os.path.basename(path))[0]
    sid = head["title"][0] if "title" in head else stem
    if not sid.strip():
        raise SpecError(where.at(f"line {head['title'][1]}"), "title", "is empty")
    where = where.with_item(f"id '{sid}'")

    def field(name: str, parse, expected: str):
        if name not in head:
            return None
        value, n = head[name]
        got = parse(value)
        if got is None:
            raise SpecError(where.at(f"line {n}"), name, f"expected {expected}, got {value!r:.40}")
        return got

    bpm = field("bpm", lambda v: _number(v.lower().removesuffix("bpm")), "a tempo in beats per minute (e.g. 92)")
    duration = field("duration", parse_duration, "seconds (e.g. 75, 75 s or 1:15)")
    language = field("language", parse_language, f"one of {', '.join(SUNG)} (or its name: english, spanish, ...)")
    key = head["key"][0] if "key" in head else None  # validation reads it and says what is wrong
    tags, style_bpm = split_style(head["style"][0]) if "style" in head else ((), None)
    body = "\n" * first + "\n".join(lines[first:])  # header lines left blank: line numbers stay the file's
    notes: list[tuple[str | None, str]] = []
    if not body.strip():
        raise SpecError(where, "lyrics", "no lyrics after the header lines" if head else "is empty")
    sections, lyric_notes = parse_tagged_lyrics(body, where)
    if language:
        sections = tuple(Section(s.kind, tuple(Line(ln.words, ln.language or language, ln.start, ln.end)
                                              for ln in s.lines), s.length) for s in sections)
    notes += [("lyrics", n) for n in lyric_notes]
    return [SongSpec(sid, sections, duration, Style(tags=tags), Controls(key=key, bpm=bpm or style_bpm),
                     instrumental=not any(s.lines for s in sections), source=path, item=where.item,
                     notes=tuple(notes))]


def _number(value: str) -> float | None:
    try:
        x = float(value.strip())
    except ValueError:
        return None
    return x if x == x and abs(x) != float("inf") else None


def write(specs: list[SongSpec], path: str) -> list[str]:
    """One song: `path` itself when it ends in .txt; otherwise `path/<id>.txt` per song. Header lines carry what
    plain lyrics can hold (title, style, bpm, key, duration, language); word times are not kept."""
    if path.lower().endswith((".txt", ".lyrics")) and len(specs) > 1:
        raise SpecError(Where(path), None, f"plain lyrics hold one song per file and there are {len(specs)}: "
                        "name a folder instead")
    written = []
    for s in specs:
        out = path if path.lower().endswith((".txt", ".lyrics")) else os.path.join(path, f"{s.id}.txt")
        write_atomic(out, to_text(s))
        written.append(out)
    return written


def to_text(s: SongSpec) -> str:
    head = [f"title: {s.id}"]
    style = ", ".join(s.style.tags + ((s.style.text,) if s.style.text else ()))
    if style:
        head.append(f"style: {style}")
    if s.controls.bpm is not None:
        head.append(f"bpm: {s.controls.bpm:g}")
    if s.controls.key:
        head.append(f"key: {s.controls.key}")
    if s.duration is not None:
        head.append(f"duration: {s.duration:g}")
    langs = {ln.language for sec in s.sections for ln in sec.lines}
    if len(langs) == 1 and None not in langs:
        head.append(f"language: {langs.pop()}")
    return "\n".join(head) + "\n\n" + tagged_lyrics(s) + "\n"
