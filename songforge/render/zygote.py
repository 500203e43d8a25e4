"""A clean parent to fork renders from, for a caller that cannot fork them itself.

espeak-ng and fluidsynth carry waveform state from one render to the next (render/batch.py), so a render is the
same bytes everywhere only when it runs in a process forked from a parent that loaded the engines but never sounded a
note. The data engine forks its own workers, unless its caller has rendered audio itself (render/batch.py then uses
zygotes); a generator cannot (fluidsynth hangs loading its soundfont in a child forked from a process whose torch
threads have run). So it starts a zygote: a fresh `python -m
songforge.render.zygote` that loads the engines once (render/preload.py) and then forks one child per request.
The child computes `fn(arg)` and answers on the zygote's stdout; the zygote itself never renders. Requests and
answers are pickled frames (8-byte length + body) on the zygote's stdin/stdout; one request at a time. The zygote
exits when its stdin closes (its caller ended)."""
from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import Any, Callable

_HEADER = struct.Struct("<Q")


def _write_frame(f, obj: Any) -> None:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(_HEADER.pack(len(body)) + body)
    f.flush()


def _read_frame(f) -> Any:
    head = f.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    n = _HEADER.unpack(head)[0]
    body = f.read(n)
    if len(body) < n:
        raise EOFError
    return pickle.loads(body)


class Zygote:
    """`call(fn, arg)` runs fn(arg) in a fresh fork of a clean, preloaded process and returns its result (an
    exception in the child is raised here as RuntimeError with its one-line message)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, fn: Callable, arg: Any) -> Any:
        with self._lock:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the render zygote exited (code {self._proc.returncode})")
            try:
                _write_frame(self._proc.stdin, (fn, arg))
                ok, value = _read_frame(self._proc.stdout)
            except (EOFError, BrokenPipeError):
                raise RuntimeError("the render zygote died while rendering") from None
        if not ok:
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


_shared: Zygote | None = None
_shared_pid = 0


def shared() -> Zygote:
    """This process's zygote, started on first use (a fork of this process gets its own)."""
    global _shared, _shared_pid
    if _shared is None or _shared_pid != os.getpid() or _shared._proc.poll() is not None:
        import atexit
        _shared, _shared_pid = Zygote(), os.getpid()
        atexit.register(_shared.close)
    return _shared


def _serve(inp, out) -> None:
    from .preload import preload
    preload()
    while True:
        try:
            request = _read_frame(inp)
        except EOFError:
            return
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one render, its answer on the zygote's stdout, then gone
            os.close(r)
            try:
                fn, arg = request
                answer = (True, fn(arg))
            except BaseException as e:  # noqa: BLE001  (everything goes back to the caller, in one line)
                answer = (False, f"{type(e).__name__}: {e}")
            try:
                with os.fdopen(w, "wb") as f:
                    _write_frame(f, answer)
            finally:
                os._exit(0)
        os.close(w)
        with os.fdopen(r, "rb") as f:
            try:
                answer = _read_frame(f)
            except EOFError:
                answer = None
        _, status = os.waitpid(pid, 0)
        if answer is None:
            answer = (False, f"the render process ended without an answer (status {status})")
        _write_frame(out, answer)


def main() -> None:
    # the answers get a private copy of stdout; anything the engines print goes to stderr (pyfluidsynth prints where it
    # found its library when $CI is set)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
