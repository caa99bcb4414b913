"""Layer 1 of the engine: landmarks of one frame → the rule's metric values.

``MetricStream`` takes each frame's rule-free facts from :mod:`formcheck.metrics.frame_prep` (the
pose quality verdict of :class:`~formcheck.pose.quality.PoseQualityGate`: a frame that fails is a
gap, every metric NaN; the body side nearer the camera; which landmarks are visible), its own or
shared with other rules' streams over the same frames, then smooths the landmarks (One Euro),
checks that the landmarks each metric needs are visible, and computes the metrics a rule file
declares. It depends on the rule's *metric
definitions* only, never on its thresholds, so a clip's metric series can be cached
and the thresholds re-run instantly (see :func:`formcheck.engine.machine.run_rules`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from formcheck.metrics import kinematics as kin
from formcheck.metrics.filters import OneEuroFilter
from formcheck.metrics.frame_prep import FramePrep, PreparedFrame, SharedFrames
from formcheck.metrics.measures import Points, measure
from formcheck.pose.landmarks import INDEX, resolve
from formcheck.pose.quality import QualityVerdict
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.rules.kinds import METRIC_KINDS
from formcheck.rules.schema import MetricSpec, Rule


@dataclass(frozen=True)
class FrameMetrics:
    """Everything the rule state machine needs about one frame.

    Attributes:
        t: timestamp in seconds.
        values: metric name → value (NaN when it cannot be measured in this frame).
        near_side: body side nearer the camera.
        persons: people the model found.
        missing: side-free names of needed landmarks that are not visible.
        view_ratio: shoulder width / torso length in the image (small side-on, large facing);
            NaN when the pose is not usable.
        usable: the pose quality gate trusts this frame's skeleton (else every metric is NaN).
        unclear: the pose has been unreliable for a while (the ``unclear_pose`` set-up problem).
        quality: why the pose is not usable (codes of :data:`formcheck.pose.quality.REASONS`).
    """

    t: float
    values: dict[str, float]
    near_side: str
    persons: int
    missing: tuple[str, ...]
    view_ratio: float
    usable: bool
    unclear: bool = False
    quality: tuple[str, ...] = ()


def _part(name: str) -> str:
    for prefix in ("left_", "right_", "mid_", "far_"):
        name = name.removeprefix(prefix)
    return name


@functools.cache
def _indices(name: str, side: str) -> tuple[int, ...]:
    """:func:`~formcheck.pose.landmarks.resolve`, remembered (it is asked for every metric every frame)."""
    return resolve(name, side)


class MetricStream:
    """Per-frame metric computation for one rule; feed frames in time order.

    Args:
        rule: the rule whose metrics are computed.
        shared: the rule-free per-frame work (quality gate, near side, visibility) of a frame
            sequence that other streams are fed too, done once for all of them; None: this
            stream's own (the same code).
    """

    def __init__(self, rule: Rule, shared: SharedFrames | None = None) -> None:
        self.rule = rule
        self.metrics: tuple[MetricSpec, ...] = tuple(rule.metrics.values())
        self._filter = OneEuroFilter(rule.smoothing.get("min_cutoff_hz", 1.0), rule.smoothing.get("beta", 5.0))
        self._shared = shared
        self._prep = FramePrep() if shared is None else None
        self._frames = 0  # frames stepped: this stream's place in the shared sequence
        self._side = "left"
        self._facing = 1.0
        self._previous_xy: np.ndarray | None = None
        #: World landmarks (y up), smoothed, of this frame: for ``space: world`` metrics only.
        self._world_filter = OneEuroFilter(rule.smoothing.get("min_cutoff_hz", 1.0), rule.smoothing.get("beta", 5.0))
        self._uses_world = any(m.space == "world" for m in self.metrics)
        self._world: np.ndarray | None = None
        #: Body lengths of this frame by (array, kind): see :meth:`_scale`.
        self._scales: dict[tuple[int, str], float] = {}

    def _point(self, xy: np.ndarray, name: str, side: str | None = None) -> np.ndarray:
        """Where a landmark reference is (the mean of its landmarks: a ``mid_`` point's two)."""
        idx = _indices(name, side or self._side)
        if len(idx) == 1:
            return xy[idx[0]].copy()
        if len(idx) == 2:  # what ``xy[list(idx)].mean(axis=0)`` computes, without its overhead
            return (xy[idx[0]] + xy[idx[1]]) / 2
        return xy[list(idx)].mean(axis=0)

    def _visibility(self, vis: np.ndarray, name: str, side: str | None = None) -> float:
        idx = _indices(name, side or self._side)
        return float(vis[idx[0]]) if len(idx) == 1 else float(vis[list(idx)].max())

    def _scale(self, xy: np.ndarray, kind: str) -> float:
        """The body length ``kind`` in ``xy`` (worked out once a frame for each array and kind)."""
        key = (id(xy), kind)
        if key not in self._scales:
            self._scales[key] = self._length(xy, kind)
        return self._scales[key]

    def _length(self, xy: np.ndarray, kind: str) -> float:
        if kind == "none":
            return 1.0
        if kind == "hip_width":
            return float(kin.distance(xy[INDEX["left_hip"]], xy[INDEX["right_hip"]]))
        if kind == "shoulder_width":
            return float(kin.distance(xy[INDEX["left_shoulder"]], xy[INDEX["right_shoulder"]]))
        s = self._side
        if kind == "thigh":
            return float(kin.distance(xy[INDEX[f"{s}_hip"]], xy[INDEX[f"{s}_knee"]]))
        return float(kin.distance(xy[INDEX[f"{s}_shoulder"]], xy[INDEX[f"{s}_hip"]]))

    def _compute(self, spec: MetricSpec, xy: np.ndarray, dt: float, side: str | None = None) -> float:
        """One metric's value: its points located on ``side`` (default the near side), then its kind's
        measure; a ``space: world`` metric takes the 3-D world landmarks instead of the picture's."""
        if spec.space == "world":
            if self._world is None:
                return float("nan")
            xy = self._world
        pts = [self._point(xy, p, side) for p in spec.points]
        scale = self._scale(xy, spec.scale)
        if not scale > 1e-6:
            return float("nan")
        before = None
        if METRIC_KINDS[spec.kind].two_frames and self._previous_xy is not None:
            before = [self._point(self._previous_xy, p, side) for p in spec.points]
        axis = [self._point(xy, p, side) for p in spec.axis or ()]
        return measure(spec.kind, Points(pts, axis, before, scale, self._facing, dt, spec.level))

    def _picked(self, spec: MetricSpec, xy: np.ndarray, vis: np.ndarray, dt: float, missing: set[str]) -> float:
        """A ``pick: max|min`` metric: computed on the left and on the right body side (side-free
        names resolved to each in turn), keeping the larger/smaller; a side whose landmarks are
        not visible is skipped, and the metric is NaN only when neither side can be measured."""
        names = spec.points + (spec.axis or ())
        found, hidden_parts = [], set()
        for side in ("left", "right"):
            hidden = [p for p in names if self._visibility(vis, p, side) < spec.min_visibility]
            if hidden:
                hidden_parts.update(_part(p) for p in hidden)
            else:
                found.append(self._compute(spec, xy, dt, side))
        found = [x for x in found if np.isfinite(x)]
        if not found:
            missing.update(hidden_parts)
            return float("nan")
        return float(max(found) if spec.pick == "max" else min(found))

    def _no_person(self, t: float, verdict: QualityVerdict) -> FrameMetrics:
        self._filter.reset()
        self._world_filter.reset()
        self._world = None
        self._previous_xy = None
        nan_values = {m.name: float("nan") for m in self.metrics}
        needed = tuple(sorted({_part(p) for m in self.metrics for p in m.points}))
        return FrameMetrics(t, nan_values, self._side, 0, needed, float("nan"), False, verdict.poor, verdict.reasons)

    def _body(self, xy: np.ndarray) -> float:
        """Update the facing direction; the view ratio."""
        mid_s, mid_h = self._point(xy, "mid_shoulder"), self._point(xy, "mid_hip")
        if abs(mid_s[0] - mid_h[0]) > 0.05:
            self._facing = 1.0 if mid_s[0] > mid_h[0] else -1.0
        torso = self._scale(xy, "torso")
        shoulders = self._scale(xy, "shoulder_width")
        return shoulders / torso if torso > 1e-6 else float("nan")

    def _values(self, xy: np.ndarray | None, vis: np.ndarray, dt: float, missing: set[str]) -> dict[str, float]:
        """Every metric's value (NaN when hidden, or every one when the pose is not usable, ``xy``
        None); hidden parts go into ``missing``."""
        values: dict[str, float] = {}
        for spec in self.metrics:
            if spec.pick is not None:
                usable = xy is not None
                values[spec.name] = self._picked(spec, xy, vis, dt, missing) if usable else float("nan")
                continue
            names = spec.points + (spec.axis or ())
            hidden = [p for p in names if self._visibility(vis, p) < spec.min_visibility]
            if hidden or xy is None:
                missing.update(_part(p) for p in hidden)
                values[spec.name] = float("nan")
            else:
                values[spec.name] = self._compute(spec, xy, dt)
        return values

    def step(self, frame: PoseFrame) -> FrameMetrics:
        """Metric values of one frame."""
        if self._shared is not None:
            prepared = self._shared.at(self._frames, frame)
        else:
            assert self._prep is not None
            prepared = self._prep.step(frame)
        self._frames += 1
        return self._step(prepared)

    def _step(self, prepared: PreparedFrame) -> FrameMetrics:
        """Metric values of one prepared frame."""
        frame, t, dt, verdict = prepared.frame, prepared.t, prepared.dt, prepared.verdict
        self._side = prepared.side
        self._scales.clear()
        if prepared.xy is None or prepared.vis is None:
            return self._no_person(t, verdict)
        xy, view_ratio = None, float("nan")
        if verdict.usable:  # an unusable pose is a gap: it is not smoothed into the next ones either
            xy = self._filter(prepared.xy, t)
            view_ratio = self._body(xy)
        use_world = xy is not None and self._uses_world
        self._world = self._world_filter(kin.world_y_up(frame.world), t) if use_world else None
        missing: set[str] = set()
        values = self._values(xy, prepared.vis, dt, missing)
        self._previous_xy = xy
        return FrameMetrics(t, values, self._side, frame.persons, tuple(sorted(missing)), view_ratio,
                            verdict.usable, verdict.poor, verdict.reasons)

@dataclass
class MetricSeries:
    """A whole clip's metric values (layer-1 output), cached for instant re-runs.

    Besides the frames, it keeps each column it was asked for as a read-only array (built once,
    from the frames), so re-running the rules does not walk every frame's values again. The
    frames are not to be changed once the series is built.
    """

    t: np.ndarray
    frames: list[FrameMetrics]
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)
    _arrays_of: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)

    def column(self, name: str) -> np.ndarray:
        """A metric's value in each frame (NaN where it has none), as a new array."""
        return self.array(name).copy()

    def array(self, name: str) -> np.ndarray:
        """:meth:`column`, shared and read-only."""
        return self._cached(f"values:{name}", lambda: [f.values.get(name, np.nan) for f in self.frames])

    def field_array(self, name: str) -> np.ndarray:
        """One :class:`FrameMetrics` field of each frame (``t``, ``persons``, ``view_ratio``, ``usable``,
        ``unclear``), shared and read-only."""
        return self._cached(f"field:{name}", lambda: [getattr(f, name) for f in self.frames])

    def missing_array(self) -> np.ndarray:
        """Whether a needed landmark is hidden in each frame, shared and read-only."""
        return self._cached("missing", lambda: [bool(f.missing) for f in self.frames])

    def _cached(self, key: str, items: Callable[[], list]) -> np.ndarray:
        if self._arrays_of != (id(self.frames), len(self.frames)):
            self._arrays.clear()
            self._arrays_of = (id(self.frames), len(self.frames))
        array = self._arrays.get(key)
        if array is None:
            array = self._arrays[key] = np.array(items())
            array.flags.writeable = False
        return array


def compute_series(track: PoseTrack, rule: Rule, shared: SharedFrames | None = None) -> MetricSeries:
    """Run :class:`MetricStream` over every frame of a track; the metric columns are built with it.
    ``shared``: the track's rule-free per-frame work, shared with other rules' series of it."""
    stream = MetricStream(rule, shared)
    frames = [stream.step(frame) for frame in track.frames()]
    series = MetricSeries(np.array([f.t for f in frames]), frames)
    for name in ("t", "persons", "view_ratio", "usable", "unclear"):
        series.field_array(name)
    series.missing_array()
    for name in rule.metrics:
        series.array(name)
    return series
