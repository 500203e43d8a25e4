"""`songforge render`: any input file -> one folder per song with mix, stems, labels and picture."""
from __future__ import annotations

import os
import sys

from ..errors import SpecError

def _render_one(job: dict, task: tuple) -> str:
    """In a fork: song `task` = (index, Song) planned and rendered into job["out"]."""
    from ..plan.plan import make_plan
    from .song import render_plan, write_song
    _, song = task
    plan = make_plan(song.spec, song.timing, job["seed"])
    return write_song(plan, render_plan(plan, job["sr"]), job["out"], job["audio_format"], job["picture"])


def render_songs(songs: list, reported: list, out: str, sample_rate: int, audio_format: str, picture: bool,
                 workers: int, seed: int | None) -> int:
    """Render every good song (songforge.songs.Song). `reported`: the bad items the caller already printed (they
    only set the exit status); a second song with an id already seen is refused here, in one printed line.
    Returns an exit status."""
    from .batch import default_workers, run_isolated
    errors = list(reported)
    seen: dict[str, str] = {}
    unique = []
    for s in songs:  # one folder per id: a second song with the same id would overwrite the first
        if s.spec.id in seen:
            e = SpecError(s.spec.where, "id", f"also in {seen[s.spec.id]}: its output folder would be "
                          "overwritten (rename one, or render them separately)")
            print(e, file=sys.stderr)
            errors.append(e)
        else:
            seen[s.spec.id] = s.spec.source
            unique.append(s)
    songs = unique
    os.makedirs(out, exist_ok=True)
    from functools import partial
    job = {"seed": seed, "sr": sample_rate, "out": out, "audio_format": audio_format, "picture": picture}
    failed = 0
    for (i, _), folder, err, cpu in run_isolated(partial(_render_one, job), list(enumerate(songs)),
                                                 workers or default_workers()):
        if err:
            failed += 1
            print(f"{songs[i].spec.source}: id '{songs[i].spec.id}': render failed: {err}", file=sys.stderr)
        else:
            print(f"{folder}  ({songs[i].timing.duration:.1f} s audio, {cpu:.1f} s CPU)")
    return 1 if errors or failed or not songs else 0
