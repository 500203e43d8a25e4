"""Public entry for reading songs: any format -> validated SongSpec + timing, bad items reported, good kept."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import SpecError
from .plan.timing import LyricTiming, time_song, timed_spec
from .spec.formats import read_songs, write_songs
from .spec.song import SongSpec
from .spec.validate import validate


@dataclass(frozen=True)
class Song:
    spec: SongSpec
    timing: LyricTiming
    warnings: tuple[SpecError, ...] = ()  # warnings, then the reader's notes (what it kept, dropped or guessed)


def load(paths: list[str] | str, fmt: str | None = None, filler: str = "vowel") -> tuple[list[Song], list[SpecError]]:
    """Read, validate and time every song in `paths`. Returns (good songs, one error per bad item)."""
    songs: list[Song] = []
    errors: list[SpecError] = []
    seen: dict[str, str] = {}
    for path in [paths] if isinstance(paths, str) else paths:
        fmt_here = fmt
        for item in read_songs(path, fmt_here):
            if isinstance(item, SpecError):
                errors.append(item)
                continue
            id_field = "idx" if path.lower().endswith(".jsonl") else "id"
            problems = validate(item, id_field)
            if item.id in seen:  # an error inside one file; across files only a warning
                problems.insert(0, SpecError(item.where, id_field,
                                             f"duplicate id (also in {seen[item.id]}): outputs would overwrite each other",
                                             "error" if seen[item.id] == item.source else "warning"))
            errs = [p for p in problems if p.severity == "error"]
            if errs:
                errors.extend(errs)
                continue
            seen[item.id] = item.source
            try:
                timing = time_song(item, filler)
            except SpecError as e:
                errors.append(e)
                continue
            notes = tuple(SpecError(item.where, f, m, "note") for f, m in item.notes)
            songs.append(Song(item, timing, tuple(p for p in problems if p.severity == "warning") + notes))
    return songs, errors


def with_references(songs: list[Song], style_audio: str | None = None, voice_audio: str | None = None
                    ) -> tuple[list[Song], list[SpecError]]:
    """Every song with a style and/or voice reference recording set (the CLI's --style-audio / --voice-audio),
    re-timed when the style reference may change its tempo. A recording given on the command line must be usable:
    one that cannot be analysed makes every song an error (naming the file)."""
    out, errors = [], []
    for s in songs:
        st = replace(s.spec.style, **({"reference_audio": style_audio} if style_audio else {}),
                     **({"voice_reference": voice_audio} if voice_audio else {}))
        spec = replace(s.spec, style=st)
        try:
            if style_audio:
                from .plan.reference_style import analyse_style
                analyse_style(style_audio)
            out.append(replace(s, spec=spec, timing=time_song(spec) if style_audio else s.timing))
        except (SpecError, ValueError) as e:
            errors.append(e if isinstance(e, SpecError) else SpecError(spec.where, "style", str(e)))
    return out, errors


NEEDS_WORD_TIMES = ("jam",)
NEEDS_LINE_TIMES = ("lrc",)


def for_format(song: Song, fmt: str) -> SongSpec:
    """The spec to write in `fmt`: with planned word times and duration filled in where the format needs them."""
    spec = song.spec
    if fmt in NEEDS_WORD_TIMES and not spec.word_timed or fmt in NEEDS_LINE_TIMES and not (spec.word_timed or spec.line_timed):
        spec = timed_spec(spec, song.timing)
    if fmt in NEEDS_WORD_TIMES and spec.duration is None:
        spec = replace(spec, duration=round(song.timing.duration, 4))
    return spec


def convert(songs: list[Song], out_path: str, fmt: str) -> list[str]:
    return write_songs([for_format(s, fmt) for s in songs], out_path, fmt)
