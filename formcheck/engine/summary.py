"""A finished set as a :class:`SessionResult`: what the rule machine found, plus the metric series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from formcheck.metrics.stream import FrameMetrics, MetricSeries
from formcheck.results import SessionResult
from formcheck.rules.schema import Rule

if TYPE_CHECKING:
    from formcheck.engine.machine import RuleMachine


def session_result(
    rule: Rule,
    machine: RuleMachine,
    frames: Sequence[FrameMetrics],
    fps: float,
    duration_s: float | None,
    stopped_for_pain: bool = False,
    columns: MetricSeries | None = None,
) -> SessionResult:
    """What ``machine`` (finished) found with ``rule`` over ``frames``; without ``fps`` it is
    measured from the frame times. ``columns``, the series ``frames`` belong to, gives their
    columns ready-made."""
    if columns is None:
        t = np.array([f.t for f in frames])
        series = {"t": t} | {name: np.array([f.values.get(name, np.nan) for f in frames]) for name in rule.metrics}
    else:
        t = columns.field_array("t").copy()
        series = {"t": t} | {name: columns.array(name).copy() for name in rule.metrics}
    if not fps and len(t) > 1:
        fps = float((len(t) - 1) / max(t[-1] - t[0], 1e-6))
    return SessionResult(
        exercise=rule.id,
        exercise_name=rule.name,
        rep_metric=rule.rep.metric if rule.rep else None,
        duration_s=duration_s if duration_s is not None else (float(t[-1] + 1 / fps) if len(t) and fps else 0.0),
        fps=fps,
        frames=len(frames),
        counting_started_s=machine.counting_started,
        reps=machine.reps,
        holds=machine.holds,
        faults=machine.faults,
        warnings=machine.warnings,
        metric_units={m.name: m.unit for m in rule.metrics.values()},
        thresholds=rule.threshold_values(),
        prescription=dict(rule.prescription),
        stopped_for_pain=stopped_for_pain,
        series=series,
    )


__all__ = ["session_result"]
