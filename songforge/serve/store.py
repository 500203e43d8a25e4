"""The job store: one SQLite file, safe across threads and across a server restart.

A job moves queued -> running -> done | failed (or is deleted). Ids are made here, never taken from a request.
On start, `recover()` puts jobs a killed server left `running` back in the queue (their songs resume: finished
song folders are kept, half-written ones never become visible), or fails them after `MAX_ATTEMPTS` starts."""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field

MAX_ATTEMPTS = 3
STATES = ("queued", "running", "done", "failed")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    status TEXT NOT NULL,
    mode TEXT NOT NULL,
    request TEXT NOT NULL,          -- JSON: settings, edit, format (everything the runner needs but the input)
    songs TEXT NOT NULL,            -- JSON list of song ids, in input order
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    song_errors TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0,
    started REAL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created);
"""


@dataclass
class Job:
    id: str
    created: float
    status: str
    mode: str
    request: dict
    songs: list[str]
    progress: float = 0.0
    error: str | None = None
    song_errors: list[str] = field(default_factory=list)
    attempts: int = 0
    started: float | None = None
    finished: float | None = None


def _job(row: sqlite3.Row) -> Job:
    d = dict(row)
    d["request"] = json.loads(d["request"])
    d["songs"] = json.loads(d["songs"])
    d["song_errors"] = json.loads(d["song_errors"])
    return Job(**d)


class JobStore:
    def __init__(self, path: str):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self._lock = threading.Lock()  # one writer at a time inside this process; SQLite guards across processes
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, args=()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _exec(self, sql: str, args=()) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount

    # -- queue -----------------------------------------------------------------------------------------------
    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def create(self, jid: str, mode: str, request: dict, songs: list[str], max_queued: int) -> Job | None:
        """A new queued job (`jid` from new_id()), or None when `max_queued` jobs already wait (the caller answers 429)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                waiting = self._db.execute("SELECT COUNT(*) FROM jobs WHERE status='queued'").fetchone()[0]
                if waiting >= max_queued:
                    self._db.execute("ROLLBACK")
                    return None
                self._db.execute("INSERT INTO jobs (id, created, status, mode, request, songs) VALUES (?,?,?,?,?,?)",
                                 (jid, now, "queued", mode, json.dumps(request), json.dumps(songs)))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self.get(jid)

    def claim(self) -> Job | None:
        """The oldest queued job, now marked running (atomic: two workers never get the same job)."""
        row = self._one("UPDATE jobs SET status='running', started=?, attempts=attempts+1 WHERE id = "
                        "(SELECT id FROM jobs WHERE status='queued' ORDER BY created LIMIT 1) RETURNING *",
                        (time.time(),))
        return _job(row) if row else None

    def progress(self, jid: str, value: float) -> None:
        self._exec("UPDATE jobs SET progress=? WHERE id=? AND status='running'", (float(value), jid))

    def finish(self, jid: str, ok: bool, error: str | None = None, song_errors: list[str] = ()) -> None:
        self._exec("UPDATE jobs SET status=?, error=?, song_errors=?, progress=CASE WHEN ? THEN 1 ELSE progress END, "
                   "finished=? WHERE id=? AND status='running'",
                   ("done" if ok else "failed", error, json.dumps(list(song_errors)), ok, time.time(), jid))

    def recover(self) -> tuple[int, int]:
        """After a restart: jobs left running go back to the queue, or fail after MAX_ATTEMPTS starts.
        Returns (requeued, failed)."""
        failed = self._exec("UPDATE jobs SET status='failed', finished=?, error=? WHERE status='running' AND "
                            "attempts>=?", (time.time(), f"interrupted {MAX_ATTEMPTS} times (server restarts)",
                                            MAX_ATTEMPTS))
        requeued = self._exec("UPDATE jobs SET status='queued', progress=0 WHERE status='running'")
        return requeued, failed

    # -- reading ---------------------------------------------------------------------------------------------
    def get(self, jid: str) -> Job | None:
        row = self._one("SELECT * FROM jobs WHERE id=?", (jid,))
        return _job(row) if row else None

    def list(self, limit: int = 100) -> list[Job]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM jobs ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
        return [_job(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {s: 0 for s in STATES} | {r[0]: r[1] for r in rows}

    def delete(self, jid: str) -> bool:
        return self._exec("DELETE FROM jobs WHERE id=?", (jid,)) > 0
