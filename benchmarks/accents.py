"""Do espeak-ng's English voices say the phonemes the labels name? For lyric words drawn from the data engine's
vocabulary (by frequency, seeded), each voice speaks the word and reports its phoneme events; a word counts as said
as labelled when that sequence (stress marks aside) equals the word's en-us phonemes from songforge's G2P, which
are the labels of every English word. The most frequent per-phoneme differences are listed for each voice.

    python benchmarks/accents.py --words 400 --out benchmarks/results/accents.json
"""
from __future__ import annotations

import argparse
import collections

import numpy as np

from roundtrip import write_results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="benchmarks/results/accents.json")
    a = ap.parse_args()
    from songforge.cond.voice import ACCENTS  # the accents the data engine sang English with until session 20
    from songforge.data.lyrics import english_vocab
    from songforge.render.espeak import spoken_phonemes
    from songforge.text.english import english_syllables
    words, freq = english_vocab()
    sample = [str(w) for w in np.random.default_rng(a.seed).choice(words, a.words, replace=False, p=freq / freq.sum())]
    labels = [[p for s in syls for p in s.phonemes] for syls in english_syllables(sample)]
    rows = {}
    for voice in ACCENTS:
        same, diffs = 0, collections.Counter()
        for w, lab in zip(sample, labels):
            said = spoken_phonemes(w, voice)
            if said == lab:
                same += 1
            elif len(said) == len(lab):
                diffs.update(f"{x}->{y}" for x, y in zip(lab, said) if x != y)
            else:
                diffs["(other length)"] += 1
        rows[voice] = {"said_as_labelled": round(same / len(sample), 3), "top_differences": diffs.most_common(8)}
    lines = ["| espeak-ng voice | words said as labelled | most frequent differences (label->said: words) |",
             "|---|---|---|"]
    for v, r in rows.items():
        lines.append(f"| {v} | {r['said_as_labelled']:.3f} | "
                     + ", ".join(f"{d} {n}" for d, n in r["top_differences"][:6]) + " |")
    md = f"{len(sample)} lyric words (seed {a.seed})\n\n" + "\n".join(lines) + "\n"
    write_results(a.out, {"words": len(sample), "seed": a.seed, "voices": rows}, md)


if __name__ == "__main__":
    main()
