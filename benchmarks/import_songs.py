"""How well `songforge data import` labels a recording: held-out data-engine songs treated as recordings (only the
mix and the lyrics kept: plain text, then LRC line times), imported through the real command path
(label/corpus.import_folder), and every label scored against the data engine's exact one.

    python benchmarks/import_songs.py --corpus runs/import/test --n 24 --work out/import_bench \
        --out benchmarks/results/import_songs.json
    python benchmarks/import_songs.py --corpus runs/import/dev --n 12 --work out/import_dev --calibrate

Measures (issue #39): word start error (median; share within 150 ms), beat F1 (mir_eval, 70 ms), key, chords
(mir_eval majmin), sung melody note F1 (onsets within 50 ms, pitch within 50 cents), the separated vocals' SDR
against the true stem; lyrics that belong to another song (the next one of the same language) reported as not
matching; CPU seconds per audio minute. --calibrate (on songs not in the test set) prints what the constants in
label/song.py are set from: the median signed word start error and the alignment costs of matched and mismatched
lyrics."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from roundtrip import write_results

STEMS = ("vocals", "drums", "bass", "other")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def pick(corpus: str, n: int) -> list[dict]:
    """n songs of the corpus, half English and half Mandarin where it has them, in manifest order."""
    with open(os.path.join(corpus, "manifest.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    by = {lang: [r for r in rows if r["language"] == lang] for lang in ("en", "zh")}
    half = n // 2
    got = by["en"][:half] + by["zh"][:n - min(half, len(by["en"]))]
    return got[:n]


def _stamp(t: float) -> str:
    return f"{int(t // 60):02d}:{t % 60:05.2f}"


def write_sources(corpus: str, songs: list[dict], folder: str, mode: str, lyrics_of: dict[str, str] | None = None):
    """folder/<id>.flac (a link to the mix) + its lyrics as plain text or LRC; lyrics_of maps an id to the song whose
    lyrics it gets (the mismatch test)."""
    os.makedirs(folder, exist_ok=True)
    for r in songs:
        src = os.path.join(corpus, r["audio"]["mix"])
        dst = os.path.join(folder, f"{r['id']}.flac")
        if not os.path.exists(dst):
            os.symlink(os.path.abspath(src), dst)
        other = (lyrics_of or {}).get(r["id"], r["id"])
        lab = labels(corpus, other)
        if mode == "lrc":
            text = "".join(f"[{_stamp(ln['start'])}]{ln['text']}\n" for ln in lab["lines"])
        else:
            text = "".join(ln["text"] + "\n" for ln in lab["lines"])
        with open(os.path.join(folder, f"{r['id']}.{'lrc' if mode == 'lrc' else 'txt'}"), "w", encoding="utf-8") as f:
            f.write(text)


def labels(corpus: str, sid: str) -> dict:
    with open(os.path.join(corpus, "clips", sid, "labels.json"), encoding="utf-8") as f:
        return json.load(f)


def sdr(ref: np.ndarray, est: np.ndarray) -> float:
    n = min(len(ref), len(est))
    ref, est = ref[:n].astype(np.float64), est[:n].astype(np.float64)
    return float(10 * np.log10(max((ref ** 2).sum(), 1e-12) / max(((ref - est) ** 2).sum(), 1e-12)))


def score(corpus: str, work: str, sid: str) -> dict:
    import mir_eval
    import soundfile as sf

    from songforge.eval.madmom_eval import same_key
    from songforge.eval.transcription import note_scores
    true, got = labels(corpus, sid), labels(work, sid)
    ref_w = [(w["text"], w["start"]) for w in true["words"]]
    est_w = [(w["text"], w["start"]) for w in got["words"]]
    row: dict = {"id": sid, "language": true["words"][0]["language"], "duration": true["duration"]}
    if [t for t, _ in ref_w] == [t for t, _ in est_w]:
        err = np.array([e - r for (_, r), (_, e) in zip(ref_w, est_w)])
        row |= {"word_err_median_ms": round(1000 * float(np.median(np.abs(err))), 1),
                "word_signed_median_ms": round(1000 * float(np.median(err)), 1),
                "words_within_150ms": round(float((np.abs(err) <= 0.15).mean()), 4)}
    else:
        row["words_differ"] = f"{len(ref_w)} words asked, {len(est_w)} imported"
    tb, eb = mir_eval.beat.trim_beats(np.array(true["beats"])), mir_eval.beat.trim_beats(np.array(got["beats"]))
    row["beat_f1"] = round(float(mir_eval.beat.f_measure(tb, eb)), 4)
    row["bpm_error_pct"] = round(100 * abs(got["bpm"] - true["bpm"]) / true["bpm"], 2)
    row["key_correct"] = int(same_key(got["key"], true["key"]))
    ref_c = true["chords"]
    if got["chords"]:
        sc = mir_eval.chord.evaluate(np.array([[c["start"], c["end"]] for c in ref_c]), [c["symbol"] for c in ref_c],
                                     np.array([[c["start"], c["end"]] for c in got["chords"]]),
                                     [c["symbol"] for c in got["chords"]])
        row["chord_majmin"] = round(float(sc["majmin"]), 4)
    else:
        row["chord_majmin"] = 0.0
    ns = note_scores([(n["start"], n["end"], n["pitch"]) for n in true["notes"]],
                     [(n["start"], n["end"], n["pitch"]) for n in got["notes"]])
    row["melody_note_f1"] = ns.get("note_f1")
    mix, _ = sf.read(os.path.join(corpus, "clips", sid, "mix.flac"), dtype="float32")
    for stem in STEMS:
        ref, _ = sf.read(os.path.join(corpus, "clips", sid, f"{stem}.flac"), dtype="float32")
        est, _ = sf.read(os.path.join(work, "clips", sid, f"{stem}.flac"), dtype="float32")
        if np.mean(ref.astype(np.float64) ** 2) < 1e-7:  # a stem that does not play (no drums in a classical song)
            continue
        row[f"{stem}_sdr_db"] = round(sdr(ref, est), 2)
        row[f"mix_as_{stem}_sdr_db"] = round(sdr(ref, mix), 2)  # the SDR of doing nothing, for scale
    row["style_correct"] = int(got["style"] == true["style"])
    row["alignment_cost_per_phoneme"] = got["alignment_cost_per_phoneme"]
    return row


def mean(rows: list[dict], key: str) -> float | None:
    v = [r[key] for r in rows if r.get(key) is not None]
    return round(float(np.mean(v)), 4) if v else None


def summarise(rows: list[dict]) -> dict:
    errs = [r for r in rows if "word_err_median_ms" in r]
    return {"songs": len(rows), "word_err_median_ms": round(float(np.median([r["word_err_median_ms"] for r in errs])), 1)
            if errs else None, "word_signed_median_ms": round(float(np.median([r["word_signed_median_ms"] for r in errs])), 1)
            if errs else None, "words_within_150ms": mean(rows, "words_within_150ms"),
            **{k: mean(rows, k) for k in ("beat_f1", "bpm_error_pct", "key_correct", "chord_majmin", "melody_note_f1",
                                          "style_correct", "alignment_cost_per_phoneme")},
            **{k: mean(rows, k) for stem in STEMS for k in (f"{stem}_sdr_db", f"mix_as_{stem}_sdr_db")}}


def main() -> None:
    from songforge.label.corpus import import_folder
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True, help="a data-engine corpus of held-out songs (data build --full-songs 1)")
    ap.add_argument("--n", type=int, default=24)
    ap.add_argument("--work", required=True, help="sources and imported corpora (kept: re-running resumes)")
    ap.add_argument("--out", help="results JSON (+ .md)")
    ap.add_argument("--modes", default="text,lrc")
    ap.add_argument("--calibrate", action="store_true")
    a = ap.parse_args()
    songs = pick(a.corpus, a.n)
    corpus_name = os.path.relpath(os.path.abspath(a.corpus), os.getcwd())
    result = {"corpus": corpus_name, "songs": len(songs),
              "languages": {lang: sum(r["language"] == lang for r in songs) for lang in ("en", "zh")}, "modes": {}}
    for mode in a.modes.split(","):
        src, out = os.path.join(a.work, f"src_{mode}"), os.path.join(a.work, mode)
        write_sources(a.corpus, songs, src, mode)
        t0 = time.time()
        summary = import_folder(src, out, workers=1)
        rows = [score(a.corpus, out, r["id"]) for r in songs if os.path.isdir(os.path.join(out, "clips", r["id"]))]
        result["modes"][mode] = {"summary": summarise(rows), "import": summary, "rows": rows,
                                 "wall_s": round(time.time() - t0, 1)}
        print(mode, json.dumps(result["modes"][mode]["summary"]), flush=True)
    # lyrics of the next song of the same language: each should be reported as not this recording's
    nxt = {}
    for lang in ("en", "zh"):
        ids = [r["id"] for r in songs if r["language"] == lang]
        nxt |= {i: ids[(k + 1) % len(ids)] for k, i in enumerate(ids)} if len(ids) > 1 else {}
    src, out = os.path.join(a.work, "src_mismatch"), os.path.join(a.work, "mismatch")
    write_sources(a.corpus, [r for r in songs if r["id"] in nxt], src, "text", nxt)
    summary = import_folder(src, out, workers=1)
    with open(os.path.join(out, "report.jsonl"), encoding="utf-8") as f:
        rep = [json.loads(line) for line in f]
    flagged = [r for r in rep if r["status"] == "failed" and "do not match" in r.get("why", "")]
    result["mismatch"] = {"pairs": len(rep), "reported_as_not_matching": len(flagged),
                          "share": round(len(flagged) / max(1, len(rep)), 4),
                          "costs": sorted(r.get("alignment_cost_per_phoneme", float("nan")) for r in rep)}
    cpu = [r for m in result["modes"].values() for r in [m["import"]] if r["cpu_s_per_audio_minute"]]
    if cpu:
        per_min = float(np.mean([c["cpu_s_per_audio_minute"] for c in cpu]))
        result["throughput"] = {"cpu_s_per_audio_minute": round(per_min, 2),
                                "songs_per_cpu_minute_3min_song": round(60.0 / (3 * per_min), 3)}
    if a.calibrate:
        matched = [r["alignment_cost_per_phoneme"] for m in result["modes"].values() for r in m["rows"]]
        print(json.dumps({"signed_word_start_ms": {k: m["summary"]["word_signed_median_ms"]
                                                   for k, m in result["modes"].items()},
                          "matched_cost_max": max(matched), "mismatched_costs": result["mismatch"]["costs"]}))
    if a.out:
        lines = [f"{len(songs)} held-out data-engine songs ({result['languages']['en']} English, "
                 f"{result['languages']['zh']} Mandarin; {result['corpus']}) imported from the mix and the lyrics "
                 "alone (`songforge data import`), every label against the data engine's exact one", "",
                 "| lyrics given as | word start error, median | words within 150 ms | beat F1 | key | chords majmin | "
                 "melody note F1 | style (tagger) |", "|---|---|---|---|---|---|---|---|"]
        for mode, m in result["modes"].items():
            s = m["summary"]
            lines.append(f"| {'plain text' if mode == 'text' else 'LRC line times'} | {s['word_err_median_ms']} ms | "
                         f"{s['words_within_150ms']} | {s['beat_f1']} | {s['key_correct']} | {s['chord_majmin']} | "
                         f"{s['melody_note_f1']} | {s['style_correct']} |")
        first = next(iter(result["modes"].values()))["summary"]
        lines += ["", "Separated stems, SDR against the true stem in dB (the mix itself as the estimate, for scale): " +
                  ", ".join(f"{st} {first[f'{st}_sdr_db']:.1f} ({first[f'mix_as_{st}_sdr_db']:.1f})" for st in STEMS) +
                  " (vocals: the separator; drums, bass, other: label/stems.py)."]
        mm = result["mismatch"]
        lines += ["", f"Lyrics of another song: {mm['reported_as_not_matching']} of {mm['pairs']} reported as not "
                  f"matching the recording (alignment costs {mm['costs'][0]:.2f}..{mm['costs'][-1]:.2f} nats per "
                  "phoneme)."]
        if "throughput" in result:
            t = result["throughput"]
            lines.append(f"Throughput: {t['cpu_s_per_audio_minute']} CPU-s per audio minute: "
                         f"{t['songs_per_cpu_minute_3min_song']} three-minute songs per CPU-minute.")
        write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
