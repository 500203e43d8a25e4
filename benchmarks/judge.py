"""The phoneme judge validated: PER on held-out renders per language, and how far it rises when the words sung
are not the words asked (same vocals scored against the words shuffled, and against another clip's words);
Mandarin tones are not scored (a sung syllable's pitch is the melody's);
optionally PER on generated songs (song folders with labels.json + vocals, e.g. heldout.py's model folder).
Each decoder in --decoders scores the same recognitions: `lm` (beam search with the judge folder's phone LM, the
default where the folder has one) and `greedy`; rows of decoders after the first are marked [decoder].
Unclear words (eval/judge.unclear_words, first decoder): per clip one asked word is swapped for another clip's word
that sounds different; the table says how often the swapped word is named and how many right words are.

    python benchmarks/judge.py --corpus CORPUS --clips 24 [--generated DIR] --out benchmarks/results/judge.json
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import time

import numpy as np

from roundtrip import write_results


def words_of(labels: dict) -> list[tuple[str, float, float, str]]:
    return [(w["text"], w["start"], w["end"], w["language"] or "en") for w in labels["words"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--clips", type=int, default=24)
    ap.add_argument("--splits", default="test,valid", help="which of the corpus's splits to score (a corpus built "
                    "only to be held out: train,valid,test)")
    ap.add_argument("--judge", default=None, help="judge checkpoint folder (default: the shipped one)")
    ap.add_argument("--generated", help="a folder of generated song folders to score as well")
    ap.add_argument("--warps", default=None,
                    help="comma-separated frequency warps the judge averages over (default: model/judge.LISTEN_WARPS; "
                         "1.0 = one plain pass)")
    ap.add_argument("--decoders", default="lm,greedy",
                    help="comma-separated: lm (the judge folder's phone LM), greedy; the first names the plain rows")
    ap.add_argument("--out", default="benchmarks/results/judge.json")
    a = ap.parse_args()
    import torch

    from songforge.ears import shipped
    from songforge.text.phonemes import untoned
    from songforge.eval.judge import (JUDGE_DIR, UNCLEAR, asked_phonemes, phone_lm, phoneme_errors, word_error_rates,
                                      word_phonemes)
    from songforge.model.judge import LISTEN_WARPS
    warps = tuple(float(w) for w in a.warps.split(",")) if a.warps else LISTEN_WARPS
    from songforge.train.data import load_audio, read_manifest
    judge = shipped.load(a.judge or JUDGE_DIR)
    lm = phone_lm(a.judge or JUDGE_DIR)
    decoders = a.decoders.split(",")
    if "lm" in decoders and lm is None:
        raise SystemExit(f"--decoders lm: {a.judge or JUDGE_DIR} has no phone LM (phone_lm.safetensors)")
    if set(decoders) - {"lm", "greedy"}:
        raise SystemExit(f"--decoders: unknown {sorted(set(decoders) - {'lm', 'greedy'})}")

    def heard(x: np.ndarray) -> dict[str, list[str]]:
        chunks = judge.listen(torch.from_numpy(x), warps=warps)  # once: the decoders share the log-probabilities
        return {d: judge.decode(chunks, lm if d == "lm" else None) for d in decoders}
    rows = [r for split in a.splits.split(",") for r in read_manifest(a.corpus, (split,), required=split == "test")][:a.clips]
    labels = {}
    for r in rows:
        with open(os.path.join(a.corpus, r["labels"]), encoding="utf-8") as f:
            labels[r["id"]] = json.load(f)
    rng = np.random.default_rng(0)
    pick = np.random.default_rng(1)  # the unclear-word check's own draws: the shuffles stay as they were
    tally: dict[str, dict[str, list[int]]] = {}
    per_clip, t0, audio_s = [], time.time(), 0.0
    unclear: dict[str, list[int]] = {}  # group -> [replaced word named, clips, right words named, right words]

    def add(group: str, lang: str, ref: list[str], hyps: dict[str, list[str]]) -> float:
        for k, (d, hyp) in enumerate(hyps.items()):
            e = phoneme_errors(ref, hyp)
            t = tally.setdefault(group if k == 0 else f"{group} [{d}]", {}).setdefault(lang, [0, 0])
            t[0] += e
            t[1] += len(ref)
            if k == 0:
                first = e / max(1, len(ref))
        return first

    for r in rows:
        lab, lang = labels[r["id"]], r["language"]
        voc = load_audio(a.corpus, r, "vocals", judge.cfg.sample_rate)
        audio_s += len(voc) / judge.cfg.sample_rate
        hyp = heard(voc)
        words = words_of(lab)
        shuffled = [words[i] for i in rng.permutation(len(words))]
        other = min((x for x in rows if x["id"] != r["id"] and x["language"] == lang),
                    key=lambda x: abs(len(labels[x["id"]]["words"]) - len(words)), default=None)
        row = {"id": r["id"], "language": lang, "voice_engine": r.get("voice_engine"),
               "oracle": add("oracle", lang, asked_phonemes(words), hyp),
               "words_shuffled": add("words_shuffled", lang, asked_phonemes(shuffled), hyp)}
        add(f"oracle, {r.get('voice_engine', '?')} voice", lang, asked_phonemes(words), hyp)
        if other is not None:
            row["words_replaced"] = add("words_replaced", lang, asked_phonemes(words_of(labels[other["id"]])), hyp)
        # unclear words: one asked word swapped for a word of another clip; is it named, and how many others are?
        first = next(iter(hyp.values()))
        per_word = word_phonemes(words)
        k = int(pick.choice([i for i, ps in enumerate(per_word) if ps]))
        said = [untoned(p) for p in per_word[k]]
        pool = [w for w in words_of(labels[other["id"]]) if [untoned(p) for p in word_phonemes([w])[0]] != said] \
            if other is not None else []  # a word that sounds the same (tones aside) is not a swap
        if pool:
            swap = pool[int(pick.integers(len(pool)))]
            wrong = per_word[:k] + word_phonemes([swap]) + per_word[k + 1:]
            named = [x is not None and x >= UNCLEAR for x in word_error_rates(wrong, first)]
            clean = [x is not None and x >= UNCLEAR for x in word_error_rates(per_word, first)]
            u = unclear.setdefault(f"{lang}, {r.get('voice_engine', '?')} voice", [0, 0, 0, 0])
            u[0] += named[k]
            u[1] += 1
            u[2] += sum(clean[i] for i, ps in enumerate(per_word) if ps)
            u[3] += sum(1 for ps in per_word if ps)
            row["replaced_word_named"] = bool(named[k])
            row["replaced_word"] = {"sung": words[k][0], "asked": swap[0], "named": [words[i][0] for i, n in enumerate(named) if n]}
        per_clip.append(row)
    judge_s = time.time() - t0
    if a.generated:
        for lab_path in sorted(glob.glob(os.path.join(a.generated, "*", "labels.json"))):
            d = os.path.dirname(lab_path)
            with open(lab_path, encoding="utf-8") as f:
                lab = json.load(f)
            import soundfile as sf
            x, sr = sf.read(os.path.join(d, "vocals.flac"), dtype="float32", always_2d=True)
            x = x.mean(axis=1)
            if sr != judge.cfg.sample_rate:
                import soxr
                x = soxr.resample(x, sr, judge.cfg.sample_rate)
            words = words_of(lab)
            lang = "zh" if any(w[3] == "zh" for w in words) else "en"
            add("generated", lang, asked_phonemes(words), heard(x))
    table = {g: {lang: round(e / max(1, n), 4) for lang, (e, n) in sorted(v.items())} for g, v in tally.items()}
    langs: dict[str, int] = {}
    for r in rows:
        langs[r["language"]] = langs.get(r["language"], 0) + 1
    result = {"corpus": a.corpus, "judge": a.judge or JUDGE_DIR, "warps": list(warps), "decoders": decoders, "clips": len(rows), "languages": langs,
              "generated": a.generated, "per": table, "per_clip": per_clip,
              "judge_x_real_time": round(audio_s / max(judge_s, 1e-6), 1),
              "unclear_words": {g: {"replaced_word_named": round(u[0] / max(1, u[1]), 3), "clips": u[1],
                                    "right_words_named": round(u[2] / max(1, u[3]), 3), "words": u[3]}
                                for g, u in sorted(unclear.items())}}
    lines = ["| vocals scored against | " + " | ".join(f"PER {lang}" for lang in sorted(langs)) + " |",
             "|---" * (len(langs) + 1) + "|"]
    base = list(dict.fromkeys(g.split(" [")[0] for g in table))
    for g, v in sorted(table.items(), key=lambda kv: base.index(kv[0].split(" [")[0])):
        lines.append(f"| {g} | " + " | ".join(str(v.get(lang, "-")) for lang in sorted(langs)) + " |")
    md = (f"{len(rows)} held-out clips ({langs}); judge {result['judge']} listening at warps {list(warps)}, "
          f"decoders {decoders}; {result['judge_x_real_time']}x real time on this CPU (all decoders)\n\n" + "\n".join(lines) + "\n"
          f"\nUnclear words ({decoders[0]} decoder; a word is named when its own phoneme error rate >= {UNCLEAR}): one asked "
          "word per clip swapped for another clip's word, and the clip's right words\n\n"
          "| clips | replaced word named | right words named |\n|---|---|---|\n"
          + "".join(f"| {g} ({u['clips']}) | {u['replaced_word_named']} | {u['right_words_named']} ({u['words']} words) |\n"
                    for g, u in result["unclear_words"].items()))
    write_results(a.out, result, md)


if __name__ == "__main__":
    main()
