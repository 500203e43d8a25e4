"""Voice follow in the planner: the melody's range from what the ears heard in a voice reference (a
spec.song.VoiceProfile attached to the style by songforge.songs.load through songforge/ears/voice.py; the planner
reads it and never listens)."""
from __future__ import annotations

from ..spec.song import Style, VoiceProfile

# The planner's melodies sit this far above their range's centre (median over sung time; over 200 corpus plans
# `python benchmarks/voice_follow.py --corpus C --calibrate 200` gave mean -0.21, median -0.41, sd 1.28 semitones);
# the followed range is centred so the melody's median lands on the reference's.
MELODY_ABOVE_CENTRE = -0.3
RANGE_WIDTH = 19  # semitones, as the planner's own voices (MIDI 57..76 / 45..64)


def voice_profile(style: Style) -> VoiceProfile | None:
    """The heard voice reference of `style` (None without one); ValueError when it was not heard, or could not be."""
    if not style.voice_reference:
        return None
    if style.voice_analysis is None:
        raise ValueError(f"voice reference {style.voice_reference}: not analysed (load songs with "
                         "songforge.songs.load, or attach songforge.ears.voice.heard(style))")
    if isinstance(style.voice_analysis, str):
        raise ValueError(style.voice_analysis)
    return style.voice_analysis


def followed_range(profile: VoiceProfile) -> tuple[int, int]:
    lo = int(round(profile.median_midi - MELODY_ABOVE_CENTRE - RANGE_WIDTH / 2))
    return lo, lo + RANGE_WIDTH
