"""The picture of a song: a timeline a musician can read — sections, lines, words, syllables/phonemes,
chords and melody — wrapped into systems of a few bars like a lead sheet."""
from __future__ import annotations

import math

from .plan.timing import LyricTiming
from .spec.song import SongSpec

SECTION_COLOURS = {"intro": "#d9d9d9", "verse": "#9ecae1", "prechorus": "#c6dbef", "chorus": "#fdae6b",
                   "bridge": "#bcbddc", "inst": "#e5e5e5", "outro": "#d9d9d9", "silence": "#f7f7f7"}


def plot_song(spec: SongSpec, timing: LyricTiming, path: str, bars_per_system: int = 8, chords=None, melody=None,
              key: str | None = None) -> str:
    """Draw the song to `path` (PNG). `chords`/`melody` (objects with symbol|pitch, start, end) default to
    the spec's own; a SongPlan passes its planned ones."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    plt.rcParams["font.family"] = ["DejaVu Sans", "WenQuanYi Micro Hei"]
    bar = timing.bar_s
    sys_len = bars_per_system * bar
    n_sys = max(1, math.ceil(timing.duration / sys_len - 1e-9))
    chords = spec.controls.chords if chords is None else chords
    melody = spec.controls.melody if melody is None else melody
    key = key or spec.controls.key
    y_mel = (-2.2, -0.1) if melody else None
    row_h = 1.6 + (0.6 if chords else 0) + (1.4 if melody else 0)
    fig, axes = plt.subplots(n_sys, 1, figsize=(16, row_h * n_sys + 0.9), squeeze=False)
    title = f"{spec.id} — {timing.duration:.1f} s, {timing.bpm:g} bpm, {timing.meter}/4"
    if key:
        title += f", {key}"
    title += f"  (times {timing.origin})"
    if spec.style.tags:
        title += "\n" + ", ".join(spec.style.tags)
    fig.suptitle(title, fontsize=11, x=0.01, ha="left")
    pitches = [n.pitch for n in melody] or [60]
    p_lo, p_hi = min(pitches) - 1, max(pitches) + 1

    for k in range(n_sys):
        ax = axes[k][0]
        t0, t1 = k * sys_len, (k + 1) * sys_len
        ax.set_xlim(t0, t1)
        ax.set_ylim(y_mel[0] - 0.2 if y_mel else (0.4 if chords else 1.35), 5.0)
        if t1 > timing.duration:  # past the song's end
            ax.axvspan(timing.duration, t1, color="#f4f4f4", zorder=0)
            ax.text(timing.duration + 0.01 * sys_len, 4.85, "end", fontsize=7, color="#999", va="top")
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        # bar and beat lines (bar numbers on top) when the lines sit on a grid
        origin = timing.grid_start if timing.grid_start is not None else 0.0
        beat = 60.0 / timing.bpm
        b = math.floor((t0 - origin) / beat)
        while origin + b * beat <= min(t1, timing.duration) + 1e-9:
            x = origin + b * beat
            if x >= t0 - 1e-9:
                downbeat = b % timing.meter == 0
                ax.axvline(x, color="#777" if downbeat else "#ddd", lw=0.8 if downbeat else 0.4, zorder=0)
                if downbeat and timing.grid_start is not None:
                    ax.text(x + 0.03, 4.85, str(b // timing.meter + 1), fontsize=7, color="#555", va="top")
            b += 1

        def box(a, b_, y, h, label, colour, fs=8, edge="#555"):
            if b_ <= t0 or a >= t1:
                return
            ax.add_patch(Rectangle((a, y), b_ - a, h, facecolor=colour, edgecolor=edge, lw=0.5))
            width_chars = (min(b_, t1) - max(a, t0)) / sys_len * 16 * 72 / (fs * 0.6)
            if label and width_chars >= 1:
                text = label if len(label) <= width_chars + 0.5 else label[:max(1, int(width_chars) - 1)] + "…"
                ax.text((max(a, t0) + min(b_, t1)) / 2, y + h / 2, text, ha="center", va="center", fontsize=fs, clip_on=True)

        for sp in timing.sections:
            kind = sp.label.split("-")[0]
            box(sp.start, sp.end, 3.9, 0.6, f"[{sp.label}]", SECTION_COLOURS.get(kind, "#eee"), 8)
        for w in timing.words:
            box(w.start, w.end, 2.9, 0.8, w.text, "#fff7bc", 9)
        for i, s in enumerate(timing.syllables):
            box(s.start, s.end, 2.3, 0.5, "", "#e0f3db" if i % 2 else "#ccebc5", 6, edge="#888")
        for p in timing.phonemes:
            box(p.start, p.end, 1.5, 0.7, p.symbol, "#f0f0f0", 6, edge="#bbb")
        for c in chords:
            box(c.start, c.end, 0.55, 0.7, c.symbol, "#fee0d2", 8)
        if melody:
            span = max(1, p_hi - p_lo)
            for n in melody:
                y = y_mel[0] + (n.pitch - p_lo) / span * (y_mel[1] - y_mel[0] - 0.15)
                box(n.start, n.end, y, 0.15, "", "#3182bd", 6, edge="#08519c")
        ax.set_xlabel("seconds", fontsize=7, labelpad=1)
        ax.tick_params(axis="x", labelsize=7)
        lanes_y = [(4.2, "section"), (3.3, "words"), (2.55, "syllables"), (1.85, "phonemes")]
        if chords:
            lanes_y.append((0.9, "chords"))
        if melody:
            lanes_y.append(((y_mel[0] + y_mel[1]) / 2, "melody"))
        for y, name in lanes_y:
            ax.text(t0 - 0.005 * sys_len, y, name, ha="right", va="center", fontsize=7, color="#444")
    fig.tight_layout(rect=(0.03, 0, 1, 0.97 if not spec.style.tags else 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
