"""Long-term average spectrum of songs as delivered: mixes of one set of song folders against another (e.g. the
engine's mono 24 kHz output before the production stage and the 44.1 kHz stereo release after it), averaged over
songs, with the band above 12 kHz (where the 24 kHz engines have nothing and render/produce.py adds air by band replication) marked.

    python benchmarks/ltas.py --sets before=out/realism_before/generate after=out/realism/generate \\
        --out benchmarks/results/ltas_generate.png"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np


def ltas(folder: str, n_fft: int = 4096) -> tuple[np.ndarray, np.ndarray, int]:
    """(frequencies, mean power in dB re the loudest bin of the set, songs) over every <song>/mix.* in folder."""
    import soundfile as sf
    from scipy.signal import welch
    acc, freqs, n = None, None, 0
    for song in sorted(os.listdir(folder)):
        path = next((os.path.join(folder, song, f) for f in ("mix.flac", "mix.wav")
                     if os.path.isfile(os.path.join(folder, song, f))), None)
        if path is None:
            continue
        x, sr = sf.read(path, dtype="float64", always_2d=True)
        f, p = welch(x.mean(axis=1), fs=sr, nperseg=n_fft)
        grid = np.linspace(0, 22050, 1024)
        p = np.interp(grid, f, p, right=1e-20)  # a 24 kHz song has nothing above 12 kHz
        acc = p if acc is None else acc + p
        freqs, n = grid, n + 1
    if n == 0:
        raise SystemExit(f"{folder}: no <song>/mix.flac")
    db = 10 * np.log10(acc / n + 1e-20)
    return freqs, db - db.max(), n


def main() -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", required=True, help="NAME=FOLDER of song folders")
    ap.add_argument("--out", required=True, help=".png (a .json with the band levels is written beside it)")
    a = ap.parse_args()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bands = {}
    for item in a.sets:
        name, _, folder = item.partition("=")
        f, db, n = ltas(folder)
        ax.plot(f / 1000, db, label=f"{name} ({n} songs)")
        power = 10 ** (db / 10)
        bands[name] = {"songs": n, **{k: round(float(10 * np.log10(power[(f >= lo) & (f < hi)].mean() + 1e-20)), 1)
                                      for k, (lo, hi) in {"6-12 kHz dB": (6000, 12000), "12-16 kHz dB": (12000, 16000),
                                                          "16-20 kHz dB": (16000, 20000)}.items()}}
    ax.axvspan(12, 22.05, color="0.9", zorder=0)
    ax.text(12.3, -10, "above 12 kHz:\nnothing at 24 kHz;\nair by band replication", fontsize=8, va="top")
    ax.set(xlabel="frequency (kHz)", ylabel="mean power (dB, loudest bin = 0)", ylim=(-110, 5), xlim=(0, 22.05),
           title="Long-term average spectrum of the mixes")
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    with open(os.path.splitext(a.out)[0] + ".json", "w") as fh:
        json.dump(bands, fh, indent=1)
    print(json.dumps(bands, indent=1))


if __name__ == "__main__":
    main()
