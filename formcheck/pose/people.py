"""Several people in the picture: which one to follow, and how many there are.

The model looks for ``max_people`` (2 by default) on every frame it runs on. Looking for a
second person makes MediaPipe run its person detector on each of those frames instead of
following the last frame's landmarks, and that is worth its cost on the floor: measured on the
shared clips, following one person from frame to frame (``--max-people 1``) gives a person lying
down a worse outline (pelvic_tilt_01 counts 0 of 2 reps instead of 2, figure_four_01 1 of 2).
"""

from __future__ import annotations

import numpy as np

from formcheck.pose.landmarker import Pose
from formcheck.pose.landmarks import INDEX

#: Two detections whose boxes overlap more than this are one person seen twice.
SAME_PERSON_IOU = 0.5
_TORSO = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


def _box(points: np.ndarray) -> tuple[float, float, float, float]:
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of the bounding boxes of two point sets (N, 2)."""
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return float(inter / union) if union > 0 else 0.0


class PersonPicker:
    """Chooses which detected person to follow: the one nearest the previous choice, else the
    largest. Counts distinct people (near-duplicate detections are merged)."""

    def __init__(self) -> None:
        self._last_torso: np.ndarray | None = None

    def pick(self, poses: list[Pose]) -> tuple[int | None, int]:
        """Return (index of the chosen pose, number of distinct people)."""
        if not poses:
            return None, 0
        points = [landmarks[:, :2] for landmarks, _ in poses]
        distinct: list[int] = []
        for i, xy in enumerate(points):
            if all(box_iou(xy, points[j]) < SAME_PERSON_IOU for j in distinct):
                distinct.append(i)
        if self._last_torso is not None:
            chosen = min(distinct, key=lambda i: float(np.linalg.norm(points[i][_TORSO] - self._last_torso)))
        else:
            chosen = max(distinct, key=lambda i: float(np.prod(np.ptp(points[i], axis=0))))
        self._last_torso = points[chosen][_TORSO].copy()
        return chosen, len(distinct)
