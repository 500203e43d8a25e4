"""`songforge generate --ray [ADDRESS]`: new songs generated as Ray tasks on an existing cluster, one task per song.

The driver sends the model folder (and adapter) once through Ray's object store, so the nodes need not see its disk;
a worker writes it to a scratch folder keyed by its content hash and keeps the loaded model for the next song. A
task generates its song exactly as a local `generate` does (batch size 1, the run's seed, the guides rendered in a
fork of a clean zygote: render/guide.py) and returns the song folder's files; the driver alone writes them (a
.partial folder renamed whole), so a song whose worker died is retried by Ray and written once, and a killed driver
re-run resumes (finished songs are kept).

The bytes of a generated song depend on how many threads torch uses (its float sums are split by thread): each task
samples with the driver's thread count (`torch.get_num_threads()` where `generate` runs), so a song is the same bytes
as the local run on the same kind of CPU, whichever node made it and in whatever order the tasks finished."""
from __future__ import annotations

import hashlib
import os
from typing import Iterator

MAX_RETRIES = 3
_loaded: dict[tuple[str, str], object] = {}  # per worker: (model hash, adapter hash) -> the loaded generator


def folder_files(path: str) -> dict[str, bytes]:
    """{relative path: bytes} of every file under `path`, in a stable order."""
    out = {}
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = f.read()
    return out


def content_key(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name, data in sorted(files.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:16]


def _materialized(files: dict[str, bytes], key: str, kind: str) -> str:
    """The folder `files` describe, written once per machine under the temp folder (atomically)."""
    import shutil
    import tempfile
    final = os.path.join(tempfile.gettempdir(), f"songforge_{kind}_{key}")
    if not os.path.isdir(final):
        part = tempfile.mkdtemp(prefix=f".songforge_{kind}_{key}.", dir=tempfile.gettempdir())
        for name, data in files.items():
            os.makedirs(os.path.dirname(os.path.join(part, name)), exist_ok=True)
            with open(os.path.join(part, name), "wb") as f:
                f.write(data)
        try:
            os.rename(part, final)
        except OSError:  # another worker of this machine wrote it first
            shutil.rmtree(part, ignore_errors=True)
    return final


def _model(model: tuple[str, dict], adapter: tuple[str, dict] | None):
    from .pipeline import load
    key = (model[0], adapter[0] if adapter else "")
    if key not in _loaded:
        _loaded.clear()  # one model per worker
        _loaded[key] = load(_materialized(model[1], model[0], "model"),
                            adapter=_materialized(adapter[1], adapter[0], "adapter") if adapter else None)
    return _loaded[key]


def _generate_remote(song, model: tuple[str, dict], adapter, job: dict) -> dict:
    """In a Ray worker: the song generated as a local `generate` would, written to a scratch folder; its files."""
    import shutil
    import tempfile

    import ray
    import torch
    torch.set_num_threads(job["threads"])
    gen = _model(model, adapter)
    plan = gen.plan(song, job["seed"])
    r = gen.generate_batch([plan], job["seed"], job["sampling"], [None])[0].without(job["dropped"])
    scratch = tempfile.mkdtemp(prefix="songforge_song_")
    try:
        folder = r.write(scratch, job["audio_format"], job["picture"], tuple(s for s in job["stems"] if s in r.stems))
        return {"id": plan.spec.id, "files": folder_files(folder), "node": ray.get_runtime_context().get_node_id()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_folder(out_dir: str, name: str, files: dict[str, bytes]) -> str:
    """out_dir/name holding `files`, written into a .partial folder renamed whole."""
    import shutil
    final, part = os.path.join(out_dir, name), os.path.join(out_dir, f".{name}.partial")
    shutil.rmtree(part, ignore_errors=True)
    for rel, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(part, rel)), exist_ok=True)
        with open(os.path.join(part, rel), "wb") as f:
            f.write(data)
    if os.path.isdir(final):  # never: finished songs are not submitted again
        shutil.rmtree(final)
    os.replace(part, final)
    return final


def generate_on_ray(songs: list, address: str, out_dir: str, model_dir: str, adapter_dir: str | None,
                    job: dict) -> Iterator[tuple[int, str | None, str | None, str]]:
    """Yields (song index, written folder or None, error or None, node id) as the tasks finish. `job`: seed,
    sampling, dropped, stems, audio_format, picture (threads is set here: this process's torch thread count)."""
    import ray
    import torch

    from .data.ray_build import as_finished, connect
    connect(address)
    files = folder_files(model_dir)
    model = ray.put((content_key(files), files))
    adapter = None
    if adapter_dir:
        a = folder_files(adapter_dir)
        adapter = ray.put((content_key(a), a))
    job = dict(job, threads=torch.get_num_threads())
    task = ray.remote(max_retries=MAX_RETRIES, num_cpus=1)(_generate_remote)
    for i, r, failed in as_finished({task.remote(s, model, adapter, job): i for i, s in enumerate(songs)}):
        if failed is not None:  # past its retries: reported, the others go on
            yield i, None, failed, "?"
            continue
        yield i, write_folder(out_dir, r["id"], r["files"]), None, r["node"]
