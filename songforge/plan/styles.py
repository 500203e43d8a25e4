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
    parent: str = ""  # styles added after the first twelve: the nearest of those (models trained before it read that)
    voicing: str = "full"  # comping chords: "full" (every chord tone + the octave) or "power" (root, fifth, octave)
    comp_low: int = 50  # MIDI note the comping chord's root sits at or above (within an octave)
    delivery: str = "sung"  # the lead vocal: "sung" (a melody) or "rap" (speech-like pitch near one tone)


_BACKBEAT = "....x.......x..."
_EIGHTHS = "x.x.x.x.x.x.x.x."
STYLES = (
    StyleInfo("pop", 112, (95, 128), ("pop", "dance pop", "synthpop", "j-pop", "pop song", "流行"), 0.25,
              ("I V vi IV", "vi IV I V", "I vi IV V", "IV I V vi"),
              drums={"kick": "x.......x.x.....", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=0,
              bass="R...R...R.R.R...", comp="C...C...C...C.C.", programs=(0, 89), levels_db=(0, -5, -6, -7)),
    StyleInfo("rock", 124, (100, 150), ("rock", "pop rock", "indie rock", "punk", "alternative", "grunge", "摇滚"), 0.3,
              ("I bVII IV I", "I IV V IV", "vi IV I V", "I V IV IV"),
              drums={"kick": "x.....x.x.......", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=16,
              bass="R.R.R.R.R.R.R.R.", bass_program=34, comp="C.C.C.C.C.C.C.C.", programs=(29,),
              levels_db=(0, -4.5, -6, -6)),
    StyleInfo("folk", 96, (76, 116), ("folk", "indie folk", "acoustic", "singer-songwriter", "民谣"), 0.25,
              ("I IV I V", "I vi IV V", "IV I V I", "I V vi IV"),
              drums={"kick": "x.......x.......", "rim": "....x.......x...", "hihat": "x...x...x...x..."}, kit=40,
              bass="R.......5.......", bass_program=32, comp="A.A.A.A.A.A.A.A.", programs=(25,),
              levels_db=(0, -10, -7, -5)),
    StyleInfo("ballad", 72, (60, 84), ("ballad", "power ballad", "slow", "抒情"), 0.3,
              ("I V vi IV", "I vi IV V", "IV V iii vi", "I iii IV V"),
              drums={"kick": "x.........x.....", "snare": "........x.......", "hihat": _EIGHTHS}, kit=8,
              bass="R-------R-------", bass_program=32, comp="A.A.A.A.A.A.A.A.", programs=(0, 48),
              levels_db=(0, -11, -7, -5)),
    StyleInfo("rnb", 88, (70, 100), ("r&b", "rnb", "neo soul", "neo-soul", "contemporary r&b", "节奏布鲁斯"), 0.35,
              ("ii7 V7 Imaj7 vi7", "Imaj7 vi7 ii7 V7", "IVmaj7 iii7 vi7 ii7"),
              drums={"kick": "x..x......x.....", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=0,
              bass="R.....R...5..R..", comp="C--.....C--.....", programs=(4,), swing=0.2),
    StyleInfo("hiphop", 92, (80, 100), ("hip hop", "hip-hop", "hiphop", "rap", "boom bap", "说唱", "嘻哈"), 0.7,
              ("i VI III VII", "i iv VI V", "i VII VI VII"),
              drums={"kick": "x......x..x.....", "snare": _BACKBEAT, "hihat": "xxx.x.x.x.xxx.x."}, kit=25,
              bass="R-----....R-----", bass_program=38, comp="C-------C-------", programs=(4, 89),
              levels_db=(0, 1, -3, -12), swing=0.15, delivery="rap"),
    StyleInfo("edm", 126, (118, 132), ("edm", "electronic", "dance", "techno", "trance", "electro", "big room", "电子"), 0.5,
              ("vi IV I V", "IV V vi vi", "I V vi IV"),
              drums={"kick": "x...x...x...x...", "clap": _BACKBEAT, "open_hihat": "..x...x...x...x."}, kit=24,
              bass="..R...R...R...R.", bass_program=38, comp="C.C..C.C..C.C.C.", programs=(90,),
              levels_db=(0, -4, -5, -7)),
    StyleInfo("jazz", 120, (90, 160), ("jazz", "swing", "bebop", "big band", "jazz standard", "爵士"), 0.2,
              ("ii7 V7 Imaj7 Imaj7", "Imaj7 VI7 ii7 V7", "iii7 VI7 ii7 V7"),
              drums={"ride": "x...x.x.x...x.x.", "kick": "x.......x.......", "pedal_hihat": _BACKBEAT}, kit=32,
              bass="W...W...W...W...", bass_program=32, comp="C-----C-----C---", programs=(0,),
              levels_db=(0, -10, -6, -6), swing=0.33),
    StyleInfo("country", 104, (84, 124), ("country", "bluegrass", "americana", "乡村"), 0.1,
              ("I IV V I", "I I IV V", "I V IV I"),
              drums={"kick": "x.......x.......", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=8,
              bass="R.......5.......", comp="C.C.C.C.C.C.C.C.", programs=(25,), levels_db=(0, -5, -6, -7)),
    StyleInfo("mandopop", 84, (66, 100), ("mandopop", "c-pop", "cpop", "chinese pop", "华语", "华语流行"), 0.25,
              ("I V vi iii IV I IV V", "vi IV V I", "I vi IV V"), chords_per_bar=2,
              drums={"kick": "x.........x.....", "snare": _BACKBEAT, "hihat": _EIGHTHS}, kit=0,
              bass="R.......R...5...", comp="A.A.A.A.A.A.A.A.", programs=(0, 48)),
    StyleInfo("reggae", 80, (70, 92), ("reggae", "ska", "dub", "雷鬼"), 0.3,
              ("I V vi IV", "I IV V IV", "ii V I I"),
              drums={"kick": "........x.......", "rim": "........x.......", "hihat": _EIGHTHS}, kit=0,
              bass="....R.R.....5...", comp="..C...C...C...C.", programs=(16,), levels_db=(0, -8, -3.5, -7)),
    StyleInfo("metal", 140, (110, 180), ("metal", "heavy metal", "hard rock", "金属"), 0.85,
              ("i VI VII i", "i VI III VII", "i VII VI VII"),
              drums={"kick": _EIGHTHS, "snare": _BACKBEAT, "ride": "x...x...x...x..."}, kit=16,
              bass="R.R.R.R.R.R.R.R.", bass_program=34, comp="C.C.C.C.C.C.C.C.", programs=(29, 48),
              levels_db=(-4, -3, -5, -1), voicing="power", comp_low=38),
    # Added in session 10 (each with `parent`: the slot a model trained on the first twelve reads).
    StyleInfo("dnb", 174, (164, 180), ("drum and bass", "drum & bass", "drum'n'bass", "dnb", "jungle", "liquid funk",
                                       "neurofunk"), 0.8,
              ("i VI III VII", "i iv VI V", "i i VI VII"),
              drums={"kick": "x.........x.....", "snare": "....x.......x...", "hihat": "x.x.x.xxx.x.x.xx",
                     "ride": "..x...x...x...x."}, kit=24,
              bass="R-------..R-----", bass_program=38, comp="C---------------", programs=(81, 89),
              levels_db=(0, -5, -4, -9), parent="edm"),
    StyleInfo("house", 124, (118, 128), ("house", "deep house", "tech house", "disco house", "garage"), 0.4,
              ("ii7 V7 Imaj7 vi7", "vi7 IVmaj7 Imaj7 V7", "i7 iv7 i7 VII"),
              drums={"kick": "x...x...x...x...", "clap": _BACKBEAT, "open_hihat": "..x...x...x...x.",
                     "hihat": "x.x.x.x.x.x.x.x."}, kit=25,
              bass="..R...R.5.R...R.", bass_program=39, comp="..C...C...C...C.", programs=(0, 50),
              levels_db=(0, -5, -5, -7), parent="edm"),
    StyleInfo("trap", 140, (130, 150), ("trap", "drill", "atlanta trap", "陷阱"), 0.85,
              ("i VI III VII", "i iv i VI", "i VI iv V"),
              drums={"kick": "x......x..x.....", "snare": "........x.......", "hihat": "xxxxxxrxx.x.xxrr",
                     "clap": "........x......."}, kit=25,
              bass="R-------R--..R--", bass_program=39, comp="C---------------", programs=(10, 89),
              levels_db=(0, -6, -3.5, -9), parent="hiphop", delivery="rap"),
    StyleInfo("lofi", 80, (70, 90), ("lo-fi", "lofi", "lo fi", "chillhop", "bedroom pop", "study beats"), 0.35,
              ("ii7 V7 Imaj7 vi7", "IVmaj7 iii7 vi7 ii7", "Imaj7 vi7 IVmaj7 V7"),
              drums={"kick": "x......x..x.....", "snare": "....o.......o...", "hihat": "o.o.o.o.o.o.o.o."}, kit=8,
              bass="R.....R...5.....", bass_program=32, comp="C--.....C--.....", programs=(4, 11),
              levels_db=(0, -9, -6, -6), swing=0.25, parent="hiphop"),
    StyleInfo("funk", 108, (96, 120), ("funk", "funky", "p-funk", "disco", "boogie", "放克"), 0.3,
              ("I7 IV7 I7 IV7", "I7 I7 IV7 V7", "ii7 V7 ii7 V7"),
              drums={"kick": "x..x..x...x.x...", "snare": "....x..o.o..x...", "hihat": "xxxxxxxxxxxxxxxx"}, kit=0,
              bass="R..8..R.5.R..8..", bass_program=36, comp="..C..C.C..C..C.C", programs=(28, 16),
              levels_db=(0, 0, -3, -7), swing=0.08, parent="rnb"),
    StyleInfo("soul", 96, (78, 112), ("soul", "motown", "gospel", "northern soul", "灵魂乐"), 0.3,
              ("I vi IV V", "I IV I V", "Imaj7 IVmaj7 iii7 vi7", "I iii IV V"),
              drums={"kick": "x.......x.x.....", "snare": _BACKBEAT, "hihat": _EIGHTHS, "tambourine": _BACKBEAT},
              kit=0, bass="R...R.5.R...R.8.", bass_program=33, comp="C...C...C...C...", programs=(4, 48),
              levels_db=(0, -6, -5, -6), swing=0.12, parent="rnb"),
    StyleInfo("blues", 92, (70, 120), ("blues", "delta blues", "chicago blues", "blues rock", "shuffle", "布鲁斯"), 0.15,
              ("I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7", "I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 I7"),
              drums={"kick": "x.......x.......", "snare": _BACKBEAT, "ride": _EIGHTHS}, kit=8,
              bass="W...W...W...W...", bass_program=33, comp="C.C.C.C.C.C.C.C.", programs=(29, 16),
              levels_db=(0, -7, -6, -5), swing=0.33, parent="jazz"),
    StyleInfo("bossa", 132, (116, 144), ("bossa nova", "bossa", "latin", "samba", "brazilian", "bolero", "波萨诺瓦"), 0.4,
              ("Imaj7 ii7 V7 Imaj7", "ii7 V7 Imaj7 VI7", "Imaj7 IV7 iii7 VI7"),
              drums={"kick": "x.......x.......", "rim": "o..o..o...o..o..", "shaker": "x.o.x.o.x.o.x.o.",
                     "pedal_hihat": "x...x...x...x..."}, kit=40,
              bass="R..5....R..5....", bass_program=32, comp="C..C..C...C..C..", programs=(24, 73),
              levels_db=(0, -11, -6, -5), parent="jazz"),
    StyleInfo("kpop", 118, (100, 130), ("k-pop", "kpop", "korean pop", "idol pop", "韩流"), 0.45,
              ("vi IV I V", "i VI III VII", "IV V iii vi", "vi V IV V"),
              drums={"kick": "x..x..x.x...x...", "clap": _BACKBEAT, "hihat": "xxxxxxxxxxxxxxxx"}, kit=24,
              bass="R.R...R.R.R...R.", bass_program=38, comp="C..C..C.C..C..C.", programs=(81, 88),
              levels_db=(0, -5, -5, -7), parent="pop"),
    StyleInfo("classical", 100, (72, 126), ("classical", "baroque", "string quartet", "chamber music", "古典"), 0.35,
              ("I IV V I", "I vi ii V", "I V vi iii IV I IV V", "i iv V i"), chords_per_bar=2,
              drums={}, kit=48, bass="R...R...R...R...", bass_program=42, comp="A.A.A.A.A.A.A.A.", programs=(6, 48),
              levels_db=(0, -20, -6, -4), parent="ballad"),
    StyleInfo("cinematic", 80, (62, 100), ("cinematic", "orchestral", "epic", "film score", "soundtrack", "trailer",
                                           "史诗", "电影配乐"), 0.6,
              ("i VI III VII", "i iv VI V", "vi IV I V", "I V vi IV"),
              drums={"kick": "x.......x.......", "tom_low": "....x.......x...", "shaker": "o.o.o.o.o.o.o.o."}, kit=48,
              bass="R-------R-------", bass_program=43, comp="C-------C-------", programs=(48, 60),
              levels_db=(0, -9, -5, -4), parent="ballad"),
    StyleInfo("ambient", 70, (60, 84), ("ambient", "atmospheric", "drone", "new age", "chillout", "meditation", "氛围"),
              0.4, ("Imaj7 IVmaj7", "vi7 IVmaj7", "I V vi IV", "Imaj7 iii7 IVmaj7 IVmaj7"),
              drums={}, kit=24,
              bass="R---------------", bass_program=38, comp="C---------------", programs=(95, 52),
              levels_db=(0, -11, -7, -4), parent="ballad"),
)
DEFAULT = STYLES[0]
BY_NAME = {s.name: s for s in STYLES}
