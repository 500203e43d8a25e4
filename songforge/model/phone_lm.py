"""A phone n-gram language model and CTC prefix beam search: the phoneme judge's decoder.

The model knows which phoneme sequences are likely in English and Mandarin (phonotactics and frequent words), learned
from a general word-frequency list (train/phone_lm.py), never from the lyrics it judges. Symbols are untoned
(text/phonemes.py untoned: the judge does not score Mandarin tones). Stored as an ARPA-style backoff table: every kept
n-gram has log P(w | h) and, as a history, a backoff weight; an unseen n-gram backs off,
log P(w | h) = backoff(h) + log P(w | h[1:]).

The search is the standard CTC prefix beam search (Hannun et al. 2014) with shallow fusion: a prefix's score is its
CTC log-probability + alpha * its LM log-probability + beta per phoneme."""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field

import numpy as np

from ..text.phonemes import BLANK, SPECIALS, SYMBOLS, untoned

BOS = "<s>"
FILE, CONFIG = "phone_lm.safetensors", "phone_lm.json"
CACHE_ENTRIES = 200_000  # looked-up probabilities kept per LM


@dataclass(frozen=True)
class DecodeConfig:
    alpha: float = 0.3  # LM weight (natural-log probabilities)
    beta: float = 1.0  # bonus per emitted phoneme (offsets the LM's cost of every phoneme)
    width: int = 16  # prefixes kept per frame
    prune: float = -8.0  # symbols with a frame log-probability below this are not extended


@dataclass
class PhoneLM:
    order: int
    vocab: list[str]  # untoned symbols; vocab[0] is BOS
    logp_table: dict[tuple[int, ...], float]
    backoff_table: dict[tuple[int, ...], float]
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.index = {s: i for i, s in enumerate(self.vocab)}
        self.floor = min(v for k, v in self.logp_table.items() if len(k) == 1)
        self._cache: dict[tuple[tuple[int, ...], int], float] = {}

    def logp(self, history: tuple[int, ...], w: int) -> float:
        """Natural-log P(w | history); history holds the last order-1 ids (BOS-padded at the start)."""
        key = (history, w)
        got = self._cache.get(key)
        if got is None:
            got = self._backed_off(history, w)
            if len(self._cache) >= CACHE_ENTRIES:  # ~1500 new entries per song: bounded for long batches and servers
                self._cache.clear()
            self._cache[key] = got
        return got

    def _backed_off(self, h: tuple[int, ...], w: int) -> float:
        bow = 0.0
        while True:
            p = self.logp_table.get(h + (w,))
            if p is not None:
                return bow + p
            if not h:
                return bow + self.floor
            bow += self.backoff_table.get(h, 0.0)
            h = h[1:]

    def judge_ids(self) -> np.ndarray:
        """For each judge output id, its LM id (-1 for the specials)."""
        return np.array([-1 if i < len(SPECIALS) else self.index.get(untoned(s), -1) for i, s in enumerate(SYMBOLS)])

    def save(self, folder: str) -> None:
        from safetensors.numpy import save_file
        tensors = {}
        ids = np.uint8 if len(self.vocab) <= 256 else np.uint16
        for n in range(1, self.order + 1):
            keys = sorted(k for k in self.logp_table.keys() | self.backoff_table.keys() if len(k) == n)
            tensors[f"ngrams{n}"] = np.array(keys, ids).reshape(-1, n)
            tensors[f"logp{n}"] = np.array([self.logp_table.get(k, np.nan) for k in keys], np.float16)  # NaN: a history only
            if n < self.order:  # the longest n-grams are never histories
                tensors[f"backoff{n}"] = np.array([self.backoff_table.get(k, 0.0) for k in keys], np.float16)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, FILE + ".tmp")
        save_file(tensors, tmp)
        os.replace(tmp, os.path.join(folder, FILE))
        cfg = {"order": self.order, "vocab": self.vocab, "decode": self.decode.__dict__, **self.meta}
        with open(os.path.join(folder, CONFIG + ".tmp"), "w", encoding="utf-8") as f:
            json.dump(cfg, f, ensure_ascii=False, indent=1)
        os.replace(os.path.join(folder, CONFIG + ".tmp"), os.path.join(folder, CONFIG))

    @staticmethod
    def load(folder: str) -> "PhoneLM":
        from safetensors.numpy import load_file
        with open(os.path.join(folder, CONFIG), encoding="utf-8") as f:
            cfg = json.load(f)
        t = load_file(os.path.join(folder, FILE))
        logp, backoff = {}, {}
        for n in range(1, cfg["order"] + 1):
            keys = [tuple(k) for k in t[f"ngrams{n}"].tolist()]
            logp.update((k, p) for k, p in zip(keys, t[f"logp{n}"].tolist()) if not math.isnan(p))
            if n < cfg["order"]:
                backoff.update((k, b) for k, b in zip(keys, t[f"backoff{n}"].tolist()) if b != 0.0)
        meta = {k: v for k, v in cfg.items() if k not in ("order", "vocab", "decode")}
        return PhoneLM(cfg["order"], cfg["vocab"], logp, backoff, DecodeConfig(**cfg["decode"]), meta)


def available(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, FILE)) and os.path.exists(os.path.join(folder, CONFIG))


def _lse(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


def beam_search(logp: np.ndarray, lm: PhoneLM, cfg: DecodeConfig | None = None) -> list[int]:
    """CTC log-probabilities [T, len(SYMBOLS)] -> the best judge-id sequence under CTC x LM (shallow fusion).

    Each prefix keeps P(prefix, path ending in blank), P(prefix, path ending in its last symbol) and its LM score;
    a symbol repeated without a blank between merges into the prefix instead of extending it."""
    cfg = cfg or lm.decode
    to_lm = lm.judge_ids()
    keep = lm.order - 1
    neg = -math.inf
    # prefix (judge ids) -> [log P ending in blank, log P ending in a symbol, fused LM score, LM history]
    beams: dict[tuple[int, ...], list] = {(): [0.0, neg, 0.0, (0,) * keep]}
    for row in logp:
        cands = [i for i in np.flatnonzero(row > cfg.prune).tolist() if i == BLANK or to_lm[i] >= 0]
        nxt: dict[tuple[int, ...], list] = {}
        for pre, (pb, pnb, score, hist) in beams.items():
            total = _lse(pb, pnb)
            for i in cands:
                p = float(row[i])
                if i == BLANK:
                    e = nxt.setdefault(pre, [neg, neg, score, hist])
                    e[0] = _lse(e[0], total + p)
                    continue
                if pre and pre[-1] == i:  # the same symbol again: without a blank it continues this one
                    e = nxt.setdefault(pre, [neg, neg, score, hist])
                    e[1] = _lse(e[1], pnb + p)
                    came = pb + p
                else:
                    came = total + p
                ext = pre + (i,)
                e = nxt.get(ext)
                if e is None:
                    w = int(to_lm[i])
                    e = nxt[ext] = [neg, neg, score + cfg.alpha * lm.logp(hist, w) + cfg.beta,
                                    (hist + (w,))[1:] if keep else ()]
                e[1] = _lse(e[1], came)
        beams = dict(sorted(nxt.items(), key=lambda kv: -(_lse(kv[1][0], kv[1][1]) + kv[1][2]))[:cfg.width])
    best = max(beams.items(), key=lambda kv: _lse(kv[1][0], kv[1][1]) + kv[1][2])
    return list(best[0])
