"""The per-frame work that does not depend on the rule, done once a frame and shared.

Every rule's :class:`~formcheck.metrics.stream.MetricStream` needs the same facts of a frame
before its own metrics: the pose quality verdict (:class:`~formcheck.pose.quality.PoseQualityGate`),
the landmarks in isotropic picture units, which of them are visible inside the picture, and the
body side nearer the camera. None of them depends on the rule, so :class:`FramePrep` works them
out once per frame (:class:`PreparedFrame`), and :class:`SharedFrames` hands one sequence of them
to every stream fed the same frames: recognition runs the whole catalogue over one track with one
gate instead of one per rule. A stream without a :class:`SharedFrames` has its own
:class:`FramePrep`: the same code, frame by frame, in live and in review.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.metrics import kinematics as kin
from formcheck.pose.landmarks import INDEX
from formcheck.pose.quality import PoseQualityGate, QualityVerdict
from formcheck.pose.track import PoseFrame

#: A landmark outside the image by more than this (fraction of the frame) is out of view.
FRAME_MARGIN = 0.02
#: The side-choice score must pass this before the near side switches.
SIDE_SWITCH_MARGIN = 0.3
#: The side-choice score follows a frame's score with this time constant (seconds).
SIDE_SCORE_TIME_S = 1.0
_SIDE_POINTS = ("shoulder", "elbow", "hip", "knee", "ankle")
_L = [INDEX[f"left_{p}"] for p in _SIDE_POINTS]
_R = [INDEX[f"right_{p}"] for p in _SIDE_POINTS]


@dataclass(frozen=True)
class PreparedFrame:
    """The rule-free facts of one frame (arrays are read-only: every stream shares them).

    Attributes:
        frame: the pose frame.
        dt: seconds since the previous frame (0 for the first).
        verdict: the pose quality gate's verdict.
        side: body side nearer the camera (kept through frames without a person).
        xy: landmarks in isotropic picture units (:func:`~formcheck.metrics.kinematics.to_isotropic`,
            unsmoothed); None without a person.
        vis: each landmark's visibility, 0 outside the picture; None without a person.
    """

    frame: PoseFrame
    dt: float
    verdict: QualityVerdict
    side: str
    xy: np.ndarray | None
    vis: np.ndarray | None

    @property
    def t(self) -> float:
        """The frame's timestamp in seconds."""
        return self.frame.timestamp_s


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class FramePrep:
    """Causal per-frame preparation of one frame sequence: feed frames in time order."""

    def __init__(self) -> None:
        self._gate = PoseQualityGate()
        self._side = "left"
        self._side_score = 0.0
        self._last_t: float | None = None

    def step(self, frame: PoseFrame) -> PreparedFrame:
        """Prepare one frame: its quality verdict, picture landmarks, visibility and near side."""
        t = frame.timestamp_s
        dt = t - self._last_t if self._last_t is not None else 0.0
        if not frame.has_person:
            verdict = self._gate.step(frame)
            self._last_t = t
            return PreparedFrame(frame, dt, verdict, self._side, None, None)
        lm = frame.landmarks.astype(np.float64)
        xy = _read_only(kin.to_isotropic(lm[:, :2], frame.image_size))
        verdict = self._gate.step(frame, xy)
        self._update_side(lm, dt)
        vis = lm[:, 3].copy()
        inside = (
            (lm[:, 0] > -FRAME_MARGIN)
            & (lm[:, 0] < 1 + FRAME_MARGIN)
            & (lm[:, 1] > -FRAME_MARGIN)
            & (lm[:, 1] < 1 + FRAME_MARGIN)
        )
        vis[~inside] = 0.0
        self._last_t = t
        return PreparedFrame(frame, dt, verdict, self._side, xy, _read_only(vis))

    def _update_side(self, lm: np.ndarray, dt: float) -> None:
        """Follow which side is nearer the camera (visibility and depth), with hysteresis."""
        score = float(kin.side_visibility_score(lm[_L, 3], lm[_R, 3], lm[_L, 2], lm[_R, 2]))
        if np.isfinite(score):
            a = min(1.0, dt / SIDE_SCORE_TIME_S) if self._last_t is not None else 1.0
            self._side_score += a * (score - self._side_score)
        if self._side_score > SIDE_SWITCH_MARGIN:
            self._side = "left"
        elif self._side_score < -SIDE_SWITCH_MARGIN:
            self._side = "right"


class SharedFrames:
    """One frame sequence prepared once (by one :class:`FramePrep`) for every stream fed it.

    Each stream asks for its ``i``-th frame (:meth:`at`); the first to ask prepares it, the others
    get the same :class:`PreparedFrame`. Streams may run one after another over a whole track
    (recognition) or side by side; each must be fed the same frames in the same order.
    """

    def __init__(self) -> None:
        self._prep = FramePrep()
        self._frames: list[PreparedFrame] = []

    def __len__(self) -> int:
        return len(self._frames)

    def at(self, i: int, frame: PoseFrame) -> PreparedFrame:
        """The ``i``-th frame of the sequence, prepared (``frame`` is it: checked by its timestamp).

        Raises:
            ValueError: ``frame`` skips ahead of the sequence or is not its ``i``-th frame.
        """
        if i == len(self._frames):
            self._frames.append(self._prep.step(frame))
        elif i > len(self._frames):
            raise ValueError(f"frame {i} asked before frame {len(self._frames)}: feed every frame in order")
        prepared = self._frames[i]
        if prepared.frame is not frame and prepared.t != frame.timestamp_s:
            raise ValueError(f"frame {i} at {frame.timestamp_s} s is not the shared sequence's (at {prepared.t} s)")
        return prepared


__all__ = ["FRAME_MARGIN", "SIDE_SCORE_TIME_S", "SIDE_SWITCH_MARGIN", "FramePrep", "PreparedFrame", "SharedFrames"]
