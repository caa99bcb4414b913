"""Light in the picture: the camera set-up's "too dark" check, and very dark frames lifted
before the pose model (which misses people in them; used inside the pose stage, so a file
and a live camera get the same treatment).

"Too dark" uses the frame's mean luminance, but a low mean alone is not enough: a
well-lit person in front of a black studio wall (sample clip ``plank_05``: mean luma 26)
is perfectly usable. So a frame is too dark only when its mean is low *and* even its
brightest parts are dim (95th percentile of luma), which is what a dim room looks like.
"""

from __future__ import annotations

import numpy as np

#: Mean luma (0-255, Rec. 601) below this may be too dark. A lit room reads ~90-200.
DARK_LUMA = 45.0
#: ... but only if the brightest 5 % of the picture is below this too (nothing is well lit).
DARK_BRIGHT_LUMA = 100.0
#: Luma is computed on every n-th pixel in each direction (a 640×480 frame → ~4,800 pixels).
SAMPLE_STEP = 8
_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _luma(rgb: np.ndarray, step: int) -> np.ndarray:
    if rgb.ndim != 3 or rgb.shape[2] < 3 or rgb.size == 0:
        raise ValueError(f"expected an H×W×3 RGB frame, got shape {rgb.shape}")
    return rgb[::step, ::step, :3].astype(np.float32) @ _WEIGHTS


def luminance_stats(rgb: np.ndarray, step: int = SAMPLE_STEP) -> tuple[float, float]:
    """``(mean, 95th percentile)`` of an RGB uint8 frame's Rec. 601 luma (0-255), on a sparse
    grid of pixels (every ``step``-th in each direction)."""
    luma = _luma(rgb, step)
    return float(luma.mean()), float(np.percentile(luma, 95))


def is_too_dark(mean: float, bright: float, threshold: float = DARK_LUMA,
                bright_threshold: float = DARK_BRIGHT_LUMA) -> bool:
    """Whether a picture with these luma figures (:func:`luminance_stats`, perhaps smoothed over
    frames) is too dark to count in: ``mean`` below ``threshold`` *and* the brightest parts
    (``bright``) below ``bright_threshold``."""
    return mean < threshold and bright < bright_threshold


# -- lifting very dark frames for the pose model -------------------------------------------
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


__all__ = ["DARK_BRIGHT_LUMA", "DARK_LUMA", "brighten", "dark_note", "is_too_dark", "luminance_stats"]
