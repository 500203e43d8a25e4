"""Style from a reference recording (JAM's audio_path, SongGeneration's prompt_audio_path, `--style-audio`): what
the planner reads from the first 30 s of a mix to fill what the spec leaves open.

  tempo      librosa's tempo estimate on the onset envelope, folded by octaves (then 3:2) into the detected
             style's range (`tempo_folded` says when it was)
  key, mode  the key estimator trained here (songforge/models/key, model/keynet.py) over the CQT chroma sequence
             of the mix and of its bass register; without it, key profiles (Krumhansl-Kessler, refitted on renders:
             scripts/fit_key_profiles.py -> key_profiles.json) against the mean chroma
  style      the style tagger (songforge/models/tagger, trained here on the data engine's renders): style,
             'other'-stem instrument families, bass family, lead singer's gender
  loudness   integrated LUFS; brightness: mean spectral centroid (Hz); reported, not yet used by the planner

The analysis is a pure function of the file (cached per path and modification time)."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

MAX_S = 30.0
MIN_S = 10.0
ANALYSIS_SR = 22050
# Krumhansl-Kessler probe-tone profiles (major, minor), tonic first
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
KK_PROFILES = (tuple(_MAJOR) + (0.0,) * 12, tuple(_MINOR) + (0.0,) * 12)  # [mode][full chroma, bass chroma]
_PC = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# a representative GM program per family, for families the tagger hears that the style does not play
_FAMILY_PROGRAM = (0, 11, 16, 25, 33, 48, 48, 61, 65, 73, 81, 89, 95, 107, 114, 119)


@dataclass(frozen=True)
class StyleProfile:
    bpm: float
    tempo_folded: bool  # the tracked tempo was doubled or halved into the style's range
    key: str  # "A minor"
    key_strength: float  # the key estimator's probability of that key (key profiles: the profile score)
    style: str | None  # None: no tagger available
    style_confidence: float
    programs: tuple[int, ...]  # 'other' stem GM programs implied by what the tagger hears
    bass_program: int | None
    gender: str | None
    loudness_lufs: float
    brightness_hz: float
    seconds: float  # analysed

    def as_dict(self) -> dict:
        return asdict(self)


def analyse_style(path: str) -> StyleProfile:
    """ValueError (naming the file) when the recording cannot be read or is shorter than MIN_S."""
    return _analyse(os.path.abspath(path), os.path.getmtime(path))


def chroma_frames(audio: np.ndarray, sr: int) -> np.ndarray:
    """[2, 12, frames]: CQT chroma (hop 2048) of the whole range and of the bass register (C1..C4)."""
    import librosa
    full = librosa.feature.chroma_cqt(y=audio, sr=sr, hop_length=2048)
    bass = librosa.feature.chroma_cqt(y=audio, sr=sr, hop_length=2048, fmin=librosa.note_to_hz("C1"), n_octaves=3)
    n = min(full.shape[1], bass.shape[1])
    return np.stack([full[:, :n], bass[:, :n]]).astype(np.float32)


def chromas(audio: np.ndarray, sr: int) -> np.ndarray:
    """[2, 12]: mean CQT chroma of the whole range and of the bass register."""
    return chroma_frames(audio, sr).mean(axis=2)


def key_scores(c: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    """[24] scores (C..B major, then C..B minor) of chromas [2, 12] under profiles [2 modes, 24 (full + bass)]: per
    block, the centred chroma (each block summing to 1) rolled to the tonic, dotted with the centred profile,
    divided by the profile's norm (with zero bass weights: Pearson correlation up to a constant, as in K-K)."""
    c = c / np.maximum(c.sum(axis=1, keepdims=True), 1e-9)
    c = c - c.mean(axis=1, keepdims=True)
    w = np.asarray(profiles, np.float64).reshape(2, 2, 12)
    w = w - w.mean(axis=2, keepdims=True)
    out = np.zeros(24)
    for m in range(2):
        norm = float(np.linalg.norm(w[m])) or 1.0
        for t in range(12):
            out[t + 12 * m] = float((np.roll(c, -t, axis=1) * w[m]).sum()) / norm
    return out


@lru_cache(maxsize=1)
def key_profiles() -> np.ndarray:
    """The profiles fitted here on renders (scripts/fit_key_profiles.py) when present, else Krumhansl-Kessler."""
    path = os.path.join(os.path.dirname(__file__), "key_profiles.json")
    if os.path.exists(path):
        with open(path) as f:
            return np.array(json.load(f)["profiles"])
    return np.array(KK_PROFILES)


def key_name(index: int) -> str:
    """0..11: C..B major, 12..23: C..B minor (the order of key_scores and of the key estimator's logits)."""
    return f"{_PC[index % 12]} {'minor' if index >= 12 else 'major'}"


def estimate_key(audio: np.ndarray, sr: int) -> tuple[str, float]:
    """("A minor", strength) from the chroma sequence of the mix and of its bass register: by the key estimator
    trained here (songforge/models/key, model/keynet.py; strength = its probability) when it is shipped, else by
    the fitted key profiles against the mean chroma (strength = the profile score)."""
    frames = chroma_frames(audio, sr)
    from ..eval import shipped
    folder = shipped.model_dir("key")
    if shipped.available(folder):
        import torch
        k, p = shipped.load(folder).estimate(torch.from_numpy(frames))
        return key_name(k), round(float(p[k]), 4)
    scores = key_scores(frames.mean(axis=2), key_profiles())
    k = int(np.argmax(scores))
    return key_name(k), round(float(scores[k]), 4)


def estimate_tempo(audio: np.ndarray, sr: int) -> float:
    import librosa
    env = librosa.onset.onset_strength(y=audio, sr=sr, hop_length=256)
    return float(np.atleast_1d(librosa.feature.tempo(onset_envelope=env, sr=sr, hop_length=256))[0])


def fold_tempo(bpm: float, lo: float, hi: float) -> tuple[float, bool]:
    """bpm moved into [lo, hi] by the smallest metrical relation that lands there (octaves first, then 3:2 -- a
    beat tracker locks on dotted quarters in breakbeats and clave patterns); unchanged when none does."""
    for f in (1.0, 2.0, 0.5, 1.5, 2.0 / 3.0, 4.0, 0.25, 3.0, 1.0 / 3.0):
        if lo - 2 <= bpm * f <= hi + 2:
            return bpm * f, f != 1.0
    return bpm, False


def _programs(style: str, families: list[str]) -> tuple[int, ...]:
    """The style's own 'other' programs when the tagger hears their families (or hears nothing), else one
    representative program per family it hears (at most two)."""
    from ..model.tagger import GM_FAMILIES
    from .styles import BY_NAME
    own = BY_NAME[style].programs
    heard = [GM_FAMILIES.index(f) for f in families if f in GM_FAMILIES]
    if not heard or any(p // 8 in heard for p in own):
        return own
    return tuple(_FAMILY_PROGRAM[f] for f in heard[:2])


@lru_cache(maxsize=16)
def _analyse(path: str, mtime: float) -> StyleProfile:
    import librosa
    import pyloudnorm
    import soundfile as sf
    try:
        x, sr = sf.read(path, dtype="float32", always_2d=True, frames=int(MAX_S * sf.info(path).samplerate))
    except RuntimeError as e:
        raise ValueError(f"{path}: style reference: cannot read the audio ({e})") from None
    x = x.mean(axis=1)
    if len(x) < MIN_S * sr:
        raise ValueError(f"{path}: style reference: {len(x) / sr:.1f} s long (need at least {MIN_S:g} s)")
    loud = float(pyloudnorm.Meter(sr).integrated_loudness(x))
    y = librosa.resample(x, orig_sr=sr, target_sr=ANALYSIS_SR) if sr != ANALYSIS_SR else x
    bpm = estimate_tempo(y, ANALYSIS_SR)
    key, strength = estimate_key(y, ANALYSIS_SR)
    bright = float(np.mean(librosa.feature.spectral_centroid(y=y, sr=ANALYSIS_SR)))
    style, conf, programs, bass, gender, folded = None, 0.0, (), None, None, False
    from ..eval import style as tagger
    if tagger.available():
        from ..model.tagger import GM_FAMILIES
        from .styles import BY_NAME
        tags = tagger.tag_audio(x, sr)
        if tags["style"] in BY_NAME:
            style, conf = tags["style"], tags["style_probs"][tags["style"]]
            programs = _programs(style, tags["other_families"])
            fam = GM_FAMILIES.index(tags["bass_family"])
            own_bass = BY_NAME[style].bass_program
            bass = own_bass if own_bass // 8 == fam else fam * 8 + (1 if fam == 4 else 0)
            gender = tags.get("gender")
            bpm, folded = fold_tempo(bpm, *BY_NAME[style].bpm_range)
    return StyleProfile(round(bpm, 2), folded, key, strength, style, round(conf, 4), programs, bass, gender,
                        round(loud, 2), round(bright, 1), round(len(x) / sr, 2))
