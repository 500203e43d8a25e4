"""Forced alignment of known lyrics to sung vocals with the phoneme judge's CTC posteriors (model/judge.py): the
single best path of the lyric's phonemes through the judge's frames (CTC Viterbi: each phoneme a run of frames,
blanks allowed between them and repeats of a phoneme separated by a blank). torchaudio's forced_align does the same
and is not available here; ctc-segmentation needs a C build: this is the one dynamic programme.

Constraints: a phoneme may be held to a window of frames (the line times an LRC file gives, widened)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEG = -1e30


@dataclass(frozen=True)
class Path:
    """The best path of `tokens` through the frames: first and last frame of each token (inclusive), the mean
    token's margin (its mean log-probability over its frames minus the best symbol's: 0 when the judge hears
    nothing else there), the path's total log-probability and the free best path's (every frame's most likely
    symbol, blank included) over the same frames."""
    first: np.ndarray  # [L] int
    last: np.ndarray  # [L] int
    margin: np.ndarray  # [L] <= 0
    total: float
    free: float

    @property
    def cost_per_token(self) -> float:
        """How much less likely the lyrics' path is than what the judge hears freely, per token (nats; >= 0).
        Lyrics that belong to the singing cost little; someone else's lyrics cost a lot."""
        return (self.free - self.total) / max(1, len(self.first))


def ctc_viterbi(logp: np.ndarray, tokens: list[int], blank: int, lo: np.ndarray | None = None,
                hi: np.ndarray | None = None) -> Path:
    """logp [T, V] log-probabilities per frame; tokens [L] symbol ids (none of them `blank`); lo/hi [L] optional
    earliest/latest frame each token may occupy. Raises ValueError when the tokens cannot fit the frames (more
    tokens than frames, or windows that leave no path)."""
    T, L = len(logp), len(tokens)
    if L == 0:
        raise ValueError("no phonemes to align")
    tok = np.asarray(tokens)
    S = 2 * L + 1
    sym = np.full(S, blank)
    sym[1::2] = tok
    emit = logp[:, sym].astype(np.float64)  # [T, S]
    if lo is not None or hi is not None:
        frames = np.arange(T)[:, None]
        lo_s = np.zeros(S, dtype=int)
        hi_s = np.full(S, T - 1)
        if lo is not None:
            lo_s[1::2] = np.clip(lo, 0, T - 1)
        if hi is not None:
            hi_s[1::2] = np.clip(hi, 0, T - 1)
        emit = np.where((frames >= lo_s) & (frames <= hi_s), emit, NEG)
    skip = np.zeros(S, dtype=bool)  # s may be reached from s - 2: a token after a blank, unlike the token before it
    skip[3::2] = tok[1:] != tok[:-1]
    dp = np.full(S, NEG)
    dp[0], dp[1] = emit[0, 0], emit[0, 1]
    back = np.zeros((T, S), dtype=np.int8)  # 0 stay, 1 from s-1, 2 from s-2
    for t in range(1, T):
        one = np.concatenate(([NEG], dp[:-1]))
        two = np.where(skip, np.concatenate(([NEG, NEG], dp[:-2])), NEG)
        stack = np.stack([dp, one, two])
        choice = stack.argmax(0)
        back[t] = choice
        dp = stack[choice, np.arange(S)] + emit[t]
    end = S - 1 if dp[S - 1] >= dp[S - 2] else S - 2
    total = float(dp[end])
    if total <= NEG / 2:
        raise ValueError(f"{L} phonemes do not fit {T} frames within their windows")
    states = np.empty(T, dtype=int)
    s = end
    for t in range(T - 1, -1, -1):
        states[t] = s
        s -= int(back[t, s])
    first = np.full(L, -1)
    last = np.full(L, -1)
    for t, s in enumerate(states):
        if s % 2:
            k = s // 2
            if first[k] < 0:
                first[k] = t
            last[k] = t
    best = logp.max(axis=1)
    margin = np.array([(emit[first[k]:last[k] + 1, 2 * k + 1] - best[first[k]:last[k] + 1]).mean() for k in range(L)])
    return Path(first, last, margin, total, float(best.sum()))
