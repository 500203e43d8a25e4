"""DiffRhythm LRC: `[mm:ss.xx]text` per lyric line (start times only); `[ti:]`, `[length:]` metadata."""
from __future__ import annotations

import os
import re

from ...errors import SpecError, Where
from ..song import Line, Section, SongSpec, Word
from ..words import split_words
from .common import read_text, write_atomic

_STAMP = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
_META = re.compile(r"^\[([a-zA-Z#]+):(.*)\]\s*$")


def _seconds(m: re.Match) -> float:
    frac = m.group(3) or "0"
    return int(m.group(1)) * 60 + int(m.group(2)) + int(frac) / (10 ** len(frac))


def _stamp(t: float) -> str:
    cs = int(round(t * 100))
    return f"[{cs // 6000:02d}:{(cs // 100) % 60:02d}.{cs % 100:02d}]"


def read(path: str) -> list[SongSpec | SpecError]:
    where = Where(path)
    text = read_text(path, where)
    meta: dict[str, str] = {}
    events: list[tuple[float, str, int]] = []  # (time, text, file line)
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if not s:
            continue
        stamps = []
        while (m := _STAMP.match(s)) is not None:
            if int(m.group(2)) >= 60:
                raise SpecError(where.at(f"line {n}"), "time", f"seconds must be below 60 in {m.group(0)}")
            stamps.append(_seconds(m))
            s = s[m.end():].lstrip()
        if not stamps:
            mm = _META.match(s)
            if mm is None:
                raise SpecError(where.at(f"line {n}"), "time", f"expected [mm:ss.xx] before the lyrics, got {s[:30]!r}")
            meta[mm.group(1).lower()] = mm.group(2).strip()
            continue
        events.extend((t, s, n) for t in stamps)
    offset = 0.0
    if "offset" in meta:
        try:
            offset = float(meta["offset"]) / 1000.0
        except ValueError:
            raise SpecError(where, "offset", f"expected milliseconds, got {meta['offset'][:20]!r}") from None
    duration = None
    if "length" in meta:
        m = re.fullmatch(r"(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?", meta["length"])
        if not m:
            raise SpecError(where, "length", f"expected mm:ss, got {meta['length'][:20]!r}")
        duration = _seconds(m)
    events.sort(key=lambda e: (e[0], e[2]))
    lines: list[Line] = []
    for i, (t, s, n) in enumerate(events):
        t = max(0.0, t - offset)
        if not s:  # an empty timed line ends the previous lyric line
            if lines and lines[-1].end is None:
                lines[-1] = Line(lines[-1].words, None, lines[-1].start, t)
            continue
        words = tuple(Word(w) for w in split_words(s))
        if words:
            lines.append(Line(words, None, t, None))
    if not lines:
        raise SpecError(where, "lyrics", "no timed lyric lines ([mm:ss.xx]text)")
    sid = meta.get("ti") or os.path.splitext(os.path.basename(path))[0]
    return [SongSpec(sid, (Section("verse", tuple(lines)),), duration, source=path)]


def write(specs: list[SongSpec], path: str) -> list[str]:
    if len(specs) != 1:
        raise SpecError(Where(path), None, f"LRC holds one song; got {len(specs)} (convert them one at a time)")
    s = specs[0]
    out = [f"[ti:{s.id}]"]
    if s.duration is not None:
        cs = int(round(s.duration * 100))
        out.append(f"[length:{cs // 6000:02d}:{(cs // 100) % 60:02d}.{cs % 100:02d}]")
    lines = s.lines
    for i, ln in enumerate(lines):
        start = ln.start if ln.start is not None else ln.words[0].start
        end = ln.end if ln.end is not None else ln.words[-1].end
        if start is None:
            raise SpecError(Where(path, f"id '{s.id}'"), "start", f"line {i + 1} has no start time (LRC needs one per line)")
        out.append(f"{_stamp(start)}{ln.text}")
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        nxt_start = None if nxt is None else (nxt.start if nxt.start is not None else nxt.words[0].start)
        if end is not None and (nxt_start is None or nxt_start - end >= 0.005):
            out.append(_stamp(end))
    write_atomic(path, "\n".join(out) + "\n")
    return [path]
