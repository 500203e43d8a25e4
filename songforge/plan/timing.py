"""Word, syllable and phoneme times for a song: kept when given, spread inside lines for LRC, or planned on a
beat grid when the spec has no times at all (LeVo, ACE-Step, plain text)."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import SpecError, Where
from ..spec.song import SongSpec
from ..text.g2p import line_languages, line_syllables
from ..text.phonemes import Syllable
from .fill import fill
from .describe import choice_for, style_info

INSTRUMENTAL_BARS = {"short": 2, "medium": 4, "long": 8, None: 2}
MAX_SYLLABLES_PER_S = 12.0
MIN_WORD_S = 0.04


@dataclass(frozen=True)
class Span:
    label: str
    start: float
    end: float


@dataclass(frozen=True)
class TimedWord:
    text: str
    start: float
    end: float
    line: int
    language: str | None


@dataclass(frozen=True)
class TimedSyllable:
    start: float
    end: float
    word: int
    syllable: Syllable


@dataclass(frozen=True)
class TimedPhoneme:
    symbol: str
    start: float
    end: float
    syllable: int


@dataclass(frozen=True)
class LyricTiming:
    duration: float
    bpm: float
    meter: int
    origin: str  # "given" (word times), "lines" (LRC line times) or "planned"
    grid_start: float | None  # time of the first bar line when lines sit on a bar grid
    sections: tuple[Span, ...]
    lines: tuple[Span, ...]
    words: tuple[TimedWord, ...]
    syllables: tuple[TimedSyllable, ...]
    phonemes: tuple[TimedPhoneme, ...]

    @property
    def bar_s(self) -> float:
        return 60.0 / self.bpm * self.meter


def song_tempo(spec: SongSpec) -> tuple[float, bool]:
    """(bpm, given): the spec's bpm, else one its style text states, else the default of the style it names."""
    if spec.controls.bpm is not None:
        return spec.controls.bpm, True
    stated = choice_for(spec.style).bpm
    if stated is not None:
        return stated, True
    return style_info(spec.style).bpm, False


def time_song(spec: SongSpec, filler: str = "vowel") -> LyricTiming:
    """Times for every word, syllable and phoneme of `spec`. Raises SpecError when the lyrics cannot fit."""
    where = spec.where
    sylls = [line_syllables(ln) for ln in spec.lines]
    for li, (ln, per_word) in enumerate(zip(spec.lines, sylls)):
        for wi, (w, s) in enumerate(zip(ln.words, per_word)):
            if not s:
                raise SpecError(where.at(f"line {li + 1}", f"word {wi + 1}"), "word", f"nothing singable in {w.text!r}")
    if not spec.lines and not spec.instrumental:
        raise SpecError(where, "lyrics", "no lyrics to time")
    if spec.word_timed:
        word_spans = [(w.start, w.end) for w in spec.words]
        syl_spans = None
        duration = spec.duration if spec.duration is not None else word_spans[-1][1] + 2.0
        bpm, _ = song_tempo(spec)
        origin, grid_start, sections = "given", None, None
    elif spec.line_timed:
        bpm, _ = song_tempo(spec)
        syl_spans, duration = _lrc_lines(spec, sylls, bpm, where)
        origin, grid_start, sections = "lines", None, None
    else:
        return _planned(spec, sylls, where, filler)
    if syl_spans is None:
        syl_spans = []
        for (a, b), per_word in zip(word_spans, (s for line in sylls for s in line)):
            phones = [p for s in per_word for p in s.phonemes]
            times = fill(phones, a, b, filler)
            k = 0
            for s in per_word:
                syl_spans.append((times[k][0], times[k + len(s.phonemes) - 1][1]))
                k += len(s.phonemes)
    return _assemble(spec, sylls, syl_spans, duration, bpm, origin, grid_start, sections, filler)


def _lrc_lines(spec: SongSpec, sylls, bpm: float, where: Where) -> tuple[list[tuple[float, float]], float]:
    """LRC: each line starts at its time and is sung at an 8th-note pace, squeezed to fit before the next line."""
    lines = spec.lines
    eighth = 30.0 / bpm
    out: list[tuple[float, float]] = []
    end_of_song = spec.duration
    last_end = 0.0
    for i, (ln, per_word) in enumerate(zip(lines, sylls)):
        n = sum(len(s) for s in per_word)
        nxt = ln.end if ln.end is not None else (lines[i + 1].start if i + 1 < len(lines) else end_of_song)
        natural = (n + 1) * eighth  # final syllable held for two units
        u = eighth
        if nxt is not None:
            avail = nxt - ln.start
            if avail <= 0:
                raise SpecError(where.at(f"line {i + 1}"), "start", f"line starts at {ln.start:.2f} s but must end by {nxt:.2f} s")
            if natural > 0.9 * avail:
                u = 0.9 * avail / (n + 1)
            if n / ((n + 1) * u) > MAX_SYLLABLES_PER_S:
                raise SpecError(where.at(f"line {i + 1}"), "start", f"{n} syllables in {avail:.2f} s is "
                                f"{n / ((n + 1) * u):.1f}/s: faster than anyone sings (>{MAX_SYLLABLES_PER_S:g}/s)")
        t = ln.start
        flat = [s for ws in per_word for s in ws]
        for k, _ in enumerate(flat):
            d = 2 * u if k == len(flat) - 1 else u
            out.append((t, t + d))
            t += d
        last_end = t
    duration = end_of_song if end_of_song is not None else last_end + 4 * 60.0 / bpm * 2
    return out, duration


def _line_rhythm(per_word: list[tuple[Syllable, ...]], units: int, min_unit: int) -> list[int] | None:
    """Durations in 16ths for a line's syllables inside `units` 16ths (the last syllable held, a rest after),
    or None if they do not fit. Stressed syllables and the phrase end get the spare room."""
    flat = [(s, k == len(ws) - 1) for ws in per_word for k, s in enumerate(ws)]
    n = len(flat)
    durs = [min_unit] * (n - 1) + [2 * min_unit]
    rest = min_unit
    spare = units - sum(durs) - rest
    if spare < 0:
        return None
    while spare >= 2 and durs[-1] < 8:  # hold the phrase end up to a half note
        durs[-1] += 2
        spare -= 2
    for want in (2, 4):
        for i, (s, word_end) in enumerate(flat[:-1]):
            if spare >= 2 and durs[i] < want and (s.stress in (1, 2, 3, 4) or word_end):
                durs[i] += 2
                spare -= 2
    while spare >= 2 and durs[-1] < 12:
        durs[-1] += 2
        spare -= 2
    return durs


def _planned(spec: SongSpec, sylls, where: Where, filler: str) -> LyricTiming:
    bpm, bpm_given = song_tempo(spec)
    meter = spec.controls.meter or 4
    base_bpm = bpm
    for attempt in range(12):
        layout = _layout(spec, sylls, meter, dense=attempt >= 1)
        bar = 60.0 / bpm * meter
        need = sum(b for _, b, _ in layout)
        if spec.duration is None or need * bar <= spec.duration + 1e-6:
            break
        layout = _shrink_instrumental(layout, need - int(spec.duration // bar))
        need = sum(b for _, b, _ in layout)
        if need * bar <= spec.duration + 1e-6:
            break
        if bpm_given or bpm >= base_bpm * 1.3:
            raise SpecError(where, "duration", f"the lyrics need at least {need * bar:.1f} s at {bpm:g} bpm "
                            f"but the duration is {spec.duration:g} s")
        bpm = min(base_bpm * 1.3, bpm * 1.05)
    bar = 60.0 / bpm * meter
    if spec.duration is not None:
        layout = _grow_instrumental(layout, int((spec.duration + 1e-6) // bar) - sum(b for _, b, _ in layout))
    sixteenth = 15.0 / bpm
    sections, syl_spans = [], []
    t = 0.0
    for label, bars, rhythms in layout:
        sec_start = t
        for k, durs in rhythms:
            u = t
            for d in durs:
                syl_spans.append((u, u + d * sixteenth))
                u += d * sixteenth
            t += k * bar
        t = sec_start + bars * bar
        sections.append(Span(label, sec_start, t))
    duration = spec.duration if spec.duration is not None else t
    return _assemble(spec, sylls, syl_spans, duration, bpm, "planned", 0.0, tuple(sections), filler)


def _layout(spec: SongSpec, sylls, meter: int, dense: bool) -> list[tuple[str, int, list[tuple[int, list[int]]]]]:
    """[(section label, bars, [(bars, 16th durations) per line])], with a one-bar lead-in/tail when the song has no intro/outro."""
    out: list[tuple[str, int, list[tuple[int, list[int]]]]] = []
    li = 0
    unit = 1 if dense else 2
    for s in spec.sections:
        if not s.lines:  # lyrics under an intro/outro tag are sung like any other section
            out.append((s.tag, 1 if s.kind == "silence" else INSTRUMENTAL_BARS[s.length], []))
            continue
        rhythms, bars = [], 0
        for _ in s.lines:
            k = 1
            while (r := _line_rhythm(sylls[li], 4 * meter * k, unit)) is None:
                k += 1
            rhythms.append((k, r))
            bars += k
            li += 1
        out.append((s.tag, bars, rhythms))
    if not out or out[0][2]:
        out.insert(0, ("intro", 1, []))
    if out[-1][2]:
        out.append(("outro", 1, []))
    return out


def _shrink_instrumental(layout, excess: int):
    layout = [list(x) for x in layout]
    while excess > 0:
        cands = [x for x in layout if not x[2] and x[1] > 0]
        if not cands:
            break
        biggest = max(cands, key=lambda x: x[1])
        biggest[1] -= 1
        excess -= 1
    return [tuple(x) for x in layout if x[1] > 0 or x[2]]


def _grow_instrumental(layout, extra: int):
    """Spare bars go to the outro, the intro and breaks before choruses, round-robin up to musical caps."""
    layout = [list(x) for x in layout]
    if extra <= 0:
        return [tuple(x) for x in layout]
    if layout[-1][2]:
        layout.append(["outro", 0, []])
    caps = [(len(layout) - 1, 8), (0, 4)] + [(i, 2) for i, x in enumerate(layout) if not x[2] and 0 < i < len(layout) - 1]
    while extra > 0:
        grew = False
        for i, cap in caps:
            if extra > 0 and layout[i][1] < cap and not layout[i][2]:
                layout[i][1] += 1
                extra -= 1
                grew = True
        if not grew:
            layout[-1][1] += extra
            extra = 0
    return [tuple(x) for x in layout if x[1] > 0 or x[2]]


def _assemble(spec, sylls, syl_spans, duration, bpm, origin, grid_start, sections, filler) -> LyricTiming:
    words, syllables, phonemes, lines = [], [], [], []
    k = 0
    for li, (ln, per_word) in enumerate(zip(spec.lines, sylls)):
        langs = line_languages(ln)
        first = len(words)
        for w, ws, lang in zip(ln.words, per_word, langs):
            spans = syl_spans[k:k + len(ws)]
            k += len(ws)
            words.append(TimedWord(w.text, spans[0][0], spans[-1][1], li, lang))
            for s, (a, b) in zip(ws, spans):
                for p, (pa, pb) in zip(s.phonemes, fill(list(s.phonemes), a, b, filler)):
                    phonemes.append(TimedPhoneme(p, pa, pb, len(syllables)))
                syllables.append(TimedSyllable(a, b, len(words) - 1, s))
        lines.append(Span(ln.text, words[first].start, words[-1].end))
    if sections is None:
        sections = _sections_from_lines(spec, lines, duration)
    return LyricTiming(duration, bpm, spec.controls.meter or 4, origin, grid_start, tuple(sections), tuple(lines),
                       tuple(words), tuple(syllables), tuple(phonemes))


def _sections_from_lines(spec: SongSpec, lines: list[Span], duration: float) -> tuple[Span, ...]:
    """Sections around given times: lyric sections span their lines; instrumental ones fill the gaps."""
    out, li = [], 0
    spans: list[tuple[str, float | None, float | None]] = []
    for s in spec.sections:
        if s.lines:
            spans.append((s.tag, lines[li].start, lines[li + len(s.lines) - 1].end))
            li += len(s.lines)
        else:
            spans.append((s.tag, None, None))
    for i, (tag, a, b) in enumerate(spans):
        if a is None:
            prev_end = next((x[2] for x in reversed(spans[:i]) if x[2] is not None), 0.0)
            next_start = next((x[1] for x in spans[i + 1:] if x[1] is not None), duration)
            a, b = prev_end, next_start
        out.append(Span(tag, a, b))
    return tuple(out)


def timed_spec(spec: SongSpec, timing: LyricTiming) -> SongSpec:
    """`spec` with every word's start/end and the duration filled in from `timing`."""
    from dataclasses import replace
    return replace(spec.with_word_times([(w.start, w.end) for w in timing.words]), duration=round(timing.duration, 4))
