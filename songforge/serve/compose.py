"""The UI's edits to a song, applied on the spec: style text, duration, chords and word times over any input text,
written back as songforge YAML (the format that keeps all of them)."""
from __future__ import annotations

import os
import tempfile
from dataclasses import replace

from ..spec.song import Chord, Controls, Style
from . import jobs


class ComposeError(ValueError):
    pass


def _rows(table) -> list[list]:
    """Rows of a UI table (a pandas DataFrame, a {'data': ...} dict or a list of lists), blank rows dropped."""
    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):
        table = table.values.tolist()
    elif isinstance(table, dict):
        table = table.get("data", [])
    return [list(r) for r in table if any(str(c).strip() for c in r if c is not None)]


def _num(value, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ComposeError(f"{what}: {value!r} is not a number of seconds") from None


def compose(text: str, fmt: str | None, genre: str = "", style_text: str = "", duration: float | None = None,
            chords=None, words=None, files: list[tuple[str, bytes]] = ()) -> str:
    """songforge YAML for the first song in `text`, with what the UI set: style text, duration (s), chords
    (rows symbol, start, end) and word times (rows word, start, end — in the song's word order). `files`: the
    uploads the song names ((file name, bytes) each); the YAML names them by the same file names."""
    from ..plan.timing import timed_spec
    from ..spec.formats import write_songs
    with tempfile.TemporaryDirectory() as tmp:
        tmp = os.path.realpath(tmp)  # the readers name files by their real paths; the YAML names them relatively
        try:
            jobs.save_uploads(tmp, list(files), len(files))
        except jobs.BadUpload as e:
            raise ComposeError(str(e)) from None
        checked = jobs.check_text(tmp, text, fmt, genre)
        if not checked.songs:
            raise ComposeError("; ".join(checked.problems) or "the text holds no song")
        song = checked.songs[0]
        spec = song.spec
        if style_text.strip():
            spec = replace(spec, style=replace(spec.style or Style(), text=style_text.strip()))
        rows = _rows(chords)
        if rows:
            got = []
            for i, r in enumerate(rows):
                if len(r) < 3 or not str(r[0]).strip():
                    raise ComposeError(f"chords row {i + 1}: expected symbol, start, end")
                got.append(Chord(str(r[0]).strip(), _num(r[1], f"chords row {i + 1} start"),
                                 _num(r[2], f"chords row {i + 1} end")))
            spec = replace(spec, controls=replace(spec.controls or Controls(), chords=tuple(got)))
        rows = _rows(words)
        if rows:
            n = len(song.timing.words)
            if len(rows) != n:
                raise ComposeError(f"word times: the table has {len(rows)} rows, the song {n} words")
            times = [(_num(r[1], f"word {i + 1} ({r[0]}) start"), _num(r[2], f"word {i + 1} ({r[0]}) end"))
                     for i, r in enumerate(rows)]
            spec = timed_spec(spec, song.timing).with_word_times(times)
        if duration:
            spec = replace(spec, duration=float(duration))
        path = os.path.join(tmp, jobs.UPLOADS, "song.yaml")  # beside the uploads: the YAML names them plainly
        write_songs([spec], path, "songforge")
        with open(path, encoding="utf-8") as f:
            return f.read()
