"""Every check a song spec must pass, each failure one line naming file, item, place and field."""
from __future__ import annotations

import os
import re

from ..errors import SpecError, Where
from .music import GM_DRUMS, parse_chord, parse_key
from .song import SongSpec
from .language import NAMES
from .words import word_language

MAX_DURATION_S = 1200.0
MIN_WORD_S = 0.04
MAX_SYLLABLES_PER_S = 12.0  # sustained over a phrase (>= PHRASE_SYLLABLES syllables)
PHRASE_SYLLABLES = 4  # forced aligners give one-syllable words a single 80 ms step: judge phrases, not words
PHRASE_GAP_S = 0.3  # a pause this long ends a phrase
SAMPLERS = ("euler", "heun", "midpoint")
DRUMS = tuple(GM_DRUMS)
_SAFE_ID = re.compile(r"^[^/\\\x00-\x1f:*?\"<>|]{1,128}$")
EPS = 1e-6


def safe_id(sid: str) -> bool:
    """True if `sid` can name a file inside an output folder without escaping it."""
    return bool(_SAFE_ID.match(sid)) and sid not in (".", "..") and not sid.startswith(".") and sid.strip() == sid


def validate(spec: SongSpec, id_field: str = "id") -> list[SpecError]:
    """All problems of `spec` (errors and warnings), in reading order."""
    where = spec.where
    out: list[SpecError] = []
    if not safe_id(spec.id):
        out.append(SpecError(where, id_field, f"{spec.id!r} cannot be a file name inside the output folder "
                             "(no '/', '\\', leading '.', control characters; at most 128 characters)"))
    d = spec.duration
    if d is not None and not (0 < d <= MAX_DURATION_S):
        out.append(SpecError(where, "duration", f"{d:g} s is outside (0, {MAX_DURATION_S:g}] s"))
        d = None
    out += _check_style(spec, where)
    out += _check_controls(spec, where, d)
    out += _check_words(spec, where, d)
    g = spec.generation
    if g.steps is not None and not 1 <= g.steps <= 1000:
        out.append(SpecError(where.at("generation"), "steps", f"{g.steps} is outside 1..1000"))
    for name, w in g.guidance:
        if w < 0:
            out.append(SpecError(where.at("generation"), f"guidance.{name}", f"weight {w:g} is negative"))
    if g.sampler is not None and g.sampler not in SAMPLERS:
        out.append(SpecError(where.at("generation"), "sampler", f"{g.sampler!r} is not a songforge sampler "
                             f"({', '.join(SAMPLERS)}); the default is used", "warning"))
    return out


def _check_style(spec: SongSpec, where: Where) -> list[SpecError]:
    out = []
    st = spec.style
    if st.reference_audio and st.auto_prompt:
        out.append(SpecError(where, "prompt_audio_path", "give either a prompt audio path or auto_prompt_audio_type "
                             f"({st.auto_prompt!r}), not both"))
    for field, path in (("reference_audio", st.reference_audio), ("voice_reference", st.voice_reference)):
        if path is None:
            continue
        if not os.path.isfile(path):
            out.append(SpecError(where, field, f"audio file not found: {path}"))
        elif not os.access(path, os.R_OK):
            out.append(SpecError(where, field, f"audio file not readable: {path}"))
        else:
            err = _audio_error(path)
            if err:
                out.append(SpecError(where, field, f"cannot read audio {path}: {err}"))
    return out


def _audio_error(path: str) -> str | None:
    try:
        import soundfile
    except ImportError:  # without soundfile only existence is checked
        return None
    try:
        soundfile.info(path)
    except Exception as e:  # soundfile raises its own LibsndfileError and RuntimeError subclasses
        return str(e).split("\n")[0][:80]
    return None


def _check_controls(spec: SongSpec, where: Where, duration: float | None) -> list[SpecError]:
    c, out = spec.controls, []
    w = where.at("controls")
    if c.bpm is not None and not 30 <= c.bpm <= 300:
        out.append(SpecError(w, "bpm", f"{c.bpm:g} is outside 30..300"))
    if c.meter is not None and not 1 <= c.meter <= 12:
        out.append(SpecError(w, "meter", f"{c.meter} beats per bar is outside 1..12"))
    if c.key is not None and parse_key(c.key) is None:
        out.append(SpecError(w, "key", f"cannot read key {c.key!r} (e.g. 'C major', 'F# minor', 'Bbm')"))
    prev_end = 0.0
    for i, ch in enumerate(c.chords):
        cw = w.at(f"chord {i + 1}")
        if parse_chord(ch.symbol) is None:
            out.append(SpecError(cw, "symbol", f"cannot read chord {ch.symbol!r} (e.g. 'C', 'Am7', 'F#:min', 'G/B', 'N')"))
        elif bad := _span_error(ch.start, ch.end, duration, prev_end, "chord"):
            out.append(SpecError(cw, bad[0], bad[1]))
        else:
            prev_end = ch.end
    for i, n in enumerate(c.melody):
        nw = w.at(f"note {i + 1}")
        if not 0 <= n.pitch <= 127:
            out.append(SpecError(nw, "pitch", f"MIDI pitch {n.pitch} is outside 0..127"))
        elif bad := _span_error(n.start, n.end, duration, None, "note"):
            out.append(SpecError(nw, bad[0], bad[1]))
    for i, h in enumerate(c.drums):
        hw = w.at(f"drum hit {i + 1}")
        if h.instrument not in DRUMS:
            out.append(SpecError(hw, "instrument", f"unknown drum {h.instrument!r} (known: {', '.join(DRUMS)})"))
        elif h.time < 0 or (duration is not None and h.time > duration):
            out.append(SpecError(hw, "time", f"{h.time:g} s is outside the song"))
    return out


def _span_error(start, end, duration, prev_end, what) -> tuple[str, str] | None:
    if end <= start:
        return "end", f"end {end:g} s is not after start {start:g} s"
    if start < 0:
        return "start", f"{start:g} s is before the song starts"
    if duration is not None and end > duration + EPS:
        return "end", f"{end:g} s is past the song's duration {duration:g} s"
    if prev_end is not None and start < prev_end - EPS:
        return "start", f"{start:g} s overlaps the previous {what} (ends {prev_end:g} s)"
    return None


def _check_words(spec: SongSpec, where: Where, duration: float | None) -> list[SpecError]:
    words = spec.words
    if spec.instrumental:
        return [SpecError(where, "instrumental", f"an instrumental has no lyrics, but this one has {len(words)} words")] \
            if words else []
    if not words:
        return [SpecError(where, "lyrics", "empty lyrics: no words to sing (an instrumental says so: "
                          "\"instrumental\": true)")]
    out: list[SpecError] = []
    locs = [(si, li, wi) for si, s in enumerate(spec.sections) for li, ln in enumerate(s.lines) for wi in range(len(ln.words))]
    line_no = {}
    for si, li, _ in locs:
        line_no.setdefault((si, li), len(line_no) + 1)

    def at(k: int) -> Where:
        si, li, wi = locs[k]
        return where.at(f"word {k + 1} ({words[k].text!r}, line {line_no[(si, li)]})")

    foreign = []
    for k, w in enumerate(words):
        if word_language(w.text) is None and not w.phonemes:
            if any(c.isalnum() for c in w.text):
                foreign.append(k)
            else:
                out.append(SpecError(at(k), "word", "no letters to sing"))
    if foreign:  # one line per song, not one per word of a language songforge does not sing
        more = f" (and {len(foreign) - 1} more words)" if len(foreign) > 1 else ""
        out.append(SpecError(at(foreign[0]), "word", f"unsupported script{more}: songforge sings "
                             f"{', '.join(NAMES.values())}"))
    timed = [w.start is not None or w.end is not None for w in words]
    if any(timed) and not all(timed):
        k = timed.index(False)
        return out + [SpecError(at(k), "start", "has no times but other words do (time every word, or none)")]
    if not any(timed):
        return out + _check_lines(spec, where, duration)
    from ..text.g2p import line_syllables
    n_syl = [len(s) for ln in spec.lines for s in line_syllables(ln)]
    prev = None
    for k, w in enumerate(words):
        if w.start is None or w.end is None:
            out.append(SpecError(at(k), "end" if w.end is None else "start", "missing (a timed word needs start and end)"))
            continue
        if w.end <= w.start:
            out.append(SpecError(at(k), "end", f"end {w.end:g} s is not after start {w.start:g} s"))
            continue
        if w.start < 0:
            out.append(SpecError(at(k), "start", f"{w.start:g} s is before the song starts"))
            continue
        if duration is not None and w.end > duration + EPS:
            out.append(SpecError(at(k), "end", f"{w.end:g} s is past the song's duration {duration:g} s"))
            continue
        if prev is not None and w.start < words[prev].start - EPS:
            out.append(SpecError(at(k), "start", f"{w.start:g} s is before the previous word's start "
                                 f"({words[prev].start:g} s): words must be in time order"))
            continue
        if prev is not None and w.start < words[prev].end - EPS:
            out.append(SpecError(at(k), "start", f"{w.start:g} s overlaps the previous word {words[prev].text!r} "
                                 f"(ends {words[prev].end:g} s)"))
            continue
        if w.end - w.start < MIN_WORD_S - EPS:
            out.append(SpecError(at(k), "end", f"word lasts {(w.end - w.start) * 1000:.0f} ms; a sung word needs at "
                                 f"least {MIN_WORD_S * 1000:.0f} ms"))
        prev = k
    if not out:
        out += [SpecError(at(k), "end", msg) for k, msg in _too_fast(words, n_syl)]
    return out


def _too_fast(words, n_syl: list[int]) -> list[tuple[int, str]]:
    """Phrases sung faster than anyone can: over every run of >= PHRASE_SYLLABLES syllables inside a phrase, the
    rate stays <= MAX_SYLLABLES_PER_S. A single short aligned word is fine. One problem per phrase, at its first word."""
    out, k, n = [], 0, len(words)
    while k < n:
        j = k
        while j + 1 < n and words[j + 1].start - words[j].end < PHRASE_GAP_S:
            j += 1
        for a in range(k, j + 1):
            syl, b = 0, a
            while b <= j and syl < PHRASE_SYLLABLES:
                syl += n_syl[b]
                b += 1
            span = words[b - 1].end - words[a].start
            if syl >= PHRASE_SYLLABLES and syl / span > MAX_SYLLABLES_PER_S + EPS:
                texts = " ".join(w.text for w in words[a:b])
                out.append((a, f"{syl} syllables in {span:.2f} s ({texts[:40]!r}) is {syl / span:.1f}/s; "
                               f"no singer sustains more than {MAX_SYLLABLES_PER_S:g}/s over a phrase"))
                break
        k = j + 1
    return out


def _check_lines(spec: SongSpec, where: Where, duration: float | None) -> list[SpecError]:
    out, prev = [], None
    for i, ln in enumerate(spec.lines):
        lw = where.at(f"line {i + 1}")
        if ln.start is None:
            if ln.end is not None:
                out.append(SpecError(lw, "start", "a line with an end time needs a start time"))
            continue
        if ln.start < 0:
            out.append(SpecError(lw, "start", f"{ln.start:g} s is before the song starts"))
        elif duration is not None and ln.start >= duration:
            out.append(SpecError(lw, "start", f"{ln.start:g} s is at or past the song's duration {duration:g} s"))
        elif ln.end is not None and ln.end <= ln.start:
            out.append(SpecError(lw, "end", f"end {ln.end:g} s is not after start {ln.start:g} s"))
        elif prev is not None and ln.start < prev - EPS:
            out.append(SpecError(lw, "start", f"{ln.start:g} s is before the previous line's start {prev:g} s"))
        prev = ln.start if ln.start is not None else prev
    starts = [ln.start is not None for ln in spec.lines]
    if any(starts) and not all(starts):
        k = starts.index(False)
        out.append(SpecError(where.at(f"line {k + 1}"), "start", "has no time but other lines do (time every line, or none)"))
    return out
