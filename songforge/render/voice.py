"""The singing voice. A source voice speaks the words — the neural (Piper) voice speaks each English phrase
at its planned phoneme durations (render/neural.py), or espeak-ng says each word (Mandarin: each pinyin
syllable; Spanish, French, German, Italian, Portuguese, Japanese, Korean: each word in that language's espeak-ng
voice) — WORLD analyses it, and the analysis is time-warped phoneme by phoneme onto the planned phoneme
times (for the neural voice: its spoken frames stretched over longer sung phonemes) and resynthesised with the planned F0 (with
vibrato), a formant shift and added breath: voiced where the planned phoneme is (neural voice) or where the source
voice was (espeak-ng). Silence outside the planned phonemes."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..plan.melody import F0_HOP_S
from ..plan.plan import SongPlan
from ..spec.words import strip_punct
from ..text.mandarin import to_pinyin
from ..text.espeak_g2p import ESPEAK_VOICES, speakable
from ..text.phonemes import is_voiced, is_vowel
from .espeak import engine

FRAME_MS = F0_HOP_S * 1000.0
FFT_SIZE = 1024  # CheapTrick analysis (F0 down to ~70 Hz at 24 kHz)
_CACHE_SIZE = 4000
NEURAL_SMOOTH_FRAMES = 3  # the neural voice's envelope, smoothed over 15 ms
NEURAL_FEMALE_FORMANT = 1.12  # the neural speaker is a man: female singers raise his formants this much more
# Where the neural voice is voiced: "phoneme" (each planned phoneme's own voicing, text/phonemes.is_voiced) or
# "source" (DIO on the spoken audio, vowels always voiced; what espeak's units use). DIO hears only 57% of the
# Piper voice's vowel frames and 40-60% of its nasals and liquids as voiced, so "source" whispered them: Whisper
# tiny.en WER on benchmarks/data/lyrics_en.txt 0.236 -> 0.164, the default model's generations 0.192 -> 0.132.
NEURAL_VOICING = "phoneme"
_TYPICAL_F0 = 120.0  # Hz: the period CheapTrick assumes on a voiced phoneme of a phrase where DIO found none


def synth_fft(sr: int) -> int:
    """WORLD synthesis FFT: half the analysis size at 24 kHz (each pulse response 21 ms, envelope bins
    47 Hz apart, finer than any sung harmonic spacing) — half the synthesis cost, the voice's largest."""
    return 512 if sr <= 24000 else FFT_SIZE


@dataclass(frozen=True)
class _Unit:
    """One espeak utterance: a word (English) or a syllable (Mandarin), and the plan's phonemes it covers."""
    text: str
    voice: str
    phonemes: tuple[int, ...]  # indices into timing.phonemes
    engine: str = "espeak"  # "neural": an English phrase spoken by the Piper voice


@dataclass(frozen=True)
class _Analysis:
    f0: np.ndarray  # [frames] Hz, 0 unvoiced
    log_sp: np.ndarray  # [frames, bins] float16 log spectral envelope (compact: the cache holds thousands)
    spans: tuple[tuple[float, float], ...]  # source frame span per expected phoneme


class Singer:
    """Sings a SongPlan's vocal line. Keeps an LRU cache of word analyses (one Singer per process).

    espeak-ng keeps waveform state between utterances, so bit-identical output needs a fresh process per
    song from a pristine parent (render/batch.py does that); within one song the order is fixed."""

    def __init__(self, sample_rate: int = 24000):
        self.sr = sample_rate
        self._cache: OrderedDict[tuple, _Analysis] = OrderedDict()

    def units(self, plan: SongPlan) -> list[_Unit]:
        t = plan.timing
        by_syl: dict[int, list[int]] = {}
        for i, p in enumerate(t.phonemes):
            by_syl.setdefault(p.syllable, []).append(i)
        neural = plan.voice.engine == "neural"
        out: list[_Unit] = []
        if neural:  # English phrases first, then Mandarin syllables (the order is fixed per song)
            from .neural import phrases
            out = [_Unit("", "piper-joe", idx, "neural") for idx in phrases(plan)]
        for wi, w in enumerate(t.words):
            syls = [k for k, s in enumerate(t.syllables) if s.word == wi]
            ph = tuple(i for k in syls for i in by_syl[k])
            if w.language == "zh":
                for k in syls:
                    out.append(_Unit(to_pinyin(t.syllables[k].syllable), plan.voice.espeak_zh, tuple(by_syl[k])))
            elif w.language in ESPEAK_VOICES:  # Spanish, French, ...: that language's espeak-ng voice, this singer's variant
                variant = plan.voice.espeak.partition("+")[2]
                voice = ESPEAK_VOICES[w.language] + (f"+{variant}" if variant else "")
                out.append(_Unit(speakable(strip_punct(w.text), w.language), voice, ph))
            elif not neural:
                syms = [t.phonemes[i].symbol for i in ph]
                text = "[[@]]" if syms == ["ə"] else strip_punct(w.text)
                out.append(_Unit(text, plan.voice.espeak, ph))
        return out

    def analyse(self, unit: _Unit, symbols: list[str]) -> _Analysis:
        key = (unit.voice, unit.text, tuple(symbols))
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        sp_ = engine().speak(unit.text, unit.voice)
        f0, log_sp = self._world(sp_.audio, sp_.sample_rate)
        scale = self.sr / sp_.sample_rate
        a = _Analysis(f0, log_sp, _spans(sp_.phonemes, symbols, scale / (self.sr * F0_HOP_S), len(f0)))
        self._cache[key] = a
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return a

    def _world(self, audio: np.ndarray, sample_rate: int, voicing=None) -> tuple[np.ndarray, np.ndarray]:
        """(F0, float16 log spectral envelope) per 5 ms frame of `audio`, resampled to self.sr. `voicing`, if
        given, corrects DIO's F0 track before the envelope is analysed."""
        import pyworld as pw
        import soxr
        x = soxr.resample(audio.astype(np.float64), sample_rate, self.sr)
        # Source F0 only decides voicing and guides CheapTrick (the sung F0 replaces it): fast DIO suffices.
        f0, tt = pw.dio(x, self.sr, frame_period=FRAME_MS, speed=4)
        if voicing is not None:
            f0 = voicing(f0)
        log_sp = np.log(pw.cheaptrick(x, f0, tt, self.sr, fft_size=FFT_SIZE) + 1e-16)
        step = FFT_SIZE // synth_fft(self.sr)  # bin k of the synthesis FFT is bin k*step of the analysis one
        log_sp = np.ascontiguousarray(log_sp[:, ::step]).astype(np.float16)
        return f0.astype(np.float32), log_sp

    def speak_phrase(self, plan: SongPlan, unit: _Unit) -> _Analysis:
        """The neural voice's phrase, analysed; spans are where each planned phoneme was spoken."""
        from .neural import speak_phrase
        spoken = speak_phrase(plan, unit.phonemes)
        # Analysed every 5 ms (every 10 ms, Whisper's WER on benchmarks/data/lyrics_en.txt rose 0.15 -> 0.26),
        # then smoothed over 15 ms, which no articulation is faster than: the decoder's output jitters from
        # frame to frame, and held under a sung F0 that jitter moves the harmonics' amplitudes and pulls pitch
        # trackers off (sung F0 error 5.0 -> 3.0 cents median over 12 clips)
        spans = tuple((a / F0_HOP_S, b / F0_HOP_S) for a, b in spoken.spans)
        voicing = None
        if NEURAL_VOICING == "phoneme":
            flags = [is_voiced(plan.timing.phonemes[i].symbol) for i in unit.phonemes]
            voicing = lambda f0: _phoneme_voicing(f0, spans, flags)  # noqa: E731
        f0, log_sp = self._world(spoken.audio, spoken.sample_rate, voicing)
        from scipy.ndimage import uniform_filter1d
        log_sp = uniform_filter1d(log_sp.astype(np.float32), NEURAL_SMOOTH_FRAMES, axis=0).astype(np.float16)
        if plan.voice.gender == "female":
            log_sp = _formant_shift(log_sp.astype(np.float32), NEURAL_FEMALE_FORMANT).astype(np.float16)
        return _Analysis(f0, log_sp, spans)

    def sing(self, plan: SongPlan) -> np.ndarray:
        """Vocal stem, float32 [samples] at self.sr, exactly plan.duration long."""
        import pyworld as pw
        t = plan.timing
        n_frames = len(plan.f0)
        bins = synth_fft(self.sr) // 2 + 1
        log_sp = np.full((n_frames, bins), np.log(1e-12), dtype=np.float32)
        f0 = np.zeros(n_frames)
        gate = np.zeros(n_frames)
        for unit in self.units(plan):
            if unit.engine == "neural":
                a = self.speak_phrase(plan, unit)
            else:
                a = self.analyse(unit, [t.phonemes[i].symbol for i in unit.phonemes])
            for i, (sa, sb) in zip(unit.phonemes, a.spans):
                p = t.phonemes[i]
                ta, tb = int(round(p.start / F0_HOP_S)), int(round(p.end / F0_HOP_S))
                tb = min(max(tb, ta + 1), n_frames)
                if ta >= n_frames:
                    continue
                # source position of each target frame's centre; the envelope is interpolated between the two
                # nearest source frames, so a stretched vowel moves smoothly instead of stepping
                pos = np.clip(sa + (np.arange(tb - ta) + 0.5) * (sb - sa) / (tb - ta) - 0.5, 0, len(a.f0) - 1)
                lo = pos.astype(int)
                hi = np.minimum(lo + 1, len(a.f0) - 1)
                w = (pos - lo)[:, None].astype(np.float32)
                log_sp[ta:tb] = a.log_sp[lo] * (1 - w) + a.log_sp[hi] * w
                if unit.engine == "neural" and NEURAL_VOICING == "phoneme":
                    voiced = is_voiced(p.symbol)
                else:
                    voiced = (a.f0[np.rint(pos).astype(int)] > 0) | is_vowel(p.symbol)
                f0[ta:tb] = np.where(voiced, plan.f0[ta:tb], 0.0)
                gate[ta:tb] = 1.0
        for w in t.words[1:]:  # re-articulate each word: a 10 ms dip where one word runs into the next
            f = int(round(w.start / F0_HOP_S))
            if 2 <= f < n_frames and gate[f - 1] > 0:
                gate[f - 2:f] = 0.3
        n = int(round(plan.duration * self.sr))
        y = np.zeros(n)
        hop = int(round(self.sr * F0_HOP_S))
        for a, b in _runs(gate, pad=8):  # synthesise only where something is sung
            sp = np.exp(_formant_shift(log_sp[a:b], plan.voice.formant).astype(np.float64))
            ap = _aperiodicity(f0[a:b], bins, plan.voice.breath, self.sr)
            seg = pw.synthesize(np.ascontiguousarray(f0[a:b]), np.ascontiguousarray(sp), ap, self.sr, FRAME_MS)
            lo = a * hop
            seg = seg[:max(0, min(len(seg), n - lo))]
            y[lo:lo + len(seg)] += seg
        env = np.repeat(gate, int(round(self.sr * F0_HOP_S)))[:n]
        env = np.pad(env, (0, n - len(env)))
        ramp = np.ones(int(0.005 * self.sr)) / int(0.005 * self.sr)
        env = np.convolve(env, ramp, mode="same")  # 5 ms fades: no clicks at phrase edges
        return (y * env).astype(np.float32)


def _spans(events, symbols, to_frame: float, n_frames: int) -> tuple[tuple[float, float], ...]:
    """Source frame span per expected phoneme, from espeak's phoneme events (sample positions)."""
    names, starts, end = [], [], None
    for name, pos in events:
        if name:
            if end is not None:  # speech resumed after a pause inside the unit
                end = None
            names.append(name)
            starts.append(pos * to_frame)
        elif names and end is None:
            end = pos * to_frame
    if not names:
        return tuple((0.0, float(n_frames)) for _ in symbols)
    end = end if end is not None else float(n_frames)
    bounds = starts + [end]
    n = len(symbols)
    if len(names) == n:
        return tuple((bounds[k], bounds[k + 1]) for k in range(n))
    if n == 2 and len(names) > 2 and not is_vowel(symbols[0]):  # Mandarin initial + final over several events
        return ((bounds[0], bounds[1]), (bounds[1], end))
    edges = np.linspace(bounds[0], end, n + 1)  # a mismatch: spread evenly over the spoken span
    return tuple((float(edges[k]), float(edges[k + 1])) for k in range(n))


def _phoneme_voicing(f0: np.ndarray, spans, voiced: list[bool]) -> np.ndarray:
    """The F0 track with each phoneme's frames voiced as the phoneme is: unvoiced frames of a voiced phoneme
    get the phrase's median F0 (CheapTrick sizes its window by the period), voiceless phonemes' frames 0."""
    out = f0.astype(np.float64).copy()
    typical = float(np.median(f0[f0 > 0])) if (f0 > 0).any() else _TYPICAL_F0
    for (a, b), v in zip(spans, voiced):
        lo, hi = int(round(a)), min(int(round(b)), len(out))
        if v:
            seg = out[lo:hi]
            seg[seg <= 0] = typical
        else:
            out[lo:hi] = 0.0
    return out


def _formant_shift(sp: np.ndarray, alpha: float) -> np.ndarray:
    """Scale the envelope's frequency axis by alpha (>1 raises formants)."""
    if abs(alpha - 1.0) < 1e-3:
        return sp
    bins = sp.shape[1]
    src = np.clip(np.arange(bins) / alpha, 0, bins - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, bins - 1)
    w = src - lo
    return sp[:, lo] * (1 - w) + sp[:, hi] * w


def _aperiodicity(f0: np.ndarray, bins: int, breath: float, sr: int) -> np.ndarray:
    """[frames, bins]: fully aperiodic where unvoiced; where voiced, rising with frequency (more with breath).
    A fixed shape instead of WORLD's D4C analysis, which would cost 5x the rest of the analysis."""
    freqs = np.linspace(0, sr / 2, bins)
    voiced_ap = np.clip(0.002 + (0.25 + 0.6 * breath) * np.clip((freqs - 1500.0) / 8000.0, 0, 1) ** 1.5, 0, 1)
    return np.where(f0[:, None] > 0, voiced_ap[None, :], 1.0)


def _runs(mask: np.ndarray, pad: int) -> list[tuple[int, int]]:
    """[start, end) of the runs where mask > 0, widened by `pad` frames and merged when they touch."""
    idx = np.flatnonzero(np.diff(np.concatenate([[0], (mask > 0).astype(np.int8), [0]])))
    out: list[tuple[int, int]] = []
    for a, b in zip(idx[::2], idx[1::2]):
        a, b = max(0, a - pad), min(len(mask), b + pad)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
