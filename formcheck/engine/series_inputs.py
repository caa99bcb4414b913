"""A rule's per-frame inputs over a whole cached metric series, as arrays.

What the rule machine evaluates frame by frame when it steps live (conditions, set-up problems)
is computed here for every frame at once, with the same evaluators
(:func:`formcheck.rules.conditions.conditions_hold`, :func:`formcheck.engine.setup.problems`)
on the series' columns; :mod:`formcheck.engine.series_run` feeds the results to the machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from formcheck.engine.setup import problems
from formcheck.metrics.stream import FrameMetrics, MetricSeries
from formcheck.rules.conditions import conditions_hold
from formcheck.rules.schema import Condition, Rule

#: Every phase of :class:`formcheck.engine.counting.Counting`, numbered for per-frame arrays.
PHASES = ("setup", "bottom", "moving", "top", "hold", "rest")
PHASE_CODE = {name: code for code, name in enumerate(PHASES)}


def rule_conditions(rule: Rule) -> list[tuple[Condition, ...]]:
    """Every list of conditions a rule checks per frame: start position, hold, frame faults."""
    lists = [rule.rep.start] if rule.rep is not None else []
    if rule.hold is not None and not isinstance(rule.hold.when, str):
        lists.append(rule.hold.when)
    return lists + [spec.when for spec in rule.faults if spec.check == "frame"]


def baseline_metrics(conditions: Iterable[tuple[Condition, ...]]) -> tuple[str, ...]:
    """The metrics compared with their resting baseline in ``conditions``."""
    return tuple(sorted({c.metric for conds in conditions for c in conds if c.from_baseline}))


class SeriesInputs:
    """One rule's inputs over a metric series: frame times, metric columns, condition truths."""

    def __init__(self, series: MetricSeries, rule: Rule) -> None:
        self.rule = rule
        self.frames: list[FrameMetrics] = series.frames
        self.times = [f.t for f in self.frames]
        names = {c.metric for conds in rule_conditions(rule) for c in conds}
        self.columns = {name: series.array(name) for name in sorted(names)}
        self._series = series
        self._split: dict[int, tuple[np.ndarray, tuple[Condition, ...]]] = {}

    def __len__(self) -> int:
        return len(self.frames)

    def window(self, first: int, end: int) -> dict[str, np.ndarray]:
        """The condition metrics' columns over frames ``first`` to ``end - 1``."""
        return {name: column[first:end] for name, column in self.columns.items()}

    def truth(
        self, conditions: tuple[Condition, ...], columns: Mapping[str, np.ndarray],
        baseline: Mapping[str, np.ndarray], length: int,
    ) -> np.ndarray:  # fmt: skip
        """Whether all ``conditions`` hold in each of ``length`` frames (given their columns and
        resting baselines), as the machine's :meth:`~formcheck.engine.machine.RuleMachine.holds_true`
        would answer frame by frame."""
        held = conditions_hold(conditions, columns, self.rule.value, baseline)
        if isinstance(held, np.ndarray):
            return held
        return np.full(length, bool(held))

    def split(self, conditions: tuple[Condition, ...]) -> tuple[np.ndarray, tuple[Condition, ...]]:
        """``conditions`` in two parts: whether those not compared with a resting baseline hold in
        each frame of the series, and those that are (their baseline is known only as the rep
        counter goes). All hold where the first holds and the second part holds too."""
        key = id(conditions)
        if key not in self._split:
            plain = tuple(c for c in conditions if not c.from_baseline)
            based = tuple(c for c in conditions if c.from_baseline)
            truth = self.truth(plain, self.columns, {}, len(self))
            truth.flags.writeable = False
            self._split[key] = (truth, based)
        return self._split[key]

    def in_start(self) -> list[bool] | list[None]:
        """Whether the rep's start position holds in each frame (None each, when it depends on
        the resting baseline: the rep counter then evaluates it as it goes)."""
        start = self.rule.rep.start if self.rule.rep is not None else ()
        if baseline_metrics([start]):
            return [None] * len(self)
        return self.truth(start, self.columns, {}, len(self)).tolist()

    def setup_problems(self, view: str | tuple[str, ...]) -> dict[str, np.ndarray]:
        """Each set-up check's code → whether its problem shows in each frame (``view``: the rule's
        view, or every view it supports)."""
        s = self._series
        flags = problems(s.field_array("persons"), s.missing_array(), s.field_array("view_ratio"), view,
                         s.field_array("unclear"))
        return {code: np.broadcast_to(flag, (len(self),)) for code, flag in flags.items()}


__all__ = ["PHASES", "PHASE_CODE", "SeriesInputs", "baseline_metrics", "rule_conditions"]
