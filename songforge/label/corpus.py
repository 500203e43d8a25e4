"""`songforge data import SRC --out CORPUS`: a folder of recordings, each with its lyrics beside it, into a corpus
in the data engine's layout (manifest.jsonl; clips/<id>/ with mix.flac and the four stems, separated, and
labels.json in the same schema, every label group with a confidence) and report.jsonl: one row per recording, what
was labelled or why it could not be. One bad song never stops the batch; a finished song is never redone (re-running
resumes); every file is written atomically (a song's folder appears whole or not at all)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time

from ..data.build import SPLITS, STEM_FILES, _sha256
from ..errors import SpecError, Where
from ..spec.formats.common import write_atomic
from .lyrics import LYRIC_EXTS, read_lyrics, sidecar

AUDIO_EXTS = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aac", ".aif", ".aiff", ".wma", ".webm", ".mka")


def recordings(src: str) -> list[str]:
    """The recordings in `src` (its audio files, sorted; not recursive)."""
    if not os.path.isdir(src):
        raise SpecError(Where(src), None, "not a folder of recordings")
    return sorted(os.path.join(src, f) for f in os.listdir(src)
                  if f.lower().endswith(AUDIO_EXTS) and not f.startswith("."))


def song_id(path: str) -> str:
    return re.sub(r"[^\w.-]+", "_", os.path.splitext(os.path.basename(path))[0]).strip("._") or "song"


def split_of(sid: str) -> str:
    u = int.from_bytes(hashlib.sha256(sid.encode()).digest()[:8], "little") / 2 ** 64
    return next(name for name, upto in SPLITS if u < upto)


def _import_one(audio_path: str, out: str, max_cost: float | None) -> dict:
    """Label one recording into out/clips/<id>/; returns its report row (status ok or failed, with why)."""
    import numpy as np
    import soundfile as sf

    from .song import RATE, ImportFailure, label_recording
    sid = song_id(audio_path)
    row = {"id": sid, "recording": audio_path}
    lyr = sidecar(audio_path)
    if lyr is None:
        return row | {"status": "failed", "why": f"no lyrics beside it ({', '.join(sid + e for e in LYRIC_EXTS)})"}
    row["lyrics"] = lyr
    t0 = time.process_time()
    try:
        lyrics = read_lyrics(lyr)
        got = label_recording(audio_path, lyrics, sid, max_cost)
    except SpecError as e:
        return row | {"status": "failed", "why": str(e)}
    except ImportFailure as e:
        return row | {"status": "failed", "why": str(e), **e.details}
    final = os.path.join(out, "clips", sid)
    part = final + ".partial"
    shutil.rmtree(part, ignore_errors=True)
    os.makedirs(part)
    for name in STEM_FILES:
        x = got.audio[name]
        sf.write(os.path.join(part, f"{name}.flac"), np.clip(x, -1, 1), RATE, subtype="PCM_16")
    with open(os.path.join(part, "labels.json"), "w", encoding="utf-8") as f:
        json.dump(got.labels, f, ensure_ascii=False)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(part, final)
    return row | {"status": "ok", "duration": got.labels["duration"], "cpu_s": round(time.process_time() - t0, 2),
                  **got.report}


def _worker(args: tuple[str, str, float | None]) -> dict:
    try:
        return _import_one(*args)
    except Exception as e:  # a bug on one song must not end the batch: reported, the rest goes on
        return {"id": song_id(args[0]), "recording": args[0], "status": "failed", "why": f"{type(e).__name__}: {e}"}


def import_folder(src: str, out: str, workers: int = 1, progress: bool = True, max_cost: float | None = None) -> dict:
    """Import (or resume importing) every recording in `src` into the corpus `out`. Returns a summary. max_cost:
    the alignment cost past which lyrics are reported as not the recording's (default label/song.MISMATCH_COST)."""
    from .song import MISMATCH_COST
    max_cost = MISMATCH_COST if max_cost is None else max_cost
    os.makedirs(os.path.join(out, "clips"), exist_ok=True)
    for name in os.listdir(os.path.join(out, "clips")):  # a kill leaves at most partial folders
        if name.endswith(".partial"):
            shutil.rmtree(os.path.join(out, "clips", name), ignore_errors=True)
    paths = recordings(src)
    ids = [song_id(p) for p in paths]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise SpecError(Where(src), None, f"recordings share a name ({', '.join(dup)}): their folders would collide")
    report_path = os.path.join(out, "report.jsonl")
    old = {}
    if os.path.exists(report_path):
        with open(report_path, encoding="utf-8") as f:
            old = {r["id"]: r for r in map(json.loads, f) if r.get("status") == "ok"}
    done = {i for i in ids if os.path.exists(os.path.join(out, "clips", i, "labels.json")) and i in old}
    todo = [p for p, i in zip(paths, ids) if i not in done]
    rows = {i: old[i] for i in done}
    bar = None
    if progress and todo:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit="song", desc="importing", dynamic_ncols=True)
    for r in _run(todo, out, workers, max_cost):
        rows[r["id"]] = r
        if bar is not None:
            bar.update(1)
        # written after every song: a killed import keeps what it finished
        write_atomic(report_path, "".join(json.dumps(rows[i], ensure_ascii=False) + "\n" for i in ids if i in rows))
    if bar is not None:
        bar.close()
    manifest = write_manifest(out, [i for i in ids if rows.get(i, {}).get("status") == "ok"])
    failed = [(r["id"], r["why"]) for r in rows.values() if r["status"] == "failed"]
    cpu = sum(r.get("cpu_s", 0.0) for i, r in rows.items() if i not in done and r["status"] == "ok")
    audio = sum(r.get("duration", 0.0) for i, r in rows.items() if i not in done and r["status"] == "ok")
    return {"recordings": len(paths), "imported": len(manifest), "imported_now": len(todo) - len(failed),
            "failed": failed, "hours": round(sum(m["duration"] for m in manifest) / 3600, 4),
            "cpu_s": round(cpu, 1), "cpu_s_per_audio_minute": round(60 * cpu / audio, 2) if audio else None}


def _run(todo: list[str], out: str, workers: int, max_cost: float):
    if workers <= 1 or len(todo) <= 1:
        for p in todo:
            yield _worker((p, out, max_cost))
        return
    import multiprocessing as mp
    with mp.get_context("fork").Pool(processes=min(workers, len(todo))) as pool:
        yield from pool.imap_unordered(_worker, [(p, out, max_cost) for p in todo], chunksize=1)


def write_manifest(out: str, ids: list[str]) -> list[dict]:
    rows = []
    for sid in ids:
        d = os.path.join(out, "clips", sid)
        with open(os.path.join(d, "labels.json"), encoding="utf-8") as f:
            lab = json.load(f)
        langs = sorted({w["language"] for w in lab["words"] if w["language"]})
        rows.append({"id": sid, "index": len(rows), "split": split_of(sid), "duration": lab["duration"],
                     "style": lab["style"], "language": "+".join(langs), "tags": lab["tags"], "bpm": lab["bpm"],
                     "key": lab["key"], "voice": "recording", "voice_engine": "recording", "imported": True,
                     "words": len(lab["words"]), "labels": f"clips/{sid}/labels.json",
                     "audio": {s: f"clips/{sid}/{s}.flac" for s in STEM_FILES},
                     "sha256": {s: _sha256(os.path.join(d, f"{s}.flac")) for s in STEM_FILES}})
    write_atomic(os.path.join(out, "manifest.jsonl"), "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return rows
