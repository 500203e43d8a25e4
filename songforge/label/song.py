"""One recording + its lyrics -> labels in the data engine's schema (render/labels.py), each group with a
confidence, and a report of what could not be labelled and why.

The path: decode (ffmpeg: anything it reads) -> 24 kHz mono -> vocals and the rest by the vocal separator ->
the rest into drums, bass and other (label/stems.py) -> the lyrics' phonemes forced-aligned to the vocals by the
phoneme judge (label/align.py; within the LRC line times when the file gives them; JAM word times are compared with
the result, not trusted) -> syllables, words, lines -> one note per syllable from the vocals' f0 -> beats, key and
chords from the rest -> style from the mix (the style tagger)."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field

import numpy as np

from ..ears import shipped
from .align import ctc_viterbi
from .lyrics import Lyrics

RATE = 24000  # the corpus rate (the data engine's and the model's)
# A frame of the judge covers 4 hops (40 ms) and the path's first frame of a phoneme is where the judge first hears
# it: word starts read that way lagged the true ones by a median 42 ms on 12 dev songs (seed 3901, not the test set;
# `python benchmarks/import_songs.py --corpus runs/import/dev --n 12 --work out/import_dev --calibrate`)
FRAME_OFFSET_S = -0.04
WINDOW_PAD_S = 1.0  # how far the singing may stray from the line times an LRC file gives
# nats per phoneme the lyrics' path falls below what the judge hears freely, past which the lyrics are not this
# song's. Same dev songs: their own lyrics cost at most 1.7, the next song's 5.6-12.1. Metal songs (a metal corpus,
# seed 3904, not the test set) cost up to 3.9 with their own lyrics (the distorted guitars bleed into the separated
# vocals); the threshold sits between 3.9 and 5.6 (geometric mean)
MISMATCH_COST = 4.7
MIN_VOCAL_DB = -30.0  # separated vocals this far below the mix: no vocals found


class ImportFailure(Exception):
    """A song that cannot be labelled; the message says why (one line), `details` the measurements behind it."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.details = details


@dataclass
class Labelled:
    labels: dict
    audio: dict[str, np.ndarray]  # mix, vocals, drums, bass, other: [S] at RATE each; the stems sum to the mix
    report: dict = field(default_factory=dict)


def decode(path: str, rate: int = RATE) -> np.ndarray:
    """Any file ffmpeg reads -> mono float32 at `rate`."""
    try:
        r = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "f32le", "-ac", "1", "-ar",
                            str(rate), "-"], capture_output=True, check=False)
    except FileNotFoundError:
        raise ImportFailure("ffmpeg is not installed (scripts/install.sh installs it)") from None
    if r.returncode != 0 or not r.stdout:
        msg = r.stderr.decode(errors="replace").strip().splitlines()
        raise ImportFailure(f"ffmpeg cannot read it: {msg[-1] if msg else 'no audio'}")
    return np.frombuffer(r.stdout, dtype=np.float32).copy()


def separate(mix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import torch
    sep = shipped.load(shipped.model_dir("default/separator"))
    v, rest = sep.separate(torch.from_numpy(mix)[None])
    return v[0].numpy(), rest[0].numpy()


def _db(x: np.ndarray) -> float:
    return float(10 * np.log10(max(float(np.mean(x.astype(np.float64) ** 2)), 1e-20)))


def _tokens(lyrics: Lyrics, judge) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Judge ids of every phoneme in reading order, and (word, syllable in word, phoneme in syllable) per token."""
    from ..text.phonemes import phoneme_id, untoned
    sym = (lambda p: p) if judge.cfg.tones else untoned
    ids, where = [], []
    for w, word in enumerate(lyrics.words):
        for s, syl in enumerate(word.syllables):
            for p, ph in enumerate(syl.phonemes):
                ids.append(min(phoneme_id(sym(ph)), judge.cfg.vocab - 1))
                where.append((w, s, p))
    return ids, where


def _windows(lyrics: Lyrics, where: list[tuple[int, int, int]], fps: float, frames: int, duration: float):
    """Earliest/latest frame per token from an LRC file's line times (None otherwise: plain text has none, and a
    JAM file's word times are checked against the alignment afterwards, not trusted to hold it)."""
    if lyrics.format != "lines":
        return None, None
    pad = WINDOW_PAD_S
    starts = [a for _, a, _ in lyrics.lines]
    span = [(a - pad, (starts[i + 1] if i + 1 < len(starts) else duration) + pad) for i, a in enumerate(starts)]
    per_word = [span[w.line] for w in lyrics.words]
    lo = np.array([int(per_word[w][0] * fps) for w, _, _ in where])
    hi = np.array([int(np.ceil(per_word[w][1] * fps)) for w, _, _ in where])
    return np.clip(lo, 0, frames - 1), np.clip(hi, 0, frames - 1)


def align(vocals: np.ndarray, lyrics: Lyrics, duration: float) -> dict:
    """The lyrics' phonemes, syllables and words timed on the vocals: {phonemes, syllables, words, lines, sections,
    words_confidence, cost_per_token, judge}. Raises ImportFailure when no judge knows a language of the lyrics."""
    import torch

    from ..eval.judge import judge_for
    from ..text.phonemes import BLANK
    words4 = [(w.text, 0.0, 0.0, w.language or "en") for w in lyrics.words]
    folder = judge_for(words4)
    if folder is None:
        raise ImportFailure(f"no phoneme judge hears {', '.join(lyrics.languages)} (unsupported language)")
    judge = shipped.load(folder)
    logp = torch.cat(judge.listen(torch.from_numpy(vocals))).numpy()
    fps = judge.cfg.frame_rate
    ids, where = _tokens(lyrics, judge)
    lo, hi = _windows(lyrics, where, fps, len(logp), duration)
    try:
        path = ctc_viterbi(logp, ids, BLANK, lo, hi)
    except ValueError as e:
        raise ImportFailure(f"the lyrics do not fit the recording: {e}") from None
    starts = path.first / fps + FRAME_OFFSET_S
    # a phoneme lasts until the next one starts; the last of a line until its last heard frame + one frame
    ends = np.empty_like(starts)
    for k in range(len(ids)):
        same_line = k + 1 < len(ids) and lyrics.words[where[k + 1][0]].line == lyrics.words[where[k][0]].line
        ends[k] = starts[k + 1] if same_line else (path.last[k] + 2) / fps + FRAME_OFFSET_S
    ends = np.maximum(ends, starts + 0.01)
    phonemes, syllables, words = [], [], []
    k = 0
    for w, word in enumerate(lyrics.words):
        w_first = k
        for s, syl in enumerate(word.syllables):
            s_first = k
            for ph in syl.phonemes:
                phonemes.append({"symbol": ph, "start": round(float(starts[k]), 4), "end": round(float(ends[k]), 4),
                                 "syllable": len(syllables)})
                k += 1
            syllables.append({"start": round(float(starts[s_first]), 4), "end": round(float(ends[k - 1]), 4),
                              "word": w, "phonemes": list(syl.phonemes), "stress": syl.stress})
        if k > w_first:
            conf = float(np.exp(path.margin[w_first:k].mean()))
            words.append({"text": word.text, "start": round(float(starts[w_first]), 4),
                          "end": round(float(ends[k - 1]), 4), "line": word.line, "language": word.language,
                          "confidence": round(conf, 3)})
    lines = []
    for n, (text, _, _) in enumerate(lyrics.lines):
        mine = [x for x in words if x["line"] == n]
        if mine:
            lines.append({"text": text, "start": mine[0]["start"], "end": mine[-1]["end"]})
    sections = []
    for kind, a, b in lyrics.sections:
        mine = [ln for n, ln in enumerate(lines) if a <= n < b]
        if mine:
            sections.append({"label": kind, "start": mine[0]["start"], "end": mine[-1]["end"]})
    return {"phonemes": phonemes, "syllables": syllables, "words": words, "lines": lines, "sections": sections,
            "cost_per_token": round(path.cost_per_token, 4), "judge": folder}


def label_recording(audio_path: str, lyrics: Lyrics, song_id: str, max_cost: float | None = MISMATCH_COST) -> Labelled:
    """Every label of one recording (see the module docstring). Raises ImportFailure (one line) when the song cannot
    be labelled: unreadable audio, no vocals, a language no judge hears, lyrics that do not belong to it (an
    alignment cost above `max_cost` nats per phoneme; None: never checked)."""
    from ..ears.reference import estimate_key
    from . import music
    mix = decode(audio_path)
    duration = len(mix) / RATE
    if duration < 3.0:
        raise ImportFailure(f"{duration:.1f} s of audio: too short to label (3 s at least)")
    vocals, rest = separate(mix)
    vocal_db = _db(vocals) - _db(mix)
    if vocal_db < MIN_VOCAL_DB:
        raise ImportFailure(f"no vocals found (separated vocals {vocal_db:.0f} dB below the mix)")
    timed = align(vocals, lyrics, duration)
    if max_cost is not None and timed["cost_per_token"] > max_cost:
        raise ImportFailure(f"the lyrics do not match the singing (alignment cost {timed['cost_per_token']:.2f} "
                            f"nats per phoneme, above {max_cost:g}; if they do belong to it, import it with a higher "
                            "--max-alignment-cost)",
                            alignment_cost_per_phoneme=timed["cost_per_token"])
    f0 = music.sung_f0(vocals, RATE, duration)
    notes = music.syllable_notes(f0, [(s["start"], s["end"]) for s in timed["syllables"]])
    style = _style(mix)
    from ..plan.styles import BY_NAME
    rhythm = music.beats(mix, RATE, prior_bpm=BY_NAME[style["style"]].bpm if style["style"] else None)
    key, key_p = estimate_key(rest, RATE)
    chords = music.chords(rest, RATE, rhythm["downbeats"], rhythm["beats"], duration)
    labels = {"id": song_id, "source": audio_path, "duration": round(duration, 4), "sample_rate": RATE,
              "imported": True, "lyrics_format": lyrics.format, "judge": timed.pop("judge").rsplit("/", 1)[-1],
              "key": key, "key_confidence": key_p, "bpm": rhythm["bpm"], "meter": 4,
              "beat_confidence": rhythm["beat_confidence"], **style,
              "loudness_lufs": _lufs(mix), "alignment_cost_per_phoneme": timed.pop("cost_per_token"),
              **timed, "notes": notes, "f0": {"hop_s": music.F0_HOP_S, "hz": [round(float(x), 2) for x in f0]},
              "chords": chords, "beats": rhythm["beats"], "downbeats": rhythm["downbeats"]}
    report = {"vocals_db_below_mix": round(-vocal_db, 1), "languages": lyrics.languages, **_checked(lyrics, timed),
              "notes_per_syllable": round(len(notes) / max(1, len(timed["syllables"])), 3),
              "unsure_words": [w["text"] for w in timed["words"] if w["confidence"] < 0.3][:20],
              "language_notes": list(lyrics.notes)}
    from .stems import split_rest
    return Labelled(labels, {"mix": mix, "vocals": vocals, **split_rest(rest, RATE)}, report)


def _checked(lyrics: Lyrics, timed: dict) -> dict:
    """For a file that gives word times (JAM): how far they are from where the words are sung."""
    if lyrics.format != "words":
        return {}
    given = [w.start for w in lyrics.words if w.syllables]  # the words the alignment timed, in order
    off = np.array([abs(w["start"] - g) for w, g in zip(timed["words"], given)])
    return {"given_word_times": {"median_off_ms": round(1000 * float(np.median(off)), 1),
                                 "words_off_by_more_than_150ms": int((off > 0.15).sum()), "words": len(off)}}


def _style(mix: np.ndarray) -> dict:
    """What the style tagger hears, in the planner's terms (the data engine's labels name the same)."""
    from ..ears.reference import heard_band
    heard = heard_band(mix, RATE)
    if heard is None:
        return {"style": None, "tags": []}
    style, p, programs, bass, gender = heard
    return {"style": style, "style_confidence": round(p, 3), "tags": [style] + ([f"{gender} vocals"] if gender else []),
            "programs": {"other": list(programs), "bass": bass}, "gender": gender}


def _lufs(mix: np.ndarray) -> float:
    from ..render.mix import integrated_loudness
    v = integrated_loudness(mix, RATE)
    return round(float(v), 2) if np.isfinite(v) else -70.0
