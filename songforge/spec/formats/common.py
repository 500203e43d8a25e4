"""Helpers shared by the readers and writers: tags, bpm in style text, paths, JSON text."""
from __future__ import annotations

import json
import os
import re

from ...errors import SpecError, Where
from ..song import INSTRUMENTAL_KINDS, LENGTHS, SECTION_KINDS

_BPM = re.compile(r"^\s*(?:the\s+)?(?:bpm\s+is\s+|tempo\s+)?(\d{2,3}(?:\.\d+)?)\s*(?:bpm)?\s*$", re.IGNORECASE)
_TAG_ALIASES = {"pre-chorus": "prechorus", "pre_chorus": "prechorus", "instrumental": "inst", "interlude": "inst",
                "hook": "chorus", "refrain": "chorus", "break": "inst", "end": "outro"}


def per_item(items: list, where: Where, label: str | None, parse) -> list:
    """`parse(item, where, index)` for each item; a SpecError stays with its item so the batch goes on."""
    out = []
    for i, d in enumerate(items):
        try:
            out.append(parse(d, where.with_item(f"{label} {i + 1}") if label else where, i))
        except SpecError as e:
            out.append(e)
    return out


def split_style(text: str) -> tuple[tuple[str, ...], float | None]:
    """'pop, 120 bpm, warm' -> (('pop', 'warm'), 120.0). A tag that is only a tempo becomes the bpm."""
    tags, bpm = [], None
    for part in text.split(","):
        p = part.strip()
        if not p:
            continue
        m = _BPM.match(p)
        if m and ("bpm" in p.lower() or "tempo" in p.lower()):
            bpm = float(m.group(1))
        else:
            tags.append(p)
    return tuple(tags), bpm


def join_style(tags: tuple[str, ...], bpm: float | None, levo: bool = False) -> str:
    parts = list(tags)
    if bpm is not None:
        b = f"{bpm:g}"
        parts.append(f"the bpm is {b}" if levo else f"{b} bpm")
    return ", ".join(parts)


def parse_tag(tag: str, where: Where, field: str) -> tuple[str, str | None]:
    """'intro-short' -> ('intro', 'short'); 'Verse 2' -> ('verse', None). Unknown tags are errors."""
    t = tag.strip().strip("[]").strip().lower()
    t = re.sub(r"\s*\d+$", "", t)  # "verse 2"
    t = _TAG_ALIASES.get(t, t)
    kind, _, length = t.partition("-")
    kind = _TAG_ALIASES.get(kind, kind)
    if kind not in SECTION_KINDS or (length and length not in LENGTHS):
        raise SpecError(where, field, f"unknown section tag [{tag.strip().strip('[]')}] "
                        f"(known: {', '.join(SECTION_KINDS)}; lengths -short/-medium/-long)")
    if length and kind not in INSTRUMENTAL_KINDS:
        raise SpecError(where, field, f"section tag [{tag.strip('[]')}]: only instrumental sections take a length")
    return kind, (length or None)


def resolve(path: str | None, base_dir: str) -> str | None:
    if path is None:
        return None
    return os.path.normpath(os.path.join(base_dir, os.path.expanduser(path)))


def relative(path: str | None, out_dir: str) -> str | None:
    if path is None:
        return None
    try:
        return os.path.relpath(path, out_dir)
    except ValueError:  # different drive
        return path


def read_text(path: str, where: Where) -> str:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise SpecError(where, None, f"file not found: {path}") from None
    except IsADirectoryError:
        raise SpecError(where, None, f"is a folder, expected a file: {path}") from None
    except OSError as e:
        raise SpecError(where, None, f"cannot read {path}: {e.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SpecError(where, None, f"not UTF-8 text (byte {e.start})") from None


def parse_json(text: str, where: Where):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(where, None, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise SpecError(where, None, "invalid JSON: nested too deeply") from None


def dump_json(obj, path: str, jsonl: bool = False) -> None:
    if jsonl:
        text = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in obj)
    else:
        text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    write_atomic(path, text)


def write_atomic(path: str, text: str) -> None:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{os.path.basename(path)}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
