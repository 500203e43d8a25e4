"""Convert musicnn's TensorFlow taggers (inside the `musicnn==0.1.0` wheel, ISC licence) to songforge checkpoints
(safetensors + config.json, model/musicnn.py), and record TensorFlow's own outputs on given audio so the port can
be verified (benchmarks/ear_port.py). Run once, in an environment of its own: TensorFlow is never a dependency of
songforge.

    python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0 \\
        safetensors librosa soundfile && /tmp/tfenv/bin/pip install --no-deps musicnn==0.1.0
    /tmp/tfenv/bin/python scripts/convert_musicnn.py --out songforge/models/ear \\
        --verify-audio CLIPS_DIR [more dirs] --verify-out benchmarks/results/ear_port_tf.npz

The script reads no songforge code (it runs where torch may be absent); the mel front end below is the same
computation as model/musicnn.py `log_mel` (float32, where musicnn's extractor overflows in float16)."""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

MODELS = ("MSD_musicnn", "MSD_vgg", "MTT_musicnn")
SR, N_FFT, HOP, N_MELS, N_FRAMES = 16000, 512, 256, 96, 187
CITE = ("Pons, J. and Serra, X. (2019). musicnn: pre-trained convolutional neural networks for music audio tagging. "
        "ISMIR late-breaking/demo. https://github.com/jordipons/musicnn")


def _reader(name: str):
    import musicnn
    import tensorflow as tf
    return tf.compat.v1.train.NewCheckpointReader(os.path.join(os.path.dirname(musicnn.__file__), name) + "/")


def _state(name: str) -> dict[str, np.ndarray]:
    """The checkpoint's inference weights under model/musicnn.py's parameter names."""
    r = _reader(name)
    out: dict[str, np.ndarray] = {}

    def bn(dst, src):
        for a, b in (("weight", "gamma"), ("bias", "beta"), ("running_mean", "moving_mean"),
                     ("running_var", "moving_variance")):
            out[f"{dst}.{a}"] = r.get_tensor(f"{src}/{b}").astype(np.float32)
        out[f"{dst}.num_batches_tracked"] = np.zeros((), np.int64)

    def conv(dst, src):  # TF [kh, kw, in, out] -> torch [out, in, kh, kw]
        out[f"{dst}.weight"] = np.ascontiguousarray(r.get_tensor(f"{src}/kernel").transpose(3, 2, 0, 1))
        out[f"{dst}.bias"] = r.get_tensor(f"{src}/bias")

    def dense(dst, src):  # TF [in, out] -> torch [out, in]
        out[f"{dst}.weight"] = np.ascontiguousarray(r.get_tensor(f"{src}/kernel").T)
        out[f"{dst}.bias"] = r.get_tensor(f"{src}/bias")

    bn("bn_in", "batch_normalization")
    if name.endswith("vgg"):
        for i in range(5):
            conv(f"convs.{i}", f"{i + 1}CNN")
            bn(f"conv_bn.{i}", f"batch_normalization_{i + 1}")
        dense("out", "dense")
    else:
        for i in range(2):
            conv(f"timbral.{i}", "conv2d" if i == 0 else "conv2d_1")
            bn(f"timbral_bn.{i}", f"batch_normalization_{1 + i}")
        for i in range(3):
            conv(f"temporal.{i}", f"conv2d_{2 + i}")
            bn(f"temporal_bn.{i}", f"batch_normalization_{3 + i}")
            conv(f"mid.{i}", f"conv2d_{5 + i}")
            bn(f"mid_bn.{i}", f"batch_normalization_{6 + i}")
        bn("pool_bn", "batch_normalization_9")
        dense("dense", "dense")
        bn("dense_bn", "batch_normalization_10")
        dense("out", "dense_1")
    return {k: np.ascontiguousarray(v) for k, v in out.items()}


def convert(name: str, out: str) -> None:
    from musicnn import configuration
    from safetensors.numpy import save_file
    labels = configuration.MSD_LABELS if name.startswith("MSD") else configuration.MTT_LABELS
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    save_file(_state(name), os.path.join(folder, "model.safetensors"))
    arch = "vgg" if name.endswith("vgg") else "musicnn"
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"kind": "musicnn", "config": {"arch": arch, "labels": list(labels), "midend": 64, "backend": 200,
                                                 "vgg_filters": 128, "dataset": name[:3]}}, f, indent=1)
    data = {"MSD": "the Million Song Dataset (last.fm tags, 50 most frequent)",
            "MTT": "MagnaTagATune (50 most frequent tags)"}[name[:3]]
    with open(os.path.join(folder, "card.json"), "w") as f:
        json.dump({"name": name, "what": f"musicnn's {arch} music tagger trained on {data}, by its authors; "
                   "converted from the TensorFlow checkpoint in the musicnn==0.1.0 wheel by scripts/convert_musicnn.py",
                   "authors": CITE, "licence": "ISC (Copyright (c) Music Technology Group, Universitat Pompeu Fabra "
                   "2019); see LICENSE beside this folder", "trained_here": False,
                   "verified": "benchmarks/results/ear_port.md"}, f, indent=1)


def fixture_patches() -> np.ndarray:
    """Three deterministic patches the unit tests rebuild (tests/test_ear.py)."""
    return np.random.default_rng(0).uniform(0, 4, (3, N_FRAMES, N_MELS)).astype(np.float32)


def log_mel(path: str) -> np.ndarray:
    import librosa
    y, _ = librosa.load(path, sr=SR)
    mel = librosa.feature.melspectrogram(y=y, sr=SR, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS).T
    return np.log10(10000 * mel.astype(np.float32) + 1).astype(np.float32)


def tf_outputs(name: str, batch: np.ndarray) -> np.ndarray:
    """TensorFlow's own tag probabilities [n, 50] for patches [n, 187, 96] (musicnn.models, its checkpoint)."""
    import musicnn
    import tensorflow as tf
    from musicnn import models
    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.reset_default_graph()
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, N_FRAMES, N_MELS])
        training = tf.compat.v1.placeholder(tf.bool)
        y = tf.nn.sigmoid(models.define_model(x, training, name, 50)[0])
    with tf.compat.v1.Session() as sess:
        tf.compat.v1.train.Saver().restore(sess, os.path.join(os.path.dirname(musicnn.__file__), name) + "/")
        return sess.run(y, feed_dict={x: batch, training: False})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="models folder: one sub-folder per tagger")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--verify-audio", nargs="*", default=[], help="folders or files of audio to record TF outputs on")
    ap.add_argument("--verify-out", help=".npz with the patches, which clip each came from, and TF's outputs")
    ap.add_argument("--fixture", help="a small JSON of TF's outputs on fixture_patches() for the unit tests")
    a = ap.parse_args()
    names = a.models.split(",")
    for name in names:
        convert(name, a.out)
        print(f"{a.out}/{name}")
    if a.fixture:
        with open(a.fixture, "w") as f:
            json.dump({"recipe": "numpy default_rng(0).uniform(0, 4, (3, 187, 96)) as float32",
                       **{name: tf_outputs(name, fixture_patches()).round(7).tolist() for name in names}}, f)
        print(a.fixture)
    if not a.verify_audio:
        return
    files = []
    for p in a.verify_audio:
        files += sorted(os.path.join(p, f) for f in os.listdir(p)) if os.path.isdir(p) else [p]
    files = [f for f in files if f.lower().endswith((".wav", ".flac", ".mp3", ".ogg"))]
    patches, owner = [], []
    for i, f in enumerate(files):
        rep = log_mel(f)
        n = (rep.shape[0] - N_FRAMES) // N_FRAMES + 1 if rep.shape[0] >= N_FRAMES else 0
        patches += [rep[k * N_FRAMES:(k + 1) * N_FRAMES] for k in range(n)]
        owner += [i] * n
    batch = np.stack(patches).astype(np.float32)
    out = {"patches": batch, "owner": np.array(owner), "files": np.array([os.path.basename(f) for f in files])}
    for name in names:
        out[name] = tf_outputs(name, batch)
    np.savez_compressed(a.verify_out, **out)
    print(f"{a.verify_out}: {len(files)} clips, {len(batch)} patches")


if __name__ == "__main__":
    main()
