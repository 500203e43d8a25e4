"""What every render needs, loaded once in a parent that forks renders (render/batch.py, render/zygote.py)."""
from __future__ import annotations


def preload() -> None:
    """Load what every render needs, once, in the parent (children inherit it by fork)."""
    import pyloudnorm  # noqa: F401  (imports scipy.signal: >1 s per child if left to each child)
    import pyworld  # noqa: F401
    import scipy.ndimage  # noqa: F401
    import scipy.signal  # noqa: F401
    import soundfile  # noqa: F401
    import soxr  # noqa: F401
    from .accompaniment import band
    from .espeak import engine
    from .piper import voice
    from .. import picture  # noqa: F401
    band()
    engine()
    voice()
    import gc
    gc.collect()
    gc.freeze()  # children's GC then leaves the inherited objects alone: their pages stay shared, not copied
