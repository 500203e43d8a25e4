"""Style from a reference recording (JAM's audio_path, SongGeneration's prompt_audio_path, `--style-audio`): what
the ears hear in the first 30 s of a mix, attached to the song's style (`analysed`) for the planner to fill what the
spec leaves open (plan/describe.py reads it as data and never listens itself).

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

from functools import lru_cache

import numpy as np

from ..model.chroma import chroma_frames, key_name, key_profiles, key_scores
from ..plan.describe import fold_tempo
from ..spec.song import Style, StyleProfile
from .heard import attach, file_version

MAX_S = 30.0
MIN_S = 10.0
ANALYSIS_SR = 22050
# a representative GM program per family, for families the tagger hears that the style does not play
_FAMILY_PROGRAM = (0, 11, 16, 25, 33, 48, 48, 61, 65, 73, 81, 89, 95, 107, 114, 119)


def analyse_style(path: str) -> StyleProfile:
    """ValueError (naming the file) when the recording cannot be read or is shorter than MIN_S."""
    return _analyse(*file_version(path, "style reference"))


def analysed(style: Style) -> Style:
    """`style` with what its reference recording says attached (or, for a recording that cannot be heard, why):
    the planner reads it as data. A style without a reference, or already analysed, is returned as is."""
    return attach(style, "reference_audio", "reference_analysis", analyse_style)


def estimate_key(audio: np.ndarray, sr: int) -> tuple[str, float]:
    """("A minor", strength) from the chroma sequence of the mix and of its bass register: by the key estimator
    trained here (songforge/models/key, model/keynet.py; strength = its probability) when it is shipped, else by
    the fitted key profiles against the mean chroma (strength = the profile score)."""
    frames = chroma_frames(audio, sr)
    from . import shipped
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


def _programs(style: str, families: list[str]) -> tuple[int, ...]:
    """The style's own 'other' programs when the tagger hears their families (or hears nothing), else one
    representative program per family it hears (at most two)."""
    from ..model.tagger import GM_FAMILIES
    from ..plan.styles import BY_NAME
    own = BY_NAME[style].programs
    heard = [GM_FAMILIES.index(f) for f in families if f in GM_FAMILIES]
    if not heard or any(p // 8 in heard for p in own):
        return own
    return tuple(_FAMILY_PROGRAM[f] for f in heard[:2])


def heard_band(audio: np.ndarray, sr: int) -> tuple[str, float, tuple[int, ...], int, str | None] | None:
    """(style, its probability, 'other' programs, bass program, singer's gender or None) as the style tagger hears
    a mix, in the planner's terms; None without a tagger (or for a style the planner does not know)."""
    from . import tagger
    if not tagger.available():
        return None
    from ..model.tagger import GM_FAMILIES
    from ..plan.styles import BY_NAME
    tags = tagger.tag_audio(audio, sr)
    style = tags["style"]
    if style not in BY_NAME:
        return None
    fam = GM_FAMILIES.index(tags["bass_family"])
    own_bass = BY_NAME[style].bass_program
    bass = own_bass if own_bass // 8 == fam else fam * 8 + (1 if fam == 4 else 0)
    return style, float(tags["style_probs"][style]), _programs(style, tags["other_families"]), bass, tags.get("gender")


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
    heard = heard_band(x, sr)
    if heard is not None:
        from ..plan.styles import BY_NAME
        style, conf, programs, bass, gender = heard
        bpm, folded = fold_tempo(bpm, *BY_NAME[style].bpm_range)
    return StyleProfile(round(bpm, 2), folded, key, strength, style, round(conf, 4), programs, bass, gender,
                        round(loud, 2), round(bright, 1), round(len(x) / sr, 2))
