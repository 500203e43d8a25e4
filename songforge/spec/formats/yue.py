"""YuE: a genre text (space- or comma-separated tags) and a lyrics text ([tag] blocks separated by blank lines).

A song is a folder holding `lyrics.txt` and `genre.txt` (YuE's `prompt_egs/`), or either file with its partner
beside it; a folder of such folders is a batch. The song's id is its folder's name. Without genre.txt the style
comes from elsewhere (`--style`, else the planner's default), with a note."""
from __future__ import annotations

import os
import re

from ...errors import SpecError, Where
from ..song import Controls, SongSpec, Style
from .common import join_style, parse_tagged_lyrics, read_text, split_style, tagged_lyrics, write_atomic

GENRE, LYRICS = "genre.txt", "lyrics.txt"


def is_song_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, LYRICS))


def pair(path: str) -> tuple[str, str] | None:
    """(genre file, lyrics file) for a YuE song folder or one of its two files; None if it is not one."""
    if os.path.isdir(path):
        return (os.path.join(path, GENRE), os.path.join(path, LYRICS)) if is_song_dir(path) else None
    d, name = os.path.split(os.path.abspath(path))
    low = name.lower()
    if not low.endswith(".txt") or not ("genre" in low or "lyric" in low):
        return None
    is_genre = "genre" in low
    partner = low.replace("genre", "lyrics") if is_genre else re.sub(r"lyrics?", "genre", low)
    want = "lyric" if is_genre else "genre"
    siblings = os.listdir(d) if os.path.isdir(d) else []  # a missing file is reported by its reader
    cands = [os.path.join(d, partner)] + sorted(os.path.join(d, f) for f in siblings
                                                if f.lower().endswith(".txt") and want in f.lower())
    other = next((c for c in cands if os.path.isfile(c)), cands[0])
    return (path, other) if is_genre else (other, path)


def read(path: str) -> list[SongSpec | SpecError]:
    if os.path.isdir(path) and not is_song_dir(path):
        subs = sorted(os.path.join(path, f) for f in os.listdir(path) if is_song_dir(os.path.join(path, f)))
        if not subs:
            raise SpecError(Where(path), None, f"not a YuE song folder: expected {LYRICS} (and {GENRE}) in it "
                            "(or in its sub-folders)")
        out: list[SongSpec | SpecError] = []
        for s in subs:
            try:
                out.append(_song(s, *pair(s)))
            except SpecError as e:
                out.append(e)
        return out
    p = pair(path)
    if p is None:
        raise SpecError(Where(path), None, f"not a YuE input: expected a folder with {GENRE} and {LYRICS}, or one of them")
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    return [_song(folder, *p)]


def _song(folder: str, genre_path: str, lyrics_path: str) -> SongSpec:
    sid = os.path.basename(os.path.normpath(folder))
    base = os.path.splitext(os.path.basename(lyrics_path))[0]
    if base.lower() not in ("lyrics", "lyric"):
        sid = base
    where = Where(lyrics_path, f"id '{sid}'")
    text = read_text(lyrics_path, where)
    if not text.strip():
        raise SpecError(where, "lyrics", "is empty")
    sections, notes = parse_tagged_lyrics(text, where)
    notes = [("lyrics", n) for n in notes]
    tags, bpm = (), None
    if os.path.isfile(genre_path):
        genre = read_text(genre_path, Where(genre_path, f"id '{sid}'"))
        tags, bpm = split_style(genre if "," in genre else ",".join(genre.split()))
    else:
        notes.append(("style", f"no {os.path.basename(genre_path)} beside {os.path.basename(lyrics_path)}: the style "
                               "comes from --style, else the planner's default"))
    return SongSpec(sid, sections, None, Style(tags=tags), Controls(bpm=bpm),
                    instrumental=not any(s.lines for s in sections), source=lyrics_path, item=f"id '{sid}'",
                    notes=tuple(notes))


def write(specs: list[SongSpec], path: str) -> list[str]:
    """One folder per song under `path`: `path/<id>/genre.txt` and `path/<id>/lyrics.txt`."""
    if path.lower().endswith(".txt"):
        raise SpecError(Where(path), None, "YuE output is a folder (one sub-folder per song), not a .txt file")
    written = []
    for s in specs:
        d = os.path.join(path, s.id)
        write_atomic(os.path.join(d, GENRE), join_style(s.style.tags, s.controls.bpm) + "\n")
        write_atomic(os.path.join(d, LYRICS), tagged_lyrics(s) + "\n")
        written += [os.path.join(d, GENRE), os.path.join(d, LYRICS)]
    return written
