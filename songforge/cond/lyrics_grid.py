"""Timed phonemes -> a frame grid of phoneme ids with onset channels (numpy only), and its exact inverse."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..plan.timing import LyricTiming
from ..text.phonemes import BLANK, PAD, SYMBOLS, phoneme_id

DEFAULT_FRAME_RATE = 100.0  # 4x the 25 Hz latent rate


@dataclass(frozen=True)
class LyricsGrid:
    """Per-frame arrays, all of shape [T]: `ids` int32 phoneme ids (BLANK where nothing is sung, PAD past the
    song's end); `phoneme_onset`, `syllable_onset`, `word_onset` uint8 flags on each unit's first frame."""

    ids: np.ndarray
    phoneme_onset: np.ndarray
    syllable_onset: np.ndarray
    word_onset: np.ndarray
    frame_rate: float

    @property
    def n_frames(self) -> int:
        return int(self.ids.shape[0])


def quantize(timing: LyricTiming, frame_rate: float) -> list[tuple[int, int, int, int, int]]:
    """(phoneme id, start frame, end frame, syllable index, word index) per phoneme. Every phoneme keeps at
    least one frame; one pushed later by a neighbour's minimum frame shifts, never overlaps."""
    out, last = [], 0
    for p in timing.phonemes:
        s = max(int(round(p.start * frame_rate)), last)
        e = max(int(round(p.end * frame_rate)), s + 1)
        out.append((phoneme_id(p.symbol), s, e, p.syllable, timing.syllables[p.syllable].word))
        last = e
    return out


def build_grid(timing: LyricTiming, frame_rate: float = DEFAULT_FRAME_RATE, n_frames: int | None = None) -> LyricsGrid:
    """Grid over `n_frames` (default: the song's duration); frames past the duration hold PAD."""
    spans = quantize(timing, frame_rate)
    song_frames = int(round(timing.duration * frame_rate))
    total = max(n_frames if n_frames is not None else song_frames, spans[-1][2] if spans else 0)
    ids = np.full(total, PAD, dtype=np.int32)
    ids[:min(song_frames, total)] = BLANK
    pon, son, won = (np.zeros(total, dtype=np.uint8) for _ in range(3))
    prev_syl, prev_word = -1, -1
    for pid, s, e, syl, word in spans:
        ids[s:e] = pid
        pon[s] = 1
        if syl != prev_syl:
            son[s] = 1
        if word != prev_word:
            won[s] = 1
        prev_syl, prev_word = syl, word
    return LyricsGrid(ids, pon, son, won, frame_rate)


def grid_spans(grid: LyricsGrid) -> list[tuple[int, int, int, int, int]]:
    """Inverse of build_grid: (phoneme id, start frame, end frame, syllable index, word index) per phoneme."""
    out = []
    syl, word = -1, -1
    ids = grid.ids
    t, n = 0, grid.n_frames
    while t < n:
        if ids[t] in (PAD, BLANK) and not grid.phoneme_onset[t]:
            t += 1
            continue
        e = t + 1
        while e < n and ids[e] == ids[t] and not grid.phoneme_onset[e]:
            e += 1
        syl += int(grid.syllable_onset[t])
        word += int(grid.word_onset[t])
        out.append((int(ids[t]), t, e, syl, word))
        t = e
    return out


def symbols(ids: np.ndarray) -> list[str]:
    return [SYMBOLS[i] for i in ids.tolist()]
