"""What the ears heard in a reference recording, attached to a song's style as data for the planner: the two
references (style, voice) share how a file is keyed for the analysis cache and how a result (or why there is none)
is attached."""
from __future__ import annotations

import os
from dataclasses import replace


def file_version(path: str, what: str) -> tuple[str, float]:
    """(absolute path, modification time): the cache key of an analysis; ValueError naming the file if unreadable."""
    try:
        mtime = os.path.getmtime(path)
    except OSError as e:
        raise ValueError(f"{path}: {what}: {e.strerror}") from None
    return os.path.abspath(path), mtime


def attach(style, source: str, result: str, analyse):
    """`style` with analyse(style.<source>) in style.<result> (or the reason it could not be heard); a style without
    that recording, or already heard, is returned as is."""
    path = getattr(style, source)
    if not path or getattr(style, result) is not None:
        return style
    try:
        heard = analyse(path)
    except ValueError as e:
        heard = str(e)
    return replace(style, **{result: heard})
