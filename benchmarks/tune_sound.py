"""Choosing a genre's sound by the outside ear, on songs written for tuning only (benchmarks/data/tuning_songs.jsonl:
four per genre of twelve, plain style texts that name no instrument; --songs-file takes another set: tuning_named.jsonl
(texts that name instruments), tuning_horns.jsonl (horns or brass), tuning_more.jsonl (trap, house); the realism
benchmark's songs are never used to choose).

Each variant overrides fields of the genre's StyleInfo (plan/styles.py: programs, bass_program, kit, drums, bass,
comp, levels_db, swing, voicing, comp_low, bpm, ...), with "levels_delta_db" ([vocals, drums, bass, other] dB added to
the genre's own levels: one change for every genre), with "drive"/"cabinet_hz" its guitar amp and with
"band_tone_hz" (null: none) its band's low-pass, with "pump_db" (null: none) its sidechain pumping, with "wah" (null: none; else render/sound.WAH fields) its wah, with "named_as" ({program: program}) what a named instrument plays, with "acoustic_kit" (a render/sound.KIT_FONTS name; null: the GM kit)
its drums (render/sound.py), with "male_formant" ([lo, hi]) / "male_low" (MIDI)
a male singer's formant range and lowest note (plan/plan.py), with "planner" the planner version and "band_size" its
BAND_SIZE (plan/plan.py), with "feel" the band's humanising (plan/humanize.py
Feel fields; null: every part on the grid), and with "tone" a trial shaping of every stem
before mastering ({"lowpass": Hz, "highpass": Hz, "saturation": k, "stems": [...]}; not an engine setting). Every song is planned with seed 0 (--seeds N: 0..N-1), rendered by the data engine in a fresh fork (render/batch.py),
mastered as `songforge render` delivers it (44.1 kHz stereo, -14 LUFS), and heard by the three musicnn taggers: the
asked genre's mean rank among the genre tags (MSD: 31, MTT: 12), top-3 share, and the singer's gender.

    python benchmarks/tune_sound.py --genre funk --variants benchmarks/data/tune_funk.json \\
        --out benchmarks/results/tune_funk.json [--work out/tune] [--songs N] [--seeds N] [--songs-file FILE]

--genre: one genre, several (comma-separated) or "all" (every genre's songs; each variant's StyleInfo overrides
apply to every song's own genre).

--variants: a JSON file (or inline JSON) {variant name: {field: value}}; "as is" ({}) is always added."""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
from realism import ROOT, TAGGERS, write_inputs
from roundtrip import write_results

SONGS = os.path.join(ROOT, "benchmarks", "data", "tuning_songs.jsonl")
TONE = "tone"  # a trial shaping of the rendered stems before mastering (not an engine setting)
_JOB: dict = {}


def _render(task: tuple[str, int, int]) -> str:
    """In a fork: the song planned with the seed and rendered with the variant's overrides; its folder."""
    from dataclasses import replace

    from songforge.plan import plan as planner
    from songforge.plan import styles
    from songforge.render import sound
    from songforge.render.song import render_plan, write_song
    from songforge.songs import load
    name, i, seed = task
    genre, over = _JOB["songs"][i]["style"], dict(_JOB["variants"][name])
    if "male_formant" in over:
        planner.MALE_FORMANT = tuple(over.pop("male_formant"))
    if "male_low" in over:
        planner.MALE_LOW = int(over.pop("male_low"))
    version = int(over.pop("planner", planner.PLANNER))
    if "band_size" in over:
        planner.BAND_SIZE = int(over.pop("band_size"))
    if "feel" in over:
        from songforge.plan import humanize
        feel = over.pop("feel")
        humanize.FEEL = None if feel is None else humanize.Feel(**feel)
    if "drive" in over:
        sound.DRIVE[genre] = float(over.pop("drive"))
    if "cabinet_hz" in over:
        sound.CABINET_HZ[genre] = float(over.pop("cabinet_hz"))
    if "acoustic_kit" in over:
        kit = over.pop("acoustic_kit")
        sound.ACOUSTIC_KIT.pop(genre, None) if kit is None else sound.ACOUSTIC_KIT.__setitem__(genre, kit)
    if "named_as" in over:  # {GM program a name maps to: the program it plays instead}
        from songforge.plan import describe
        swap = {int(k): int(v) for k, v in over.pop("named_as").items()}
        for tag, prog in list(describe.INSTRUMENT_TAGS.items()):
            describe.INSTRUMENT_TAGS[tag] = swap.get(prog, prog)
        describe.resolve_style.cache_clear()
    if "wah" in over:  # null: no wah; else WAH fields
        w = over.pop("wah")
        sound.WAH.pop(genre, None) if w is None else sound.WAH.__setitem__(genre, {**sound.WAH.get(genre, {}), **w})
    if "pump_db" in over:
        db = over.pop("pump_db")
        sound.PUMP_DB.pop(genre, None) if db is None else sound.PUMP_DB.__setitem__(genre, float(db))
    if "band_tone_hz" in over:
        hz = over.pop("band_tone_hz")
        sound.BAND_TONE_HZ.pop(genre, None) if hz is None else sound.BAND_TONE_HZ.__setitem__(genre, float(hz))
    tone = over.pop(TONE, None)
    delta = over.pop("levels_delta_db", None)
    over = {k: tuple(v) if isinstance(v, list) else v for k, v in over.items()}
    styles.BY_NAME[genre] = replace(styles.BY_NAME[genre], **over)
    if delta:
        levels = tuple(float(a + b) for a, b in zip(styles.BY_NAME[genre].levels_db, delta))
        styles.BY_NAME[genre] = replace(styles.BY_NAME[genre], levels_db=levels)
    songs, errors = load(_JOB["inputs"][i])
    if errors:
        raise ValueError(str(errors[0]))
    plan = planner.make_plan(songs[0].spec, songs[0].timing, seed, planner=version)
    out = os.path.join(_JOB["work"], name.replace(" ", "_").replace("/", "_"), f"seed{seed}")
    os.makedirs(out, exist_ok=True)
    r = render_plan(plan, 24000)
    if tone:
        r = _toned(r, tone)
    return write_song(plan, r, out, picture=False, release=True)


def _toned(r, tone: dict):
    from dataclasses import replace

    from scipy.signal import butter, sosfilt
    stems = {}
    for name, x in r.stems.items():
        y = x.astype(np.float64)
        if name not in tone.get("stems", r.stems):
            stems[name] = x
            continue
        if tone.get("lowpass"):
            y = sosfilt(butter(2, tone["lowpass"], "lowpass", fs=r.sample_rate, output="sos"), y)
        if tone.get("highpass") and name != "bass":
            y = sosfilt(butter(2, tone["highpass"], "highpass", fs=r.sample_rate, output="sos"), y)
        k = tone.get("saturation")
        if k:
            peak = max(float(np.max(np.abs(y))), 1e-9)
            y = np.tanh(k * y / peak) * peak / np.tanh(k)
        stems[name] = y.astype(np.float32)
    return replace(r, stems=stems, mix=sum(stems.values()).astype(np.float32))


def hear(folder: str, song: dict) -> dict:
    import soundfile as sf

    from songforge.ears.outside import ear_scores
    x, sr = sf.read(os.path.join(folder, "mix.flac"), dtype="float32", always_2d=True)
    with open(os.path.join(folder, "labels.json"), encoding="utf-8") as f:
        planned = json.load(f).get("style_resolution", {}).get("style")
    return {"id": song["id"], "gender": song["gender"], "planned_style": planned,
            "ear": ear_scores(x.mean(axis=1), sr, song["style"], song["gender"], instrumental=False)}


def summarise(rows: list[dict]) -> dict:
    out = {"songs": len(rows), "planned_as_asked": float(np.mean([r["planned_style"] == r["asked"] for r in rows]))}
    for t in TAGGERS:
        ranks = [r["ear"][t]["genre_rank"] for r in rows if "genre_rank" in r["ear"][t]]
        if ranks:
            out[t] = {"mean_rank": round(float(np.mean(ranks)), 2), "top3": round(float(np.mean([k <= 3 for k in ranks])), 2)}
        else:
            out[t] = {}
        out[t]["gender"] = round(float(np.mean([r["ear"][t].get("gender_correct", 0) for r in rows])), 2)
        male = [r["ear"][t].get("gender_correct", 0) for r in rows if r["gender"] == "male"]
        if male:
            out[t]["male_heard_male"] = round(float(np.mean(male)), 2)
    return out


def main() -> None:
    from songforge.render.batch import run_isolated
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--genre", required=True)
    ap.add_argument("--variants", required=True, help="JSON file or inline JSON: {name: {field: value}}")
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", default=os.path.join(ROOT, "out", "tune"))
    ap.add_argument("--songs", type=int, default=4, help="songs per genre")
    ap.add_argument("--songs-file", default=SONGS, help="tuning songs (jsonl: id, style, gender, text, lyrics)")
    ap.add_argument("--seeds", type=int, default=1, help="plan every song with seeds 0..N-1 (less noise, N times the work)")
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    raw = a.variants
    variants = json.loads(open(raw).read() if os.path.isfile(raw) else raw)
    variants = {"as is": {}} | variants
    with open(a.songs_file, encoding="utf-8") as f:
        every = list(map(json.loads, f))
    genres = sorted({s["style"] for s in every}) if a.genre == "all" else a.genre.split(",")
    songs = [s for g in genres for s in [s for s in every if s["style"] == g][:a.songs]]
    missing = [g for g in genres if not any(s["style"] == g for s in songs)]
    if missing:
        sys.exit(f"{a.songs_file}: no songs of genre {missing[0]!r}")
    work = os.path.join(a.work, a.genre.replace(",", "+"))
    _JOB.update(songs=songs, variants=variants, work=work,
                inputs=write_inputs(songs, os.path.join(work, "inputs"), a.duration))
    tasks = [(name, i, seed) for name in variants for i in range(len(songs)) for seed in range(a.seeds)]
    folders = {}
    for (name, i, seed), folder, err, _ in run_isolated(_render, tasks, a.workers):
        if err:
            sys.exit(f"variant {name!r}, song {songs[i]['id']}, seed {seed}: {err}")
        folders[(name, i, seed)] = folder
    result = {"genre": a.genre, "songs": [s["id"] for s in songs], "seeds": a.seeds, "variants": {}}
    for name, over in variants.items():
        rows = [hear(folders[(name, i, seed)], s) | {"asked": s["style"], "seed": seed}
                for i, s in enumerate(songs) for seed in range(a.seeds)]
        result["variants"][name] = {"overrides": over, "summary": summarise(rows), "rows": rows}
        print(f"{name}: " + json.dumps(result["variants"][name]["summary"]), file=sys.stderr, flush=True)
    seeds = "seed 0" if a.seeds == 1 else f"seeds 0-{a.seeds - 1} each"
    lines = [f"{a.genre}: {len(songs)} tuning songs ({os.path.relpath(a.songs_file, ROOT)}), planned with {seeds}, rendered, "
             f"mastered ({len(songs) * a.seeds} renders per variant); the asked genre's mean rank / top-3 share / "
             "gender agreement (male singers heard male) per tagger", "",
             "| variant | " + " | ".join(TAGGERS) + " | overrides |", "|---|" + "---|" * (len(TAGGERS) + 1)]
    for name, v in result["variants"].items():
        cells = [f"{s.get('mean_rank', '-')} / {s.get('top3', '-')} / {s['gender']} ({s.get('male_heard_male', '-')})"
                 for s in (v["summary"][t] for t in TAGGERS)]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {json.dumps(v['overrides'])} |")
    write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
