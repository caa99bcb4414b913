"""A finished set as a :class:`SessionResult`: what the rule machine found, plus the metric series
and how much of it had a pose the quality gate trusts (per set and per rep)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from formcheck.metrics.stream import FrameMetrics, MetricSeries
from formcheck.pose.quality import MIN_USABLE_SHARE
from formcheck.results import Rep, SessionResult, SetupWarning
from formcheck.rules.schema import Rule
from formcheck.texts import unreliable_pose_message

#: The result warning of a set with too few usable poses.
UNRELIABLE_WARNING = "unreliable_pose"

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
        usable = np.array([f.usable for f in frames], dtype=bool)
        series = {"t": t} | {name: np.array([f.values.get(name, np.nan) for f in frames]) for name in rule.metrics}
    else:
        t = columns.field_array("t").copy()
        usable = columns.field_array("usable").astype(bool)
        series = {"t": t} | {name: columns.array(name).copy() for name in rule.metrics}
    if not fps and len(t) > 1:
        fps = float((len(t) - 1) / max(t[-1] - t[0], 1e-6))
    duration = duration_s if duration_s is not None else (float(t[-1] + 1 / fps) if len(t) and fps else 0.0)
    share = float(usable.mean()) if len(usable) else None
    _rep_shares(machine.reps, t, usable)
    return SessionResult(
        exercise=rule.id,
        exercise_name=rule.name,
        rep_metric=rule.rep.metric if rule.rep else None,
        duration_s=duration,
        fps=fps,
        frames=len(frames),
        counting_started_s=machine.counting_started,
        reps=machine.reps,
        holds=machine.holds,
        faults=machine.faults,
        warnings=machine.warnings + _unreliable(share, duration, machine.setup.unclear_words),
        metric_units={m.name: m.unit for m in rule.metrics.values()},
        thresholds=rule.threshold_values(),
        prescription=dict(rule.prescription),
        stopped_for_pain=stopped_for_pain,
        usable_share=share,
        not_judged=sorted(machine.not_judged, key=lambda note: note.at_s),
        series=series,
    )


def _rep_shares(reps: Sequence[Rep], t: np.ndarray, usable: np.ndarray) -> None:
    """Set each rep's :attr:`~Rep.usable_share`: of its frames, start to end."""
    for rep in reps:
        inside = (t >= rep.start_s) & (t <= rep.end_s)
        rep.usable_share = float(usable[inside].mean()) if inside.any() else float("nan")


def _unreliable(share: float | None, duration_s: float, view: str) -> list[SetupWarning]:
    """The warning of a set with too few usable poses (so a low count is not a silent one)."""
    if share is None or share >= MIN_USABLE_SHARE:
        return []
    return [SetupWarning(UNRELIABLE_WARNING, 0.0, duration_s, unreliable_pose_message(share, view))]


__all__ = ["UNRELIABLE_WARNING", "session_result"]
