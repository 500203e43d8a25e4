"""`songforge` command line: check, convert, plot, g2p. Imports only the public API."""
from __future__ import annotations

import argparse
import os
import sys

from .errors import SpecError
from .plan.fill import FILLERS
from .spec.formats import EXTENSIONS, FORMATS


def _summary(song) -> str:
    s, t = song.spec, song.timing
    n_syl = len(t.syllables)
    rate = max((sum(1 for x in t.syllables if t.words[x.word].line == i) / max(1e-6, ln.end - ln.start)
                for i, ln in enumerate(t.lines)), default=0.0)
    langs = sorted({w.language for w in t.words if w.language})
    out = [f"{s.id}  ({os.path.basename(s.source)})  {t.duration:.1f} s, {t.bpm:g} bpm"
           f"{', ' + s.controls.key if s.controls.key else ''}, times {t.origin}, language {'+'.join(langs)}"]
    if s.style.tags or s.style.text:
        out.append(f"  style:    {', '.join(s.style.tags)}{' | ' + s.style.text if s.style.text else ''}")
    if s.style.reference_audio:
        out.append(f"  ref audio: {s.style.reference_audio}")
    out.append(f"  lyrics:   {len(t.words)} words, {n_syl} syllables, {len(t.lines)} lines; "
               f"densest line {rate:.1f} syllables/s")
    c = s.controls
    extra = [f"{len(c.chords)} chords" if c.chords else "", f"{len(c.melody)} melody notes" if c.melody else "",
             f"{len(c.drums)} drum hits" if c.drums else ""]
    if any(extra):
        out.append("  controls: " + ", ".join(e for e in extra if e))
    for sp in t.sections:
        lines = [ln for ln in t.lines if sp.start - 1e-6 <= ln.start < sp.end - 1e-6]
        first = f"  {lines[0].label[:60]}" if lines else ""
        more = f"  (+{len(lines) - 1} more)" if len(lines) > 1 else ""
        out.append(f"  {sp.start:6.2f}-{sp.end:6.2f}  [{sp.label}]{first}{more}")
    out += [f"  {w}" for w in song.warnings]
    return "\n".join(out)


def cmd_check(a) -> int:
    from .songs import load
    songs, errors = load(a.files, a.format, a.filler)
    for s in songs:
        print(_summary(s))
        print()
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{len(songs)} ok, {len(errors)} with errors", file=sys.stderr)
    return 1 if errors else 0


def cmd_convert(a) -> int:
    from .songs import convert, load
    songs, errors = load(a.input, a.format)
    for e in errors:
        print(e, file=sys.stderr)
    if songs:
        try:
            written = convert(songs, a.output, a.to)
        except SpecError as e:
            print(e, file=sys.stderr)
            return 1
        print("\n".join(written))
    return 1 if errors or not songs else 0


def cmd_plot(a) -> int:
    from .picture import plot_song
    from .songs import load
    songs, errors = load(a.spec, a.format, a.filler)
    for e in errors:
        print(e, file=sys.stderr)
    if a.id:
        songs = [s for s in songs if s.spec.id == a.id]
        if not songs and not errors:
            print(f"{a.spec}: no song with id {a.id!r}", file=sys.stderr)
            return 1
    for s in songs:
        out = a.output if len(songs) == 1 and a.output.lower().endswith(".png") else \
            os.path.join(a.output, f"{s.spec.id}.png")
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        print(plot_song(s.spec, s.timing, out))
    return 1 if errors or not songs else 0


def cmd_g2p(a) -> int:
    from .spec.song import Line
    from .spec.words import line_from_text
    from .text.g2p import line_syllables
    line = line_from_text(a.text)
    if a.language:
        line = Line(line.words, a.language)
    for w, syls in zip(line.words, line_syllables(line)):
        print(f"{w.text}\t" + " | ".join(" ".join(s.phonemes) + (f" ({s.stress})" if s.stress else "") for s in syls))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="songforge", description="Lyrics, timing and style in; songs out.")
    sub = p.add_subparsers(dest="cmd", required=True)
    fmts = list(FORMATS)

    c = sub.add_parser("check", help="validate song files and print a summary per song")
    c.add_argument("files", nargs="+")
    c.add_argument("--format", choices=fmts, help="input format (default: detected)")
    c.add_argument("--filler", choices=FILLERS, default="vowel", help="how phonemes share a word's time")
    c.set_defaults(fn=cmd_check)

    c = sub.add_parser("convert", help="convert songs to another format")
    c.add_argument("input")
    c.add_argument("--to", required=True, choices=fmts)
    c.add_argument("-o", "--output", required=True, help="output file (" + ", ".join(f"{k}: {v}" for k, v in EXTENSIONS.items()) + ")")
    c.add_argument("--format", choices=fmts, help="input format (default: detected)")
    c.set_defaults(fn=cmd_convert)

    c = sub.add_parser("plot", help="draw the song's timeline (sections, words, phonemes, chords, melody)")
    c.add_argument("spec")
    c.add_argument("-o", "--output", required=True, help="a .png (one song) or a folder (one .png per song)")
    c.add_argument("--id", help="only the song with this id")
    c.add_argument("--format", choices=fmts)
    c.add_argument("--filler", choices=FILLERS, default="vowel")
    c.set_defaults(fn=cmd_plot)

    c = sub.add_parser("g2p", help="show the syllables and phonemes songforge sings for a lyric line")
    c.add_argument("text")
    c.add_argument("--language", choices=("en", "zh"))
    c.set_defaults(fn=cmd_g2p)

    a = p.parse_args(argv)
    try:
        return a.fn(a)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
