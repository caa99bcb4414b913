"""Several people in the picture: which one to follow, and how many there are.

The model looks for ``max_people`` (2 by default) on every frame it runs on. Looking for a
second person makes MediaPipe run its person detector on each of those frames instead of
following the last frame's landmarks, and that is worth its cost on the floor: measured on the
shared clips, following one person from frame to frame (``--max-people 1``) gives a person lying
down a worse outline (pelvic_tilt_01 counts 0 of 2 reps instead of 2, figure_four_01 1 of 2).

Not every "person" the model finds is one. A picture of a body (a caption's 3-D anatomy render,
a poster, a reflection) stays where it is while the real person exercises: its torso centre
barely moves. Each detection is followed over time (:class:`Tracklet`); one that has stayed
still for :data:`STILL_WINDOW_S` while another person in the picture clearly moves, and that has
never moved itself, is a picture (*decor*): it is not counted and never followed, for as long
as it stays in view. Until then, a still newcomer is neither counted nor followed while someone
else has been seen moving elsewhere within that time, and when the person followed is missed for a moment
the picker waits for them rather than jump to someone already seen beside them. A detection far
smaller or larger than the person followed is not counted beside them either (alone, it is
followed: a partial detection of the person is still them).

Measured on the shared clips (torso-centre travel over 1 s, in the detection's own size): the
caption render of knee_rolls_01 0.02-0.09 (up to 0.27 as it zooms), the man rolling
his knees 0.3-0.9; the two real people of two_people_pushups_01 at most 0.18 (both move, in
step), so both stay counted; a person holding a plank 0.00-0.01 (alone: always followed).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from formcheck.pose.landmarker import Pose
from formcheck.pose.landmarks import INDEX

#: Two detections whose boxes overlap more than this are one person seen twice.
SAME_PERSON_IOU = 0.5
#: A detection overlapping a tracklet's last box by more than this continues it.
TRACK_IOU = 0.3
#: A tracklet not seen for longer than this ends.
TRACK_GAP_S = 0.5
#: How long a detection must be seen still (torso centre within :data:`STILL_FRACTION` of its
#: size) before it may be taken for a picture.
STILL_WINDOW_S = 1.0
#: Torso-centre travel over :data:`STILL_WINDOW_S`, in the detection's size (box diagonal), below
#: which it is still: a picture 0.02-0.09, a person holding a plank 0.00-0.01 (so stillness alone
#: never makes a picture), a person exercising 0.1-0.9.
STILL_FRACTION = 0.1
#: Travel above which a person clearly moves: three times the still limit, above the 0.18 of
#: two people doing push-ups in step (neither is then taken for a picture).
MOVING_FRACTION = 0.3
#: A detection whose size differs from the followed person's by more than this factor is no
#: second person (the pose detector cannot find real people four times smaller anyway).
SIZE_RATIO = 4.0
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


def box_size(points: np.ndarray) -> float:
    """The diagonal of the bounding box of a point set (N, 2)."""
    x0, y0, x1, y1 = _box(points)
    return float(np.hypot(x1 - x0, y1 - y0))


@dataclass(eq=False)
class Tracklet:
    """One detected "person" followed over the frames the model ran on."""

    points: np.ndarray
    last_t: float
    #: (time, torso centre) of recent detections.
    history: deque = field(default_factory=deque)
    #: Once taken for a picture, it stays one while it is in view.
    decor: bool = False
    #: It has been seen moving (travel past :data:`MOVING_FRACTION`): a picture never does.
    moved: bool = False
    #: Seen beside the person followed, last time both were in view: someone else.
    other: bool = False

    def add(self, points: np.ndarray, t: float) -> None:
        self.points, self.last_t = points, t
        self.history.append((t, points[_TORSO].mean(axis=0)))
        while self.history and t - self.history[0][0] > STILL_WINDOW_S:
            self.history.popleft()
        self.moved = self.moved or self.travel() > MOVING_FRACTION

    def seen_for(self) -> float:
        return self.history[-1][0] - self.history[0][0] if self.history else 0.0

    def travel(self) -> float:
        """Torso-centre travel over the recent window, in the detection's size."""
        centres = np.array([c for _, c in self.history])
        size = box_size(self.points)
        return float(np.linalg.norm(np.ptp(centres, axis=0)) / size) if size > 0 else 0.0

    def still(self) -> bool:
        return self.seen_for() >= STILL_WINDOW_S * 0.9 and self.travel() < STILL_FRACTION


class PersonPicker:
    """Chooses which detected person to follow: the one nearest the previous choice, else the
    largest. Counts distinct people (near-duplicate detections are merged; pictures of people
    and detections of implausible size are not people)."""

    def __init__(self) -> None:
        self._last_torso: np.ndarray | None = None
        self._last_size: float | None = None
        self._tracklets: list[Tracklet] = []
        self._followed: Tracklet | None = None
        self._t = 0.0

    def pick(self, poses: list[Pose], t: float | None = None) -> tuple[int | None, int]:
        """Return (index of the chosen pose, number of distinct people) at time ``t`` (seconds;
        without it, successive calls are taken to be 0.1 s apart)."""
        self._t = self._t + 0.1 if t is None else t
        points = [landmarks[:, :2] for landmarks, _ in poses]
        tracks = self._follow(points)
        distinct: list[int] = []
        for i in sorted(range(len(points)), key=lambda i: tracks[i] is not self._followed):  # followed first
            xy = points[i]
            if tracks[i].decor or self._suspect(tracks[i]) or (len(points) > 1 and not self._plausible_size(xy)):
                continue
            if all(box_iou(xy, points[j]) < SAME_PERSON_IOU for j in distinct):
                distinct.append(i)
        followable = self._followable(distinct, tracks, points)
        if not followable:
            return None, len(distinct)
        if self._last_torso is not None:
            chosen = min(followable, key=lambda i: float(np.linalg.norm(points[i][_TORSO] - self._last_torso)))
        else:
            chosen = max(followable, key=lambda i: float(np.prod(np.ptp(points[i], axis=0))))
        self._last_torso = points[chosen][_TORSO].copy()
        self._last_size = box_size(points[chosen])
        self._followed = tracks[chosen]
        for i in distinct:
            tracks[i].other = i != chosen
        return chosen, len(distinct)

    def _followable(self, distinct: list[int], tracks: list[Tracklet], points: list[np.ndarray]) -> list[int]:
        """The detections that may be followed: while the person followed is still being tracked
        but missed in this frame, not someone already seen beside them (unless the detection
        overlaps where the person followed was: that is them, found again)."""
        followed = self._followed
        if followed is None or self._t - followed.last_t > TRACK_GAP_S or any(tracks[i] is followed for i in distinct):
            return distinct
        return [i for i in distinct if not tracks[i].other or box_iou(followed.points, points[i]) >= TRACK_IOU]

    def _suspect(self, k: Tracklet) -> bool:
        """Not yet known to be a picture, but it may be one: it has never moved and is still so
        far, while someone seen elsewhere in the picture within :data:`STILL_WINDOW_S` has moved
        (overlapping their last box, it is that person found again). It is neither counted nor followed."""
        if k.moved or k.travel() >= STILL_FRACTION:
            return False
        return any(o.moved and self._t - o.last_t <= STILL_WINDOW_S and box_iou(o.points, k.points) == 0
                   for o in self._tracklets if o is not k)  # fmt: skip

    def _plausible_size(self, xy: np.ndarray) -> bool:
        if self._last_size is None or self._last_size <= 0:
            return True
        return 1 / SIZE_RATIO < box_size(xy) / self._last_size < SIZE_RATIO

    def _follow(self, points: list[np.ndarray]) -> list[Tracklet]:
        """Each detection's tracklet (continued by box overlap, else new); marks new pictures."""
        t = self._t
        alive = [k for k in self._tracklets if t - k.last_t <= TRACK_GAP_S]
        tracks: list[Tracklet] = []
        for xy in points:
            free = [k for k in alive if all(k is not u for u in tracks)]
            best = max(free, key=lambda k: box_iou(k.points, xy), default=None)
            if best is None or box_iou(best.points, xy) < TRACK_IOU:
                best = Tracklet(xy, t)
                alive.append(best)
            best.add(xy, t)
            tracks.append(best)
        moving = any(k.travel() > MOVING_FRACTION and not k.decor for k in tracks)
        for k in tracks:
            k.decor = k.decor or (moving and k.still() and not k.moved)
        self._tracklets = alive
        return tracks
