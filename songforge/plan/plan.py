"""SongPlan: everything the renderer (and later the model's conditioners) needs, planned from a spec and
its timing. Keeps what the spec gives (bpm, key, chords, melody, drums); seeded and deterministic."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from ..spec.song import SongSpec
from .arrange import Grid, Hit, PartNote, plan_bass, plan_comping, plan_drums
from .harmony import choose_key, key_name, plan_chords
from .melody import MelodyNote, f0_curve, plan_melody
from .reference import followed_range, voice_profile
from .describe import choice_for
from .humanize import humanize
from .styles import BY_NAME, StyleInfo
from .timing import LyricTiming, Span

# English words sung by espeak-ng use its en-us voice: the labels are en-us phonemes (text/english.py), and its other
# English voices say other ones (of 400 lyric words, en says 47% as labelled, en-gb-x-rp 50%, en-029 37%,
# en-gb-scotland 24%: benchmarks/accents.py). Singers differ by variant, formant and breath.
EN_VOICE = "en-us"
RETIRED_ACCENTS = 5  # an accent was drawn among this many until session 20: still drawn, so every later choice stays
FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", "f5")
MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7")
# A male singer: the speaker's own formants or a little above (warped below 1.0 the WORLD envelope muffles him). A
# baritone's register (F#2-C#4) was heard male more often still, but the model, trained on A2-E4, sang it off pitch
# (realism benchmark, generate, male singers' pitch accuracy 0.86 -> 0.62): the register stays A2-E4 (docs/HISTORY.md)
MALE_FORMANT = (1.0, 1.1)
MALE_LOW = 45
# The planner's version. A corpus is planned again from its build.json (train/data.clip_plan) to condition the model on
# what was rendered, so a corpus keeps the version it was built with: 1 (to session 27): a male singer's formants
# 0.9-1.03, the band on the grid; 2: his formants 1.0-1.1, the band humanised (plan/humanize.py); 3: funk's band is a
# muted guitar and an organ (was a muted guitar and an electric piano), ambient has no drums and a sweep pad with a
# choir (was kick and hi-hat under two pads); 4: funk's bass is slapped and 1 dB louder, hip hop's keys 2 dB softer,
# metal's singer 4 dB under the band and its power chords from D2 (was E2), and the drums of the eleven tuned genres
# that have drums louder (funk 6 dB, hip hop 4, the others 2) (docs/HISTORY.md, session 30); 5: instruments a text
# names lead the style's own band instead of replacing it (band_programs; was: the named instruments alone), trap's
# hi-hats roll (plan/arrange.py 'r'), and soul's band is an electric piano and strings (was a piano and brass).
PLANNER = 5
BAND_SIZE = 3  # 'other' instruments at most when named ones join the style's own
_V1_MALE = ((0.9, 1.03), 45)
# What each planner version changed in the style table, as the fields it replaced: planning a corpus of an older
# version restores them (newest first, so a version-1 corpus gets every restoration down to its own).
_STYLES_BEFORE = {
    5: {"soul": {"programs": (0, 61)},
        "trap": {"drums": {"kick": "x......x..x.....", "snare": "........x.......", "hihat": "xxxxxxxxx.x.xxxx",
                           "clap": "........x......."}}},
    4: {"funk": {"bass_program": 33, "levels_db": (0, -6, -4, -7)}, "hiphop": {"levels_db": (0, -3, -3, -10)},
        "metal": {"levels_db": (0, -5, -5, -1), "comp_low": 40}, "pop": {"levels_db": (0, -7, -6, -7)},
        "rock": {"levels_db": (0, -6.5, -6, -6)}, "folk": {"levels_db": (0, -12, -7, -5)},
        "edm": {"levels_db": (0, -6, -5, -7)}, "jazz": {"levels_db": (0, -12, -6, -6)},
        "country": {"levels_db": (0, -7, -6, -7)}, "soul": {"levels_db": (0, -8, -5, -6)},
        "blues": {"levels_db": (0, -9, -6, -5)}},
    3: {"funk": {"programs": (28, 4)},
        "ambient": {"drums": {"kick": "x.......x.......", "hihat": "o...o...o...o..."}, "programs": (89, 95)}},
}
DEFAULT_VOICE_ENGINE = "neural"  # benchmarks/data_engine.py --intelligibility: Whisper WER on sung real lyrics


@dataclass(frozen=True)
class Voice:
    id: str
    gender: str
    espeak: str  # English voice+variant, e.g. "en-us+f3"
    espeak_zh: str  # Mandarin (pinyin) voice+variant
    formant: float  # spectral-envelope frequency scale (>1 brighter/smaller, <1 darker/larger)
    breath: float  # 0..1 added aperiodicity
    vibrato_hz: float
    vibrato_cents: float
    range: tuple[int, int]  # MIDI notes the melody stays within
    engine: str = "espeak"  # English words: "neural" (Piper voice) or "espeak"; Mandarin is always espeak


@dataclass(frozen=True)
class SongPlan:
    spec: SongSpec
    timing: LyricTiming
    seed: int
    style: str
    key: tuple[int, str]
    bpm: float
    meter: int
    duration: float
    sections: tuple[Span, ...]  # cover [0, duration]
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]
    chords: tuple  # spec.song.Chord
    melody: tuple[MelodyNote, ...]
    f0: np.ndarray  # planned F0 in Hz per 5 ms frame, 0 where silent
    bass: tuple[PartNote, ...]
    other: tuple[PartNote, ...]
    drums: tuple[Hit, ...]
    programs: tuple[int, ...]  # GM programs of the 'other' stem
    bass_program: int
    kit: int
    levels_db: tuple[float, float, float, float]
    voice: Voice

    @property
    def style_info(self) -> StyleInfo:
        return BY_NAME[self.style]

    @property
    def key_name(self) -> str:
        return key_name(self.key)


def song_seed(spec: SongSpec, seed: int | None = None) -> int:
    """The spec's seed, else one derived from its id (stable across runs and machines)."""
    if seed is not None:
        return seed
    if spec.generation.seed is not None:
        return spec.generation.seed
    return int.from_bytes(hashlib.sha256(spec.id.encode()).digest()[:4], "little")


def choose_voice(spec: SongSpec, rng: np.random.Generator, planner: int = PLANNER) -> Voice:
    """The singing voice: gender from the style text, else from the voice reference, else from the style
    reference's singer, else drawn; register from the voice reference when there is one (its singer's median
    pitch), else the gender's default. Every random draw happens
    whether or not a reference decides, so the song's other choices do not move."""
    choice = choice_for(spec.style)
    profile = voice_profile(spec.style)
    if choice.gender:
        gender = choice.gender
    else:
        drawn = "female" if rng.random() < 0.5 else "male"
        heard = (choice.reference or {}).get("gender")  # the style reference's singer
        gender = profile.gender if profile else heard or drawn
    variant = str(rng.choice(FEMALE_VARIANTS if gender == "female" else MALE_VARIANTS))
    rng.integers(RETIRED_ACCENTS)  # the retired accent draw (see EN_VOICE): a seed's other choices stay as they were
    base = EN_VOICE
    male_formant, male_low = (MALE_FORMANT, MALE_LOW) if planner >= 2 else _V1_MALE
    formant = float(rng.uniform(1.0, 1.12) if gender == "female" else rng.uniform(*male_formant))
    breath = float(rng.uniform(0.0, 0.35))
    vib_hz, vib_c = float(rng.uniform(4.8, 6.2)), float(rng.uniform(15, 40))
    shift = int(rng.integers(-2, 3))
    lo = 57 if gender == "female" else male_low
    rng_ = (lo + shift, lo + 19 + shift)
    if profile:
        rng_ = followed_range(profile)
    engine = spec.style.voice_engine or DEFAULT_VOICE_ENGINE  # no random draw: other choices stay as they were
    speaker = "piper-joe" if engine == "neural" else f"{base}+{variant}"
    vid = f"{speaker}/f{formant:.2f}/b{breath:.2f}"
    return Voice(vid, gender, f"{base}+{variant}", f"cmn-latn-pinyin+{variant}", round(formant, 3), round(breath, 3),
                 round(vib_hz, 2), round(vib_c, 1), rng_, engine)


def _cover(timing: LyricTiming) -> tuple[Span, ...]:
    """Sections covering [0, duration]: gaps become intro/inst/outro; songs without a bar grid get one span."""
    if timing.grid_start is None:
        kind = timing.sections[0].label if timing.sections else "verse"
        return (Span(kind, 0.0, timing.duration),)
    out, t = [], 0.0
    for s in timing.sections:
        if s.start > t + 1e-6:
            out.append(Span("intro" if not out else "inst", t, s.start))
        out.append(s)
        t = s.end
    if t < timing.duration - 1e-6:
        out.append(Span("outro", t, timing.duration))
    return tuple(out)


def band_programs(choice, own: tuple[int, ...], planner: int = PLANNER) -> tuple[int, ...]:
    """The 'other' stem's GM programs: the instruments the text (or a style reference) names, first and loudest, then
    the style's own up to BAND_SIZE ("funk with horns" is a funk band with horns: its guitar and organ stay); the
    named ones alone when the text says so ("piano only") or for planners before 5."""
    if not choice.programs:
        return own
    if planner < 5 or choice.named_only:
        return choice.programs
    return tuple(dict.fromkeys(choice.programs + own))[:max(BAND_SIZE, len(choice.programs))]


def make_plan(spec: SongSpec, timing: LyricTiming, seed: int | None = None, planner: int = PLANNER) -> SongPlan:
    """The song's plan; `planner`: the version (PLANNER) a corpus was built with, to plan its clips again."""
    seed = song_seed(spec, seed)
    rng = np.random.default_rng(seed)
    choice = choice_for(spec.style)
    style = BY_NAME[choice.style]
    for version, before in sorted(_STYLES_BEFORE.items(), reverse=True):
        if planner < version and style.name in before:
            style = replace(style, **before[style.name])
    key = choose_key(spec, style, rng)
    voice = choose_voice(spec, rng, planner)
    sections = _cover(timing)
    origin = timing.grid_start or 0.0
    grid = Grid(timing.bpm, timing.meter, origin, style.swing)
    chords = plan_chords(spec, sections, key, style, grid.bar, origin, timing.duration, rng)
    melody = plan_melody(timing, chords, key, voice.range, rng, spec.controls.melody, style.delivery)
    f0 = f0_curve(melody, timing.duration, voice.vibrato_hz, voice.vibrato_cents,
                  delivery="sung" if spec.controls.melody else style.delivery)
    beat = 60.0 / timing.bpm
    beats = tuple(round(origin + k * beat, 6) for k in range(int((timing.duration - origin) / beat + 1e-6) + 1)
                  if origin + k * beat < timing.duration - 1e-6)
    downbeats = beats[::timing.meter]
    programs = band_programs(choice, style.programs, planner)
    drums, bass, other = (plan_drums(grid, sections, style, timing.duration, spec.controls.drums),
                          plan_bass(grid, sections, chords, style, timing.duration),
                          plan_comping(grid, sections, chords, style, timing.duration))
    if planner >= 2:
        drums, bass, other = humanize(drums, bass, other, programs, seed, drums_given=bool(spec.controls.drums))
    return SongPlan(
        spec=spec, timing=timing, seed=seed, style=style.name, key=key, bpm=timing.bpm, meter=timing.meter,
        duration=timing.duration, sections=sections, beats=beats, downbeats=downbeats, chords=chords, melody=melody,
        f0=f0, bass=bass, other=other, drums=drums, programs=programs,
        bass_program=style.bass_program if choice.bass_program is None else choice.bass_program, kit=style.kit,
        levels_db=style.levels_db, voice=voice)
