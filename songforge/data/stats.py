"""`songforge data stats`: what a corpus holds — hours, clips, styles, voices, vocabulary, phoneme coverage,
tempo and key histograms — as a table, stats.json and stats.png."""
from __future__ import annotations

import json
import os
from collections import Counter

from ..spec.formats.common import write_atomic
from ..text.phonemes import SPECIALS, SYMBOLS


def corpus_stats(root: str) -> dict:
    path = os.path.join(root, "manifest.jsonl")
    if not os.path.exists(path):
        raise SystemExit(f"{root}: no manifest.jsonl (build the corpus with `songforge data build`)")
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    words: dict[str, set] = {"en": set(), "zh": set()}
    hanzi, phones = set(), Counter()
    for r in rows:
        with open(os.path.join(root, r["labels"]), encoding="utf-8") as f:
            lab = json.load(f)
        for w in lab["words"]:
            lang = w["language"] or "en"
            words.setdefault(lang, set()).add(w["text"].lower().strip(".,!?;:'\""))
            if lang == "zh":
                hanzi.update(c for c in w["text"] if "\u3400" <= c <= "\u9fff")
        phones.update(p["symbol"] for p in lab["phonemes"])
    inventory = [s for s in SYMBOLS if s not in SPECIALS]
    stats = {
        "clips": len(rows), "hours": round(sum(r["duration"] for r in rows) / 3600, 3),
        "splits": dict(Counter(r["split"] for r in rows)), "styles": dict(Counter(r["style"] for r in rows).most_common()),
        "languages": dict(Counter(r["language"] for r in rows)), "voices": len({r["voice"] for r in rows}),
        "voice_bases": dict(Counter(r["voice"].split("/")[0] for r in rows).most_common()),
        "voice_engines": dict(Counter(r.get("voice_engine", "espeak") for r in rows).most_common()),
        "distinct_words": {k: len(v) for k, v in words.items()}, "distinct_hanzi": len(hanzi),
        "phoneme_coverage": round(sum(1 for s in inventory if phones[s]) / len(inventory), 3),
        "phonemes_seen": len(phones), "tempo": dict(sorted(Counter(int(r["bpm"] // 10 * 10) for r in rows).items())),
        "keys": dict(Counter(r["key"] for r in rows).most_common()),
    }
    write_atomic(os.path.join(root, "stats.json"), json.dumps(stats, ensure_ascii=False, indent=1) + "\n")
    _plot(stats, os.path.join(root, "stats.png"))
    return stats


def print_stats(s: dict) -> None:
    print(f"clips {s['clips']}, hours {s['hours']}, splits {s['splits']}")
    print(f"languages {s['languages']}; voices {s['voices']} ({len(s['voice_bases'])} speakers); "
          f"engines {s['voice_engines']}")
    print(f"vocabulary: {s['distinct_words']} words, {s['distinct_hanzi']} hanzi; phoneme coverage "
          f"{s['phoneme_coverage']:.0%} of the inventory ({s['phonemes_seen']} symbols seen)")
    print("styles: " + ", ".join(f"{k} {v}" for k, v in s["styles"].items()))
    print("tempo:  " + ", ".join(f"{k}-{k + 9} {v}" for k, v in s["tempo"].items()))
    print("keys:   " + ", ".join(f"{k} {v}" for k, v in s["keys"].items()))


def _plot(s: dict, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 3, figsize=(15, 3.6))
    for a, (title, d) in zip(ax, (("styles", s["styles"]), ("tempo (bpm)", {str(k): v for k, v in s["tempo"].items()}),
                                  ("keys", s["keys"]))):
        a.bar(list(d), list(d.values()), color="#6baed6")
        a.set_title(title)
        a.tick_params(axis="x", rotation=60, labelsize=7)
    fig.suptitle(f"{s['clips']} clips, {s['hours']} h")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
