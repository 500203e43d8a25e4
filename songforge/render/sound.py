"""Instrument sound beyond the soundfont's samples: the guitar amplifier, and a band's tone by style. General MIDI's overdriven and distortion
guitars (programs 29, 30) are played through a high-gain amp and speaker cabinet, as every record with a distorted
guitar has them: a high-pass before the clipper (a tight low end), a soft clipper, a cabinet's 4th-order roll-off.

FluidR3's distortion-guitar patch (30) is itself recorded through a fizzy amp; through a second one it turns to
noise. Both programs therefore play the overdriven patch (29) into the amp, the drive set by the style (a metal
song's amp is driven hardest). Measured by the outside ear on the three metal songs of benchmarks/realism.py:
power chords through this amp moved the asked genre's rank from 26 to 3.3 (MSD_musicnn) and 25 to 7.7 (MSD_vgg);
docs/HISTORY.md has the variants tried.

A blues band's drums, bass and other are darkened (a 2nd-order low-pass at 3 kHz, the top end of an old record; the
vocals keep theirs): on the four blues songs written for tuning (benchmarks/tune_sound.py,
benchmarks/results/tune_blues.md), with organ and walking bass, the asked genre's mean rank went 2.5 -> 1.5
(MSD_musicnn) and 9.25 -> 3.75 (MSD_vgg) (4 kHz: 2.0 / 5.75); on funk, soul, jazz, metal and hip hop a 4 kHz
darkening made it worse (docs/HISTORY.md).

Jazz, blues and country play a multi-sampled acoustic kit (AVL Drumkits) instead of FluidR3's: on the tuning songs
(benchmarks/results/tune_kits.md, tune_kits_more.md) MSD_musicnn / MSD_vgg mean rank jazz 8.25 / 1.0 -> 3.5 / 1.0
(every song better), blues 1.25 / 3.0 -> 1.0 / 2.0, country 1.25 / 4.0 -> 1.0 / 2.5; funk, soul and hip hop were
worse with either kit, the other genres no better.

Funk's clean and muted guitars go through an envelope-following wah (WAH: a band-pass that opens to 2.4 kHz at each
chord and closes to 450 Hz over ~0.2 s): on the funk tuning songs (benchmarks/results/tune_funk_wah_s31.md) MSD_musicnn
/ MSD_vgg mean rank 2.88 / 18.75 without it, 2.5 / 16.62 with it (vgg better on 7 of 8 renders, none worse); a faster
close (0.09 s) 3.25 / 16.88.

EDM and house pump: the bass and the 'other' stem duck at every kick and swell back (PUMP_DB), the sidechain
compression of a dance record."""
from __future__ import annotations

import os

import numpy as np

AMP_PROGRAMS = (29, 30)  # GM overdriven guitar, distortion guitar
PLAYED_AS = {30: 29}  # the patch that goes into the amp for each
DRIVE = {"metal": 120.0, "rock": 30.0, "blues": 8.0}  # the clipper's gain on a peak-normalised input, by style
DEFAULT_DRIVE = 30.0
CABINET_HZ = {"metal": 4500.0}
BAND_TONE_HZ = {"blues": 3000.0}  # low-pass of the drums, bass and other stems, by style
# Sidechain pumping, by style: the bass and 'other' stems ducked by this many dB at every kick, recovering over
# PUMP_RELEASE_S (a dance record's compressor keyed by its kick)
PUMP_DB = {"edm": 6.0, "house": 6.0}
PUMP_RELEASE_S = 0.18
# Guitars played through an envelope-following wah, by style: which GM programs, the band-pass centre's lowest and
# highest Hz, and how fast it closes after each chord (s)
WAH = {"funk": {"programs": (27, 28), "lo_hz": 450.0, "hi_hz": 2400.0, "decay_s": 0.18}}
DEFAULT_CABINET_HZ = 5500.0

# Multi-sampled acoustic kits (Debian's avldrums.lv2-soundfont: AVL Drumkits by Glen MacArthur, CC-BY-SA 3.0; velocity
# layers and round robins where FluidR3 has one sample per drum), by style; other styles play the plan's GM kit.
KIT_FONTS = {"black_pearl": "/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2",
             "red_zeppelin": "/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2"}
ACOUSTIC_KIT = {"jazz": "red_zeppelin", "blues": "black_pearl", "country": "red_zeppelin"}  # style -> KIT_FONTS name
# the AVL kits' keys where they differ from General MIDI (their 50 is a crash choke; two toms: 12" and the floor
# tom); drums the kits lack (the shaker) play from the GM kit
KIT_KEYS = {"tom_low": 41, "tom_mid": 45, "tom_high": 45}
KIT_LACKS = ("shaker",)
KIT_CREDIT = "AVL Drumkits {} by Glen MacArthur (CC-BY-SA 3.0)"


def acoustic_kit(style: str) -> str | None:
    """The style's acoustic kit (a KIT_FONTS name) if it has one and it is installed, else None."""
    name = ACOUSTIC_KIT.get(style)
    return name if name is not None and os.path.isfile(KIT_FONTS[name]) else None


def drum_samples(style: str) -> str:
    """Whose samples a style's drums play (labels.json: a song made with CC-BY-SA samples says so)."""
    name = acoustic_kit(style)
    return KIT_CREDIT.format(name.replace("_", " ").title()) if name else "FluidR3 GM (MIT)"


def amp(x: np.ndarray, sr: int, drive: float, cabinet_hz: float = DEFAULT_CABINET_HZ, tight_hz: float = 110.0
        ) -> np.ndarray:
    """x through the amp: high-pass at tight_hz, tanh clipper with `drive` on the peak-normalised signal,
    cabinet low-pass (4th order) at cabinet_hz, a DC/rumble high-pass at 80 Hz. Returns x's RMS (the mixer
    sets stem levels); silence stays silence."""
    from scipy.signal import butter, sosfilt
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak < 1e-6:
        return x.astype(np.float32)
    y = sosfilt(butter(2, tight_hz, "highpass", fs=sr, output="sos"), x.astype(np.float64))
    y = np.tanh(drive * y / peak)
    y = sosfilt(butter(4, min(cabinet_hz, 0.45 * sr), "lowpass", fs=sr, output="sos"), y)
    y = sosfilt(butter(2, 80.0, "highpass", fs=sr, output="sos"), y)
    rms_in, rms_out = np.sqrt(np.mean(x.astype(np.float64) ** 2)), np.sqrt(np.mean(y ** 2))
    return (y * (rms_in / rms_out if rms_out > 0 else 0.0)).astype(np.float32)


def guitar_amp(x: np.ndarray, sr: int, style: str) -> np.ndarray:
    return amp(x, sr, DRIVE.get(style, DEFAULT_DRIVE), CABINET_HZ.get(style, DEFAULT_CABINET_HZ))


def band_tone(x: np.ndarray, sr: int, style: str) -> np.ndarray:
    """A band stem through its style's tone (BAND_TONE_HZ); unchanged for other styles."""
    hz = BAND_TONE_HZ.get(style)
    if hz is None or not x.size:
        return x
    from scipy.signal import butter, sosfilt
    return sosfilt(butter(2, hz, "lowpass", fs=sr, output="sos"), x.astype(np.float64)).astype(np.float32)


def pump_gain(kicks, n: int, sr: int, depth_db: float, release_s: float = PUMP_RELEASE_S) -> np.ndarray:
    """[n] gain of a compressor keyed by kicks at the given times (s): down by depth_db 5 ms after each kick (a
    linear attack), back up exponentially with time constant release_s / 3 (so within ~release_s), never above 1."""
    g = np.ones(n)
    duck = 1.0 - 10 ** (-depth_db / 20.0)
    attack = max(1, int(0.005 * sr))
    tail = np.exp(-np.arange(int(release_s * sr * 2)) / (release_s * sr / 3.0))
    for t in sorted(set(kicks)):
        a = int(round(t * sr))
        if a >= n:
            continue
        shape = np.concatenate([np.linspace(0.0, 1.0, attack, endpoint=False), tail])[:n - a]
        g[a:a + len(shape)] = np.minimum(g[a:a + len(shape)], 1.0 - duck * shape)
    return g


def pumped(stems: dict[str, np.ndarray], sr: int, style: str, kicks) -> dict[str, np.ndarray]:
    """The bass and 'other' stems ducked by the kick (PUMP_DB); unchanged for styles without pumping."""
    depth = PUMP_DB.get(style)
    if depth is None or not kicks:
        return stems
    out = dict(stems)
    for name in ("bass", "other"):
        x = stems[name]
        out[name] = (x * pump_gain(kicks, len(x), sr, depth)).astype(np.float32)
    return out


def wah(x: np.ndarray, sr: int, onsets, lo_hz: float, hi_hz: float, decay_s: float, q: float = 3.0,
        block: int = 64) -> np.ndarray:
    """x through an envelope-following wah: a resonant band-pass whose centre jumps to hi_hz at each note onset and
    falls back to lo_hz exponentially (time constant decay_s), mixed 3:1 with the dry signal, at x's RMS. The
    filter's coefficients change every `block` samples; its state carries across."""
    from scipy.signal import lfilter
    n = len(x)
    if n == 0 or float(np.max(np.abs(x))) < 1e-6:
        return x.astype(np.float32)
    env = np.zeros(n)
    tail = np.exp(-np.arange(int(8 * decay_s * sr)) / (decay_s * sr))  # down to 3e-4: the rest is lo_hz
    for o in sorted(set(onsets)):
        a = int(round(o * sr))
        if 0 <= a < n:
            k = min(len(tail), n - a)
            env[a:a + k] = np.maximum(env[a:a + k], tail[:k])
    y = np.zeros(n)
    zi = np.zeros(2)
    for a in range(0, n, block):
        fc = lo_hz * (hi_hz / lo_hz) ** env[a]
        w = 2 * np.pi * fc / sr
        alpha = np.sin(w) / (2 * q)
        b = np.array([alpha, 0.0, -alpha]) / (1 + alpha)
        den = np.array([1.0, -2 * np.cos(w) / (1 + alpha), (1 - alpha) / (1 + alpha)])
        y[a:a + block], zi = lfilter(b, den, x[a:a + block].astype(np.float64), zi=zi)
    rms = lambda v: max(float(np.sqrt(np.mean(np.square(v, dtype=np.float64)))), 1e-12)  # noqa: E731
    out = 0.75 * y * (rms(x) / rms(y)) + 0.25 * x
    return (out * (rms(x) / rms(out))).astype(np.float32)


def wah_programs(style: str) -> tuple[int, ...]:
    return WAH[style]["programs"] if style in WAH else ()


def style_wah(x: np.ndarray, sr: int, style: str, onsets) -> np.ndarray:
    w = WAH[style]
    return wah(x, sr, onsets, w["lo_hz"], w["hi_hz"], w["decay_s"])
