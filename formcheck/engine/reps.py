"""The rep counter: start gating, hysteresis phases, trough and peak, range of motion, and the
resting baseline of from-baseline rep metrics.

Phases: ``setup`` (waiting for the start position) → ``bottom`` (start position) → ``moving``
(past the exit threshold) → ``top`` (past the enter threshold) → back to ``bottom`` past the
exit threshold = one rep. Enter and exit thresholds differ (hysteresis), so jitter around one
number cannot count twice. Values are signed (``sx``) so the movement always goes up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from formcheck.engine.counting import Counting
from formcheck.engine.faults import FaultChecker
from formcheck.engine.holds import HoldTimer
from formcheck.engine.rep_timing import Lowering, Top
from formcheck.engine.status import Event
from formcheck.results import Rep
from formcheck.rules.conditions import ValueOf, conditions_hold
from formcheck.rules.schema import RepSpec
from formcheck.texts import REP_LOST, REP_TOO_QUICK, rep_label

#: Time constant of the resting baseline (metric averaged while in the start position).
BASELINE_TIME_S = 1.0
#: Its time constant while a from-baseline rep metric is further from rest, on the side away
#: from the movement, than the rule's hysteresis band: a held movement the other way (a side
#: bend in a rotation) must not become the rest a return from it is measured against, while a
#: lasting change of rest position is still followed within a few of these.
BASELINE_AWAY_TIME_S = 10.0
#: The bottom a rep starts from is the last moment within this share of the hysteresis band of
#: the lowest value (a flat rest starts the rep when it ends, not when it began).
TROUGH_BAND_FRACTION = 0.1
#: After this long without the rep metric, counting waits for the start position again.
LOST_AFTER_S = 3.0


def update_baseline(
    baseline: dict[str, float], values: Mapping[str, float], dt: float, time_s: float,
    names: tuple[str, ...] | None = None,
) -> None:  # fmt: skip
    """Move each metric's resting baseline toward its value (first values are taken as they are).

    With ``names``, once the baseline has a first value only those metrics move (the others are
    then stale: for a caller that reads no other)."""
    a = 1.0 if not baseline else min(1.0, dt / time_s)
    for name in values if names is None or not baseline else names:
        x = values.get(name, math.nan)
        if math.isfinite(x):
            old = baseline.get(name)
            baseline[name] = x if old is None or not math.isfinite(old) else old + a * (x - old)


def rep_side(spec: RepSpec, side_value: float) -> str | None:
    """The side an alternating rep was done on, from its side metric at the peak."""
    if not spec.alternating:
        return None
    positive = spec.positive_side
    return positive if side_value > 0 else ("right" if positive == "left" else "left")


class RepCounter:
    """Counts a rule's reps from one frame's metric values at a time."""

    def __init__(
        self, spec: RepSpec, value_of: ValueOf, counting: Counting, baseline: dict[str, float],
        faults: FaultChecker, hold: HoldTimer,
    ) -> None:  # fmt: skip
        self.spec, self.value_of, self.counting, self.baseline = spec, value_of, counting, baseline
        self.faults, self.hold = faults, hold
        self.sign = 1.0 if spec.direction == "up" else -1.0
        self.enter, self.exit = self.sign * value_of(spec.enter), self.sign * value_of(spec.exit)
        self.band = abs(self.enter - self.exit)
        self.return_by = None if spec.return_by is None else value_of(spec.return_by)
        self.baseline_names: tuple[str, ...] | None = None  # the metrics whose baseline is read (None: all)
        self.reps: list[Rep] = []
        self.top = Top()
        self.lowering = Lowering()
        self.t = 0.0
        self.values: Mapping[str, float] = {}
        self._in_start: bool | None = None
        self._start_since: float | None = None
        self._last_valid_t: float | None = None
        self._trough = (0.0, math.inf)  # (t, sx) of the bottom a rep would rise from
        self._rep_start = (0.0, 0.0)  # the trough the current rep rose from

    @property
    def phase(self) -> str:
        return self.counting.phase

    @phase.setter
    def phase(self, phase: str) -> None:
        self.counting.phase = phase

    def value(self) -> float:
        """The rep metric now (from its baseline once counting, for a from-baseline rep)."""
        x = self.values.get(self.spec.metric, math.nan)
        if self.spec.from_baseline and self.counting.phase != "setup":
            x -= self.baseline.get(self.spec.metric, math.nan)
        return abs(x) if self.spec.absolute else x

    def update(
        self, t: float, values: Mapping[str, float], dt: float, events: list[Event], in_start: bool | None = None
    ) -> None:
        """Advance to the frame at ``t`` (``dt`` after the one before); ``in_start``, when given,
        says whether the start position holds in this frame (else it is evaluated from ``values``)."""
        self.t, self.values, self._in_start = t, values, in_start
        x = self.value()
        if not math.isfinite(x):
            self._lose_sight(events)
            return
        self._last_valid_t = t
        sx = self.sign * x
        counting = self.counting
        if counting.phase == "setup":
            self._await_start(dt, events)
            return
        if counting.phase != "top":
            self._follow_trough(sx)
        if self.lowering.rep is not None and self.lowering.ended(t, sx):
            self._close_lowering(events)
        if counting.phase == "bottom":
            if sx <= self.exit:
                self._rest(sx, dt)
                return
            counting.phase = "moving"
        if counting.phase == "moving" and not self._rise(sx, events):
            return
        self._at_top(sx, events)

    def time_top_hold(self, events: list[Event]) -> None:
        """Time a ``when: top`` hold: the time at the top while the metric stays past enter."""
        in_top = self.phase == "top"
        self.hold.update_top(in_top, in_top and self.top.end_s == self.t, self.top.start_s, self.t, events)

    def finish(self) -> None:
        """End of the clip: close the last lowering, keep a top hold still going."""
        self._close_lowering([])
        top_hold = self.top.end_s - self.top.start_s
        if self.hold.at_top and self.phase == "top" and top_hold > 0:
            self.hold.record(self.top.start_s, self.top.end_s)

    def _lose_sight(self, events: list[Event]) -> None:
        """No rep metric this frame: abandon a rep after a long gap, wait for the start after a longer one."""
        if self._last_valid_t is None:
            return
        gap = self.t - self._last_valid_t
        if gap > self.value_of(self.spec.max_gap_s) and self.phase in ("moving", "top"):
            events.append(Event("rep_abandoned", self.t, REP_LOST))
            self.phase = "bottom"
        if gap > LOST_AFTER_S and self.phase != "setup":
            self.phase = "setup"
            self._start_since = None

    def _await_start(self, dt: float, events: list[Event]) -> None:
        """Counting starts once the start position has been held ``start_hold_s``."""
        if not self._in_start_position():
            self._start_since = None
            return
        if self._start_since is None:
            self._start_since = self.t
        update_baseline(self.baseline, self.values, dt, BASELINE_TIME_S, self.baseline_names)
        if self.t - self._start_since >= self.value_of(self.spec.start_hold_s):
            self.counting.begin(self.t, events)
            self._trough = (self.t, self.sign * self.value())

    def _in_start_position(self) -> bool:
        if self._in_start is not None:
            return self._in_start
        return bool(conditions_hold(self.spec.start, self.values, self.value_of, self.baseline))

    def _follow_trough(self, sx: float) -> None:
        """A rep starts when it leaves the bottom: the last moment near the lowest value."""
        if sx < self._trough[1]:
            self._trough = (self.t, sx)
        elif sx <= self._trough[1] + TROUGH_BAND_FRACTION * self.band:
            self._trough = (self.t, self._trough[1])

    def _rest(self, sx: float, dt: float) -> None:
        """At the bottom: the baseline follows the rest (a frame out of the start position, or
        a bad detection, is no baseline; a held move away from the rep follows slowly)."""
        if self._in_start_position():
            away = self.spec.from_baseline and sx < self.exit - self.band
            time_s = BASELINE_AWAY_TIME_S if away else BASELINE_TIME_S
            update_baseline(self.baseline, self.values, dt, time_s, self.baseline_names)

    def _rise(self, sx: float, events: list[Event]) -> bool:
        """Moving: True once past the enter threshold (the top begins), back to ``bottom`` below exit."""
        if sx >= self.enter:
            self._close_lowering(events)
            self.phase = "top"
            self._rep_start = self._trough
            self.top.enter(self.t, sx, self._side_value())
            self.hold.new_top()
            return True
        if sx <= self.exit:
            self.phase = "bottom"
        return False

    def _at_top(self, sx: float, events: list[Event]) -> None:
        """At the top: follow the peak; the rep is done when back past exit (or ``return_by`` from the peak)."""
        self.top.add(self.t, sx, self._side_value())
        if sx >= self.enter:
            self.top.still_up(self.t, sx)
        return_by = self.return_by
        returned = return_by is not None and sx < self.enter and sx <= self.top.peak[1] - return_by
        if sx <= self.exit or returned:
            self._complete(events)
            self.phase = "bottom" if sx <= self.exit else "moving"
            self._trough = (self.t, sx)

    def _complete(self, events: list[Event]) -> None:
        """The metric is back down: count the rep now; its lowering is timed to the trough."""
        start_t, start_signed = self._rep_start
        if self.t - start_t < self.value_of(self.spec.min_rep_s):
            events.append(Event("rep_rejected", self.t, REP_TOO_QUICK))
            return
        rep = self._new_rep(start_t, start_signed)
        self.reps.append(rep)
        if self.hold.at_top:
            self.hold.record(self.top.start_s, self.top.end_s)
        self.faults.judge_rep(rep, self.t, events)
        self.lowering.begin(rep, self.t, self.sign * self.value(), self.top)
        events.append(Event("rep", self.t, rep_label(rep.index, rep.side), {"index": rep.index, "side": rep.side}))

    def _new_rep(self, start_t: float, start_signed: float) -> Rep:
        _, peak_signed, side_value = self.top.peak
        top = self.top
        return Rep(
            len(self.reps) + 1,
            start_t,
            top.peak_time(start_signed),
            self.t,
            rep_side(self.spec, side_value),
            self.sign * peak_signed,
            abs(peak_signed - self._range_floor(start_signed)),
            rise_s=top.start_s - start_t,
            hold_s=max(0.0, top.end_s - top.start_s),
            fall_s=self.t - top.end_s,
        )

    def _close_lowering(self, events: list[Event]) -> None:
        rep = self.lowering.close()
        if rep is not None:
            self.faults.judge_lowering(rep, self.t, events)

    def _range_floor(self, start_signed: float) -> float:
        """Where a rep's range of motion is measured from: its start, or the rule's rest value if higher."""
        rest = self.spec.rest
        return start_signed if rest is None else max(start_signed, self.sign * self.value_of(rest))

    def _side_value(self) -> float:
        """The side metric now; when it is the from-baseline rep metric itself, its change from
        rest (a knee resting off-centre must not decide the side of a fall-out the other way)."""
        name = self.spec.side_metric
        if not name:
            return 0.0
        x = self.values.get(name, math.nan)
        if name == self.spec.metric and self.spec.from_baseline:
            x -= self.baseline.get(name, math.nan)
        return x


__all__ = ["BASELINE_AWAY_TIME_S", "BASELINE_TIME_S", "LOST_AFTER_S", "TROUGH_BAND_FRACTION", "RepCounter", "rep_side"]
