"""Build the phoneme judge's phone n-gram LM (model/phone_lm.py) from wordfreq's word frequencies.

Word sequences are drawn from each language's most frequent words in proportion to their real frequency (not the
data engine's lyric vocabulary, frames or flattened weights: the LM is a general prior on which phoneme sequences
occur in English and Mandarin, and with --languages all in every language songforge sings), spelled by the data
engine's own G2P, and counted as untoned phoneme n-grams.
Probabilities: interpolated absolute discounting (discount 0.75) down to a uniform floor; histories and n-grams of
order >= 3 seen fewer than `min_count` times are dropped (counts renormalised), which halves the table.

    python -m songforge.train.phone_lm --out songforge/models/judge [--languages all]
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

import numpy as np

from ..model.phone_lm import BOS, DecodeConfig, PhoneLM
from ..text.phonemes import untoned

EOS = "</s>"
LICENCE = ("CC BY-SA 4.0: n-gram counts derived from wordfreq's word frequencies (wordfreq data by Robyn Speer et al., "
           "CC BY-SA 4.0; https://github.com/rspeer/wordfreq)")
_HAN = re.compile(r"^[\u4e00-\u9fff]{1,4}$")


@dataclass(frozen=True)
class LMConfig:
    order: int = 5
    discount: float = 0.75
    min_count: int = 2
    top_words: int = 30000  # per language, from wordfreq's frequency ranking
    tokens: tuple[tuple[str, int, int], ...] = (("en", 400000, 8), ("zh", 300000, 6))  # language, words drawn, per line
    # --languages all: the languages sung through espeak-ng too, each this many words drawn (6 per line)
    OTHER_TOKENS = 150000
    seed: int = 0


def word_list(language: str, top: int) -> tuple[list[str], np.ndarray]:
    """wordfreq's `top` most frequent words of a language that the G2P can spell, with their frequencies."""
    from wordfreq import top_n_list, word_frequency
    if language == "zh":
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        words = [w for w in top_n_list("zh", top) if _HAN.match(w)]
    elif language == "en":
        words = [w for w in top_n_list("en", top) if w.replace("'", "").isalpha() and w.isascii()]
    else:  # the espeak-ng languages: words in their own script, frequencies as Zipf's 1/rank (wordfreq's own
        # lookup needs MeCab's C library for Japanese)
        from ..spec.words import word_language
        script = {"ja": ("ja", "zh"), "ko": ("ko",)}.get(language, ("en", "latin"))
        words = [w for w in top_n_list(language, top) if all(c.isalpha() for c in w) and word_language(w) in script]
        f = 1.0 / np.arange(1, len(words) + 1)
        return words, f / f.sum()
    f = np.array([word_frequency(w, language) for w in words])
    return words, f / f.sum()


def phone_lines(cfg: LMConfig, progress=None) -> list[list[str]]:
    """Lines of untoned phonemes: each a run of words drawn by frequency."""
    from ..eval.text import phonemes_of
    rng = np.random.default_rng(cfg.seed)
    lines = []
    for language, tokens, per_line in cfg.tokens:
        words, f = word_list(language, cfg.top_words)
        spelled = [[untoned(p) for p in phonemes_of(w, language)] for w in words]
        if progress:
            progress(f"{language}: {len(words)} words spelled")
        draw = rng.choice(len(words), size=tokens, p=f)
        lines += [[p for j in draw[i:i + per_line] for p in spelled[j]] for i in range(0, tokens, per_line)]
    return lines


def estimate(lines: list[list[str]], cfg: LMConfig) -> PhoneLM:
    """Interpolated absolute discounting over the lines (each BOS-padded, EOS-terminated)."""
    n = cfg.order
    counts: list[dict[tuple[str, ...], Counter]] = [defaultdict(Counter) for _ in range(n)]
    for line in lines:
        s = [BOS] * (n - 1) + line + [EOS]
        for i in range(n - 1, len(s)):
            for k in range(n):
                counts[k][tuple(s[i - k:i])][s[i]] += 1
    for k in range(2, n):  # prune rare high-order n-grams
        for h in list(counts[k]):
            kept = Counter({w: c for w, c in counts[k][h].items() if c >= cfg.min_count})
            if kept:
                counts[k][h] = kept
            else:
                del counts[k][h]
    vocab = [BOS] + sorted({w for c in counts[0].values() for w in c})
    index = {s: i for i, s in enumerate(vocab)}
    words, d = vocab[1:], cfg.discount
    gamma = {h: d * len(c) / sum(c.values()) for k in range(n) for h, c in counts[k].items()}  # mass left to back off
    prob: dict[tuple[str, ...], float] = {}  # interpolated P(w | h) of every kept n-gram, lower orders first

    def backed(h: tuple[str, ...], w: str) -> float:
        """P(w | h) = the product of the backoff weights of the histories without (h, w) x the longest stored one."""
        g = 1.0
        while h + (w,) not in prob:
            g *= gamma.get(h, 1.0)  # a history pruned away entirely passes its mass on whole
            h = h[1:]
        return g * prob[h + (w,)]

    for k in range(n):
        for h, c in counts[k].items():
            t = sum(c.values())
            for w in (words if k == 0 else c):
                below = 1.0 / len(words) if k == 0 else backed(h[1:], w)
                prob[h + (w,)] = max(c.get(w, 0) - d, 0) / t + gamma[h] * below
    logp = {tuple(index[s] for s in key): math.log(p) for key, p in prob.items()}
    backoff = {tuple(index[s] for s in h): math.log(g) for h, g in gamma.items() if h}
    meta = {"built_by": "songforge.train.phone_lm", "config": asdict(cfg), "licence": LICENCE,
            "ngrams": {str(k + 1): sum(1 for key in logp if len(key) == k + 1) for k in range(n)}}
    return PhoneLM(n, vocab, logp, backoff, DecodeConfig(), meta)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="folder to write phone_lm.safetensors + phone_lm.json into")
    ap.add_argument("--languages", default="en,zh", help="comma-separated, or 'all' (every language songforge sings)")
    a = ap.parse_args(argv)
    t0 = time.time()
    from ..spec.language import SUNG
    langs = list(SUNG) if a.languages == "all" else a.languages.split(",")
    unknown = [x for x in langs if x not in SUNG]
    if unknown:
        print(f"--languages: {', '.join(unknown)} not sung by songforge", file=sys.stderr)
        return 2
    base = dict((lang, (n, k)) for lang, n, k in LMConfig.tokens)
    cfg = LMConfig(tokens=tuple((lang, *base.get(lang, (LMConfig.OTHER_TOKENS, 6))) for lang in langs))
    lines = phone_lines(cfg, progress=lambda m: print(f"[{time.time() - t0:5.1f}s] {m}", file=sys.stderr))
    lm = estimate(lines, cfg)
    lm.save(a.out)
    print(f"[{time.time() - t0:5.1f}s] {a.out}: order {lm.order}, {len(lm.vocab)} symbols, n-grams {lm.meta['ngrams']}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
