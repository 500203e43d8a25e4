"""Random song specs for the corpus: style, language, voice gender, tempo, structure and lyrics, all drawn
from one seed per clip, so a corpus is a pure function of (seed, clip index)."""
from __future__ import annotations

import numpy as np

from ..spec.song import Controls, Generation, Line, Section, SongSpec, Style, Word
from ..spec.words import split_words
from ..plan.describe import WEAK_KEYWORDS
from ..plan.styles import STYLES
from .lyrics import chorus_lines, section_lines

MOODS = ("happy", "sad", "hopeful", "dreamy", "energetic", "calm", "dark", "warm", "bright", "melancholic")
INSTRUMENT_TAGS = ("piano", "acoustic guitar", "electric guitar", "strings", "synth", "organ", "electric piano", "pad")
NEURAL_SHARE = 0.7  # share of clips whose English words the neural voice sings (the rest: espeak-ng)


def clip_rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, index])


def _line(text: str, language: str) -> Line:
    return Line(tuple(Word(w) for w in split_words(text)), language)


def random_spec(seed: int, index: int, styles: tuple[str, ...] | None = None, languages: tuple[str, ...] = ("en", "zh"),
                full_song: bool = False, neural_share: float = NEURAL_SHARE) -> SongSpec:
    """Clip `index` of corpus `seed`: one or two lyric sections (10-30 s at the planned tempo) or, with
    full_song, intro-verse-chorus-verse-chorus-bridge-chorus-outro. English words are sung by the neural
    voice in `neural_share` of the clips, by espeak-ng in the rest."""
    rng = clip_rng(seed, index)
    pool = [s for s in STYLES if not styles or s.name in styles]
    style = pool[int(rng.integers(len(pool)))]
    language = languages[int(rng.integers(len(languages)))]
    gender = "female" if rng.random() < 0.5 else "male"
    words = [k for k in style.keywords if k not in WEAK_KEYWORDS]  # words that name this style alone
    tags = [words[int(rng.integers(len(words)))] if rng.random() < 0.5 else style.name,
            f"{gender} vocals", MOODS[int(rng.integers(len(MOODS)))]]
    if rng.random() < 0.4:
        tags.append(INSTRUMENT_TAGS[int(rng.integers(len(INSTRUMENT_TAGS)))])
    bpm = float(round(rng.uniform(*style.bpm_range)))
    if full_song:
        verse1, verse2 = section_lines(rng, language, 4), section_lines(rng, language, 4)
        chorus = chorus_lines(rng, language, 4)
        bridge = section_lines(rng, language, 2)
        plan = [("intro", "short", []), ("verse", None, verse1), ("chorus", None, chorus), ("verse", None, verse2),
                ("chorus", None, chorus), ("bridge", None, bridge), ("chorus", None, chorus), ("outro", "short", [])]
    else:
        kind = ("verse", "chorus", "bridge", "prechorus")[int(rng.integers(4))]
        n = int(rng.integers(2, 5))
        lines = chorus_lines(rng, language, n) if kind == "chorus" else section_lines(rng, language, n)
        plan = [("intro", "short", [])] if rng.random() < 0.3 else []
        plan.append((kind, None, lines))
        if rng.random() < 0.3:
            plan.append(("chorus", None, chorus_lines(rng, language, 2)))
    sections = tuple(Section(k, tuple(_line(t, language) for t in lines), ln) for k, ln, lines in plan)
    # the voice engine from its own stream, so every other draw stays what it was before engines existed
    engine = "neural" if np.random.default_rng([seed, index, 1]).random() < neural_share else "espeak"
    return SongSpec(f"{seed}-{index:06d}", sections, None, Style(tuple(tags), voice_engine=engine), Controls(bpm=bpm),
                    Generation(seed=int(rng.integers(2 ** 31))), source=f"corpus seed {seed}")


def fit_clip(spec: SongSpec, min_s: float, max_s: float) -> SongSpec:
    """Drop trailing lines (then sections) while the planned clip is longer than max_s; add an instrumental
    outro (then intro) while it is shorter than min_s."""
    from dataclasses import replace

    from ..plan.timing import time_song
    for _ in range(40):
        d = time_song(spec).duration
        sections = list(spec.sections)
        if d > max_s:
            lyric = [i for i, s in enumerate(sections) if s.lines]
            if len(lyric) > 1 and len(sections[lyric[-1]].lines) <= 1:
                sections.pop(lyric[-1])
            elif lyric and len(sections[lyric[-1]].lines) > 1:
                s = sections[lyric[-1]]
                sections[lyric[-1]] = replace(s, lines=s.lines[:-1])
            elif sections and not sections[0].lines:
                sections.pop(0)
            else:
                return spec
        elif d < min_s:
            if sections[-1].kind != "outro":
                sections.append(Section("outro", (), "short"))
            elif sections[0].kind != "intro":
                sections.insert(0, Section("intro", (), "short"))
            else:
                longer = {"short": "medium", "medium": "long"}.get(sections[-1].length)
                if longer is None:
                    return spec
                sections[-1] = replace(sections[-1], length=longer)
        else:
            return spec
        spec = replace(spec, sections=tuple(sections))
    return spec
