"""Settings of one `songforge serve` process."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerConfig:
    data: str                         # job store and job folders live here
    model: str | None = None          # model folder for generate jobs (None: the shipped default)
    adapter: str | None = None        # a LoRA adapter for that model (`songforge train dit --lora`), or None
    workers: int = 1                  # jobs run at once
    max_queued: int = 8               # waiting jobs; more get 429
    max_duration: float = 300.0       # seconds per song (and per uploaded song)
    max_body: int = 1_000_000         # bytes of a JSON request
    max_upload: int = 50_000_000      # bytes of an uploaded song
    job_time_limit: float = 1800.0    # seconds a job may run
    media_root: str | None = None     # a folder whose files requests may name by relative path (off: uploads only)
    max_songs: int = 16               # songs per request
    max_files: int = 8                # uploaded files per request (besides an edit's input song)

    def job_folder(self, jid: str) -> str:
        return os.path.join(self.data, "jobs", jid)

    @property
    def db(self) -> str:
        return os.path.join(self.data, "jobs.sqlite3")
