"""Where is the male singer lost? Written songs of male singers (folders with labels.json and the four release stems,
as `songforge render`, benchmarks/realism.py or benchmarks/tune_sound.py leave them) remixed from their stems in
ways a mixing engineer could, and heard by the outside ear (MSD_musicnn): the share of male singers heard male and
the asked genre's mean rank among the MSD genre tags, per remix. Nothing is rendered again.

    python benchmarks/gender_remix.py --songs 'out/tune/funk/as_is/seed*/*' ... --out benchmarks/results/gender_remix.json
"""
from __future__ import annotations

import argparse
import glob
import json
import os

import numpy as np
from roundtrip import write_results

STEMS = ("vocals", "drums", "bass", "other")
TAGGER = "MSD_musicnn"


def _filtered(x: np.ndarray, kind: str, hz: float, sr: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt
    return sosfilt(butter(2, hz, kind, fs=sr, output="sos"), x, axis=0).astype(np.float32)


def _band(x: np.ndarray, lo: float, hi: float, sr: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt
    return sosfilt(butter(2, [lo, hi], "bandpass", fs=sr, output="sos"), x, axis=0).astype(np.float32)


def _doubled(x: np.ndarray, sr: int) -> np.ndarray:
    """A double-tracked voice: the stem plus a copy 18 ms later and 6 cents sharp, scaled back to the stem's RMS."""
    from scipy.signal import resample
    n = len(x)
    shifted = resample(x, int(round(n / 2 ** (6 / 1200))), axis=0)[:n]
    copy = np.zeros_like(x)
    d = int(0.018 * sr)
    copy[d:d + len(shifted)] = shifted[:n - d]
    y = x + copy
    return (y * np.sqrt(np.mean(x ** 2) / max(np.mean(y ** 2), 1e-12))).astype(np.float32)


def remixes(st: dict[str, np.ndarray], sr: int) -> dict[str, np.ndarray]:
    band = st["drums"] + st["bass"] + st["other"]
    db = lambda g: np.float32(10 ** (g / 20))  # noqa: E731
    return {"as written": st["vocals"] + band,
            "vocals +4 dB": db(4) * st["vocals"] + band,
            "vocals +8 dB": db(8) * st["vocals"] + band,
            "vocals' chest +6 dB (< 300 Hz)":
                st["vocals"] + (db(6) - 1) * _filtered(st["vocals"], "lowpass", 300, sr) + band,
            "vocals low-passed at 3 kHz": _filtered(st["vocals"], "lowpass", 3000, sr) + band,
            "vocals' presence +6 dB (2-5 kHz)": st["vocals"] + (db(6) - 1) * _band(st["vocals"], 2000, 5000, sr) + band,
            "vocals' top +6 dB (> 4 kHz)": st["vocals"] + (db(6) - 1) * _filtered(st["vocals"], "highpass", 4000, sr)
            + band,
            "vocals doubled (18 ms, +6 cents), same loudness": _doubled(st["vocals"], sr) + band,
            "band's 2-5 kHz -4 dB": st["vocals"] + band + (db(-4) - 1) * _band(band, 2000, 5000, sr),
            "band low-passed at 6 kHz": st["vocals"] + _filtered(band, "lowpass", 6000, sr),
            "vocals alone": st["vocals"], "band alone": band}


def main() -> None:
    import soundfile as sf

    from songforge.ears.outside import ear_scores
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--songs", nargs="+", required=True, help="song folders (glob patterns)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    folders = sorted({f for pat in a.songs for f in glob.glob(pat) if os.path.isfile(os.path.join(f, "labels.json"))})
    rows: dict[str, list] = {}
    used = []
    for f in folders:
        with open(os.path.join(f, "labels.json"), encoding="utf-8") as fh:
            lab = json.load(fh)
        if (lab.get("voice") or {}).get("gender") != "male":
            continue
        st, sr = {}, 0
        for k in STEMS:
            st[k], sr = sf.read(os.path.join(f, k + ".flac"), dtype="float32", always_2d=True)
        used.append(f)
        for name, x in remixes(st, sr).items():
            e = ear_scores(x.mean(axis=1), sr, lab["style"], "male", instrumental=False)[TAGGER]
            rows.setdefault(name, []).append({"song": f, "male": e.get("gender_correct", 0), "rank": e.get("genre_rank")})
    if not used:
        raise SystemExit("no song folder of a male singer among --songs")
    result = {"songs": used, "tagger": TAGGER, "remixes": {}}
    lines = [f"{len(used)} songs of male singers, remixed from their stems, heard by {TAGGER}", "",
             "| remix | male heard male | asked genre's mean rank |", "|---|---|---|"]
    for name, r in rows.items():
        male = round(float(np.mean([x["male"] for x in r])), 2)
        ranks = [x["rank"] for x in r if x["rank"] is not None]
        rank = round(float(np.mean(ranks)), 2) if ranks else None
        result["remixes"][name] = {"male_heard_male": male, "mean_rank": rank, "rows": r}
        lines.append(f"| {name} | {male} | {rank if rank is not None else '-'} |")
    write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
