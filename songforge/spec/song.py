"""SongSpec: what the user asked for. Frozen dataclasses; times in seconds; nothing here needs torch."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

LYRIC_KINDS = ("verse", "prechorus", "chorus", "bridge")
INSTRUMENTAL_KINDS = ("intro", "inst", "outro", "silence")
SECTION_KINDS = LYRIC_KINDS + INSTRUMENTAL_KINDS
LENGTHS = ("short", "medium", "long")


@dataclass(frozen=True)
class Word:
    text: str
    start: float | None = None
    end: float | None = None
    phonemes: tuple[str, ...] | None = None  # optional override in the shared inventory; "|" separates syllables

    @property
    def timed(self) -> bool:
        return self.start is not None and self.end is not None


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]
    language: str | None = None  # "en", "zh", or None: detected per word
    start: float | None = None  # line-level time (LRC); word times take precedence
    end: float | None = None

    @property
    def text(self) -> str:
        out = ""
        for w in self.words:
            if out and not (_is_cjk(out[-1]) and _is_cjk(w.text[:1])):
                out += " "
            out += w.text
        return out


@dataclass(frozen=True)
class Section:
    kind: str
    lines: tuple[Line, ...] = ()
    length: str | None = None  # short|medium|long, for instrumental sections

    @property
    def tag(self) -> str:
        return f"{self.kind}-{self.length}" if self.length else self.kind

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for ln in self.lines for w in ln.words)


@dataclass(frozen=True)
class StyleProfile:
    """What a style reference recording says, as heard by the trained ears (songforge/ears/reference.py): data the
    planner reads, so that the planner itself never listens."""
    bpm: float
    tempo_folded: bool  # the tracked tempo was doubled or halved into the style's range
    key: str  # "A minor"
    key_strength: float  # the key estimator's probability of that key (key profiles: the profile score)
    style: str | None  # None: no tagger available
    style_confidence: float
    programs: tuple[int, ...]  # 'other' stem GM programs implied by what the tagger hears
    bass_program: int | None
    gender: str | None
    loudness_lufs: float
    brightness_hz: float
    seconds: float  # analysed

    def as_dict(self) -> dict:
        from dataclasses import asdict
        return asdict(self)


@dataclass(frozen=True)
class VoiceProfile:
    """What a voice reference recording says (voice follow: SongGeneration's timbre prompt), as heard by the ears
    (songforge/ears/voice.py): the sung register and gender, data the planner reads."""
    median_midi: float  # of the voiced frames
    low_midi: float  # 10th percentile
    high_midi: float  # 90th percentile
    gender: str  # "male" | "female", from the median F0
    voiced_s: float


@dataclass(frozen=True)
class Style:
    tags: tuple[str, ...] = ()
    text: str | None = None  # free-text description
    reference_audio: str | None = None  # style reference recording
    voice_reference: str | None = None  # timbre reference recording
    auto_prompt: str | None = None  # LeVo auto_prompt_audio_type
    voice_engine: str | None = None  # singing voice: "neural" | "espeak" (None: the renderer's default)
    # what reference_audio says (attached by songforge.songs.load through the ears), or why it could not be heard
    reference_analysis: StyleProfile | str | None = field(default=None, compare=False)
    # what voice_reference says (attached the same way, songforge.ears.voice.heard), or why it could not be heard
    voice_analysis: VoiceProfile | str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Chord:
    symbol: str
    start: float
    end: float


@dataclass(frozen=True)
class Note:
    pitch: int  # MIDI note number
    start: float
    end: float


@dataclass(frozen=True)
class DrumHit:
    time: float
    instrument: str  # kick, snare, hihat, ... (GM names in plan/drums)


@dataclass(frozen=True)
class Controls:
    key: str | None = None  # e.g. "C major", "F# minor"
    bpm: float | None = None
    meter: int | None = None  # beats per bar
    chords: tuple[Chord, ...] = ()
    melody: tuple[Note, ...] = ()
    drums: tuple[DrumHit, ...] = ()


@dataclass(frozen=True)
class Generation:
    seed: int | None = None
    steps: int | None = None
    sampler: str | None = None
    guidance: tuple[tuple[str, float], ...] = ()  # (condition name, weight) pairs


@dataclass(frozen=True)
class SongSpec:
    id: str
    sections: tuple[Section, ...]
    duration: float | None = None
    style: Style = Style()
    controls: Controls = Controls()
    generation: Generation = Generation()
    instrumental: bool = False  # no lyrics on purpose: vocals stay silent
    metadata: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (key, JSON text): kept, not used
    source: str = field(default="<input>", compare=False)  # file it was read from, for messages
    item: str | None = field(default=None, compare=False)  # where in that file, e.g. "line 3 (idx 'x')"
    notes: tuple[tuple[str | None, str], ...] = field(default=(), compare=False)  # (field, message) from the reader

    @property
    def where(self):
        from ..errors import Where
        return Where(self.source, self.item or f"id '{self.id}'")

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(ln for s in self.sections for ln in s.lines)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for ln in self.lines for w in ln.words)

    @property
    def word_timed(self) -> bool:
        ws = self.words
        return bool(ws) and all(w.timed for w in ws)

    @property
    def line_timed(self) -> bool:
        lines = self.lines
        return bool(lines) and all(ln.start is not None for ln in lines)

    def with_word_times(self, times: list[tuple[float, float]]) -> "SongSpec":
        """A copy whose words carry the given (start, end), in reading order."""
        it = iter(times)
        sections = []
        for s in self.sections:
            lines = []
            for ln in s.lines:
                words = []
                for w in ln.words:
                    a, b = next(it)
                    words.append(replace(w, start=round(a, 4), end=round(b, 4)))
                lines.append(replace(ln, words=tuple(words)))
            sections.append(replace(s, lines=tuple(lines)))
        return replace(self, sections=tuple(sections))


def _is_cjk(ch: str) -> bool:
    return bool(ch) and ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
