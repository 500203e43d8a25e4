"""Creating a job, shared by the REST API and the UI: keep the files the request uploads, check the songs (naming
only those files), keep the input song of an edit, queue."""
from __future__ import annotations

import os

from . import jobs

AUDIO_EXT = (".wav", ".flac", ".ogg", ".mp3")


class Refused(Exception):
    """A request the server will not take: HTTP status and a one-line reason."""

    def __init__(self, status: int, detail: str, problems: list[str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.problems = status, detail, problems or []


def _save_song(where: str, name: str, data: bytes, cfg) -> str:
    import soundfile as sf
    ext = os.path.splitext(name or "")[1].lower()
    if ext not in AUDIO_EXT:
        raise Refused(415, f"song: {ext or 'no extension'} is not an audio file this server reads ({', '.join(AUDIO_EXT)})")
    if len(data) > cfg.max_upload:
        raise Refused(413, f"song: {len(data)} bytes is more than this server's upload limit of {cfg.max_upload} bytes")
    path = os.path.join(where, "song" + ext)
    with open(path, "wb") as f:
        f.write(data)
    try:
        info = sf.info(path)
        seconds = info.frames / max(1, info.samplerate)
    except Exception:
        raise Refused(415, f"song: {name}: not decodable audio") from None
    if not 0 < seconds <= cfg.max_duration:
        raise Refused(413 if seconds > 0 else 415, f"song: {seconds:.1f} s is outside (0, {cfg.max_duration:g}] s, "
                      "this server's limit")
    return path


def check(cfg, folder: str, req, files: list[tuple[str, bytes]] = ()) -> jobs.Checked:
    """Check `req`'s songs in `folder`, with `files` ((file name, bytes) each) uploaded beside them. Raises Refused."""
    try:
        jobs.save_uploads(folder, list(files), cfg.max_files)
    except jobs.BadUpload as e:
        raise Refused(422, str(e)) from None
    from ..songs import Overrides
    return jobs.check_text(folder, req.text, req.format, req.genre, cfg.max_duration, cfg.media_root, cfg.max_songs,
                           Overrides(style=req.style, duration=req.duration, bpm=req.bpm))


def create_job(cfg, store, workers, req, upload: tuple[str, bytes] | None = None,
               files: list[tuple[str, bytes]] = ()) -> tuple[str, jobs.Checked]:
    """Queue `req` (an api.JobRequest); `upload` = (file name, bytes) of an edit's input song; `files` = the files
    its songs name (a lyric file, a reference recording). Raises Refused."""
    if req.edit is not None:
        if (p := req.edit.problem()) is not None:
            raise Refused(422, p)
        if req.mode != "generate":
            raise Refused(422, "edits need mode 'generate'")
        if upload is None:
            raise Refused(422, "an edit needs the input song: send multipart with a file field 'song'")
    jid = store.new_id()
    where = cfg.job_folder(jid)
    try:
        c = check(cfg, where, req, files)
        if not c.songs:
            raise Refused(422, "no song to make: " + ("; ".join(c.problems) or "the text holds no song"), c.problems)
        payload = req.model_dump(exclude={"text"}) | {"input": c.path}
        if req.edit is not None:
            payload["song_file"] = _save_song(where, upload[0], upload[1], cfg)
        job = store.create(jid, req.mode, payload, [s.spec.id for s in c.songs], cfg.max_queued)
        if job is None:
            raise Refused(429, f"the queue is full ({cfg.max_queued} jobs waiting); try again later")
    except BaseException:
        jobs.remove_folder(where)
        raise
    workers.wake()
    return jid, c
