"""Pose quality: can this frame's skeleton be trusted?

:class:`PoseQualityGate` judges each frame, causally, against the person's own running
proportions, and the engine turns a frame that fails into a gap (its metrics are NaN, never
angles). It is one stateful object stepped frame by frame, by the live engine and by review
alike (one per frame sequence: :class:`formcheck.metrics.frame_prep.FramePrep` steps it once a
frame for every rule's :class:`~formcheck.metrics.stream.MetricStream`), so both clocks see the
same verdicts. A frame fails when:

* ``hidden``: too few of the main joints are visible to place a body at all;
* ``size``: the body's size in the picture (:func:`body_size`) is far off its recent median;
* ``bone_length``: a bone's 3-D length (world landmarks, so turning a limb toward the camera
  does not shorten it) against the running median torso is far off that bone's own running
  ratio; judged are the bones that hang on the torso (upper arms, thighs) and the shoulder and
  hip widths, whose depth the model places well (a forearm or shin folded behind its neighbour
  has a guessed depth: a folded shin's 3-D length swings from 0.07 to 0.4 m on a clear clip);
* ``asymmetry``: a left and a right upper arm or thigh (3-D) differ more than two sides of one
  body can;
* ``jump``: a joint moved further since the model's previous pose than a body moves.

It also says when quality has been poor over the last seconds (:attr:`QualityVerdict.poor`),
the input of the ``unclear_pose`` set-up problem (:mod:`formcheck.engine.setup`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from formcheck.metrics.kinematics import to_isotropic
from formcheck.pose.landmarks import INDEX
from formcheck.pose.track import PoseFrame

#: The main joints, both sides: what the checks look at (hands, feet and face are too small
#: and too often hidden to judge a whole skeleton by).
MAIN_JOINTS = tuple(INDEX[f"{s}_{j}"] for s in ("left", "right")
                    for j in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle"))  # fmt: skip
#: A landmark at or above this visibility is "seen" (MediaPipe's own presence convention).
MIN_VISIBILITY = 0.5
#: Fewer main joints seen than this: the model is guessing a body (a torso's four corners
#: and one more joint are the least a pose can be placed by).
MIN_VISIBLE_JOINTS = 5
#: The body's size in the picture (:func:`body_size`) more than this factor off its recent median:
#: a bad detection. Turning or sitting up toward the camera foreshortens the torso, but the
#: shoulders then show their width, so the larger of the two changes far less than twofold.
SIZE_RATIO_LIMIT = 2.0
#: A bone's 3-D length / the median 3-D torso may drift this factor from its own running
#: median before the frame fails. Bones do not change length; the model's 3-D estimate of one
#: wanders by about ±15 % on clear side-on clips, so 1.6 is well outside honest noise.
BONE_RATIO_LIMIT = 1.6
#: Left and right long bones (3-D) may differ by this factor at most: people's sides differ by a
#: few per cent, the model's estimate of a half-hidden far limb by up to ~40 % on clear clips.
SYMMETRY_LIMIT = 1.7
#: Fastest a joint may move, in body sizes (:func:`body_size`, about 0.4-0.5 m) per second: 10/s
#: is 4-5 m/s, faster than a hand or foot moves in any controlled exercise (a brisk arm swing peaks
#: at 3-4 m/s; only ballistic strikes and kicks go faster).
MAX_JOINT_SPEED = 10.0
#: Displacement allowed on top of the speed limit, in body sizes: the model's frame-to-frame
#: jitter of a visible joint (a few per cent of the torso) with room for a partly hidden one.
JUMP_JITTER = 0.15
#: Running medians use this many of the model's latest poses (about 6 s at the 10 Hz pose rate).
HISTORY = 60
#: After this long without a usable pose the running proportions are dropped and learnt afresh:
#: the camera may have moved or zoomed (a cut), or the first poses were the wrong ones.
STALE_S = 1.0
#: A glitch lasts a pose or two: this long after the latest usable pose, a new pose is checked
#: for jumps against that one rather than against the glitch (at the 10 Hz pose rate, two poses).
GLITCH_S = 0.25
#: Proportion checks wait for this many poses, so one odd first frame is not the reference.
MIN_HISTORY = 5
#: Quality is "poor" when a person is in at least :data:`POOR_SHARE` of the frames of the last
#: :data:`POOR_WINDOW_S` but under :data:`POOR_SHARE` of them are usable (judged once the window is
#: full): it turns poor half a window into a bad stretch and back half a window after it, so it
#: lasts as long as the stretch. The set-up problem it raises waits a further
#: :data:`formcheck.engine.setup.UNCLEAR_DEBOUNCE_S`: about 2 s of bad pose in all.
POOR_WINDOW_S = 1.0
POOR_SHARE = 0.5

#: A set with fewer usable frames than this is reported with a warning: with most of it unseen,
#: a low count or a missing fault says more about the camera than about the exercise.
MIN_USABLE_SHARE = 0.5

#: Bones judged by length: name → (landmark a, landmark b), sided ones once per side.
LIMBS = {"upper_arm": ("shoulder", "elbow"), "thigh": ("hip", "knee")}
_PAIRS = {f"{s}_{b}": (INDEX[f"{s}_{a}"], INDEX[f"{s}_{c}"]) for s in ("left", "right") for b, (a, c) in LIMBS.items()}
_PAIRS |= {"shoulder_width": (INDEX["left_shoulder"], INDEX["right_shoulder"]),
           "hip_width": (INDEX["left_hip"], INDEX["right_hip"])}  # fmt: skip
_BONES = tuple(_PAIRS)
_A = np.array([a for a, _ in _PAIRS.values()])
_B = np.array([b for _, b in _PAIRS.values()])
_SHOULDERS = [INDEX["left_shoulder"], INDEX["right_shoulder"]]
_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
_Pose = tuple[float, np.ndarray, np.ndarray]
#: Reasons a frame fails, in reporting order.
REASONS = ("no_person", "hidden", "size", "bone_length", "asymmetry", "jump")


@dataclass(frozen=True)
class QualityVerdict:
    """One frame's pose quality.

    Attributes:
        usable: the skeleton can be trusted (its metrics may be computed).
        reasons: why not (codes of :data:`REASONS`); empty when usable.
        poor: quality has been poor over the last :data:`POOR_WINDOW_S` (a set-up problem).
    """

    usable: bool
    reasons: tuple[str, ...] = ()
    poor: bool = False


def torso_length(xy: np.ndarray) -> float:
    """Mid-shoulder to mid-hip distance of one pose (any units)."""
    return float(np.linalg.norm(xy[_SHOULDERS].mean(axis=0) - xy[_HIPS].mean(axis=0)))


def body_size(xy: np.ndarray) -> float:
    """The body's size in the picture, whichever way it faces: the larger of the torso length
    (full side-on) and the shoulder width (full from the front or the feet, ~0.75 torso)."""
    return max(torso_length(xy), float(np.linalg.norm(xy[_SHOULDERS[0]] - xy[_SHOULDERS[1]])))


class _Window:
    """The usable share of the frames of the last :data:`POOR_WINDOW_S` seconds."""

    def __init__(self) -> None:
        self.items: deque[tuple[float, bool, bool]] = deque()
        self.first_t: float | None = None

    def add(self, t: float, usable: bool, person: bool) -> bool:
        """Add a frame; returns whether quality is poor now: the window is long enough, a person
        is in most of it (else "no one in view" is the problem) and under half of it is usable."""
        if self.first_t is None or (self.items and t < self.items[-1][0]):
            self.first_t, self.items = t, deque()
        self.items.append((t, usable, person))
        while self.items[0][0] < t - POOR_WINDOW_S:
            self.items.popleft()
        if t - self.first_t < POOR_WINDOW_S - 1e-9:
            return False
        n = len(self.items)
        present = sum(p for _, _, p in self.items)
        return present >= POOR_SHARE * n and sum(u for _, u, _ in self.items) < POOR_SHARE * n


class PoseQualityGate:
    """Causal per-frame pose quality: feed frames in time order (see the module docstring)."""

    def __init__(self) -> None:
        self._size: deque[float] = deque(maxlen=HISTORY)
        self._world_torso: deque[float] = deque(maxlen=HISTORY)
        self._ratios: deque[np.ndarray] = deque(maxlen=HISTORY)
        #: The model's latest pose, and the latest usable one: (time, positions, seen).
        self._previous: _Pose | None = None
        self._accepted: _Pose | None = None
        self._accepted_t: float | None = None
        self._window = _Window()
        self._last: QualityVerdict = QualityVerdict(False, ("no_person",))

    def step(self, frame: PoseFrame, xy: np.ndarray | None = None) -> QualityVerdict:
        """The verdict on one frame. A frame the model did not run on (``fresh`` False: the latest
        pose held) gets the verdict of that pose. ``xy``: the frame's landmarks already in isotropic
        units (:func:`~formcheck.metrics.kinematics.to_isotropic`, read-only), else computed here."""
        t = frame.timestamp_s
        if not frame.has_person:
            self._previous = self._accepted = None
            reasons: tuple[str, ...] = ("no_person",)
        elif frame.fresh or self._last.reasons == ("no_person",):
            reasons = self._judge(frame, xy)
        else:
            reasons = self._last.reasons
        poor = self._window.add(t, not reasons, frame.has_person)
        self._last = QualityVerdict(not reasons, reasons, poor)
        return self._last

    def _judge(self, frame: PoseFrame, xy: np.ndarray | None) -> tuple[str, ...]:
        """The reasons this pose fails (none: usable); updates the running proportions."""
        lm = frame.landmarks.astype(np.float64)
        xy = to_isotropic(lm[:, :2], frame.image_size) if xy is None else xy
        seen = lm[:, 3] >= MIN_VISIBILITY
        t = frame.timestamp_s
        previous, self._previous = self._reference(t), (t, xy, seen)
        if int(seen[list(MAIN_JOINTS)].sum()) < MIN_VISIBLE_JOINTS:
            return ("hidden",)
        found: list[str] = []
        size = body_size(xy)
        median = float(np.median(self._size)) if len(self._size) >= MIN_HISTORY else size
        if not (median > 0 and 1 / SIZE_RATIO_LIMIT < size / median < SIZE_RATIO_LIMIT):
            found.append("size")
        world = _world_lengths(frame.world)
        if world is not None:
            found += self._bones(*world, seen)
        if _jumped(previous, t, xy, seen, median):
            found.append("jump")
        self._remember(t, size, world, found)
        return tuple(found)

    def _reference(self, t: float) -> _Pose | None:
        """The pose a new one is compared with for jumps: the latest usable one shortly after a
        glitch (so the pose after a glitch is not failed for jumping back), else the latest."""
        if self._accepted is not None and 0 <= t - self._accepted[0] <= GLITCH_S:
            return self._accepted
        return self._previous

    def _remember(self, t: float, size: float, world: tuple[np.ndarray, float] | None, found: list[str]) -> None:
        """A usable pose joins the running proportions; after :data:`STALE_S` without one they are
        dropped, to be learnt afresh (the camera may have moved, or the first poses were wrong)."""
        if not found:
            self._accepted_t, self._accepted = t, self._previous
            self._size.append(size)
            if world is not None:
                self._world_torso.append(world[1])
                self._ratios.append(world[0] / float(np.median(self._world_torso)))
        elif self._accepted_t is None or not 0 <= t - self._accepted_t <= STALE_S:
            self._size.clear()
            self._world_torso.clear()
            self._ratios.clear()

    def _bones(self, lengths: np.ndarray, torso: float, seen: np.ndarray) -> list[str]:
        """``bone_length`` and ``asymmetry`` from the 3-D bone ``lengths``, of the bones whose both
        ends are seen (the model's 3-D guess at a hidden limb is often short, but steadily)."""
        both = seen[_A] & seen[_B]
        found = []
        if len(self._ratios) >= MIN_HISTORY:
            ratios = lengths / float(np.median([*self._world_torso, torso]))
            usual = np.median(np.array(self._ratios), axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                off = np.abs(np.log(ratios / usual))[both]
            if off.size and np.nanmax(off) > math.log(BONE_RATIO_LIMIT):
                found.append("bone_length")
        n = len(LIMBS)
        pairs = both[:n] & both[n : 2 * n]
        left, right = lengths[:n][pairs], lengths[n : 2 * n][pairs]
        with np.errstate(divide="ignore", invalid="ignore"):
            if left.size and np.nanmax(np.maximum(left, right) / np.minimum(left, right)) > SYMMETRY_LIMIT:
                found.append("asymmetry")
        return found


def _world_lengths(world: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Each judged bone's 3-D length and the torso's (metres), or None without world landmarks."""
    w = np.asarray(world, dtype=np.float64)
    if w.shape[0] <= max(MAIN_JOINTS) or not np.isfinite(w[list(MAIN_JOINTS)]).all():
        return None
    torso = torso_length(w)
    if not torso > 1e-6:
        return None
    return np.linalg.norm(w[_A] - w[_B], axis=1), torso


def _jumped(previous: _Pose | None, t: float, xy: np.ndarray, seen: np.ndarray,
            size: float) -> bool:
    """A joint seen now and in the model's ``previous`` pose moved faster than a body can."""
    if previous is None or not size > 0:
        return False
    t0, xy0, seen0 = previous
    dt = max(t - t0, 0.0)
    joints = [j for j in MAIN_JOINTS if seen[j] and seen0[j]]
    if not joints:
        return False
    moved = float(np.linalg.norm(xy[joints] - xy0[joints], axis=1).max()) / size
    return moved > MAX_JOINT_SPEED * dt + JUMP_JITTER


__all__ = [
    "BONE_RATIO_LIMIT", "GLITCH_S", "JUMP_JITTER", "MAX_JOINT_SPEED", "MIN_USABLE_SHARE", "MIN_VISIBILITY",
    "MIN_VISIBLE_JOINTS", "POOR_SHARE", "POOR_WINDOW_S", "REASONS", "SIZE_RATIO_LIMIT", "STALE_S",
    "SYMMETRY_LIMIT", "PoseQualityGate", "QualityVerdict", "body_size", "torso_length",
]  # fmt: skip
