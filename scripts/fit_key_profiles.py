"""Fit the key profiles of ears/reference.py to the data engine's renders (exact key labels): one weight
vector per mode over the mean CQT chroma and the bass-register chroma, rolled to each candidate tonic, trained
with a softmax over the 24 keys (started from Krumhansl-Kessler). Writes songforge/model/key_profiles.json and
prints key / mode accuracy on held-out clips beside the Krumhansl-Kessler profiles.

With --decoded MODEL, the first --decoded-clips train clips of each corpus also enter as the generator hears them
(every stem through MODEL's codec and back, with its decoding defaults, summed), and the test clips are scored that
way too: the same keys must be heard in generated songs, whose decoding shifts the bass chroma.

    python scripts/fit_key_profiles.py --train C4 --test C4 C3N2 [--decoded songforge/models/default] \
        [--out songforge/model/key_profiles.json]
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np


def features(corpus: str, split: str, model=None, clips: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """[clips, 2, 12] (mean chroma, bass chroma) and [clips] key index (tonic + 12 * minor); with `model`, of the
    mixes as its codec decodes their stems."""
    from songforge.model.chroma import chromas
    from songforge.spec.music import parse_key
    from songforge.train.data import load_audio, read_manifest
    x, y = [], []
    for r in read_manifest(corpus, (split,))[:clips]:
        with open(os.path.join(corpus, r["labels"]), encoding="utf-8") as f:
            tonic, mode = parse_key(json.load(f)["key"])
        if model is None:
            mix = load_audio(corpus, r, "mix", 22050)[:22050 * 30]
        else:
            import soxr
            import torch
            sr = model.sample_rate
            with torch.no_grad():
                mix = sum(model.codec.decode_long(model.codec.encode_long(torch.from_numpy(
                    load_audio(corpus, r, s, sr)[:sr * 30])[None]))[0].numpy() for s in ("vocals", "drums", "bass", "other"))
            mix = soxr.resample(mix, sr, 22050).astype(np.float32)
        x.append(chromas(mix, 22050))
        y.append(tonic + 12 * (mode == "minor"))
    return np.stack(x), np.array(y)


def accuracy(profiles: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from songforge.model.chroma import key_scores
    pred = np.array([int(np.argmax(key_scores(c, profiles))) for c in x])
    return float(np.mean(pred == y)), float(np.mean((pred >= 12) == (y >= 12)))


def fit(x: np.ndarray, y: np.ndarray, steps: int = 400) -> np.ndarray:
    """Profiles [2, 24] maximising the softmax likelihood of the labelled keys under key_scores."""
    import torch
    from songforge.model.chroma import KK_PROFILES
    c = torch.tensor(x, dtype=torch.float64)
    c = c / c.sum(-1, keepdim=True).clamp_min(1e-9)
    c = c - c.mean(-1, keepdim=True)
    rolled = torch.stack([torch.roll(c, -t, dims=-1) for t in range(12)], 1).flatten(2)  # [N, 12 tonics, 24]
    w = torch.tensor(KK_PROFILES, dtype=torch.float64).clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=0.05)
    target = torch.tensor(y)
    for _ in range(steps):
        wc = w.view(2, 2, 12) - w.view(2, 2, 12).mean(-1, keepdim=True)
        wc = (wc / wc.flatten(1).norm(dim=1)[:, None, None]).flatten(1)  # [2 modes, 24]
        scores = (rolled @ wc.T).permute(0, 2, 1).flatten(1)  # [N, 24]: major tonics, then minor
        loss = torch.nn.functional.cross_entropy(30.0 * scores, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach().numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", nargs="+", required=True, help="corpora whose train splits fit the profiles")
    ap.add_argument("--test", nargs="+", required=True, help="corpora whose test splits measure them")
    ap.add_argument("--decoded", metavar="MODEL", help="also fit and test on the mixes as MODEL's codec decodes them")
    ap.add_argument("--decoded-clips", type=int, default=250, help="train clips per corpus decoded (default 250)")
    ap.add_argument("--out", default=os.path.join("songforge", "model", "key_profiles.json"))
    a = ap.parse_args()
    from songforge.model.chroma import KK_PROFILES, key_profiles
    model = None
    if a.decoded:
        from songforge.pipeline import load
        model = load(a.decoded)
    parts = [features(c, "train") for c in a.train]
    if model is not None:
        parts += [features(c, "train", model, a.decoded_clips) for c in a.train]
    x, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    tests = {c: features(c, "test") for c in a.test}
    if model is not None:
        tests |= {f"{c} (decoded by {a.decoded})": features(c, "test", model) for c in a.test}
    w = fit(x, y)
    result = {"train_clips": len(y), "decoded": a.decoded, "profiles": np.round(w, 4).tolist(),
              "test": {c: {"clips": len(t[1]), "krumhansl_kessler": accuracy(np.array(KK_PROFILES), *t),
                           "previous": accuracy(key_profiles(), *t), "fitted": accuracy(w, *t)}
                       for c, t in tests.items()}}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result["test"], indent=1))


if __name__ == "__main__":
    main()
