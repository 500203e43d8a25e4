"""`songforge eval --ray [ADDRESS]`: one Ray task per song. The driver sends each song's audio files with it (the
nodes need not see the driver's disk); a task scores it in a scratch folder with the function the local run calls
(report.evaluate_song, passed in), and returns its row; the driver writes the report as a local run does. A task whose worker
dies is run again by Ray."""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterator

MAX_RETRIES = 3


def _score_remote(song, files: dict[str, bytes], score) -> dict:
    import shutil
    import tempfile
    scratch = tempfile.mkdtemp(prefix="songforge_eval_")
    try:
        paths = {}
        for name, data in files.items():
            paths[name] = os.path.join(scratch, name)
            with open(paths[name], "wb") as f:
                f.write(data)
        here = replace(song, mix=paths["mix" + os.path.splitext(song.mix)[1]],
                       stems={k: paths[k + os.path.splitext(v)[1]] for k, v in song.stems.items()})
        return score(here)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def score_on_ray(songs: list, address: str, score) -> Iterator[tuple[int, dict | None, str | None]]:
    """Yields (song index, score(song) or None, error or None) as tasks finish; `score` is a picklable function of
    one SongFiles."""
    import ray

    from ..data.ray_build import as_finished, connect
    connect(address)
    task = ray.remote(max_retries=MAX_RETRIES, num_cpus=1)(_score_remote)
    index_of = {}
    for i, s in enumerate(songs):
        files = {}
        for name, path in [("mix", s.mix), *s.stems.items()]:
            with open(path, "rb") as f:
                files[name + os.path.splitext(path)[1]] = f.read()
        index_of[task.remote(s, files, score)] = i
    yield from as_finished(index_of)  # a song failed past its retries is listed as a problem, the report goes on
