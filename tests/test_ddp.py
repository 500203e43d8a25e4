"""Training on several processes (torchrun, gloo on the CPU): 2 processes with batch B/2 each end where 1 process
with batch B ends, and a run stopped on 2 processes resumes on 1 to the same state (DiT; fast tier)."""
import os
import socket
import subprocess
import sys

import pytest

from conftest import ROOT

TINY = os.path.join(ROOT, "configs", "dit_tiny.json")
TOL = 1e-5  # float32 sums in another order (DDP averages two half-batch gradients)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(tiny_model, corpus, out, processes, batch, *extra):
    args = ["-m", "songforge", "train", "dit", "--config", TINY, "--codec", os.path.join(tiny_model, "codec"),
            "--data", corpus, "--out", out, "--steps", "4", "--batch-size", str(batch), *extra]
    if processes > 1:
        args = ["-m", "torch.distributed.run", f"--nproc_per_node={processes}", "--master_addr=127.0.0.1",
                f"--master_port={_port()}", *args]
    r = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def _weights(run):
    from safetensors.torch import load_file
    return load_file(os.path.join(run, "last", "model.safetensors"))


@pytest.fixture(scope="module")
def one_process(tiny_model, tiny_corpus, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("one"))
    _run(tiny_model, tiny_corpus, out, 1, 2)
    return _weights(out)


def _off_share(a, b) -> float:
    """Share of the weights that differ by more than TOL. Two half batches sum their gradients in another float order;
    Adam divides each gradient by its own size, so a weight whose gradient is near Adam's eps can move by up to ~lr
    with that order (4 of 64k weights did, by 1e-4, when the tiny corpus changed): all but a few must agree."""
    import torch
    assert a.keys() == b.keys()
    d = torch.cat([(a[k] - b[k]).abs().flatten() for k in a])
    return float((d > TOL).float().mean())


def test_two_processes_with_half_batches_end_where_one_process_does(one_process, tiny_model, tiny_corpus, tmp_path):
    r = _run(tiny_model, tiny_corpus, str(tmp_path), 2, 1)
    assert r.stdout.count('"final"') == 1  # the summary is printed once
    assert _off_share(_weights(str(tmp_path)), one_process) < 1e-3


def test_a_run_stopped_on_two_processes_resumes_on_one(one_process, tiny_model, tiny_corpus, tmp_path):
    _run(tiny_model, tiny_corpus, str(tmp_path), 2, 1, "--stop-at", "2")
    assert _off_share(_weights(str(tmp_path)), one_process) > 0.5  # stopped halfway: not there yet
    _run(tiny_model, tiny_corpus, str(tmp_path), 1, 2, "--resume")
    assert _off_share(_weights(str(tmp_path)), one_process) < 1e-3


def test_the_large_recipe_builds_and_trains_two_steps_at_a_tiny_width(tiny_corpus, tmp_path):
    """configs/dit_large.json as written (block checkpointing, bf16 where there is a GPU) with only its width cut."""
    import json
    with open(os.path.join(ROOT, "configs", "dit_large.json")) as f:
        cfg = json.load(f)
    assert cfg["model"]["checkpoint_blocks"] and cfg["train"]["precision"] == "bf16"
    cfg["model"] |= {"dim": 64, "depth": 2, "heads": 2, "mlp_hidden": 170, "lyrics_dim": 32}
    cfg["train"] |= {"segment_s": 4.0, "warmup": 1, "save_every": 2}
    path = tmp_path / "large_tiny.json"
    path.write_text(json.dumps(cfg))
    r = subprocess.run([sys.executable, "-m", "songforge", "train", "dit", "--config", str(path), "--codec",
                        os.path.join(ROOT, "configs", "codec_mel"), "--data", tiny_corpus, "--out",
                        str(tmp_path / "run"), "--steps", "2", "--batch-size", "2"], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert os.path.isfile(os.path.join(tmp_path, "run", "final", "model.safetensors"))


def test_block_checkpointing_gives_the_same_gradients():
    import torch

    from songforge.model import checkpoint
    from songforge.model.dit import DiTConfig
    from songforge.train.dit_task import flow_loss
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    from scale_recipe import synthetic_batch
    grads = []
    for ckpt in (False, True):
        cfg = DiTConfig(latent_channels=8, dim=32, depth=2, heads=2, mlp_hidden=64, lyrics_dim=16,
                        checkpoint_blocks=ckpt)
        model = checkpoint.build("dit", cfg, 0).train()
        with torch.no_grad():  # off the zero init (adaLN-zero, zero output layer), so every block has a gradient
            for p in model.parameters():
                p.add_(0.05 * torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())))
        loss, _ = flow_loss(model, synthetic_batch(cfg, 2, 16), torch.Generator().manual_seed(0), train=True)
        loss.backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys()
    assert float(grads[0]["blocks.0.attn.qkv.weight"].abs().max()) > 0
    assert all(torch.allclose(grads[0][k], grads[1][k], atol=1e-6) for k in grads[0])
