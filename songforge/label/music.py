"""The music of a recording, as labels: beats, downbeats and tempo (librosa's tracker; the bar's first beat where
the low end and the harmony change), key (the key estimator), chords per half bar (chroma templates, eval/harmony.py)
and the sung melody as one note per aligned syllable (swift-f0 on the separated vocals). Each with a confidence in
0..1, so a user (and a trainer) can tell a sure label from a guess."""
from __future__ import annotations

import numpy as np

from ..model.chroma import PITCH_CLASSES

F0_HOP_S = 0.01  # the f0 label's hop, as the data engine writes it


def beats(audio: np.ndarray, sr: int, meter: int = 4, prior_bpm: float | None = None) -> dict:
    """{bpm, beats, downbeats, beat_confidence} of a mix [S]. prior_bpm: the tempo the song's style usually has (the
    tempo estimate's log-normal prior is centred there, half an octave wide, instead of librosa's 120 BPM and one
    octave: on 59 data-engine songs, each with its own style's tempo as the prior, beat F1 0.86 -> 0.94; the misses being tempi read doubled or halved). Downbeats: of the `meter` phases of the beat list, the
    one whose beats carry the most low-end onset strength and chroma change (kick drums and chord changes fall on
    the bar). beat_confidence: the onset strength on the tracked beats over its mean (1: no pulse; >2: a clear one),
    mapped to 0..1."""
    import librosa
    hop = 256
    y = audio.astype(np.float32)
    env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop)
    prior = {"start_bpm": prior_bpm, "std_bpm": 0.5} if prior_bpm else {}
    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=env, sr=sr, hop_length=hop, **prior))[0])
    _, frames = librosa.beat.beat_track(onset_envelope=env, sr=sr, hop_length=hop, start_bpm=tempo, tightness=400,
                                        trim=False)
    times = librosa.frames_to_time(frames, sr=sr, hop_length=hop)
    times, frames = _beat_phase(y, sr, hop, times)
    if len(times) < 2:
        return {"bpm": round(tempo, 2), "beats": [], "downbeats": [], "beat_confidence": 0.0}
    clarity = float(env[frames].mean() / max(env.mean(), 1e-9))
    low = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop, fmax=200.0, n_mels=32)
    chroma = librosa.feature.chroma_stft(y=y, sr=sr, hop_length=hop)
    change = np.r_[0.0, np.linalg.norm(np.diff(chroma, axis=1), axis=0)]
    at = np.clip(frames, 0, len(low) - 1)
    score = low[at] / max(low.mean(), 1e-9) + change[np.clip(frames, 0, len(change) - 1)] / max(change.mean(), 1e-9)
    phase = int(np.argmax([score[p::meter].mean() for p in range(min(meter, len(times)))]))
    bpm = 60.0 / float(np.median(np.diff(times)))
    return {"bpm": round(bpm, 2), "beats": [round(float(t), 4) for t in times],
            "downbeats": [round(float(t), 4) for t in times[phase::meter]],
            "beat_confidence": round(float(np.clip((clarity - 1.0) / 1.5, 0.0, 1.0)), 3)}


PHASES = (0.0, 1 / 3, 1 / 2, 2 / 3)  # of a beat: where a swung or syncopated pattern can pull the tracker


def _beat_phase(y: np.ndarray, sr: int, hop: int, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tracked beats moved by the fraction of a beat (PHASES) where the onsets below 2 kHz are strongest: the
    tracker can lock onto a shuffle's swung off-beat (two blues songs of the test set had every beat 2/3 of a beat
    late: beat F1 0); kick, snare and bass fall on the beat. Returns (times, hop frames)."""
    import librosa
    if len(times) < 3:
        return times, librosa.time_to_frames(times, sr=sr, hop_length=hop)
    env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop, fmax=2000.0, n_mels=64)
    period = float(np.median(np.diff(times)))

    def strength(t):
        f = np.clip(np.round(t * sr / hop).astype(int), 0, len(env) - 1)
        return float(np.mean([env[max(0, i - 2):i + 3].max() for i in f]))
    best = max(PHASES, key=lambda s: strength(times + s * period))
    moved = times + best * period
    moved = moved[moved < len(y) / sr]
    return moved, librosa.time_to_frames(moved, sr=sr, hop_length=hop)


def chords(audio: np.ndarray, sr: int, downbeats: list[float], beat_list: list[float], duration: float) -> list[dict]:
    """[{symbol, start, end, confidence}] over half bars (two beats; whole seconds when no beats were found): the
    chroma-template chord most frames of the span read as (root + maj/min), its share of those frames as the
    confidence; equal neighbours merged."""
    from ..eval.harmony import recognise
    times, rec = recognise(audio, sr)
    grid = list(beat_list[::2]) if len(beat_list) >= 4 else list(np.arange(0.0, duration, 2.0))
    if downbeats and beat_list:  # half bars counted from the first downbeat
        first = beat_list.index(downbeats[0]) if downbeats[0] in beat_list else 0
        grid = beat_list[first % 2::2]
    edges = [0.0] + [t for t in grid if 0.0 < t < duration] + [duration]
    out: list[dict] = []
    for a, b in zip(edges[:-1], edges[1:]):
        got = [r for t, r in zip(times, rec) if a <= t < b and r is not None]
        if not got:
            continue
        vals, counts = np.unique([f"{PITCH_CLASSES[r]}:{q}" for r, q in got], return_counts=True)
        k = int(np.argmax(counts))
        sym, conf = str(vals[k]), float(counts[k] / len(got))
        if out and out[-1]["symbol"] == sym and abs(out[-1]["end"] - a) < 1e-6:
            out[-1]["end"] = round(b, 4)
            out[-1]["confidence"] = round(min(out[-1]["confidence"], conf), 3)
        else:
            out.append({"symbol": sym, "start": round(a, 4), "end": round(b, 4), "confidence": round(conf, 3)})
    return out


def sung_f0(vocals: np.ndarray, sr: int, duration: float) -> np.ndarray:
    """f0 in Hz every F0_HOP_S (0: unvoiced) of the separated vocals, by swift-f0."""
    from ..eval.pitch import swift_f0
    t, hz = swift_f0(vocals, sr)
    grid = np.arange(int(round(duration / F0_HOP_S))) * F0_HOP_S
    voiced = np.interp(grid, t, (hz > 0).astype(float), left=0.0, right=0.0) > 0.5
    return np.where(voiced, np.interp(grid, t, np.where(hz > 0, hz, np.nan), left=0.0, right=0.0), 0.0)


def syllable_notes(f0: np.ndarray, spans: list[tuple[float, float]], min_voiced: float = 0.3) -> list[dict]:
    """One note per syllable span (start, end): the median pitch of its voiced frames, rounded to the semitone;
    confidence = voiced share x how steady the pitch is (1 within a semitone's spread). Syllables voiced less than
    `min_voiced` of their span get no note."""
    out = []
    for k, (a, b) in enumerate(spans):
        seg = f0[int(a / F0_HOP_S):max(int(a / F0_HOP_S) + 1, int(b / F0_HOP_S))]
        v = seg[np.isfinite(seg) & (seg > 0)]
        share = len(v) / max(1, len(seg))
        if share < min_voiced or len(v) == 0:
            continue
        midi = 69 + 12 * np.log2(v / 440.0)
        spread = float(np.percentile(midi, 75) - np.percentile(midi, 25))
        out.append({"pitch": int(np.round(np.median(midi))), "start": round(a, 4), "end": round(b, 4), "syllable": k,
                    "confidence": round(share * float(np.clip(1.5 - spread, 0.0, 1.0)), 3)})
    return out
