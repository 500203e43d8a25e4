"""English phrases sung by the neural voice: each phrase (English words with short gaps between them) is
spoken once by the Piper voice with every phoneme lasting its planned time, up to SPOKEN_MAX frames: the
voice itself shapes each vowel's attack and the transitions between words, and voice.py stretches a longer
vowel's spoken frames smoothly over its planned time (slow spectral motion, not one frame repeated; the
decoder's cost is most of the neural voice's cost, so sung length is not decoded) and puts the planned F0
on it with WORLD. A phoneme's frames are shared among its tokens (stress mark, codepoints, blanks) in the
proportions the voice would speak them."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..plan.plan import SongPlan
from .piper import BOS, EOS, HOP, PAD, SPACE, voice

MAX_GAP_S = 0.5  # a longer silence between English words starts a new phrase
MAX_PHRASE_S = 12.0
LEAD_FRAMES = 4  # frames of the voice's own onset before the first phoneme and after the last
SPOKEN_MAX = 12  # frames (139 ms): a phoneme planned longer is spoken this long and stretched by voice.py
GAP_MAX = 4  # frames of the silence between two words that are spoken (the rest is silent anyway)
_STRESS = {1: "ˈ", 2: "ˌ"}


@dataclass(frozen=True)
class Spoken:
    audio: np.ndarray  # float32 at `sample_rate`
    sample_rate: int
    spans: tuple[tuple[float, float], ...]  # seconds into `audio`, one per phoneme of the phrase


def phrases(plan: SongPlan) -> list[tuple[int, ...]]:
    """Phoneme indices of each English phrase, in order."""
    t = plan.timing
    out: list[list[int]] = []
    last_word, last_end, start = None, -1e9, 0.0
    for i, p in enumerate(t.phonemes):
        wi = t.syllables[p.syllable].word
        w = t.words[wi]
        if w.language != "en":  # the neural voice speaks English; other words are espeak-ng's
            last_word, last_end = None, -1e9
            continue
        if wi != last_word and (last_word is None or w.start - last_end > MAX_GAP_S or w.end - start > MAX_PHRASE_S):
            out.append([])
            start = p.start
        out[-1].append(i)
        last_word, last_end = wi, p.end
    return [tuple(x) for x in out]


def speak_phrase(plan: SongPlan, idx: tuple[int, ...]) -> Spoken:
    v = voice()
    t = plan.timing
    rate = v.sample_rate / HOP  # frames per second
    t0 = t.phonemes[idx[0]].start - LEAD_FRAMES / rate

    def frame(x: float) -> int:  # planned time -> frames from the phrase's start
        return int(round((x - t0) * rate))

    tokens, owner = [BOS, PAD], [-1, -1]  # owner: position in idx, -1 lead-in, -2 gap, -3 tail
    first_of_syl = {}
    for k, i in enumerate(idx):
        first_of_syl.setdefault(t.phonemes[i].syllable, k)
    prev_word = None
    for k, i in enumerate(idx):
        p = t.phonemes[i]
        st = t.syllables[p.syllable]
        if prev_word is not None and st.word != prev_word:
            tokens.append(SPACE)
            owner.append(-2)
        prev_word = st.word
        syl = st.syllable
        if k - first_of_syl[p.syllable] == syl.nucleus and syl.stress in _STRESS:
            tokens += [_STRESS[syl.stress], PAD]
            owner += [k, k]
        known = [c for c in p.symbol if c in v.id_map] or [PAD]  # every phoneme owns a token: its frames count
        for c in known:
            tokens += [c, PAD]
            owner += [k, k]
    tokens.append(EOS)
    owner.append(-3)
    ids = [v.id_map[c] for c in tokens]
    natural = v.durations(ids)
    owner_a = np.array(owner)

    frames = np.zeros(len(ids), np.int64)
    spans = []
    gaps = iter(np.flatnonzero(owner_a == -2))  # the space tokens, in order
    bounds = [frame(t.phonemes[i].start) for i in idx]
    cursor = LEAD_FRAMES  # where the next phoneme starts in the spoken audio, frames
    for k, i in enumerate(idx):
        last_of_word = k + 1 == len(idx) or _word(t, idx[k + 1]) != _word(t, i)
        end = frame(t.phonemes[i].end) if last_of_word else bounds[k + 1]
        n = min(max(0, end - bounds[k]), SPOKEN_MAX)
        spans.append((cursor / rate, (cursor + n) / rate))
        mine = owner_a == k
        frames[mine] = _share(n, natural[mine])
        cursor += n
        if last_of_word and k + 1 < len(idx):  # (part of) the silence between two words: the space token
            g = min(max(0, bounds[k + 1] - end), GAP_MAX)
            frames[next(gaps)] = g
            cursor += g
    frames[owner_a == -1] = _share(LEAD_FRAMES, natural[owner_a == -1])
    frames[owner_a == -3] = LEAD_FRAMES
    seed = int.from_bytes(hashlib.sha256(f"{plan.seed}/{idx[0]}".encode()).digest()[:4], "little")
    return Spoken(v.speak(ids, frames, seed), v.sample_rate, tuple(spans))


def _word(t, phoneme: int) -> int:
    return t.syllables[t.phonemes[phoneme].syllable].word


def _share(n: int, weights: np.ndarray) -> np.ndarray:
    """n frames split in proportion to weights (largest remainder); all to the first when weights are 0."""
    out = np.zeros(len(weights), np.int64)
    if n <= 0 or len(weights) == 0:
        return out
    w = np.maximum(weights, 0.0)
    if w.sum() <= 0:
        out[0] = n
        return out
    exact = n * w / w.sum()
    out[:] = np.floor(exact)
    rest = n - int(out.sum())
    out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out
