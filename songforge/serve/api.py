"""The REST API under /v1: check songs, submit jobs (JSON, or multipart with the files the songs name and an input
song for edits), follow them, fetch their files, delete them. JSON in and out; every limit answers a 4xx with a
one-line `detail`. A song may name only files the request uploads (or, if the operator allows, files under the
media root): see jobs.access."""
from __future__ import annotations

import json
import os
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError, field_validator

from . import jobs
from .config import ServerConfig
from .store import JobStore
from .service import Refused, check as check_songs, create_job
from .workers import Workers

Format = Literal["songforge", "jam", "levo", "lrc", "acestep", "yue"]
Stem = Literal["vocals", "drums", "bass", "other"]


class CheckRequest(BaseModel):
    text: str = Field(description="the contents of a song file in any supported format", max_length=1_000_000)
    format: Format | None = Field(None, description="input format; detected from the text when left out")
    genre: str = Field("", description="YuE only: the genre tags (the text is then YuE's lyrics)")
    style: str | None = Field(None, max_length=500, description="style text for every song whose text states none "
                              "(e.g. 'sad piano ballad, female vocals')")
    duration: float | None = Field(None, gt=0, le=3600, description="seconds, for every song whose text states none")
    bpm: float | None = Field(None, ge=30, le=300, description="tempo, for every song whose text states none")


class Settings(BaseModel):
    seed: int = Field(0, ge=0, le=2**31 - 1)
    steps: int | None = Field(None, ge=1, le=200, description="sampling steps (default: the model's)")
    sampler: Literal["euler", "heun", "midpoint"] | None = None
    vocal_guide: float | None = Field(None, ge=0, le=1, description="new songs: t0 from which the model sings the vocals "
                                      "over the data engine's rendering (0: from noise; default: the model's, 0.9 for the shipped model)")
    accompaniment_guide: float | None = Field(None, ge=0, le=1, description="new songs: t0 from which the model plays "
                                              "drums, bass and other over the data engine's rendering (0: from noise, "
                                              "the model's own; 1: the rendering itself; default: the model's, 1.0 "
                                              "for the shipped model)")
    guidance: dict[str, float] | None = Field(None, description='e.g. {"lyrics": 2, "style": 1.5, "plan": 1}')
    stems: list[Stem] | None = Field(None, description="stems to write (default: all four)")

    @field_validator("guidance")
    @classmethod
    def _guidance(cls, g):
        for name, w in (g or {}).items():
            if any(n not in ("lyrics", "style", "plan") for n in name.split("+")) or not 0 <= w <= 20:
                raise ValueError(f"{name}={w}: names are lyrics, style, plan (or joined by +), weights 0..20")
        return g


class EditRequest(BaseModel):
    kind: Literal["span", "continue", "add", "remove", "extract"]
    start: float | None = Field(None, ge=0, description="span: start of the regenerated span (s)")
    end: float | None = Field(None, gt=0, description="span: its end (s)")
    stem: Stem | None = Field(None, description="add / remove / extract: which stem")

    def problem(self) -> str | None:
        if self.kind == "span" and (self.start is None or self.end is None or self.end <= self.start):
            return "edit 'span' needs start < end (seconds)"
        if self.kind in ("add", "remove", "extract") and self.stem is None:
            return f"edit '{self.kind}' needs a stem (vocals, drums, bass, other)"
        return None


class JobRequest(CheckRequest):
    mode: Literal["generate", "render"] = Field("generate", description="generate: the neural model; "
                                                "render: the data engine's synthesizers (exact, not neural)")
    settings: Settings = Settings()
    edit: EditRequest | None = Field(None, description="edit an input song (send multipart with the song file)")


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


_MULTIPART_SCHEMA = {"type": "object", "required": ["request"], "properties": {
    "request": {"type": "string", "description": "the request as JSON text"},
    "files": {"type": "array", "items": {"type": "string", "format": "binary"},
              "description": "files the song text names (a JAM lyric file or style .txt, a reference or voice "
                             "recording), each named in the text by its file name"}}}


class _BadRequest(Exception):
    def __init__(self, response: JSONResponse):
        self.response = response


async def _read(request: Request, model, cfg: ServerConfig):
    """(request model, edit song upload or None, [(file name, bytes)] uploaded files) from JSON or multipart."""
    song, files = None, []
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form(max_files=cfg.max_files + 1, max_fields=cfg.max_files + 4,
                                      max_part_size=cfg.max_upload)
            if "request" not in form:
                raise _BadRequest(_error(422, "multipart: field 'request' (the request as JSON text) is missing"))
            req = model.model_validate_json(str(form["request"]))
            for field, value in form.multi_items():
                if field == "request":
                    continue
                if not hasattr(value, "filename"):
                    raise _BadRequest(_error(422, f"multipart: field {field!r:.40} must be a file"))
                item = (value.filename or "", await value.read())
                if field == "song":
                    song = item
                else:
                    files.append(item)
        else:
            req = model.model_validate_json(await request.body())
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "body"
        raise _BadRequest(_error(422, f"request field '{where}': {first['msg']}")) from None
    except _BadRequest:
        raise
    except Exception as e:  # a malformed multipart body
        raise _BadRequest(_error(400, f"cannot read the request: {str(e).splitlines()[0][:200] if str(e) else type(e).__name__}")) from None
    return req, song, files


def router(cfg: ServerConfig, store: JobStore, workers: Workers) -> APIRouter:
    r = APIRouter(prefix="/v1")
    folder = cfg.job_folder

    @r.get("/health", summary="server state: queue, workers, model")
    def health():
        return {"status": "ok", "model": cfg.model or "default", "adapter": cfg.adapter, "workers": cfg.workers,
                "queue_limit": cfg.max_queued, "jobs": store.counts(), "max_duration": cfg.max_duration}

    @r.post("/check", summary="validate song text; one line per problem",
            openapi_extra={"requestBody": {"content": {
                "application/json": {"schema": CheckRequest.model_json_schema(ref_template="#/components/schemas/{model}")},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA}}, "required": True}})
    async def check(request: Request):
        try:
            req, song, files = await _read(request, CheckRequest, cfg)
        except _BadRequest as e:
            return e.response
        if song is not None:
            files.append(song)
        tmp = folder("check-" + store.new_id())
        try:
            c = check_songs(cfg, tmp, req, files)
        except Refused as e:
            return _error(e.status, e.detail)
        finally:
            jobs.remove_folder(tmp)
        return {"ok": not c.problems and bool(c.songs), "songs": [jobs.song_summary(s) for s in c.songs],
                "problems": c.problems, "notes": c.notes}

    @r.post("/jobs", status_code=202, summary="submit songs to generate, render or edit",
            openapi_extra={"requestBody": {"content": {
                "application/json": {"schema": JobRequest.model_json_schema(ref_template="#/components/schemas/{model}")},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA | {"properties": _MULTIPART_SCHEMA["properties"] | {
                    "song": {"type": "string", "format": "binary",
                             "description": "edits: the input song (wav/flac/ogg/mp3)"}}}}},
                "required": True}})
    async def submit(request: Request):
        try:
            req, data, files = await _read(request, JobRequest, cfg)
        except _BadRequest as e:
            return e.response
        try:
            jid, c = create_job(cfg, store, workers, req, data, files)
        except Refused as e:
            body = {"detail": e.detail} | ({"problems": e.problems} if e.problems else {})
            return JSONResponse(body, status_code=e.status, headers={"Retry-After": "10"} if e.status == 429 else None)
        return {"id": jid, "status": "queued", "songs": [s.spec.id for s in c.songs], "problems": c.problems,
                "notes": c.notes}

    @r.get("/jobs", summary="recent jobs, newest first")
    def list_jobs(limit: int = 50):
        return {"jobs": [_public(j, folder(j.id)) for j in store.list(max(1, min(limit, 500)))]}

    @r.get("/jobs/{jid}", summary="a job's status, progress, per-song errors and files")
    def get_job(jid: str):
        job = store.get(jid)
        if job is None:
            return _error(404, f"no job {jid!r}")
        return _public(job, folder(jid))

    @r.get("/jobs/{jid}/songs/{song}/{name}", summary="a finished song's file: mix/stems (flac), labels.json, song.png",
           response_class=FileResponse)
    def get_file(jid: str, song: str, name: str):
        job = store.get(jid)
        if job is None:
            return _error(404, f"no job {jid!r}")
        sid = _song_id(job, song)
        if sid is None:
            return _error(404, f"job {jid}: no song {song!r} (songs: {', '.join(job.songs)})")
        files = _song_files(folder(jid), sid)
        if name not in files:
            return _error(404, f"job {jid}: song {sid!r}: no file {name!r}" +
                          (f" (files: {', '.join(files)})" if files else " yet (not finished)"))
        media = {".flac": "audio/flac", ".wav": "audio/wav", ".json": "application/json", ".png": "image/png"}
        return FileResponse(os.path.join(folder(jid), "out", sid, name), media_type=media[os.path.splitext(name)[1]])

    @r.delete("/jobs/{jid}", status_code=204, summary="stop a job if it runs and delete it with its files")
    def delete_job(jid: str):
        if store.get(jid) is None:
            return _error(404, f"no job {jid!r}")
        store.delete(jid)
        workers.running.kill(jid)
        jobs.remove_folder(folder(jid))
        return Response(status_code=204)

    return r


def _song_id(job, song: str) -> str | None:
    if song in job.songs:
        return song
    if song.isdigit() and int(song) < len(job.songs):
        return job.songs[int(song)]
    return None


def _song_files(folder: str, sid: str) -> list[str]:
    """Files of a finished song (its folder appears whole, by rename; a partial one is never listed)."""
    d = os.path.join(folder, "out", sid)
    if not os.path.isfile(os.path.join(d, "labels.json")):
        return []
    names = [f"{n}.{e}" for n in jobs.FILES for e in ("flac", "wav")] + ["labels.json", "song.png"]
    return [n for n in names if os.path.isfile(os.path.join(d, n))]


def _public(job, folder: str) -> dict:
    songs = [{"index": i, "id": s, "files": _song_files(folder, s)} for i, s in enumerate(job.songs)]
    return {"id": job.id, "status": job.status, "mode": job.mode, "progress": round(job.progress, 3),
            "error": job.error, "song_errors": job.song_errors, "created": job.created, "started": job.started,
            "finished": job.finished, "attempts": job.attempts, "songs": songs,
            "settings": job.request.get("settings"), "edit": job.request.get("edit")}


class BodyLimit:
    """ASGI middleware: a request body over the limit gets 413 (by its Content-Length, or while it streams)."""

    def __init__(self, app, max_body: int, max_multipart: int):
        self.app, self.max_body, self.max_multipart = app, max_body, max_multipart

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_multipart if multipart else self.max_body
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _send_413(send, limit)
        seen = 0

        async def limited():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return msg

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _send_413(send, limit)


class _TooLarge(Exception):
    pass


async def _send_413(send, limit: int) -> None:
    body = json.dumps({"detail": f"request body is larger than this server's limit of {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_api(cfg: ServerConfig, store: JobStore, workers: Workers) -> FastAPI:
    app = FastAPI(title="songforge", version="0.1.0", description="Lyrics in, song out: REST API of songforge serve.")
    app.include_router(router(cfg, store, workers))
    app.add_middleware(BodyLimit, max_body=cfg.max_body, max_multipart=cfg.max_upload + cfg.max_body)
    return app
