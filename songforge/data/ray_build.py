"""`songforge data build --ray [ADDRESS]`: the corpus's clips rendered as Ray tasks on an existing cluster (`ray start
--head` on one machine, `ray start --address HEAD:PORT` on the others; `auto` joins the local one). Optional: Ray is
in the `ray` extra (`[all]` includes it); without it the local process pool renders.

Determinism: a task renders its clip in a process forked from its Ray worker after the worker loaded the soundfont,
espeak-ng and the neural voice but before it sounded a note (render/batch.run_isolated, as the local pool does), so
a clip's audio is the same bytes on any node, in any order. The task returns the clip's files; the driver alone
writes them (into a .partial folder renamed whole), so no node needs the corpus folder, and a clip whose worker died
is retried by Ray (max_retries) and written once. A killed driver re-run resumes: finished clips are kept."""
from __future__ import annotations

import contextlib
import os
from dataclasses import asdict
from typing import Iterator

MAX_RETRIES = 3  # a task whose worker process dies is run again this many times


def available() -> bool:
    import importlib.util
    return importlib.util.find_spec("ray") is not None


def connect(address: str) -> None:
    """Join the Ray cluster at `address` ("auto": the one on this machine). Raises RuntimeError in one line."""
    if not available():
        raise RuntimeError("--ray: Ray is not installed (pip install 'songforge[ray]')")
    import ray
    if ray.is_initialized():
        return
    # a cluster on loopback (127.0.0.1:PORT) has its nodes there: the driver joins as 127.0.0.1 too, not as the
    # machine's outward address (where Ray would look for a node that is not there)
    loopback = {"_node_ip_address": "127.0.0.1"} if address.split(":")[0] in ("127.0.0.1", "localhost") else {}
    try:
        ray.init(address=address, log_to_driver=False, logging_level="ERROR", **loopback,
                 runtime_env={"env_vars": {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}})
    except ConnectionError as e:
        raise RuntimeError(f"--ray {address}: no Ray cluster there ({e}); start one with `ray start --head`") from None


def as_finished(index_of: dict) -> Iterator[tuple[object, object, str | None]]:
    """{Ray object ref: key} -> (key, result or None, error or None) as the tasks finish; a task that failed past
    its retries gives its error in one line (the caller reports it and goes on)."""
    import ray
    pending = list(index_of)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        try:
            yield index_of[done[0]], ray.get(done[0]), None
        except Exception as e:
            why = str(e).strip().splitlines()
            yield index_of[done[0]], None, f"{type(e).__name__}: {why[0] if why else ''}"


def _render_remote(cfg: dict, index: int) -> dict:
    """In a Ray worker: render clip `index` in a forked child into a scratch folder; return its files' bytes."""
    import shutil
    import tempfile

    import ray

    from functools import partial

    from ..render.batch import run_isolated
    from .clip import render_clip, saved_config
    scratch = tempfile.mkdtemp(prefix="songforge_clip_")
    try:
        config = saved_config(cfg)
        _, dur, err, cpu = next(run_isolated(partial(render_clip, config, scratch), [index], 1))
        files = {}
        if err is None:
            folder = os.path.join(scratch, "clips", f"{cfg['seed']}-{index:06d}")
            for name in sorted(os.listdir(folder)):
                with open(os.path.join(folder, name), "rb") as f:
                    files[name] = f.read()
        return {"index": index, "duration": dur, "error": err, "cpu_s": cpu, "files": files,
                "node": ray.get_runtime_context().get_node_id()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def render_on_ray(cfg, todo: list[int], clip_dir: str, ids: dict[int, str]) -> Iterator[tuple[int, float, str | None,
                                                                                              float, str]]:
    """Yields (index, duration, error, cpu seconds, node id) per clip as tasks finish; each finished clip is first
    written atomically to clip_dir/<id>."""
    import ray
    task = ray.remote(max_retries=MAX_RETRIES, num_cpus=1)(_render_remote)
    for index, r, failed in as_finished({task.remote(asdict(cfg), i): i for i in todo}):
        if failed is not None:  # past its retries: reported, the build goes on
            yield index, 0.0, failed, 0.0, "?"
            continue
        if r["error"] is None:
            final = os.path.join(clip_dir, ids[r["index"]])
            part = os.path.join(clip_dir, f".{ids[r['index']]}.partial")
            os.makedirs(part, exist_ok=True)
            for name, data in r["files"].items():
                with open(os.path.join(part, name), "wb") as f:
                    f.write(data)
            if os.path.isdir(final):  # never: finished clips are not submitted again
                import shutil
                shutil.rmtree(final)
            os.replace(part, final)
        yield r["index"], r["duration"], r["error"], r["cpu_s"], r["node"]


def cluster_processes(tag: str) -> set[int]:
    """Processes whose command line names `tag` (a cluster's temp folder: its GCS, raylets, ...) and their
    descendants (workers and agents, which rename themselves `ray::...`)."""
    named, parent = set(), {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if tag.encode() in f.read():
                    named.add(int(pid))
            with open(f"/proc/{pid}/stat") as f:
                parent[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    out, grew = set(named), True
    while grew:
        more = {p for p, pp in parent.items() if pp in out} - out
        out |= more
        grew = bool(more)
    return out


def cluster_dir() -> str:
    """The temp folder of this process's loopback cluster (short: Ray's socket paths live under it)."""
    return f"/tmp/sfray{os.getpid()}"


@contextlib.contextmanager
def loopback_cluster(nodes: int = 2, cpus: int = 1, timeout: float = 120.0):
    """A Ray cluster of `nodes` nodes on 127.0.0.1 (`ray start --head`, then `ray start --address` for each other
    node), yielding its address; on exit only its own processes are stopped (`ray stop` would stop every Ray
    cluster on the machine). For trying `--ray` on one machine, for the tests and the benchmark."""
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time
    tmp = cluster_dir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    common = ["--node-ip-address=127.0.0.1", f"--num-cpus={cpus}", "--disable-usage-stats"]
    beside = os.path.join(os.path.dirname(sys.executable), "ray")  # the CLI of the Ray this Python imports
    cli = beside if os.path.isfile(beside) else "ray"
    try:
        subprocess.run([cli, "start", "--head", f"--port={port}", "--include-dashboard=false", f"--temp-dir={tmp}",
                        *common], check=True, capture_output=True, timeout=timeout)
        for _ in range(nodes - 1):
            subprocess.run([cli, "start", f"--address=127.0.0.1:{port}", *common], check=True, capture_output=True,
                           timeout=timeout)
        yield f"127.0.0.1:{port}"
    finally:
        import ray
        ray.shutdown()
        pids = cluster_processes(tmp)  # taken once, while the raylets still hold their children
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            time.sleep(1.0)
        shutil.rmtree(tmp, ignore_errors=True)
