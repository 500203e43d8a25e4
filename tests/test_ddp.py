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


def _max_diff(a, b):
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


def test_two_processes_with_half_batches_end_where_one_process_does(one_process, tiny_model, tiny_corpus, tmp_path):
    r = _run(tiny_model, tiny_corpus, str(tmp_path), 2, 1)
    assert r.stdout.count('"final"') == 1  # the summary is printed once
    assert _max_diff(_weights(str(tmp_path)), one_process) < TOL


def test_a_run_stopped_on_two_processes_resumes_on_one(one_process, tiny_model, tiny_corpus, tmp_path):
    _run(tiny_model, tiny_corpus, str(tmp_path), 2, 1, "--stop-at", "2")
    assert _max_diff(_weights(str(tmp_path)), one_process) > TOL  # stopped halfway: not there yet
    _run(tiny_model, tiny_corpus, str(tmp_path), 1, 2, "--resume")
    assert _max_diff(_weights(str(tmp_path)), one_process) < TOL
