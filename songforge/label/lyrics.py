"""A recording's lyrics, read from the file beside it (`song.txt` plain lyrics, `song.lrc` line times, `song.json`
JAM word times: any lyric format songforge reads), as the words to align: each with its language, line, section
and syllables (the data engine's own G2P, so an imported song's labels read like a rendered one's)."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import SpecError, Where
from ..spec.formats import read_songs
from ..spec.language import assign_languages
from ..spec.song import SongSpec
from ..text.g2p import line_languages, line_syllables
from ..text.phonemes import Syllable

LYRIC_EXTS = (".json", ".lrc", ".txt")  # the order a sidecar is looked for when several exist


@dataclass(frozen=True)
class LyricWord:
    text: str
    language: str | None
    line: int
    syllables: tuple[Syllable, ...]
    start: float | None = None  # given by the file (JAM): checked against the singing, not trusted
    end: float | None = None


@dataclass(frozen=True)
class Lyrics:
    path: str
    format: str  # "words" (word times given), "lines" (line start times), "text" (no times)
    words: tuple[LyricWord, ...]
    lines: tuple[tuple[str, float | None, float | None], ...]  # (text, start, end) as the file gives them
    sections: tuple[tuple[str, int, int], ...]  # (kind, first line, last line + 1)
    notes: tuple[str, ...] = ()  # what language detection decided

    @property
    def languages(self) -> list[str]:
        return sorted({w.language for w in self.words if w.language})


def sidecar(audio_path: str) -> str | None:
    """The lyrics file beside a recording: same name, one of LYRIC_EXTS."""
    stem = os.path.splitext(audio_path)[0]
    return next((stem + e for e in LYRIC_EXTS if os.path.isfile(stem + e)), None)


def read_lyrics(path: str) -> Lyrics:
    """The first song in a lyric file. Raises SpecError (naming the file) when it has none or no singable word."""
    items = read_songs(path)
    bad = [i for i in items if isinstance(i, SpecError)]
    specs = [i for i in items if isinstance(i, SongSpec)]
    if not specs:
        raise bad[0] if bad else SpecError(Where(path), "lyrics", "no song in the file")
    spec, heard = assign_languages(specs[0], specs[0].where)
    words, lines, sections, n = [], [], [], 0
    for sec in spec.sections:
        first = n
        for ln in sec.lines:
            langs = line_languages(ln)
            for w, lang, syl in zip(ln.words, langs, line_syllables(ln)):
                words.append(LyricWord(w.text, lang, n, tuple(syl), w.start, w.end))
            lines.append((" ".join(w.text for w in ln.words), ln.start, ln.end))
            n += 1
        if n > first:
            sections.append((sec.kind, first, n))
    if not any(w.syllables for w in words):
        raise SpecError(spec.where, "lyrics", "no word songforge can sing (no syllables from any word)")
    fmt = "words" if spec.word_timed else "lines" if spec.line_timed else "text"
    return Lyrics(path, fmt, tuple(words), tuple(lines), tuple(sections), tuple(e.message for e in heard))
