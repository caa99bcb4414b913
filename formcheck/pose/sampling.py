"""The pose rate: run the model as often as the movement needs, not on every frame.

These exercises move well under 1 Hz, so a pose every 0.1 s (every 3rd frame of a 25 or
30 fps camera) follows them; between two model runs the latest pose is held for the frame in
between, so every frame still has a pose and the rule engine still steps on every frame's
timestamp. When the body moves fast (more than :data:`FAST_TORSO_PER_S` torso lengths a
second, e.g. getting up or a limb swinging), or the person was lost, the model runs on
every frame until it settles. Files and the live camera use the same rate, so a clip gives
the same poses (and so the same reps and faults) either way.

Measured with the full model on the 28 shared sample clips (``formcheck eval``): the model runs
on 37% of the frames, and every clip's rep count, sides, holds, faults and recognised exercise
are those of running it on every frame; one of the 73 labelled rep peaks moves past the eval's
0.3 s matching window (bridge_03; mean peak error 0.11 → 0.14 s). A pose every 1/15 s (every
2nd frame) changes nothing either but costs half as much again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.pose.landmarks import INDEX

#: The limbs and trunk whose speed decides the rate (face and fingers jitter; they do not count).
SPEED_POINTS = np.array([INDEX[n] for n in (
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")])
_SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]
_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
#: Only points at least this visible in both poses are measured.
MIN_VISIBILITY = 0.5
#: Fast: the 75th percentile of the visible points' speeds above this many torso lengths a
#: second (a bridge or a rock back moves ~0.4-1; a leg swung or the person getting up, 2 and more).
FAST_TORSO_PER_S = 2.0
SPEED_PERCENTILE = 75.0
#: At least one model run per this many seconds (10 Hz).
MAX_GAP_S = 0.1
#: Slack for frame timestamps that are a little early (rounding of the container's clock).
_SLACK_S = 0.005


def body_speed(before: np.ndarray, after: np.ndarray, dt: float, image_size: tuple[int, int]) -> float:
    """How fast the body moved between two poses (33×4 landmarks), in torso lengths per second:
    the 75th percentile over the visible limb and trunk points; ``inf`` if it cannot be told."""
    scale = np.array(image_size, dtype=np.float64)
    xy_before, xy_after = before[:, :2] * scale, after[:, :2] * scale
    torso = float(np.linalg.norm(xy_after[_SHOULDERS].mean(axis=0) - xy_after[_HIPS].mean(axis=0)))
    seen = (before[SPEED_POINTS, 3] >= MIN_VISIBILITY) & (after[SPEED_POINTS, 3] >= MIN_VISIBILITY)
    if dt <= 0 or not np.isfinite(torso) or torso < 1.0 or not seen.any():
        return float("inf")
    moved = np.linalg.norm(xy_after[SPEED_POINTS] - xy_before[SPEED_POINTS], axis=1)[seen]
    return float(np.percentile(moved, SPEED_PERCENTILE)) / torso / dt


@dataclass
class PoseRate:
    """Decides, frame by frame, whether the model runs or the latest pose is held.

    Args:
        max_gap_s: the longest time a pose is held (0: the model runs on every frame).
        fast_torso_per_s: body speed above which the model runs on every frame.
    """

    max_gap_s: float = MAX_GAP_S
    fast_torso_per_s: float = FAST_TORSO_PER_S

    def __post_init__(self) -> None:
        self._last: tuple[float, np.ndarray] | None = None  # time and landmarks of the latest model pose
        self._speed = float("inf")

    def needs_model(self, timestamp_s: float) -> bool:
        """Whether the frame at ``timestamp_s`` must go through the model."""
        if self._last is None or self._speed > self.fast_torso_per_s:
            return True
        return timestamp_s - self._last[0] >= self.max_gap_s - _SLACK_S

    def observe(self, timestamp_s: float, landmarks: np.ndarray, image_size: tuple[int, int]) -> None:
        """Tell the rate the model's pose at ``timestamp_s`` (NaN rows: nobody found)."""
        if not np.isfinite(landmarks[0, 0]):
            self._last, self._speed = None, float("inf")
            return
        if self._last is not None:
            self._speed = body_speed(self._last[1], landmarks, timestamp_s - self._last[0], image_size)
        self._last = (timestamp_s, landmarks)


__all__ = ["FAST_TORSO_PER_S", "MAX_GAP_S", "PoseRate", "body_speed"]
