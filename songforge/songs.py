"""Public entry for reading songs: any format -> validated SongSpec + timing, bad items reported, good kept."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

from .errors import SpecError
from .plan.timing import LyricTiming, time_song, timed_spec
from .spec.files import LOCAL, FileAccess
from .spec.formats import read_songs, write_songs
from .spec.language import assign_languages
from .spec.song import Line, SongSpec
from .spec.validate import validate


@dataclass(frozen=True)
class Song:
    spec: SongSpec
    timing: LyricTiming
    warnings: tuple[SpecError, ...] = ()  # warnings, then the reader's notes (what it kept, dropped or guessed)


@dataclass(frozen=True)
class Overrides:
    """What a run asks of every song (the command line's --style, --duration, ...), used where a song file leaves it
    out; where the file states it, the file wins and a note says the flag was not used."""
    style: str | None = None       # style text
    duration: float | None = None  # seconds
    bpm: float | None = None
    key: str | None = None
    language: str | None = None    # for lines whose language the file does not state
    id: str | None = None          # replaces an id made from the file's name (one song only)

    def apply(self, spec: SongSpec) -> SongSpec:
        notes, changes, controls = [], {}, {}
        st = spec.style
        if self.style is not None:
            if st.tags or st.text or st.reference_audio:
                notes.append(("style", f"the file states the style: --style {self.style!r} not used"))
            else:
                changes["style"] = replace(st, text=self.style)
        for name, value, stated in (("duration", self.duration, spec.duration), ("bpm", self.bpm, spec.controls.bpm),
                                    ("key", self.key, spec.controls.key)):
            if value is None:
                continue
            if stated is not None:
                shown = f"{stated:g}" if isinstance(stated, float) else stated
                notes.append((name, f"the file states {name} {shown}: --{name} {value:g} not used"
                               if isinstance(value, float) else f"the file states {name} {shown}: --{name} {value} not used"))
            elif name == "duration":
                changes["duration"] = value
            else:
                controls[name] = value
        if self.language is not None:
            stated = {ln.language for sec in spec.sections for ln in sec.lines if ln.language}
            if stated:
                notes.append(("language", f"lines in {', '.join(sorted(stated))} keep the file's language"))
            changes["sections"] = tuple(replace(sec, lines=tuple(ln if ln.language else Line(
                ln.words, self.language, ln.start, ln.end) for ln in sec.lines)) for sec in spec.sections)
        if self.id is not None:
            stem = os.path.splitext(os.path.basename(spec.source))[0]
            if spec.id in (stem, os.path.basename(os.path.dirname(os.path.abspath(spec.source)))):
                changes["id"] = self.id
            else:
                notes.append(("id", f"the file states id {spec.id!r}: --id {self.id!r} not used"))
        if controls:
            changes["controls"] = replace(spec.controls, **controls)
        return replace(spec, **changes, notes=spec.notes + tuple(notes)) if changes or notes else spec


def load(paths: list[str] | str, fmt: str | None = None, filler: str = "vowel", files: FileAccess = LOCAL,
         overrides: Overrides = Overrides()) -> tuple[list[Song], list[SpecError]]:
    """Read, validate and time every song in `paths`. Returns (good songs, one error per bad item). `files`: which
    files the songs may name (default: a user's own, found next to the song file); `overrides`: what the run asks
    of every song where its file is silent."""
    songs: list[Song] = []
    errors: list[SpecError] = []
    seen: dict[str, str] = {}
    for path in [paths] if isinstance(paths, str) else paths:
        fmt_here = fmt
        for item in read_songs(path, fmt_here, files):
            if isinstance(item, SpecError):
                errors.append(item)
                continue
            item = overrides.apply(item)
            item, heard = assign_languages(item, item.where)
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
            if item.style.reference_audio:  # the ears hear the references; the planner reads what they heard
                from .ears.reference import analysed
                item = replace(item, style=analysed(item.style))
            if item.style.voice_reference:
                from .ears.voice import heard
                item = replace(item, style=heard(item.style))
            try:
                timing = time_song(item, filler)
            except SpecError as e:
                errors.append(e)
                continue
            notes = tuple(SpecError(item.where, f, m, "note") for f, m in item.notes) + tuple(heard)
            songs.append(Song(item, timing, tuple(p for p in problems if p.severity == "warning") + notes))
    return songs, errors


def with_references(songs: list[Song], style_audio: str | None = None, voice_audio: str | None = None
                    ) -> tuple[list[Song], list[SpecError]]:
    """Every song with a style and/or voice reference recording set (the CLI's --style-audio / --voice-audio),
    re-timed when the style reference may change its tempo. A recording given on the command line must be usable:
    one that cannot be analysed makes every song an error (naming the file)."""
    out, errors = [], []
    for s in songs:
        st = replace(s.spec.style, **({"reference_audio": style_audio, "reference_analysis": None} if style_audio else {}),
                     **({"voice_reference": voice_audio, "voice_analysis": None} if voice_audio else {}))
        spec = replace(s.spec, style=st)
        try:
            if voice_audio:
                from .ears.voice import analyse_voice, heard
                analyse_voice(voice_audio)
                spec = replace(spec, style=heard(st))
                st = spec.style
            if style_audio:
                from .ears.reference import analyse_style, analysed
                analyse_style(style_audio)
                spec = replace(spec, style=analysed(st))
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
