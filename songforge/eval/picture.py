"""Per-song evaluation picture: vocal spectrogram, asked vs found word onsets, planned vs sung F0, chords."""
from __future__ import annotations

import numpy as np


def plot_eval(song, row: dict, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from .pitch import sung_f0
    plt.rcParams["font.family"] = ["DejaVu Sans", "WenQuanYi Micro Hei"]
    a = song.asked
    v, sr = song.load("vocals") or song.load("mix")
    fig, ax = plt.subplots(figsize=(16, 4.5))
    n_fft, hop = 1024, 256
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(v, (0, n_fft)), n_fft)[::hop]
    S = 20 * np.log10(np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)).T + 1e-6)
    top = int(2000 / (sr / n_fft))
    ax.imshow(S[:top], origin="lower", aspect="auto", cmap="magma", vmin=S.max() - 80,
              extent=(0, len(frames) * hop / sr, 0, top * sr / n_fft))
    if a.f0 is not None:
        t, f = a.f0
        ax.plot(t, np.where(f > 0, f, np.nan), color="#00e5ff", lw=1.2, label="asked F0")
        te, fe = sung_f0(v, sr)
        ax.plot(te, np.where(fe > 0, fe, np.nan), ".", color="white", ms=1.5, label="sung F0")
    lag = row["timing"]["lag_ms"] / 1000
    for text, s, e, _ in a.words:
        ax.axvline(s, color="#7CFC00", lw=0.8)
        ax.text(s, top * sr / n_fft * 0.97, text, color="#7CFC00", fontsize=7, va="top", rotation=90)
    for text, s, e, _ in a.words:
        ax.axvline(s + lag, color="#ff4081", lw=0.6, ls="--")
    if a.chords:
        for sym, s, e in a.chords:
            ax.text(s, 30, sym, color="yellow", fontsize=7)
    lyr = row.get("lyrics", {})
    rate = f"WER {lyr['wer']:.2f}" if "wer" in lyr else f"CER {lyr['cer']:.2f}" if "cer" in lyr else ""
    ax.set_title(f"{a.id}: {rate}  onset median {row['timing']['onset_median_ms']} ms (lag {row['timing']['lag_ms']} ms)"
                 + (f"  pitch acc {row['melody']['raw_pitch_accuracy']:.2f}" if "melody" in row else "")
                 + (f"  chords {row['harmony']['chord_majmin']:.2f}" if "chord_majmin" in row.get("harmony", {}) else "")
                 + "\ngreen: asked word starts, pink dashed: found (global lag)", fontsize=9)
    ax.set_xlabel("seconds")
    ax.set_ylabel("Hz")
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
