"""The outside ear's port, verified: songforge's torch musicnn taggers (songforge/models/ear) against TensorFlow's own
outputs on the same inputs, recorded by scripts/convert_musicnn.py in its TensorFlow environment (--verify-out).

    /tmp/tfenv/bin/python scripts/convert_musicnn.py --out songforge/models/ear --verify-audio CLIPS \\
        --verify-out /tmp/ear_port_tf.npz          # TF_USE_LEGACY_KERAS=1
    python benchmarks/ear_port.py --tf /tmp/ear_port_tf.npz --audio CLIPS --out benchmarks/results/ear_port.json

Checks: (1) the network: per patch and tag, |torch - TF| (target <= 1e-3); (2) the front end: songforge's log-mel
patches (model/musicnn.py) against the script's, from the same files; (3) musicnn's published tags for the two
example clips of its repository, when they are among --audio (README: MTT_musicnn top 10 for the joram clip,
top 3 for TRWJAZW128F42760DD_test)."""
from __future__ import annotations

import argparse
import os

import numpy as np
from roundtrip import write_results

PUBLISHED = {  # github.com/jordipons/musicnn README
    "joram-moments_of_clarity-08-solipsism-59-88.mp3": ["techno", "electronic", "synth", "fast", "beat", "drums",
                                                        "no vocals", "no vocal", "dance", "ambient"],
    "TRWJAZW128F42760DD_test.mp3": ["guitar", "piano", "fast"],
}


def main() -> None:
    import librosa
    import torch

    from songforge.ears.outside import load_taggers
    from songforge.model.musicnn import patches
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tf", required=True, help="the .npz scripts/convert_musicnn.py wrote")
    ap.add_argument("--audio", required=True, help="the folder of clips the .npz was made from")
    ap.add_argument("--out", default="benchmarks/results/ear_port.json")
    a = ap.parse_args()
    ref = np.load(a.tf)
    files = [str(f) for f in ref["files"]]
    rows, result = [], {"clips": len(files), "patches": int(len(ref["patches"])), "models": {}}
    taggers = load_taggers()
    for name, model in taggers.items():
        if name not in ref:
            continue
        with torch.no_grad():
            got = torch.sigmoid(model(torch.from_numpy(ref["patches"]))).numpy()
        diff = np.abs(got - ref[name])
        clip_diff = max(float(np.abs(got[ref["owner"] == i].mean(0) - ref[name][ref["owner"] == i].mean(0)).max())
                        for i in range(len(files)) if (ref["owner"] == i).any())
        result["models"][name] = {"max_abs_diff": float(diff.max()), "mean_abs_diff": float(diff.mean()),
                                  "max_song_tag_diff": clip_diff}
        rows.append(f"| {name} | {diff.max():.2e} | {diff.mean():.2e} | {clip_diff:.2e} |")
    front = []
    for i, f in enumerate(files):
        y, sr = librosa.load(os.path.join(a.audio, f), sr=None, mono=True)
        mine = patches(y, sr)
        theirs = ref["patches"][ref["owner"] == i]
        front.append(float(np.abs(mine - theirs).max()) if mine.shape == theirs.shape else float("inf"))
    result["frontend_max_abs_diff"] = max(front)
    published = {}
    for f, want in PUBLISHED.items():
        if f in files:
            y, sr = librosa.load(os.path.join(a.audio, f), sr=None, mono=True)
            tags = taggers["MTT_musicnn"].tag(y, sr)
            top = sorted(tags, key=tags.get, reverse=True)[:len(want)]
            published[f] = {"published": want, "port": top, "same": top == want}
    result["published_tags"] = published
    lines = [f"{len(files)} clips, {result['patches']} patches of 3 s; torch port vs TensorFlow on the same patches",
             "", "| tagger | max abs diff (patch x tag) | mean abs diff | max song-level tag diff |", "|---|---|---|---|",
             *rows, "", f"front end (songforge's log-mel patches vs the conversion script's, same files): max abs diff "
             f"{result['frontend_max_abs_diff']:.2e}", ""]
    lines += [f"- {f}: published {p['published']}, port {p['port']}: {'same' if p['same'] else 'DIFFERENT'}"
              for f, p in published.items()]
    write_results(a.out, result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
