"""Style table: tempo, harmony, groove and instrumentation per style (at least 10 with distinct character).

Patterns are one 4/4 bar on a 16th grid. Drums: 'x' hit, 'o' soft hit. Bass: 'R' root, '5' fifth, '8' octave,
'W' walking quarter, '-' hold, '.' rest. Comping: 'C' chord, 'A' arpeggio note, '-' hold, '.' rest."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StyleInfo:
    name: str
    bpm: float  # default tempo
    bpm_range: tuple[float, float]
    keywords: tuple[str, ...]  # tag words that select this style
    minor: float = 0.3  # chance of a minor key when the tags do not say
    progressions: tuple[str, ...] = ("I V vi IV",)
    chords_per_bar: int = 1
    drums: dict = field(default_factory=dict)  # instrument -> 16-step pattern
    kit: int = 0  # GM drum kit (bank 128 preset)
    bass: str = "R...R...R.R.R..."
    bass_program: int = 33
    comp: str = "C...C...C...C..."
    programs: tuple[int, ...] = (0,)  # 'other' stem: GM programs
    levels_db: tuple[float, float, float, float] = (0.0, -7.0, -6.0, -7.0)  # vocals, drums, bass, other (dB)
    swing: float = 0.0  # delay of off-beat 8ths, as a fraction of an 8th


_BACKBEAT = "....x.......x..."
_EIGHTHS = "x.x.x.x.x.x.x.x."
STYLES = (
    StyleInfo("pop", 112, (95, 128), ("pop", "dance pop", "synthpop", "k-pop", "j-pop"), 0.25,
              ("I V vi IV", "vi IV I V", "I vi IV V", "IV I V vi"),
              drums={"kick": "x.......x.x.....", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=0,
              bass="R...R...R.R.R...", comp="C...C...C...C.C.", programs=(0, 89)),
    StyleInfo("rock", 124, (100, 150), ("rock", "pop rock", "indie rock", "punk", "alternative", "grunge"), 0.3,
              ("I bVII IV I", "I IV V IV", "vi IV I V", "I V IV IV"),
              drums={"kick": "x.....x.x.......", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=16,
              bass="R.R.R.R.R.R.R.R.", bass_program=34, comp="C.C.C.C.C.C.C.C.", programs=(29,),
              levels_db=(0, -6.5, -6, -6)),
    StyleInfo("folk", 96, (76, 116), ("folk", "indie folk", "acoustic", "singer-songwriter"), 0.25,
              ("I IV I V", "I vi IV V", "IV I V I", "I V vi IV"),
              drums={"kick": "x.......x.......", "rim": "....x.......x...", "hihat": "x...x...x...x..."}, kit=40,
              bass="R.......5.......", bass_program=32, comp="A.A.A.A.A.A.A.A.", programs=(25,),
              levels_db=(0, -12, -7, -5)),
    StyleInfo("ballad", 72, (60, 84), ("ballad", "power ballad", "slow"), 0.3,
              ("I V vi IV", "I vi IV V", "IV V iii vi", "I iii IV V"),
              drums={"kick": "x.........x.....", "snare": "........x.......", "hihat": _EIGHTHS}, kit=8,
              bass="R-------R-------", bass_program=32, comp="A.A.A.A.A.A.A.A.", programs=(0, 48),
              levels_db=(0, -11, -7, -5)),
    StyleInfo("rnb", 88, (70, 100), ("r&b", "rnb", "soul", "neo soul", "neo-soul"), 0.35,
              ("ii7 V7 Imaj7 vi7", "Imaj7 vi7 ii7 V7", "IVmaj7 iii7 vi7 ii7"),
              drums={"kick": "x..x......x.....", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=0,
              bass="R.....R...5..R..", comp="C--.....C--.....", programs=(4,), swing=0.2),
    StyleInfo("hiphop", 92, (80, 100), ("hip hop", "hip-hop", "hiphop", "rap", "trap", "lofi", "lo-fi"), 0.7,
              ("i VI III VII", "i iv VI V", "i VII VI VII"),
              drums={"kick": "x......x..x.....", "snare": _BACKBEAT, "hihat": "xxx.x.x.x.xxx.x."}, kit=25,
              bass="R-----....R-----", bass_program=38, comp="C-------C-------", programs=(4, 89),
              levels_db=(0, -6, -4, -8), swing=0.15),
    StyleInfo("edm", 126, (118, 132), ("edm", "house", "electronic", "dance", "techno", "trance", "electro"), 0.5,
              ("vi IV I V", "IV V vi vi", "I V vi IV"),
              drums={"kick": "x...x...x...x...", "clap": _BACKBEAT, "open_hihat": "..x...x...x...x."}, kit=24,
              bass="..R...R...R...R.", bass_program=38, comp="C.C..C.C..C.C.C.", programs=(90,),
              levels_db=(0, -6, -5, -7)),
    StyleInfo("jazz", 120, (90, 160), ("jazz", "swing", "bossa nova", "bossa", "blues"), 0.2,
              ("ii7 V7 Imaj7 Imaj7", "Imaj7 VI7 ii7 V7", "iii7 VI7 ii7 V7"),
              drums={"ride": "x...x.x.x...x.x.", "kick": "x.......x.......", "pedal_hihat": _BACKBEAT}, kit=32,
              bass="W...W...W...W...", bass_program=32, comp="C-----C-----C---", programs=(0,),
              levels_db=(0, -12, -6, -6), swing=0.33),
    StyleInfo("country", 104, (84, 124), ("country", "bluegrass", "americana"), 0.1,
              ("I IV V I", "I I IV V", "I V IV I"),
              drums={"kick": "x.......x.......", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=8,
              bass="R.......5.......", comp="C.C.C.C.C.C.C.C.", programs=(25,)),
    StyleInfo("mandopop", 84, (66, 100), ("mandopop", "c-pop", "cpop", "chinese pop", "华语", "流行"), 0.25,
              ("I V vi iii IV I IV V", "vi IV V I", "I vi IV V"), chords_per_bar=2,
              drums={"kick": "x.........x.....", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=0,
              bass="R.......R...5...", comp="A.A.A.A.A.A.A.A.", programs=(0, 48)),
    StyleInfo("reggae", 80, (70, 92), ("reggae", "ska", "dub"), 0.3,
              ("I V vi IV", "I IV V IV", "ii V I I"),
              drums={"kick": "........x.......", "rim": "........x.......", "hihat": _EIGHTHS}, kit=0,
              bass="....R.R.....5...", comp="..C...C...C...C.", programs=(16,), levels_db=(0, -8, -3.5, -7)),
    StyleInfo("metal", 140, (110, 180), ("metal", "heavy metal", "hard rock"), 0.85,
              ("i VI VII i", "i VI III VII", "i VII VI VII"),
              drums={"kick": _EIGHTHS, "snare": _BACKBEAT, "ride": "x...x...x...x..."}, kit=16,
              bass="R.R.R.R.R.R.R.R.", bass_program=34, comp="C.C.C.C.C.C.C.C.", programs=(29, 48),
              levels_db=(0, -6, -5, -5)),
)
DEFAULT = STYLES[0]
BY_NAME = {s.name: s for s in STYLES}

# Tag words that choose the 'other' instruments (GM programs), whatever the style.
INSTRUMENT_TAGS = {"piano": 0, "electric piano": 4, "rhodes": 4, "organ": 16, "acoustic guitar": 25,
                   "electric guitar": 27, "guitar": 25, "distorted guitar": 30, "strings": 48, "violin": 40,
                   "cello": 42, "synth": 81, "synthesizer": 81, "pad": 89, "brass": 61, "trumpet": 56,
                   "saxophone": 65, "sax": 65, "flute": 73, "harp": 46, "accordion": 21}


def style_from_tags(tags: tuple[str, ...]) -> StyleInfo:
    """The first style a tag names (exact keyword first, then a keyword inside the tag); pop when none does."""
    low = [t.strip().lower() for t in tags]
    for t in low:
        for s in STYLES:
            if t in s.keywords or t == s.name:
                return s
    for t in low:
        for s in STYLES:
            if any(k in t.split() or k in t for k in s.keywords if len(k) > 3):
                return s
    return DEFAULT


def programs_from_tags(tags: tuple[str, ...], style: StyleInfo) -> tuple[int, ...]:
    """'other' stem instruments: those the tags name (longest names first), else the style's."""
    text = " " + " , ".join(t.lower() for t in tags) + " "
    found, taken = [], text
    for name in sorted(INSTRUMENT_TAGS, key=len, reverse=True):
        if f" {name}" in taken:
            found.append(INSTRUMENT_TAGS[name])
            taken = taken.replace(f" {name}", " ")
    return tuple(dict.fromkeys(found))[:2] or style.programs
