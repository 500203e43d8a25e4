"""Readers and writers for every input format; detection by extension and content."""
from __future__ import annotations

import json
import os

from ...errors import SpecError, Where
from ..song import SongSpec
from . import acestep, jam, levo, lrc, native, yue

FORMATS = {"songforge": native, "jam": jam, "levo": levo, "lrc": lrc, "acestep": acestep, "yue": yue}
EXTENSIONS = {"songforge": ".json", "jam": ".json", "levo": ".jsonl", "lrc": ".lrc", "acestep": ".json",
              "yue": ""}  # YuE: a folder, one sub-folder per song


def detect(path: str) -> str:
    """Name of the format of `path`, from its extension and, for .json, the shape of its content."""
    low = path.lower()
    if os.path.isdir(path) or (low.endswith(".txt") and yue.pair(path) is not None):
        return "yue"
    if low.endswith(".jsonl"):
        return "levo"
    if low.endswith(".lrc"):
        return "lrc"
    if low.endswith((".yaml", ".yml")):
        return "songforge"
    if not low.endswith(".json"):
        return "unknown"
    try:
        with open(path, encoding="utf-8-sig") as f:
            doc = json.load(f)
    except (OSError, ValueError, RecursionError):
        return "songforge"  # its reader will say what is wrong
    first = doc[0] if isinstance(doc, list) and doc else doc
    if isinstance(first, dict):
        if "lrc_path" in first or jam.is_lyrics(doc):
            return "jam"
        if "gt_lyric" in first or "idx" in first:
            return "levo_json"
        if "lyrics" in first and ("prompt" in first or "audio_duration" in first):
            return "acestep"
    return "songforge"


def read_songs(path: str, fmt: str | None = None) -> list[SongSpec | SpecError]:
    """Every song in `path`: a SongSpec per good item, a SpecError per bad one (a bad file is one SpecError)."""
    fmt = fmt or detect(path)
    try:
        if fmt == "levo_json":  # a single LeVo object or a list of them, in a .json file
            return _levo_json(path)
        if fmt == "unknown":
            raise SpecError(Where(path), None, "cannot tell the format from the file name (expected .json, .jsonl, "
                            ".lrc, .yaml, or a YuE folder / genre.txt + lyrics.txt); name it so or pass --format")
        if fmt not in FORMATS:
            raise SpecError(Where(path), None, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        return FORMATS[fmt].read(path)
    except SpecError as e:
        return [e]


def _levo_json(path: str) -> list[SongSpec | SpecError]:
    from .common import parse_json, per_item, read_text
    where = Where(path)
    doc = parse_json(read_text(path, where), where)
    base = os.path.dirname(os.path.abspath(path))
    return per_item(doc if isinstance(doc, list) else [doc], where, "item", lambda d, w, _: levo._item(d, w, base))


def write_songs(specs: list[SongSpec], path: str, fmt: str) -> list[str]:
    """Write `specs` in `fmt`; returns the files written. Writers raise SpecError if the spec lacks what they need."""
    if fmt not in FORMATS:
        raise SpecError(Where(path), None, f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return FORMATS[fmt].write(specs, path)
