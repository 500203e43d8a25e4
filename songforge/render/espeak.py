"""In-process espeak-ng speech with phoneme events (IPA names, sample positions), through its C library.

One engine per process (the library keeps global state); not thread-safe, which the data engine respects
by running one worker per process."""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_EVENT_PHONEME, _EVENT_END_LIST = 7, 0
_SYNCHRONOUS = 2
_INIT_PHONEME_EVENTS, _INIT_PHONEME_IPA = 0x1, 0x2
_CHARS_UTF8, _PHONEMES_INPUT = 1, 0x100
_LIBC = ctypes.CDLL(None)  # the process's C library, whose rand() espeak-ng draws from


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _EventId)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class Speech:
    audio: np.ndarray  # float32 [samples] at `sample_rate`
    sample_rate: int
    phonemes: tuple[tuple[str, int], ...]  # (IPA name, start sample) in order


class Espeak:
    def __init__(self):
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self._lib = ctypes.cdll.LoadLibrary(name)
        except OSError as e:
            raise RuntimeError(f"espeak-ng library not found ({e}); run scripts/install.sh") from None
        self.sample_rate = self._lib.espeak_Initialize(_SYNCHRONOUS, 0, None, _INIT_PHONEME_EVENTS | _INIT_PHONEME_IPA)
        if self.sample_rate <= 0:
            raise RuntimeError("espeak-ng failed to initialise (is espeak-ng-data installed?)")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._n = 0
        self._cb = _CALLBACK(self._collect)  # keep a reference: the library calls it
        self._lib.espeak_SetSynthCallback(self._cb)
        self._voice = None

    def _collect(self, wav, n, events) -> int:
        k = 0
        while events[k].type != _EVENT_END_LIST:
            e = events[k]
            if e.type == _EVENT_PHONEME:
                name = bytes(e.id.string).split(b"\0")[0].decode("utf-8", "replace")
                self._events.append((name, int(round(e.audio_position * self.sample_rate / 1000.0))))
            k += 1
        if n > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).astype(np.float32) / 32768.0)
            self._n += n
        return 0

    def speak(self, text: str, voice: str = "en-us", rate: int = 140, pitch: int = 50) -> Speech:
        """Synthesize `text` (phonemes inside [[...]] allowed). Deterministic for the same arguments."""
        if voice != self._voice:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise RuntimeError(f"espeak-ng has no voice {voice!r}")
            self._voice = voice
        self._lib.espeak_SetParameter(1, rate, 0)  # espeakRATE
        self._lib.espeak_SetParameter(3, pitch, 0)  # espeakPITCH
        self._chunks, self._events, self._n = [], [], 0
        # espeak-ng's breathy variants (en-us+f2, f3, f5 ...) draw their noise from libc's rand(): seeded here from
        # the utterance, their audio no longer depends on what the process drew before (it did: 5-23% of the
        # f2/f3/f5 clips of one seed differed between two builds of a corpus, benchmarks/results/determinism.md)
        _LIBC.srand(int.from_bytes(hashlib.sha256(f"{voice}\0{rate}\0{pitch}\0{text}".encode()).digest()[:4], "little"))
        data = text.encode("utf-8") + b"\0"
        self._lib.espeak_Synth(data, len(data), 0, 1, 0, _CHARS_UTF8 | _PHONEMES_INPUT, None, None)
        self._lib.espeak_Synchronize()
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        return Speech(audio, self.sample_rate, tuple(self._events))


@lru_cache(maxsize=1)
def engine() -> Espeak:
    return Espeak()


def spoken_phonemes(text: str, voice: str) -> list[str]:
    """The phonemes espeak-ng says for `text` with `voice` (its IPA events), stress marks removed."""
    names = (n.replace("ˈ", "").replace("ˌ", "") for n, _ in engine().speak(text, voice).phonemes if n)
    return [n for n in names if n]
