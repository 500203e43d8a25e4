"""Sung in the language it is written in? 21 songs written for this benchmark (benchmarks/data/languages.jsonl): two
of 4 lines in each of Spanish, French, German, Italian, Portuguese, Japanese and Korean, five mixing one of them with
English, one English and one Mandarin for reference. Each song is given as plain lyrics without any language mark (the
language is detected), then:

  labels     the share of words whose planned language is the line's language (per language)
  render     Whisper base (multilingual; tiny.en for English, as the eval suite) on the data engine's vocal stem, the
             language forced per line: CER (characters, spaces left out) and WER per language
  generate   the same on the default model's vocals (`--model`; its defaults: the vocals start from the rendering)

    python benchmarks/languages.py --out benchmarks/results/languages.json [--model songforge/models/default]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict

import numpy as np
from roundtrip import write_results

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SONGS = os.path.join(ROOT, "benchmarks", "data", "languages.jsonl")


def load_song(song: dict, folder: str):
    from songforge.songs import load
    path = os.path.join(folder, f"{song['id']}.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"style: {song['style']}\n\n[verse]\n" + "\n".join(text for _, text in song["lines"]) + "\n")
    songs, errors = load(path)
    if errors:
        raise ValueError("; ".join(map(str, errors)))
    return songs[0]


def line_spans(timing, n_lines: int) -> list[tuple[float, float]]:
    spans = []
    for k in range(n_lines):
        ws = [w for w in timing.words if w.line == k]
        spans.append((max(0.0, ws[0].start - 0.3), ws[-1].end + 0.3))
    return spans


def heard(vocal: np.ndarray, sr: int, song: dict, spans) -> list[dict]:
    from songforge.eval.asr import shipped_model_dir, transcribe
    from songforge.eval.text import char_error_rate, word_error_rate

    def cer(text: str, hyp: str, lang: str) -> float:
        return char_error_rate(text, hyp, lang) if lang != "zh" else word_error_rate(text, hyp, "zh")
    out = []
    for (lang, text), (a, b) in zip(song["lines"], spans):
        clip = vocal[int(a * sr):int(b * sr)]
        hyp = transcribe(clip, sr, lang)
        row = {"language": lang, "asked": text, "heard": hyp, "cer": round(cer(text, hyp, lang), 4),
               "wer": round(word_error_rate(text, hyp, lang), 4) if lang != "zh" else None}
        if lang == "en":  # English on the same measure as every other language too: Whisper base
            row["heard_base"] = transcribe(clip, sr, lang, shipped_model_dir("base"))
            row["cer_base"] = round(cer(text, row["heard_base"], lang), 4)
        else:
            row["cer_base"] = row["cer"]
        out.append(row)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "languages.json"))
    ap.add_argument("--model", help="also generate with this model")
    a = ap.parse_args()
    from songforge.plan.plan import make_plan
    from songforge.render.song import render_plan
    with open(SONGS, encoding="utf-8") as f:
        songs = [json.loads(line) for line in f if line.strip()]
    model = None
    if a.model:
        from songforge.pipeline import load
        model = load(a.model)
    rows, t0 = [], time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for song in songs:
            try:
                s = load_song(song, tmp)
            except ValueError as e:  # one bad song never stops the run: it is reported
                rows.append({"id": song["id"], "error": str(e)})
                print(f"{song['id']}: {e}", file=sys.stderr)
                continue
            langs = [w.language for w in s.timing.words]
            asked = [song["lines"][w.line][0] for w in s.timing.words]
            row = {"id": song["id"], "labels": [[g, h] for g, h in zip(asked, langs)],
                   "notes": [str(n) for n in s.warnings]}
            plan = make_plan(s.spec, s.timing, 0)
            spans = line_spans(s.timing, len(song["lines"]))
            r = render_plan(plan, 24000)
            row["render"] = heard(r.stems["vocals"], r.sample_rate, song, spans)
            if model is not None:
                g = model.generate_batch([plan], 0)[0]
                row["generate"] = heard(g.stems["vocals"], g.sample_rate, song, spans)
            rows.append(row)
            print(f"[{time.time() - t0:6.1f}s] {song['id']}: render CER "
                  f"{np.mean([x['cer'] for x in row['render']]):.3f}", file=sys.stderr, flush=True)
    by_lang: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        for g, h in row.get("labels", []):
            by_lang[g]["labels"].append(g == h)
        for engine in ("render", "generate"):
            for x in row.get(engine, []):
                by_lang[x["language"]][f"{engine}_cer"].append(x["cer"])
                by_lang[x["language"]][f"{engine}_cer_base"].append(x["cer_base"])
                if x["wer"] is not None:
                    by_lang[x["language"]][f"{engine}_wer"].append(x["wer"])
    summary = {lang: {k: round(float(np.mean(v)), 4) for k, v in d.items()} | {"lines": len(d["render_cer"]),
                                                                             "words": len(d["labels"])}
               for lang, d in sorted(by_lang.items())}
    result = {"songs_file": os.path.relpath(SONGS, ROOT), "model": a.model, "summary": summary, "rows": rows,
              "failed": [r["id"] for r in rows if "error" in r],
              "seconds": round(time.time() - t0, 1)}
    cols = ["labels", "render_cer_base", "render_cer", "render_wer"] + \
        (["generate_cer_base", "generate_cer", "generate_wer"] if model is not None else [])
    lines = [f"{len(songs)} songs ({result['songs_file']}), plain lyrics without a language mark; per line, language "
             "forced: Whisper base for every language (the 'base' columns), and tiny.en for English as the eval "
             "suite hears it (the other columns; the same as base for the other languages); CER: characters, spaces "
             "left out (Mandarin: characters)", "",
             "| language | lines | words | words labelled in the line's language | render CER, base | render CER | "
             "render WER" + (" | generate CER, base | generate CER | generate WER" if model is not None else "") + " |",
             "|---|---|---|" + "---|" * len(cols)]
    for lang, s in summary.items():
        lines.append(f"| {lang} | {s['lines']} | {s['words']} | " + " | ".join(str(s.get(c, "-")) for c in cols) + " |")
    write_results(a.out, result, "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
