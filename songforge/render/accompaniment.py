"""Drums, bass and 'other' stems through fluidsynth with a General MIDI soundfont, rendered in-process
at 22.05 kHz (the band of the espeak voice, so every stem has the same bandwidth) and resampled."""
from __future__ import annotations

import os
import warnings
from functools import lru_cache

import numpy as np

from ..plan.plan import SongPlan
from ..spec.music import GM_DRUMS
from .sound import (ACOUSTIC_KIT, AMP_PROGRAMS, KIT_FONTS, KIT_KEYS, KIT_LACKS, PLAYED_AS, acoustic_kit, band_tone,
                    guitar_amp, pumped, style_wah, wah_programs)

RENDER_SR = 22050
SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2",
              "/usr/share/sounds/sf2/default-GM.sf2")


def find_soundfont() -> str:
    env = os.environ.get("SONGFORGE_SOUNDFONT")
    for path in ((env,) if env else ()) + SOUNDFONTS:
        if path and os.path.isfile(path):
            return path
    raise RuntimeError("no General MIDI soundfont found (set SONGFORGE_SOUNDFONT or run scripts/install.sh)")


DITHER_SEED = 1
_WARNED: set[str] = set()


class Band:
    """One fluidsynth instance (the soundfont loads once per process)."""

    def __init__(self, soundfont: str | None = None):
        import contextlib
        import ctypes
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # pyfluidsynth prints where it found the library when $CI is set
            import fluidsynth
        # fluidsynth fills its 16-bit dither table from libc's rand() when the process makes its first synth: seeded
        # here, every process dithers alike (else two builds of one seed differed by a few LSB in every stem)
        ctypes.CDLL(None).srand(DITHER_SEED)
        self.fs = fluidsynth.Synth(gain=0.6, samplerate=float(RENDER_SR))
        for k, v in (("synth.reverb.active", 0), ("synth.chorus.active", 0), ("synth.polyphony", 256)):
            self.fs.setting(k, v)
        self.sfid = self.fs.sfload(soundfont or find_soundfont())
        if self.sfid < 0:
            raise RuntimeError(f"fluidsynth could not load the soundfont {soundfont or find_soundfont()}")
        # the acoustic kits load with the band (in a zygote, before any fork), each only where it is installed
        self.kit_sfids = {name: sfid for name, path in KIT_FONTS.items()
                          if os.path.isfile(path) and (sfid := self.fs.sfload(path)) >= 0}

    def kit(self, style: str) -> int | None:
        """The soundfont id of the style's acoustic kit (sound.ACOUSTIC_KIT), None for the plan's GM kit. A style
        whose kit is not installed plays the GM kit, and says so once."""
        name = ACOUSTIC_KIT.get(style)
        if name is None:
            return None
        if acoustic_kit(style) is None or name not in self.kit_sfids:
            if name not in _WARNED:
                _WARNED.add(name)
                warnings.warn(f"{KIT_FONTS[name]} is not installed (Debian: avldrums.lv2-soundfont, "
                              f"scripts/install.sh): {style} drums play the General MIDI kit instead", stacklevel=2)
            return None
        return self.kit_sfids[name]

    def _render(self, events: list[tuple[float, int, int, int, int]], duration: float) -> np.ndarray:
        """events: (time, on=1/off=0, channel, key, velocity), sorted. Returns mono float32 at RENDER_SR."""
        n_total = int(round(duration * RENDER_SR))
        out, pos = [], 0
        for t, on, ch, key, vel in events:
            target = min(int(round(t * RENDER_SR)), n_total)
            if target > pos:
                out.append(self.fs.get_samples(target - pos))
                pos = target
            if on:
                self.fs.noteon(ch, key, vel)
            else:
                self.fs.noteoff(ch, key)
        for ch in range(16):  # silence everything before the tail, so stems end at the song's end
            self.fs.cc(ch, 123, 0)
        if n_total > pos:
            out.append(self.fs.get_samples(n_total - pos))
        for ch in range(16):
            self.fs.cc(ch, 120, 0)  # all sound off: nothing rings into the next render
        # fluidsynth applies events at the start of its 64-sample blocks: ending every render on a block boundary
        # starts the next one at the same phase, so a plan renders to the same samples every time
        self.fs.get_samples(RENDER_SR // 10 + (-(max(n_total, pos) + RENDER_SR // 10)) % 64)
        if not out:
            return np.zeros(n_total, np.float32)
        st = np.concatenate(out).astype(np.float32).reshape(-1, 2) / 32768.0
        return st.mean(axis=1)

    def stems(self, plan: SongPlan) -> dict[str, np.ndarray]:
        """{'drums', 'bass', 'other'} mono float32 at RENDER_SR, plan.duration long."""
        fs = self.fs
        acoustic = self.kit(plan.style)
        fs.program_select(9, self.sfid, 128, plan.kit)
        if acoustic is not None:
            fs.program_select(9, acoustic, 0, 0)
            fs.program_select(15, self.sfid, 128, plan.kit)  # what the acoustic kit lacks
        fs.program_select(0, self.sfid, 0, plan.bass_program)
        for i, prog in enumerate(plan.programs):
            fs.program_select(1 + i, self.sfid, 0, PLAYED_AS.get(prog, prog))
        drum_ev = []
        for h in plan.drums:
            ch, key = 9, GM_DRUMS[h.instrument]
            if acoustic is not None:
                ch, key = (15, key) if h.instrument in KIT_LACKS else (9, KIT_KEYS.get(h.instrument, key))
            drum_ev += [(h.time, 1, ch, key, h.velocity), (h.time + 0.1, 0, ch, key, 0)]
        bass_ev = [e for n in plan.bass for e in ((n.start, 1, 0, n.pitch, n.velocity), (n.end, 0, 0, n.pitch, 0))]
        other_ev, amped_ev, wah_ev = [], [], []  # the 'other' stem's clean instruments; its guitars into the amp, the wah
        for i, prog in enumerate(plan.programs):
            scale = 1.0 if i == 0 else 0.7
            ev = amped_ev if prog in AMP_PROGRAMS else wah_ev if prog in wah_programs(plan.style) else other_ev
            for n in plan.other:
                ev += [(n.start, 1, 1 + i, n.pitch, int(n.velocity * scale)), (n.end, 0, 1 + i, n.pitch, 0)]
        order = lambda e: (e[0], e[1])  # noqa: E731  (note-offs before note-ons at the same time)
        out = {name: self._render(sorted(ev, key=order), plan.duration)
               for name, ev in (("drums", drum_ev), ("bass", bass_ev), ("other", other_ev))}
        if amped_ev:
            out["other"] = out["other"] + guitar_amp(self._render(sorted(amped_ev, key=order), plan.duration),
                                                     RENDER_SR, plan.style)
        if wah_ev:
            out["other"] = out["other"] + style_wah(self._render(sorted(wah_ev, key=order), plan.duration), RENDER_SR,
                                                    plan.style, [n.start for n in plan.other])
        out = pumped(out, RENDER_SR, plan.style, [h.time for h in plan.drums if h.instrument == "kick"])
        return {name: band_tone(x, RENDER_SR, plan.style) for name, x in out.items()}


@lru_cache(maxsize=1)
def band() -> Band:
    return Band()
