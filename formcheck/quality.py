"""Image-quality checks for the camera set-up (things the pose model cannot tell us).

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


def mean_luminance(rgb: np.ndarray, step: int = SAMPLE_STEP) -> float:
    """Mean Rec. 601 luma (0-255) of an RGB uint8 frame, on a sparse grid of pixels."""
    return float(_luma(rgb, step).mean())


def luminance_stats(rgb: np.ndarray, step: int = SAMPLE_STEP) -> tuple[float, float]:
    """``(mean, 95th percentile)`` of the frame's luma (0-255)."""
    luma = _luma(rgb, step)
    return float(luma.mean()), float(np.percentile(luma, 95))


def is_too_dark(rgb: np.ndarray, threshold: float = DARK_LUMA, bright_threshold: float = DARK_BRIGHT_LUMA) -> bool:
    """True when the mean luma is below ``threshold`` and the brightest parts below ``bright_threshold``."""
    mean, bright = luminance_stats(rgb)
    return mean < threshold and bright < bright_threshold


__all__ = ["DARK_BRIGHT_LUMA", "DARK_LUMA", "is_too_dark", "luminance_stats", "mean_luminance"]
