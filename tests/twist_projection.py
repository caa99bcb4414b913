"""Twist sequences built from real landmarks: turn body parts of a real clip's 3-D world landmarks
by a known angle, then see them with an orthographic camera side-on (the clip's own camera) or
from the feet end.

The picture landmarks are the projection of the world ones, so both agree as the pose model's
would, and the real clip's jitter stays in every point. Used by tests/test_knee_rolls_views.py
and tests/test_rotation_views.py.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from formcheck.pose.landmarks import INDEX
from formcheck.pose.track import PoseTrack

#: Orthographic camera: pixels per metre, picture size, and the feet camera's downward pitch.
PX_PER_M, IMAGE = 500.0, (1280, 720)
FEET_PITCH_DEG = 20.0
#: MediaPipe world y points down: this is up.
UP = np.array([0.0, -1.0, 0.0])


def points(*names: str) -> list[int]:
    """Landmark indices of ``names``."""
    return [INDEX[n] for n in names]


def alternating(t: np.ndarray, degrees: float, still_s: float, period_s: float, count: int) -> np.ndarray:
    """An angle at each time (radians): 0 while still, then half a sine per ``period_s``, ``count``
    times, alternating in sign (positive first)."""
    k = np.floor((t - still_s) / period_s)
    phase = (t - still_s) / period_s - k
    moving = (t >= still_s) & (k < count)
    sign = np.where(k % 2 == 0, 1.0, -1.0)
    return np.where(moving, sign * math.radians(degrees) * np.sin(math.pi * phase), 0.0)


def window(t: np.ndarray, start: float, end: float, ramp_s: float = 0.3) -> np.ndarray:
    """0 outside ``start``-``end``, 1 inside, with ``ramp_s`` linear ramps at each end."""
    return np.clip(np.minimum(t - start, end - t) / ramp_s, 0.0, 1.0)


def rotate(pts: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """``pts`` (N, 3) turned by ``angle`` about the unit ``axis`` through the origin (Rodrigues)."""
    c, s = math.cos(angle), math.sin(angle)
    return pts * c + np.cross(axis, pts) * s + np.outer(pts @ axis, axis) * (1 - c)


def turn_about(world: np.ndarray, idx: list[int], centre: np.ndarray, axis: np.ndarray, angle: float) -> None:
    """Turn the landmarks ``idx`` of one frame's ``world`` (33, 3) in place by ``angle`` about
    ``axis`` through ``centre``."""
    world[idx] = rotate(world[idx] - centre, axis / np.linalg.norm(axis), angle) + centre


def mid(pose: np.ndarray, part: str) -> np.ndarray:
    """The midpoint of the left and right ``part`` of one pose (..., 33, 3)."""
    return (pose[..., INDEX[f"left_{part}"], :] + pose[..., INDEX[f"right_{part}"], :]) / 2


def long_axis(world: np.ndarray) -> np.ndarray:
    """The body's long axis (hips → shoulders, unit), from the median pose."""
    pose = np.nanmedian(world, axis=0)
    axis = mid(pose, "shoulder") - mid(pose, "hip")
    return axis / np.linalg.norm(axis)


def feet_camera(world: np.ndarray, pitch_deg: float = FEET_PITCH_DEG) -> np.ndarray:
    """World landmarks as a camera at the feet sees them: the side camera turned to look along
    the body from the feet end, then pitched down ``pitch_deg``."""
    along = long_axis(world)
    yaw = math.atan2(along[0], along[2])  # turn the long axis onto +z (away from the camera)
    c, s = math.cos(-yaw), math.sin(-yaw)
    turn = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    p = math.radians(pitch_deg)
    pitch = np.array([[1.0, 0.0, 0.0], [0.0, math.cos(p), -math.sin(p)], [0.0, math.sin(p), math.cos(p)]])
    return world @ (pitch @ turn).T


def project(track: PoseTrack, world: np.ndarray, visibility: np.ndarray | float | None = None) -> PoseTrack:
    """A track whose world landmarks are ``world`` and whose picture is their orthographic view;
    visibility from the track (None) or as given."""
    w, h = IMAGE
    n = len(world)
    lm = np.zeros((n, 33, 4), np.float32)
    lm[..., 0] = (w / 2 + PX_PER_M * world[..., 0]) / w
    lm[..., 1] = (h * 0.55 + PX_PER_M * world[..., 1]) / h
    lm[..., 2] = world[..., 2]
    lm[..., 3] = track.landmarks[:n, :, 3] if visibility is None else visibility
    return replace(track, landmarks=lm, world=world.astype(np.float32), timestamps=track.timestamps[:n],
                   persons=np.ones(n, np.int8), image_size=IMAGE, model_ran=None)


__all__ = ["FEET_PITCH_DEG", "IMAGE", "PX_PER_M", "UP", "alternating", "feet_camera", "long_axis", "mid",
           "points", "project", "rotate", "turn_about", "window"]
