"""The judge's phone n-gram LM and its CTC prefix beam search (model/phone_lm.py, train/phone_lm.py): the LM is a
normalised distribution after its safetensors round trip, it prefers the sequences it was built on, and the beam
search lets it decide between phonemes the acoustics cannot tell apart, and only then."""
import json
import math

import numpy as np
import pytest

from songforge.model.judge import greedy
from songforge.model.phone_lm import PhoneLM, beam_search, DecodeConfig
from songforge.text.phonemes import BLANK, SYMBOLS, phoneme_id
from songforge.train.phone_lm import LMConfig, estimate

LINES = [["s", "t", "ɑː", "p"], ["s", "t", "ɑː", "ɹ"], ["p", "ɑː", "t"], ["t", "ɑː", "p", "s"]] * 5 + [["k", "æ", "t"]] * 3


def lm_of(lines=LINES, **kw) -> PhoneLM:
    return estimate(lines, LMConfig(order=3, min_count=1, **kw))


@pytest.mark.parametrize("roundtrip", [False, True])
def test_lm_is_normalised_for_every_history(roundtrip, tmp_path):
    lm = lm_of()
    if roundtrip:
        lm.save(str(tmp_path))
        lm = PhoneLM.load(str(tmp_path))
    tol = 2e-3 if roundtrip else 1e-9  # stored as float16
    ids = range(len(lm.vocab))
    for h in [(0, 0)] + [(a, b) for a in ids for b in ids if b != 0][::7]:
        total = sum(math.exp(lm.logp(h, w)) for w in ids if w != 0)  # every symbol and </s>, never <s>
        assert total == pytest.approx(1.0, abs=tol), h


def test_lm_prefers_what_it_was_built_on(tmp_path):
    lm = lm_of()
    lm.save(str(tmp_path))
    back = PhoneLM.load(str(tmp_path))
    i = lm.index
    seen, unseen = (i["s"], i["t"]), (i["k"], i["s"])
    assert lm.logp(seen, i["ɑː"]) > lm.logp(unseen, i["ɑː"]) + 1.0
    assert back.logp(seen, i["ɑː"]) == pytest.approx(lm.logp(seen, i["ɑː"]), abs=1e-2)
    assert back.vocab == lm.vocab and back.decode == lm.decode


def frames(*columns: dict[str, float]) -> np.ndarray:
    """Log-probability frames: each dict gives some symbols' probabilities, blank gets the rest."""
    lp = np.full((len(columns), len(SYMBOLS)), -30.0, np.float32)
    for t, col in enumerate(columns):
        for s, p in col.items():
            lp[t, phoneme_id(s)] = math.log(p)
        lp[t, BLANK] = math.log(max(1e-6, 1.0 - sum(col.values())))
    return lp


def test_beam_search_agrees_with_greedy_where_the_acoustics_are_clear():
    lp = frames({"s": 0.9}, {}, {"t": 0.9}, {"t": 0.9}, {}, {"ɑː": 0.95}, {}, {"p": 0.9})
    assert [SYMBOLS[i] for i in beam_search(lp, lm_of())] == greedy(lp.argmax(-1).tolist()) == ["s", "t", "ɑː", "p"]
    repeat = frames({"t": 0.9}, {}, {"t": 0.9})  # a blank between: two t's
    assert [SYMBOLS[i] for i in beam_search(repeat, lm_of(), DecodeConfig(alpha=0.0, beta=0.0))] == ["t", "t"]


def test_the_lm_decides_what_the_acoustics_leave_open():
    """After 's t ɑː' the frame is 'p' 0.46 vs 'k' 0.48: greedy takes k, the LM (which has seen 's t ɑː p') takes p."""
    lp = frames({"s": 0.9}, {}, {"t": 0.9}, {}, {"ɑː": 0.95}, {}, {"p": 0.46, "k": 0.48}, {})
    assert greedy(lp.argmax(-1).tolist())[-1] == "k"
    assert [SYMBOLS[i] for i in beam_search(lp, lm_of())][-1] == "p"
    assert [SYMBOLS[i] for i in beam_search(lp, lm_of(), DecodeConfig(alpha=0.0, beta=0.0))][-1] == "k"


def test_shipped_judge_decodes_with_its_lm():
    from songforge.eval.judge import JUDGE_DIR, judge_metrics, phone_lm
    lm = phone_lm(JUDGE_DIR)
    from dataclasses import asdict
    assert lm is not None and lm.order == 5
    assert lm.meta["config"] == json.loads(json.dumps(asdict(LMConfig())))  # built with the builder's defaults
    assert all(lm.index.get(s) is not None for s in ("ð", "ə", "tʃ", "ts", "ʈʂ"))  # both languages' phonemes
    out = judge_metrics([("hello", 0.1, 0.6, "en")], np.zeros(24000, np.float32), 24000)
    assert out["decoder"] == "phone LM beam search" and out["phonemes"] > 0


def test_lm_lines_come_from_word_frequencies():
    """The builder spells wordfreq's frequent words with the data engine's G2P; tiny draw for speed."""
    from songforge.train.phone_lm import phone_lines
    lines = phone_lines(LMConfig(top_words=300, tokens=(("en", 400, 8), ("zh", 120, 6))))
    assert len(lines) == 50 + 20 and all(lines)
    flat = {p for line in lines for p in line}
    assert {"ð", "ə"} <= flat and any(p.endswith("5") for p in flat)  # English, and Mandarin finals untoned


def test_lookup_cache_stays_bounded(monkeypatch):
    from songforge.model import phone_lm
    monkeypatch.setattr(phone_lm, "CACHE_ENTRIES", 10)
    lm = lm_of()
    first = lm.logp((0, 0), 1)
    for a in range(len(lm.vocab)):
        for w in range(1, len(lm.vocab)):
            lm.logp((0, a), w)
    assert len(lm._cache) <= 10 and lm.logp((0, 0), 1) == first
