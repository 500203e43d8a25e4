"""The outside ear: taggers trained on real records by others (musicnn's MSD and MTT taggers, model/musicnn.py;
weights in songforge/models/ear), so that "does this sound like the genre that was asked for?" is checked by an ear
that never heard a songforge render. It scores; it never enters a training loss or a sampling default.

What it reports for a song (`ear_scores`):
  genre_rank / genre_top3   where the asked style's genre tags rank among a tagger's genre tags (1 = heard first;
                            the best-ranked of the style's tags counts); MSD has 31 genre tags, MTT 12. A style
                            with no tag in a tagger's vocabulary (reggae, classical, cinematic for MSD) is not ranked.
  heard_genres              the tagger's top 3 genre tags
  gender / gender_correct   the singer's gender the tagger hears (MSD: female vs male vocalists; MTT: its female
                            and male tags summed), against the asked one
  instrumental_correct      for an instrumental: heard as instrumental (MSD 'instrumental' >= 0.5; MTT: its
                            no-vocal tags outweigh its vocal tags); for a sung song: not"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from . import shipped

EAR_DIR = shipped.model_dir("ear")
TAGGERS = ("MSD_musicnn", "MSD_vgg", "MTT_musicnn")

GENRES = {
    "MSD": ("rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz", "metal",
            "chillout", "classic rock", "soul", "indie rock", "electronica", "folk", "punk", "blues", "hard rock",
            "ambient", "acoustic", "experimental", "Hip-Hop", "country", "easy listening", "funk", "electro",
            "heavy metal", "Progressive rock", "rnb", "indie pop", "House"),
    "MTT": ("classical", "techno", "electronic", "rock", "pop", "indian", "opera", "new age", "dance", "country",
            "metal", "ambient"),
}
# the planner's 24 styles -> the genre tags that mean the same thing (written for this, before any measurement)
STYLE_TAGS = {
    "MSD": {"pop": ("pop", "indie pop", "dance"), "rock": ("rock", "alternative rock", "classic rock", "indie rock",
            "hard rock", "alternative", "punk"), "folk": ("folk", "acoustic"), "ballad": ("pop", "easy listening"),
            "rnb": ("rnb", "soul"), "hiphop": ("Hip-Hop",), "edm": ("electronic", "electronica", "electro", "dance"),
            "jazz": ("jazz",), "country": ("country",), "mandopop": ("pop",), "metal": ("metal", "heavy metal",
            "hard rock"), "dnb": ("electronic", "electronica", "dance"), "house": ("House", "dance", "electronic"),
            "trap": ("Hip-Hop",), "lofi": ("chillout", "Hip-Hop"), "funk": ("funk", "soul"), "soul": ("soul", "rnb"),
            "blues": ("blues",), "bossa": ("jazz", "easy listening"), "kpop": ("pop", "dance"),
            "ambient": ("ambient", "chillout")},
    "MTT": {"pop": ("pop",), "rock": ("rock",), "edm": ("electronic", "techno", "dance"), "country": ("country",),
            "mandopop": ("pop",), "metal": ("metal", "rock"), "dnb": ("electronic", "techno", "dance"),
            "house": ("electronic", "techno", "dance"), "kpop": ("pop", "dance"), "classical": ("classical",),
            "cinematic": ("classical",), "ambient": ("ambient", "new age")},
}
GENDER_TAGS = {"MSD": {"female": ("female vocalists", "female vocalist"), "male": ("male vocalists",)},
               "MTT": {"female": ("female", "woman", "female vocal", "female voice"),
                       "male": ("male", "man", "male vocal", "male voice")}}
VOICE_TAGS = {"MTT": {"vocal": ("vocal", "vocals", "singing", "voice"), "none": ("no vocals", "no vocal", "no voice")}}


def available(folder: str = EAR_DIR) -> bool:
    return all(shipped.available(os.path.join(folder, t)) for t in TAGGERS)


@lru_cache(maxsize=2)
def load_taggers(folder: str = EAR_DIR) -> dict:
    """{tagger name: model/musicnn.Musicnn} for the shipped taggers, in eval mode on the CPU."""
    return {t: shipped.load(os.path.join(folder, t)) for t in TAGGERS}


def hear(audio: np.ndarray, sr: int, folder: str = EAR_DIR) -> dict[str, dict[str, float]]:
    """{tagger: {tag: mean probability over 3 s patches}} for a mono mix (>= 3 s). Every tagger reads the same
    patches, so the mix is resampled and analysed once."""
    from ..model.musicnn import patches
    p = patches(audio, sr)
    return {name: model.tag_patches(p) for name, model in load_taggers(folder).items()}


def genre_rank(tags: dict[str, float], dataset: str, style: str) -> int | None:
    """1-based rank of the style's best genre tag among the dataset's genre tags; None if it has none."""
    want = STYLE_TAGS[dataset].get(style)
    if not want:
        return None
    order = sorted(GENRES[dataset], key=lambda t: -tags[t])
    return 1 + min(order.index(t) for t in want)


def ear_scores(audio: np.ndarray, sr: int, style: str | None = None, gender: str | None = None,
               instrumental: bool | None = None, folder: str = EAR_DIR) -> dict:
    """What each outside tagger hears in a mix, scored against what was asked (see the module docstring)."""
    out = {}
    for name, tags in hear(audio, sr, folder).items():
        ds = name[:3]
        row = {"heard_genres": sorted(GENRES[ds], key=lambda t: -tags[t])[:3]}
        if style is not None:
            rank = genre_rank(tags, ds, style)
            if rank is not None:
                row |= {"genre_rank": rank, "genre_top3": int(rank <= 3)}
        sums = {g: sum(tags[t] for t in ts) / len(ts) for g, ts in GENDER_TAGS[ds].items()}
        heard = max(sums, key=sums.get)
        row["gender"] = heard
        if gender in ("female", "male") and not instrumental:
            row["gender_correct"] = int(heard == gender)
        if instrumental is not None:
            if ds == "MSD":
                heard_instrumental = tags["instrumental"] >= 0.5
            else:
                v = {k: sum(tags[t] for t in ts) / len(ts) for k, ts in VOICE_TAGS["MTT"].items()}
                heard_instrumental = v["none"] > v["vocal"]
            row["instrumental_correct"] = int(heard_instrumental == bool(instrumental))
        out[name] = row
    return out
