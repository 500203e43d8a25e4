"""What a job is on disk and how it runs: the request's text becomes an input file in the job's folder (named by
the server), songs are checked in-process, and the work runs as a `songforge generate|render` child process —
the same batch code as the CLI (per-song errors, atomic song folders, resume) — under a time limit, killed with
the server if the server dies.

The files a song may name (a JAM lyric file, a reference recording) are the ones the request uploads, kept in the
job's files/ folder, and, where the operator allows it, those under the server's media root: the reader and the
child process are confined to them (spec/files.FileAccess), so a request never reads the server's other files.

Job folder:  <data>/jobs/<id>/input.<ext> (or input/ for YuE), files/ (uploads the song names), song.<ext> (an
edit's uploaded song), out/<song>/"""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from ..errors import SpecError
from ..render.mix import STEMS
from ..spec.files import FileAccess
from ..spec.formats import FORMATS as _READERS, SNIFFED, sniff as sniff_format

FORMATS = tuple(_READERS)
FILES = ("mix",) + STEMS  # audio files a song folder may hold (+ labels.json, song.png)
_PROGRESS = re.compile(r"sampling:\s+(\d+)%")
UPLOADS = "files"  # the job's sub-folder of uploaded files its songs may name
_UPLOAD_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,128}$")


class BadUpload(ValueError):
    """An uploaded file the server will not keep (its name, or too many); the message is one line."""


# -- files a request may name ---------------------------------------------------------------------------------
def access(folder: str, media_root: str | None = None) -> FileAccess:
    """What the songs of the job in `folder` may name: its uploads, then (if the operator allows) the media root."""
    return FileAccess((os.path.join(folder, UPLOADS),) + ((media_root,) if media_root else ()),
                      "the files sent with this request" + (" or under this server's media folder" if media_root else ""))


def save_uploads(folder: str, uploads: list[tuple[str, bytes]], max_files: int) -> None:
    """Keep the request's files under folder/files/ by their own file names (a plain name: no folder, no `..`)."""
    if len(uploads) > max_files:
        raise BadUpload(f"{len(uploads)} files is more than this server's limit of {max_files} per request")
    where = os.path.join(folder, UPLOADS)
    os.makedirs(where, exist_ok=True)
    seen = set()
    for name, data in uploads:
        if not _UPLOAD_NAME.match(name or "") or name.startswith(".") or name.strip() != name:
            raise BadUpload(f"uploaded file name {name!r:.60}: expected a plain file name (no folder, not hidden)")
        if name in seen:
            raise BadUpload(f"uploaded file name {name!r}: sent twice")
        seen.add(name)
        with open(os.path.join(where, name), "xb") as f:
            f.write(data)


def _yaml_aliases(text: str) -> bool:
    """True if YAML text uses aliases (*name), which can make a small request expand without bound."""
    import yaml
    try:
        return any(isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(text))
    except yaml.YAMLError:
        return False  # the reader says what is wrong


# -- input ---------------------------------------------------------------------------------------------------
def sniff(text: str) -> str:
    """Input file extension for text in an unnamed format (the readers then detect the exact format)."""
    return SNIFFED[sniff_format(text)]


def write_input(folder: str, text: str, fmt: str | None, genre: str = "") -> str:
    """The request's song text as a file in `folder`; returns the path the readers take."""
    os.makedirs(folder, exist_ok=True)
    if fmt == "yue":  # YuE is a pair of texts: genre tags and [tag]-blocked lyrics
        song = os.path.join(folder, "input", "song")
        os.makedirs(song, exist_ok=True)
        for name, body in (("genre.txt", genre), ("lyrics.txt", text)):
            with open(os.path.join(song, name), "w", encoding="utf-8") as f:
                f.write(body)
        return song
    ext = {"jam": ".json", "levo": ".jsonl", "lrc": ".lrc", "acestep": ".json", "text": ".txt"}.get(fmt or "", "")
    if not ext:
        ext = sniff(text)
        if fmt == "songforge" and ext not in (".json", ".yaml"):
            ext = ".yaml"
    path = os.path.join(folder, "input" + ext)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


@dataclass(frozen=True)
class Checked:
    path: str              # the input file (or YuE folder) written in the job's folder
    songs: list            # songforge.songs.Song, in input order
    problems: list[str]    # one line per error (the item is skipped)
    notes: list[str]       # warnings and the readers' notes (the item is kept)


def check_text(folder: str, text: str, fmt: str | None, genre: str = "", max_duration: float | None = None,
               media_root: str | None = None, max_songs: int | None = None, overrides=None) -> Checked:
    """Read and validate the request's songs as the CLI would, naming only the files uploaded to folder/files/ (or
    under `media_root`); messages name `input` and the names the request used, never a server path. `overrides`
    (songforge.songs.Overrides): the request's style / duration / bpm for songs whose text states none."""
    from ..songs import Overrides, load
    path = write_input(folder, text, fmt, genre)
    shown = "input" + (os.path.splitext(path)[1] if os.path.isfile(path) else "")
    if path.endswith(".yaml") and _yaml_aliases(text):
        return Checked(path, [], [f"{shown}: YAML aliases (*name) are not accepted by this server"], [])
    songs, errors = load(path, None if fmt in (None, "yue") else fmt, files=access(folder, media_root),
                         overrides=overrides or Overrides())
    hidden = [(path, shown), (os.path.join(folder, UPLOADS) + os.sep, ""), (folder + os.sep, "")]
    if media_root:
        hidden.append((os.path.realpath(media_root) + os.sep, ""))

    def clean(e) -> str:
        line = str(e)
        for server_path, name in hidden:
            line = line.replace(server_path, name)
        return line
    problems = [clean(e) for e in errors]
    if max_songs is not None and len(songs) + len(errors) > max_songs:
        return Checked(path, [], [f"{shown}: {len(songs) + len(errors)} songs is more than this server's limit of "
                                  f"{max_songs} per request"], [])
    kept = []
    for s in songs:
        if max_duration is not None and s.timing.duration > max_duration:
            problems.append(clean(SpecError(s.spec.where, "duration", f"{s.timing.duration:.1f} s is longer than this "
                                            f"server's limit of {max_duration:g} s")))
        else:
            kept.append(s)
    notes = [clean(w) for s in kept for w in s.warnings]
    return Checked(path, kept, problems, notes)


def song_summary(song) -> dict:
    spec, timing = song.spec, song.timing
    return {"id": spec.id, "duration": round(timing.duration, 3), "bpm": timing.bpm, "times": timing.origin,
            "languages": sorted({w.language for w in timing.words if w.language}),
            "style": ", ".join(spec.style.tags) + (" | " + spec.style.text if spec.style.text else ""),
            "words": [{"word": w.text, "start": round(w.start, 3), "end": round(w.end, 3)}
                      for w in timing.words]}


# -- running -------------------------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """In the child: get SIGKILL when the server process dies (Linux), so no orphan keeps writing."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def command(job, folder: str, model: str | None, media_root: str | None = None, adapter: str | None = None) -> list[str]:
    """The CLI command that does this job's work, confined to the files the job may name."""
    req = job.request
    s = req.get("settings", {})
    inp = req["input"]
    out = os.path.join(folder, "out")
    asked = [a for root in access(folder, media_root).roots for a in ("--files-from", root)]
    for key, flag in (("style", "--style"), ("duration", "--duration"), ("bpm", "--bpm")):
        if req.get(key) is not None:
            value = f"{req[key]:g}" if isinstance(req[key], float) else str(req[key])
            asked.append(f"{flag}={value}")  # one argument: a style text may start with '-'
    if job.mode == "render":
        cmd = ["render", inp, "-o", out, "--workers", "1"] + asked
        if s.get("seed") is not None:
            cmd += ["--seed", str(s["seed"])]
        return [sys.executable, "-m", "songforge"] + cmd
    cmd = ["generate", inp, "-o", out, "--seed", str(s.get("seed") or 0)] + asked
    if model:
        cmd += ["--model", model]
    if adapter:
        cmd += ["--adapter", adapter]
    if s.get("steps"):
        cmd += ["--steps", str(s["steps"])]
    if s.get("sampler"):
        cmd += ["--sampler", s["sampler"]]
    for key in ("vocal_guide", "accompaniment_guide"):
        if s.get(key) is not None:
            cmd += ["--" + key.replace("_", "-"), f"{s[key]:g}"]
    if s.get("guidance"):
        cmd += ["--guidance", ",".join(f"{k}={v:g}" for k, v in s["guidance"].items())]
    if s.get("stems"):
        cmd += ["--stems", ",".join(s["stems"])]
    edit = req.get("edit")
    if edit:
        cmd += ["--song", req["song_file"]]
        kind = edit["kind"]
        cmd += {"span": ["--edit-span", str(edit.get("start")), str(edit.get("end"))], "continue": ["--continue"],
                "add": ["--add-stem", str(edit.get("stem"))], "remove": ["--remove-stem", str(edit.get("stem"))],
                "extract": ["--extract-stem", str(edit.get("stem"))]}[kind]
    return [sys.executable, "-m", "songforge"] + cmd


class Running:
    """The child processes of running jobs, so a delete or a time limit can stop them."""

    def __init__(self):
        self._procs: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()

    def add(self, jid: str, p: subprocess.Popen) -> None:
        with self._lock:
            self._procs[jid] = p

    def pop(self, jid: str) -> None:
        with self._lock:
            self._procs.pop(jid, None)

    def kill(self, jid: str) -> bool:
        with self._lock:
            p = self._procs.get(jid)
        if p is None:
            return False
        _kill(p)
        return True


def _kill(p: subprocess.Popen) -> None:
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def finished_songs(folder: str, songs: list[str]) -> list[bool]:
    out = os.path.join(folder, "out")
    return [os.path.isfile(os.path.join(out, s, "labels.json")) for s in songs]


def run(job, folder: str, model: str | None, time_limit: float, running: Running,
        on_progress=lambda value: None, media_root: str | None = None,
        adapter: str | None = None) -> tuple[bool, str | None, list[str]]:
    """Do the job's work. Returns (ok, error, per-song error lines)."""
    log_path = os.path.join(folder, "log.txt")
    env = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg")
    with open(log_path, "ab") as log:
        p = subprocess.Popen(command(job, folder, model, media_root, adapter), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env, start_new_session=True, preexec_fn=_die_with_parent)
        running.add(job.id, p)
        lines: list[str] = []
        timer = threading.Timer(time_limit, _kill, (p,))
        timer.start()
        t0 = last_report = time.time()
        last_frac = 0.0
        try:
            buf = b""
            while True:
                chunk = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(4096)
                if not chunk:
                    break
                log.write(chunk)
                buf += chunk
                parts = re.split(rb"[\r\n]", buf)
                buf = parts.pop()
                frac = None
                for part in parts:
                    text = part.decode("utf-8", "replace").strip()
                    m = _PROGRESS.search(text)
                    if m:
                        frac = int(m.group(1)) / 100
                    elif text:
                        lines.append(text)
                if frac is not None:
                    last_frac = frac
                if time.time() - last_report >= 0.5:
                    last_report = time.time()
                    done = sum(finished_songs(folder, job.songs))
                    on_progress(min(0.99, (done + last_frac) / max(1, len(job.songs))))
            rc = p.wait()
        finally:
            timer.cancel()
            running.pop(job.id)
        if buf.strip():
            lines.append(buf.decode("utf-8", "replace").strip())
    elapsed = time.time() - t0
    inp = job.request["input"]
    song_errors = [ln.replace(inp, "input") for ln in lines
                   if not ln.startswith("{") and ": " in ln and ("failed" in ln or "field" in ln)]
    if rc == -signal.SIGKILL and elapsed >= time_limit - 0.5:
        return False, f"stopped at this server's time limit of {time_limit:g} s per job", song_errors
    done = finished_songs(folder, job.songs)
    if rc != 0 and not any(done):
        tail = [ln for ln in lines if not ln.startswith("{")][-3:]
        return False, "; ".join(tail) or f"exit status {rc}", song_errors
    missing = [s for s, ok in zip(job.songs, done) if not ok]
    return not missing, (f"no output for song(s): {', '.join(missing)}" if missing else None), song_errors


def remove_folder(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
