"""Pixel primitives of the overlay: frame-relative sizes, outlined text, blended rectangles.

Everything draws **in place** on an RGB uint8 frame. Sizes are given in design units
(:class:`Style`: 1 unit = 1 pixel on a 720p frame), so an overlay reads the same at 432p
and 1080p. Also the two texts every face writes the same way: :func:`format_value` and
:func:`metric_label`.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formcheck.pose.track import PoseFrame

Color = tuple[int, int, int]

WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)

FONT = cv2.FONT_HERSHEY_DUPLEX
#: OpenCV 5 draws Hershey font names with a Unicode font; OpenCV 4 cannot draw "°".
DEGREE = "°" if int(cv2.__version__.split(".")[0]) >= 5 else " deg"


class Style:
    """Pixel sizes for one frame: ``px(v)`` is ``v`` design units (1 unit = 1 px at 720p)."""

    def __init__(self, frame: np.ndarray) -> None:
        self.h, self.w = frame.shape[:2]
        self.u = min(self.h, self.w) / 720.0

    def px(self, v: float) -> int:
        """``v`` design units in pixels (at least 1)."""
        return max(1, round(v * self.u))


def _thickness(height_px: int) -> int:
    return max(1, round(height_px / 11))


def _font_scale(height_px: int, thickness: int) -> float:
    return float(cv2.getFontScaleFromHeight(FONT, max(1, height_px), thickness))


def text_size(text: str, height_px: int) -> tuple[int, int]:
    """(width, height) in pixels of ``text`` drawn ``height_px`` tall."""
    thick = _thickness(height_px)
    (w, h), _ = cv2.getTextSize(text, FONT, _font_scale(height_px, thick), thick)
    return w, h


def outline_width(height_px: int) -> int:
    """How far (pixels) the dark outline of :func:`put_text` reaches beyond the letters."""
    return max(1, (max(2, _thickness(height_px)) + 1) // 2)


def _draw_outline(frame: np.ndarray, text: str, org: tuple[int, int], scale: float, thick: int, color: Color,
                  reach: int) -> None:
    """A ``reach``-pixel halo around the letters of ``text`` exactly as :func:`put_text` draws them.

    The halo is the text's own (anti-aliased) mask grown by ``reach`` pixels. Drawing the text
    again with a thicker stroke would not do: the Unicode font of OpenCV 5 takes the thickness as
    the font weight and lays a bolder text out wider, so at small sizes its outline ran past the
    last letter as a dark blob."""
    (w, h), base = cv2.getTextSize(text, FONT, scale, thick)
    pad = reach + thick + 2  # strokes may overhang the measured box by a pixel or two
    x0, y0 = org[0] - pad, org[1] - h - pad
    mask = np.zeros((h + base + 2 * pad, w + 2 * pad), np.uint8)
    cv2.putText(mask, text, (pad, pad + h), FONT, scale, 255, thick, cv2.LINE_AA)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)))
    fh, fw = frame.shape[:2]
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(fw, x0 + mask.shape[1]), min(fh, y0 + mask.shape[0])
    if cx1 <= cx0 or cy1 <= cy0:
        return
    alpha = mask[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0, None].astype(np.float32) / 255.0
    roi = frame[cy0:cy1, cx0:cx1]
    roi[:] = (roi * (1.0 - alpha) + np.asarray(color, np.float32) * alpha + 0.5).astype(np.uint8)


def put_text(frame: np.ndarray, text: str, org: tuple[int, int], height_px: int, color: Color,
             outline: Color | None = BLACK) -> int:
    """Draw ``text`` with its baseline-left corner at ``org``; returns the text width.

    ``outline`` draws a dark halo :func:`outline_width` pixels wide that hugs the letters."""
    thick = _thickness(height_px)
    scale = _font_scale(height_px, thick)
    if outline is not None:
        _draw_outline(frame, text, org, scale, thick, outline, outline_width(height_px))
    cv2.putText(frame, text, org, FONT, scale, color, thick, cv2.LINE_AA)
    return cv2.getTextSize(text, FONT, scale, thick)[0][0]


def fill_rect(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, color: Color, alpha: float = 1.0) -> None:
    """Fill a rectangle (clipped to the frame), blended with ``alpha``."""
    h, w = frame.shape[:2]
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = frame[y0:y1, x0:x1]
    if alpha >= 1.0:
        roi[:] = color
    else:
        cv2.addWeighted(roi, 1.0 - alpha, np.full_like(roi, color), alpha, 0.0, dst=roi)


def wrap_text(text: str, height_px: int, max_width: int) -> list[str]:
    """Split ``text`` into lines no wider than ``max_width`` (a single long word may overflow)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if not current or text_size(candidate, height_px)[0] <= max_width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def landmark_pixels(pose: PoseFrame, w: int, h: int, min_visibility: float) -> tuple[np.ndarray, np.ndarray]:
    """``(points, ok)``: each landmark in integer pixels of a ``w``×``h`` frame, and whether it
    may be drawn (finite, visibility ≥ ``min_visibility``, not far outside the image)."""
    lm = np.asarray(pose.landmarks, dtype=np.float64)
    xy = lm[:, :2] * (w, h)
    ok = np.isfinite(xy).all(axis=1) & (np.nan_to_num(lm[:, 3], nan=0.0) >= min_visibility)
    ok &= (np.abs(lm[:, :2]) < 3.0).all(axis=1)  # far outside the image: a bad detection
    return np.where(ok[:, None], xy, 0).round().astype(np.int32), ok


def format_value(value: float, unit: str) -> str:
    """A metric value with its unit: ``152°``, ``1.2 s``, ``0.05 torso``; ``--`` when unknown."""
    if value is None or not math.isfinite(value):
        return "--"
    if unit == "deg":
        return f"{value:.0f}{DEGREE}"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.2f} {unit}".rstrip()


def metric_label(name: str) -> str:
    """``hip_above_line`` → ``Hip above line``."""
    return name.replace("_", " ").capitalize()


__all__ = [
    "BLACK", "DEGREE", "FONT", "WHITE", "Color", "Style", "fill_rect", "format_value", "landmark_pixels",
    "metric_label", "outline_width", "put_text", "text_size", "wrap_text",
]  # fmt: skip
