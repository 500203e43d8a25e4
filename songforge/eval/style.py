"""Style accuracy and instrument presence by the style tagger (ears/tagger.py), scored against what was asked."""
from __future__ import annotations

import numpy as np

from ..ears.tagger import TAGGER_DIR, available, tag_audio  # noqa: F401  (available: the report asks)


def style_metrics(mix: np.ndarray, sr: int, style: str | None, programs: dict | None, model_dir: str = TAGGER_DIR,
                  gender: str | None = None) -> dict:
    """What the tagger hears in a mix, scored against the asked style and instruments where they are known:
    style_correct (1/0), other_f1 (GM families of the 'other' stem), bass_correct (bass GM family), and
    gender_correct (the singer's gender, with a tagger that has that head)."""
    from ..model.tagger import GM_FAMILIES
    tags = tag_audio(mix, sr, model_dir)
    out = {"predicted": tags["style"], "confidence": tags["style_probs"][tags["style"]],
           "other_families": tags["other_families"], "bass_family": tags["bass_family"]}
    if style is not None:
        out |= {"asked": style, "style_correct": int(tags["style"] == style)}
    if gender is not None and "gender" in tags:
        out |= {"gender": tags["gender"], "gender_correct": int(tags["gender"] == gender)}
    if programs:
        want = {GM_FAMILIES[p // 8] for p in programs.get("other", [])}
        got = set(tags["other_families"])
        if want:
            out["other_f1"] = round(2 * len(want & got) / (len(want) + len(got)), 4)
        if "bass" in programs:
            out["bass_correct"] = int(tags["bass_family"] == GM_FAMILIES[programs["bass"] // 8])
    return out
