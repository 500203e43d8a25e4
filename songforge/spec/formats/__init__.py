"""Readers and writers for every input format; detection by extension and content."""
from __future__ import annotations

import json
import os
import re

from ...errors import SpecError, Where
from ..files import LOCAL, FileAccess
from ..song import SongSpec
from . import acestep, jam, levo, lrc, native, text, yue

FORMATS = {"songforge": native, "jam": jam, "levo": levo, "lrc": lrc, "acestep": acestep, "yue": yue, "text": text}
EXTENSIONS = {"songforge": ".json", "jam": ".json", "levo": ".jsonl", "lrc": ".lrc", "acestep": ".json",
              "yue": "", "text": ""}  # YuE: a folder, one sub-folder per song; text: a folder of <id>.txt (or one .txt)


def detect(path: str) -> str:
    """Name of the format of `path`, from its extension and, for .json or an unknown extension, its content."""
    low = path.lower()
    if os.path.isdir(path):
        return "yue"
    if low.endswith(".txt") and (p := yue.pair(path)) is not None and all(os.path.isfile(f) for f in p):
        return "yue"  # genre.txt + lyrics.txt side by side
    if low.endswith((".txt", ".lyrics")):
        return "text"
    if low.endswith(".jsonl"):
        return "levo"
    if low.endswith(".lrc"):
        return "lrc"
    if low.endswith((".yaml", ".yml")):
        return "songforge"
    if not low.endswith(".json"):
        return _detect_content(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            doc = json.load(f)
    except (OSError, ValueError, RecursionError):
        return "songforge"  # its reader will say what is wrong
    return _json_format(doc)


def _json_format(doc) -> str:
    first = doc[0] if isinstance(doc, list) and doc else doc
    if isinstance(first, dict):
        if "lrc_path" in first or jam.is_lyrics(doc):
            return "jam"
        if "gt_lyric" in first or "idx" in first:
            return "levo_json"
        if "lyrics" in first and ("prompt" in first or "audio_duration" in first):
            return "acestep"
    return "songforge"


_LRC_STAMP = re.compile(r"^\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]")
SNIFFED = {"songforge_json": ".json", "songforge": ".yaml", "jam": ".json", "levo_json": ".json", "acestep": ".json",
           "levo": ".jsonl", "lrc": ".lrc", "text": ".txt"}


def sniff(text: str) -> str:
    """The format of song text with no file name: a JSON document (its shape says which), JSON lines (LeVo), LRC
    (time stamps), songforge YAML (a mapping with `sections` or `id`, or a list of them), else plain lyrics.
    Returns a key of SNIFFED ('songforge_json' is songforge's own format written as JSON)."""
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in "{[":
        try:
            fmt = _json_format(json.loads(body))
            return "songforge_json" if fmt == "songforge" else fmt
        except (ValueError, RecursionError):
            pass
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if lines and all(ln.startswith("{") and ln.endswith("}") for ln in lines):
        return "levo"
    if any(_LRC_STAMP.match(ln) for ln in lines):
        return "lrc"
    return "songforge" if _yaml_song(body) else "text"


def _yaml_song(text: str) -> bool:
    import yaml
    try:
        doc = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return False
    items = doc if isinstance(doc, list) and doc else [doc]
    return all(isinstance(d, dict) and ("sections" in d or "id" in d) for d in items)


def _detect_content(path: str) -> str:
    """A file whose name does not say its format: by its content, or 'unknown' when it is not text."""
    try:
        with open(path, "rb") as f:
            text = f.read(2_000_000).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return "unknown"
    fmt = sniff(text)
    return {"songforge_json": "songforge"}.get(fmt, fmt)


NAMES_FILES = ("songforge", "jam", "levo", "acestep")  # formats whose songs may name other files


def read_songs(path: str, fmt: str | None = None, files: FileAccess = LOCAL) -> list[SongSpec | SpecError]:
    """Every song in `path`: a SongSpec per good item, a SpecError per bad one (a bad file is one SpecError).
    `files` says which files the songs may name (a lyric file, a reference recording)."""
    fmt = fmt or detect(path)
    try:
        if fmt == "levo_json":  # a single LeVo object or a list of them, in a .json file
            return _levo_json(path, files)
        if fmt == "unknown":
            raise SpecError(Where(path), None, "cannot tell the format: the name is not .json, .jsonl, .lrc, .yaml, .txt "
                            "or a YuE folder, and the content is not UTF-8 text (so not JSON, YAML, LRC or plain "
                            "lyrics); pass --format")
        if fmt not in FORMATS:
            raise SpecError(Where(path), None, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        return FORMATS[fmt].read(path, files) if fmt in NAMES_FILES else FORMATS[fmt].read(path)
    except SpecError as e:
        return [e]


def _levo_json(path: str, files: FileAccess) -> list[SongSpec | SpecError]:
    from .common import parse_json, per_item, read_text
    where = Where(path)
    doc = parse_json(read_text(path, where), where)
    base = os.path.dirname(os.path.abspath(path))
    return per_item(doc if isinstance(doc, list) else [doc], where, "item", lambda d, w, _: levo._item(d, w, base, files))


def write_songs(specs: list[SongSpec], path: str, fmt: str) -> list[str]:
    """Write `specs` in `fmt`; returns the files written. Writers raise SpecError if the spec lacks what they need."""
    if fmt not in FORMATS:
        raise SpecError(Where(path), None, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return FORMATS[fmt].write(specs, path)
