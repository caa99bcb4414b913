"""Very dark frames, lifted before the pose model (which misses people in them).

Used inside the pose stage, so a file and a live camera get the same treatment.
"""

from __future__ import annotations

import numpy as np

#: A frame whose brightest 1% of pixels stay below this level (0-255) is brightened for the
#: pose model; the gain brings that level up to DARK_TARGET, at most MAX_GAIN times.
DARK_LEVEL = 80
DARK_TARGET = 200
MAX_GAIN = 8.0
#: Warn about a dark video when at least this share of its frames was brightened.
DARK_SHARE = 0.5


def brighten(rgb: np.ndarray) -> np.ndarray | None:
    """A brightened copy of a very dark frame (see :data:`DARK_LEVEL`), or ``None`` if it is not dark."""
    level = float(np.percentile(rgb[::8, ::8], 99))
    if level >= DARK_LEVEL:
        return None
    gain = min(DARK_TARGET / max(level, 1.0), MAX_GAIN)
    lut = np.clip(np.arange(256) * gain, 0, 255).astype(np.uint8)
    return lut[rgb]


def dark_note(dark_frames: int, frames: int) -> str | None:
    """The warning for a mostly dark clip, or ``None``."""
    if not frames or dark_frames / frames < DARK_SHARE:
        return None
    return (f"the video is very dark ({dark_frames / frames:.0%} of frames): it was brightened for the pose "
            "model, but results are more reliable in a well-lit room")
