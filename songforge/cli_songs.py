"""The song-input options `check`, `plot`, `convert`, `render` and `generate` share: the format, which files a song
may name, standard input (`-`), and what the run asks of every song (--style, --duration, --bpm, --key,
--language, --id)."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile

from .plan.fill import FILLERS
from .spec.formats import FORMATS, SNIFFED, sniff
from .spec.formats.text import parse_duration
from .spec.language import NAMES, SUNG

STDIN = "-"


def add_song_options(c, overrides: bool = True, filler: bool = True) -> None:
    c.add_argument("--format", choices=list(FORMATS), help="input format (default: from the file name, else its content)")
    if filler:
        c.add_argument("--filler", choices=FILLERS, default="vowel", help="how phonemes share a word's time")
    c.add_argument("--files-from", action="append", metavar="DIR",
                   help="files a song names (lyric files, reference recordings) must lie in DIR, named by relative "
                        "path: no absolute paths, no '..' (repeatable; default: found next to the song file)")
    if not overrides:
        return
    g = c.add_argument_group("for every song, where its file does not say (the file wins, with a note)")
    g.add_argument("--style", help='style text, e.g. "sad piano ballad, female vocals"')
    g.add_argument("--duration", type=_duration, metavar="SECONDS", help="total duration (75, 75s or 1:15)")
    g.add_argument("--bpm", type=_bpm, help="tempo in beats per minute")
    g.add_argument("--key", help='key, e.g. "A minor", "Eb major"')
    g.add_argument("--language", choices=SUNG, help="language of lines that do not name one ("
                   + ", ".join(f"{k} {v}" for k, v in NAMES.items()) + "; default: detected per line)")
    g.add_argument("--id", help="the song's id (one song; replaces an id made from the file name)")


def _duration(text: str) -> float:
    import argparse
    d = parse_duration(text)
    if d is None or d <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds (75, 75s or 1:15), got {text!r}")
    return d


def _bpm(text: str) -> float:
    import argparse
    try:
        v = float(text)
    except ValueError:
        v = 0.0
    if not 30 <= v <= 300:
        raise argparse.ArgumentTypeError(f"expected a tempo between 30 and 300, got {text!r}")
    return v


@contextlib.contextmanager
def song_paths(paths: list[str]):
    """`paths` with `-` replaced by a file holding standard input (named stdin.<ext> by its content), for the
    duration of the block; yields (paths, shown) where `shown` maps that file back to '<stdin>' in messages."""
    if STDIN not in paths:
        yield list(paths), lambda line: line
        return
    text = sys.stdin.read()
    with tempfile.TemporaryDirectory(prefix="songforge-stdin-") as tmp:
        path = os.path.join(tmp, "stdin" + SNIFFED[sniff(text)])
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        yield [path if p == STDIN else p for p in paths], lambda line: str(line).replace(path, "<stdin>")


def load_songs(a, paths: list[str]):
    """(songs, errors) for `paths` under the options in `a`; errors already cleaned for printing are SpecErrors."""
    from .songs import Overrides, load
    from .spec.files import LOCAL, FileAccess
    files = LOCAL
    if a.files_from:
        for d in a.files_from:
            if not os.path.isdir(d):
                raise ValueError(f"--files-from {d}: not a folder")
        files = FileAccess(tuple(os.path.abspath(d) for d in a.files_from),
                           "the files under " + ", ".join(a.files_from))
    ov = Overrides(*(getattr(a, k, None) for k in ("style", "duration", "bpm", "key", "language", "id")))
    songs, errors = load(paths, a.format, getattr(a, "filler", "vowel"), files, ov)
    if ov.id is not None and len(songs) > 1:
        raise ValueError(f"--id names one song and this run has {len(songs)}")
    return songs, errors


def load_printed(a, inputs: list[str]):
    """The songs of a command's inputs ('-' is standard input) under its options, with every bad item printed as
    one line: (songs, errors), or None (after printing why) when the options themselves are wrong."""
    with song_paths(inputs) as (paths, shown):
        try:
            songs, errors = load_songs(a, paths)
        except ValueError as e:
            print(f"songforge {a.cmd}: {e}", file=sys.stderr)
            return None
        for e in errors:
            print(shown(e), file=sys.stderr)
    return songs, errors
