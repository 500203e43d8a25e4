"""Style table: what a style tag implies for tempo (the data engine extends it with harmony and groove)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StyleInfo:
    name: str
    bpm: float  # default tempo
    bpm_range: tuple[float, float]
    keywords: tuple[str, ...]  # tag words that select this style


STYLES = (
    StyleInfo("pop", 112, (95, 128), ("pop", "dance pop", "synthpop", "k-pop", "j-pop")),
    StyleInfo("rock", 124, (100, 150), ("rock", "pop rock", "indie rock", "punk", "alternative", "grunge")),
    StyleInfo("folk", 96, (76, 116), ("folk", "indie folk", "acoustic", "singer-songwriter")),
    StyleInfo("ballad", 72, (60, 84), ("ballad", "power ballad", "slow")),
    StyleInfo("rnb", 88, (70, 100), ("r&b", "rnb", "soul", "neo soul", "neo-soul")),
    StyleInfo("hiphop", 92, (80, 100), ("hip hop", "hip-hop", "hiphop", "rap", "trap", "lofi", "lo-fi")),
    StyleInfo("edm", 126, (118, 132), ("edm", "house", "electronic", "dance", "techno", "trance", "electro")),
    StyleInfo("jazz", 120, (90, 160), ("jazz", "swing", "bossa nova", "bossa", "blues")),
    StyleInfo("country", 104, (84, 124), ("country", "bluegrass", "americana")),
    StyleInfo("mandopop", 84, (66, 100), ("mandopop", "c-pop", "cpop", "chinese pop", "华语", "流行")),
    StyleInfo("reggae", 80, (70, 92), ("reggae", "ska", "dub")),
    StyleInfo("metal", 140, (110, 180), ("metal", "heavy metal", "hard rock")),
)
DEFAULT = STYLES[0]


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
