"""How each metric kind is computed: one function per kind of :data:`formcheck.rules.kinds.METRIC_KINDS`.

Each function registers itself with :func:`measures` under its kind's name and takes the
metric's landmark positions in one frame (:class:`Points`); :func:`measure` dispatches on the
kind. The kinds themselves (points, unit, range) are data in :mod:`formcheck.rules.kinds`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from formcheck.metrics import kinematics as kin
from formcheck.rules.kinds import METRIC_KINDS


@dataclass(frozen=True)
class Points:
    """A metric's landmark positions in one frame (isotropic image units) and how to scale them.

    Attributes:
        points: the metric's ``points``, in order.
        axis: an ``axis_offset`` metric's two axis points (empty for other kinds).
        before: the same points one frame earlier, for two-frame kinds (None: no earlier frame).
        scale: the body size lengths are divided by (``scale:``), above 0.
        facing: +1 when the head is toward +x in the picture, -1 toward -x.
        dt: seconds since the earlier frame.
    """

    points: list[np.ndarray]
    axis: list[np.ndarray]
    before: list[np.ndarray] | None
    scale: float
    facing: float
    dt: float
    #: Lay an ``axis_offset`` axis level (3-D world points, y up): drop its rise.
    level: bool = False


Measure = Callable[[Points], float]
#: Kind name → the function computing it.
MEASURES: dict[str, Measure] = {}


def measures(kind: str) -> Callable[[Measure], Measure]:
    """Register the decorated function as the computation of ``kind``."""
    if kind not in METRIC_KINDS:
        raise ValueError(f"{kind!r} is not a metric kind of formcheck.rules.kinds")

    def register(fn: Measure) -> Measure:
        MEASURES[kind] = fn
        return fn

    return register


def measure(kind: str, p: Points) -> float:
    """The value of a metric of ``kind`` from its points."""
    return MEASURES[kind](p)


@measures("joint_angle")
def _joint_angle(p: Points) -> float:
    return float(kin.joint_angle(*p.points))


@measures("straightness")
def _straightness(p: Points) -> float:
    return float(kin.straightness(*p.points))


@measures("bend")
def _bend(p: Points) -> float:
    return float(kin.bend(*p.points, facing=p.facing))


@measures("inclination")
def _inclination(p: Points) -> float:
    return float(kin.inclination(*p.points))


@measures("vertical_offset")
def _vertical_offset(p: Points) -> float:
    return float(kin.vertical_offset(p.points[0], p.points[1], p.scale))


@measures("horizontal_offset")
def _horizontal_offset(p: Points) -> float:
    return float(kin.horizontal_offset(p.points[0], p.points[1], p.facing, p.scale))


@measures("line_offset")
def _line_offset(p: Points) -> float:
    return float(kin.line_offset(p.points[0], p.points[1], p.points[2], p.scale))


@measures("distance")
def _distance(p: Points) -> float:
    return float(kin.distance(p.points[0], p.points[1]) / p.scale)


@measures("axis_offset")
def _axis_offset(p: Points) -> float:
    a, b = p.axis
    if p.level:
        a, b = a * (1.0, 0.0, 1.0), b * (1.0, 0.0, 1.0)
    return float(kin.axis_offset(p.points[0], p.points[1], a, b, p.scale))


@measures("turn")
def _turn(p: Points) -> float:
    level = np.array([1.0, 0.0, 1.0])
    a = (p.axis[1] - p.axis[0]) * level
    v = (p.points[1] - p.points[0]) * level
    if not (np.linalg.norm(a) > 1e-9 and np.linalg.norm(v) > 1e-9):
        return float("nan")
    return float(np.degrees(np.arctan2(a[2] * v[0] - a[0] * v[2], float(np.dot(a, v)))))


@measures("speed")
def _speed(p: Points) -> float:
    if p.before is None or p.dt <= 0:
        return float("nan")
    moved = [kin.distance(p0, p1) for p0, p1 in zip(p.before, p.points, strict=True)]
    return float(np.mean(moved) / p.scale / p.dt)


__all__ = ["MEASURES", "Measure", "Points", "measure", "measures"]
