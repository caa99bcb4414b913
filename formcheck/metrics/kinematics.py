"""Pure geometry over landmark arrays: angles in degrees, lengths in body-size units.

Every function takes points as arrays whose last axis is (x, y) in *isotropic image
units* (x scaled by the aspect ratio so one unit is the same distance both ways, y
pointing **up**) and broadcasts over any leading axes, so the same call serves one
frame ``(2,)`` or a whole clip ``(T, 2)``. NaN in gives NaN out: a missing landmark is
never turned into an invented angle.
"""

from __future__ import annotations

import numpy as np


def to_isotropic(xy: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Normalised MediaPipe (x right, y down, both 0-1) to isotropic units (y up).

    The result is measured in image heights: x is multiplied by width/height and y is
    flipped so that "higher in the picture" means a larger value.

    >>> to_isotropic(np.array([0.5, 0.25]), (200, 100)).tolist()
    [1.0, 0.75]
    """
    width, height = image_size
    out = np.asarray(xy, dtype=np.float64).copy()
    out[..., 0] *= width / height
    out[..., 1] = 1.0 - out[..., 1]
    return out


def world_y_up(world: np.ndarray) -> np.ndarray:
    """MediaPipe world landmarks (metres, hip-centred; x right, y down, z away from the camera) with
    y up and z toward the camera, as the picture's isotropic units have y up.

    >>> world_y_up(np.array([1., 2., 3.])).tolist()
    [1.0, -2.0, -3.0]
    """
    return np.asarray(world, dtype=np.float64) * np.array([1.0, -1.0, -1.0])


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ABC at ``b`` in degrees, 0-180 (180 = the three points in a straight line).

    >>> float(joint_angle(np.array([0., 1.]), np.array([0., 0.]), np.array([1., 0.])))
    90.0
    """
    u, v = np.asarray(a) - b, np.asarray(c) - b
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def inclination(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inclination of segment a→b to the horizontal in degrees, -90 to 90 (2-D picture points, or
    3-D world points with y up).

    Positive when ``b`` is higher than ``a``; independent of which way the person faces.

    >>> float(inclination(np.array([0., 0.]), np.array([-1., 1.])))
    45.0
    """
    d = np.asarray(b) - a
    if d.shape[-1] == 3:  # 3-D world points: the horizontal is the x-z plane
        return np.degrees(np.arctan2(d[..., 1], np.hypot(d[..., 0], d[..., 2])))
    return np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0])))


def bend(a: np.ndarray, b: np.ndarray, c: np.ndarray, facing: np.ndarray | float | None = None) -> np.ndarray:
    """Signed bend at ``b`` in degrees: how far segment b→c turns away from the line a→b.

    0 = straight on. With ``facing`` (+1 when the head is toward +x, -1 toward -x), the
    bend is positive when b→c turns **upward** for a person whose head is that way: for
    a path travelling toward the head, (knee, hip, shoulder) positive = back extension,
    (hip, shoulder, ear) positive = head tipped back. Without ``facing``, the direction of
    a→b stands in for it.

    >>> float(bend(np.array([0., 0.]), np.array([1., 0.]), np.array([2., 1.])))
    45.0
    >>> float(bend(np.array([0., 0.]), np.array([-1., 0.]), np.array([-2., 1.]), facing=-1.0))
    45.0
    """
    u, v = np.asarray(b) - a, np.asarray(c) - b
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    direction = np.where(u[..., 0] >= 0, 1.0, -1.0) if facing is None else facing
    return np.degrees(np.arctan2(cross, dot)) * direction


def straightness(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle at ``b`` that keeps counting past a straight line: ``180 - bend(a, b, c)``.

    Below 180 the middle point sags below the line a–c; above 180 it rises above it
    (a glute bridge with (shoulder, hip, knee) past 180 = hips pushed past straight).

    >>> bool(straightness(np.array([0., 0.]), np.array([1., 0.2]), np.array([2., 0.])) > 180)
    True
    """
    return 180.0 - bend(a, b, c)


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance between points."""
    return np.linalg.norm(np.asarray(b) - a, axis=-1)


def vertical_offset(ref: np.ndarray, p: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """Height of ``p`` above ``ref`` divided by ``scale`` (e.g. torso length)."""
    return (np.asarray(p)[..., 1] - np.asarray(ref)[..., 1]) / scale


def horizontal_offset(
    ref: np.ndarray, p: np.ndarray, facing: np.ndarray | float, scale: np.ndarray | float
) -> np.ndarray:
    """Horizontal offset of ``p`` from ``ref`` toward the head (``facing`` = ±1), over ``scale``."""
    return (np.asarray(p)[..., 0] - np.asarray(ref)[..., 0]) * facing / scale


def line_offset(a: np.ndarray, b: np.ndarray, c: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """Signed distance of ``b`` from the line a–c, positive when ``b`` is above it, over ``scale``.

    For a glute bridge (shoulder, hip, knee) a positive value means the hips are pushed
    above the shoulder-knee line: the lower back is arching.

    >>> float(line_offset(np.array([0., 0.]), np.array([1., 0.5]), np.array([2., 0.]), 1.0))
    0.5
    """
    a, b, c = np.asarray(a), np.asarray(b), np.asarray(c)
    d = c - a
    length = np.linalg.norm(d, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Height of b above the line at b's x, measured perpendicular to the line.
        cross = d[..., 0] * (b - a)[..., 1] - d[..., 1] * (b - a)[..., 0]
        signed = cross / length * np.sign(d[..., 0] + (d[..., 0] == 0))
    return signed / scale


def axis_offset(
    origin: np.ndarray, p: np.ndarray, axis_from: np.ndarray, axis_to: np.ndarray, scale: np.ndarray | float
) -> np.ndarray:
    """Component of ``p - origin`` along the direction axis_from→axis_to, over ``scale``.

    With the axis right hip → left hip, a positive value means ``p`` moved toward the
    person's left, whichever way the camera looks.
    """
    axis = np.asarray(axis_to) - axis_from
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    return ((np.asarray(p) - origin) * unit).sum(axis=-1) / scale


def side_visibility_score(
    visibility_left: np.ndarray, visibility_right: np.ndarray, z_left: np.ndarray, z_right: np.ndarray
) -> np.ndarray:
    """Positive when the person's left side is nearer the camera.

    Combines visibility (the nearer side is less occluded) and MediaPipe's relative
    depth (smaller z is nearer), each averaged over the points given.
    """
    vis = np.nanmean(np.asarray(visibility_left) - visibility_right, axis=-1)
    depth = np.nanmean(np.asarray(z_right) - z_left, axis=-1)
    return vis + np.clip(depth, -1.0, 1.0)
