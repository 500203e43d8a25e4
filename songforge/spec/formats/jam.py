"""JAM: a JSON manifest of items, each pointing to a word-timed lyric JSON and a style-tag text file."""
from __future__ import annotations

import json
import os
import re

from ...errors import SpecError, Where
from ..fields import get_num, get_str, obj
from ..song import Controls, Line, Section, SongSpec, Style, Word
from ..words import normalize_lyrics, split_words
from ..files import LOCAL, FileAccess
from .common import (dump_json, foreign_keys, join_style, parse_json, per_item, read_text, relative,
                     split_style, write_atomic)

LINE_GAP_S = 0.2  # a pause this long between words starts a new lyric line
_LINE_END = re.compile(r"[.!?;。！？；]$")


def read(path: str, files: FileAccess = LOCAL) -> list[SongSpec | SpecError]:
    where = Where(path)
    doc = parse_json(read_text(path, where), where)
    if is_lyrics(doc):  # a bare word-timed lyric file: one song, named after the file
        sid = os.path.splitext(os.path.basename(path))[0]
        words = read_words(path, where)
        return [SongSpec(sid, (Section("verse", _lines(words)),), None, source=path)]
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise SpecError(where, None, "expected a JAM manifest: a JSON list of {id, lrc_path, duration, prompt_path}")
    base = os.path.dirname(os.path.abspath(path))
    return per_item(doc, where, "item", lambda item, w, _: _item(item, w, base, files))


def is_lyrics(doc) -> bool:
    """True for JAM's lyric-file shapes: a list of word items, or an object with a 'word' list."""
    first = doc[0] if isinstance(doc, list) and doc else None
    return (isinstance(doc, dict) and isinstance(doc.get("word"), list)) or (isinstance(first, dict) and "word" in first)


USED = ("id", "lrc_path", "duration", "prompt_path", "audio_path")


def _item(item, where: Where, base: str, files: FileAccess) -> SongSpec:
    """Paths resolve next to the manifest, then from the working directory or any folder above the manifest
    (jamify runs from its repository root and writes `inputs/x.json`)."""
    item = obj(item, where, "a manifest item")
    sid = get_str(item, "id", where, nonempty=True)
    where = where.with_item(f"id '{sid}'")
    meta, notes = foreign_keys(item, USED)
    duration = get_num(item, "duration", where)
    lrc = files.find(get_str(item, "lrc_path", where, nonempty=True), base, where, "lrc_path")
    words = read_words(lrc, Where(lrc, where.item))
    tags, bpm = (), None
    prompt = get_str(item, "prompt_path", where, None)
    if prompt is not None:
        ppath = files.find(prompt, base, where, "prompt_path")
        tags, bpm = split_style(read_text(ppath, Where(ppath, where.item)))
    audio = get_str(item, "audio_path", where, None)
    style = Style(tags=tags, reference_audio=files.find(audio, base, where, "audio_path") if audio else None)
    return SongSpec(sid, (Section("verse", _lines(words)),), duration, style, Controls(bpm=bpm), metadata=meta,
                    source=where.file, notes=tuple((None, n) for n in notes))


def read_words(path: str, where: Where) -> list[Word]:
    doc = parse_json(read_text(path, where), where)
    if isinstance(doc, dict):
        if "word" not in doc:
            keys = ", ".join(map(str, list(doc)[:6])) or "none"
            raise SpecError(where, "word", f"expected a list of words, or an object with a 'word' list "
                            f"(this object has keys: {keys})")
        doc = doc["word"]
    if not isinstance(doc, list):
        raise SpecError(where, "word", "expected a list of {word, start, end} items")
    if not doc:
        raise SpecError(where, "word", "the word list is empty (no lyrics)")
    words = []
    for j, w in enumerate(doc):
        ww = where.at(f"word {j + 1}")
        w = obj(w, ww, "a word item {word, start, end}")
        text = get_str(w, "word", ww)
        if not text.strip():
            raise SpecError(ww, "word", "is empty")
        words.extend(_split_word(text, get_num(w, "start", ww), get_num(w, "end", ww)))
    return words


def _split_word(text: str, start: float, end: float) -> list[Word]:
    """One aligned item -> its sung words, times kept; typographic text normalised. An item that normalises to
    several words (`mark—this`) shares its span by letter count."""
    parts = split_words(normalize_lyrics(text)) or [text.strip()]
    if len(parts) == 1:
        return [Word(parts[0], start, end)]
    weights = [max(1, sum(c.isalnum() for c in p)) for p in parts]
    out, t = [], start
    for k, (p, wt) in enumerate(zip(parts, weights)):
        nxt = end if k == len(parts) - 1 else round(t + (end - start) * wt / sum(weights), 4)
        out.append(Word(p, t, nxt))
        t = nxt
    return out


def _lines(words: list[Word]) -> tuple[Line, ...]:
    lines, cur = [], []
    for w in words:
        if cur and (w.start - cur[-1].end >= LINE_GAP_S or _LINE_END.search(cur[-1].text)):
            lines.append(Line(tuple(cur)))
            cur = []
        cur.append(w)
    if cur:
        lines.append(Line(tuple(cur)))
    return tuple(lines)


def write(specs: list[SongSpec], path: str) -> list[str]:
    out_dir = os.path.dirname(os.path.abspath(path))
    manifest, written = [], []
    for s in specs:
        if not s.word_timed or s.duration is None:
            raise SpecError(Where(path, f"id '{s.id}'"), "words", "JAM needs start/end for every word and a duration")
        lyr = os.path.join(out_dir, f"{s.id}.lyrics.json")
        dump_json([{"word": w.text, "start": w.start, "end": w.end} for w in s.words], lyr)
        prm = os.path.join(out_dir, f"{s.id}.prompt.txt")
        write_atomic(prm, join_style(s.style.tags, s.controls.bpm) + "\n")
        item = {"id": s.id, "lrc_path": os.path.basename(lyr), "duration": s.duration, "prompt_path": os.path.basename(prm)}
        item.update({k: json.loads(v) for k, v in s.metadata if k not in item})
        if s.style.reference_audio:
            item["audio_path"] = relative(s.style.reference_audio, out_dir)
        manifest.append(item)
        written += [lyr, prm]
    dump_json(manifest, path)
    return [path] + written
