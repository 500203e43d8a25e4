"""N worker threads that take queued jobs from the store and run them (each job in its own child process)."""
from __future__ import annotations

import threading
import traceback

from . import jobs
from .config import ServerConfig
from .store import JobStore


class Workers:
    def __init__(self, cfg: ServerConfig, store: JobStore):
        self.cfg, self.store = cfg, store
        self.running = jobs.Running()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.cfg.workers):
            t = threading.Thread(target=self._loop, name=f"songforge-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self.store.claim()
            if job is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            folder = self.cfg.job_folder(job.id)
            try:
                ok, error, song_errors = jobs.run(job, folder, self.cfg.model, self.cfg.job_time_limit, self.running,
                                                  lambda v, jid=job.id: self.store.progress(jid, v), self.cfg.media_root,
                                                  self.cfg.adapter)
            except Exception as e:  # a bug here must not kill the worker: the job fails with the reason
                traceback.print_exc()
                ok, error, song_errors = False, f"server error: {e}", []
            self.store.finish(job.id, ok, error, song_errors)
