import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def tree_digest(root: str) -> dict[str, str]:
    """{relative path: sha256} of every file under root: two builds or runs are the same bytes when these are equal."""
    import hashlib
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                out[os.path.relpath(os.path.join(d, f), root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


@pytest.fixture
def examples(tmp_path):
    """A writable copy of examples/."""
    dst = tmp_path / "examples"
    shutil.copytree(EXAMPLES, dst)
    return dst


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A model folder with a tiny, randomly initialised codec and DiT (fast; output depends on the inputs)."""
    import torch

    from songforge.model import checkpoint
    from songforge.model.codec import CodecConfig
    from songforge.model.dit import DiTConfig
    from songforge.pipeline import Sampling, assemble
    root = tmp_path_factory.mktemp("model")
    codec = checkpoint.build("codec", CodecConfig(latent_channels=8, dim=32, enc_blocks=1, dec_blocks=1), 0)
    dit = checkpoint.build("dit", DiTConfig(latent_channels=8, dim=32, depth=2, heads=2, mlp_hidden=64, lyrics_dim=16), 0)
    with torch.no_grad():  # move off the zero init so the output depends on the inputs
        for p in dit.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())))
    checkpoint.save(codec, "codec", str(root / "c"))
    checkpoint.save(dit, "dit", str(root / "d"))
    stats = {"mean": [0.0] * 8, "std": [1.0] * 8, "codec": "test"}
    return assemble(str(root / "m"), str(root / "c"), str(root / "d"), stats, Sampling(steps=4), {"name": "tiny"},
                    dtype=torch.float32)


@contextlib.contextmanager
def serve_process(tmp_path, *args, data=None, port=None):
    """`songforge serve` as a child process on a free loopback port; yields (url, Popen); stops it after."""
    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    log_path = tmp_path / f"serve-{port}-{time.time_ns()}.log"
    with open(log_path, "wb") as log:
        p = subprocess.Popen([sys.executable, "-m", "songforge", "serve", "--port", str(port), "--data",
                              str(data or tmp_path / "data"), *args], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    t0 = time.time()
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/v1/health", timeout=2)
                break
            except OSError:
                if p.poll() is not None or time.time() - t0 > 240:
                    raise AssertionError("server did not start: " + log_path.read_text()[-2000:])
                time.sleep(0.3)
        yield url, p
    finally:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    from songforge.data.build import BuildConfig, build
    out = str(tmp_path_factory.mktemp("corpus"))
    build(out, BuildConfig(seed=5, hours=0.012, min_s=5.0, max_s=8.0), workers=1, progress=False)
    return out
