"""Layer 2 of the engine: the rule's state machine over metric values, and the facade.

One code path for both clocks: :class:`Engine` takes one :class:`PoseFrame` at a time
(the live page calls it per camera frame; review calls it for every frame of a file),
and :func:`run_rules` re-runs only layer 2 over a cached metric series when a physio
changes a threshold. All timing comes from frame timestamps.

Phases: ``setup`` (waiting for the start position) → ``bottom`` (start position) →
``moving`` (past the exit threshold) → ``top`` (past the enter threshold) → back to
``bottom`` past the exit threshold = one rep. Enter and exit thresholds differ
(hysteresis), so jitter around one number cannot count twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.metrics.stream import FrameMetrics, MetricSeries, MetricStream, compute_series
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.results import FaultEvent, Hold, Rep, SessionResult, Warning
from formcheck.rules.schema import Condition, FaultSpec, Rule

#: A set-up problem must last this long before it is reported.
WARNING_DEBOUNCE_S = 1.0
#: A fault ends once its condition has been false this long.
FAULT_RELEASE_S = 0.2
#: Time constant of the resting baseline (metric averaged while in the start position).
BASELINE_TIME_S = 1.0
#: Its time constant while a from-baseline rep metric is further from rest, on the side away
#: from the movement, than the rule's hysteresis band: a held movement the other way (a side
#: bend in a rotation) must not become the rest a return from it is measured against, while a
#: lasting change of rest position is still followed within a few of these.
BASELINE_AWAY_TIME_S = 10.0
#: The lowering after a rep ends once the metric rises again by this share of the rep's range,
#: or has dropped less than STILL_FRACTION of it in the last SETTLE_S seconds.
SETTLE_FRACTION = 0.1
SETTLE_S = 0.4
#: While lowering, a drop smaller than this share of the rep's range within SETTLE_S is no movement.
STILL_FRACTION = 0.03
LOWERING_MEASURES = ("fall_s", "fall_speed")
#: The bottom a rep starts from is the last moment within this share of the hysteresis band of
#: the lowest value (a flat rest starts the rep when it ends, not when it began).
TROUGH_BAND_FRACTION = 0.1
#: A rep's peak time is the middle of the time spent within this share of its range from the top.
PEAK_BAND_FRACTION = 0.05
#: After this long without the rep metric, counting waits for the start position again.
LOST_AFTER_S = 3.0
#: View check: shoulder width / torso length above this means the camera is not side-on.
SIDE_VIEW_MAX_RATIO = 0.6
FRONT_VIEW_MIN_RATIO = 0.25

PART_NAMES = {"foot_index": "toes", "index": "fingers", "pinky": "hands", "thumb": "thumbs"}


def part_list(parts: tuple[str, ...]) -> str:
    """``("hip", "knee")`` → ``"hips and knees"``."""
    words = [PART_NAMES.get(p, p + "s").replace("_", " ") for p in parts]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class Event:
    """Something the live page may announce: a rep, a fault cue, a hold reaching target."""

    kind: str
    t: float
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Debounced:
    since: float | None = None
    active: bool = False
    started: float = 0.0
    false_since: float | None = None


@dataclass
class EngineStatus:
    """A snapshot for the overlay and the live page."""

    t: float
    phase: str
    rep_count: int
    reps_by_side: dict[str, int]
    hold_s: float
    hold_target_s: float
    active_faults: list[FaultEvent]
    active_warnings: list[Warning]
    values: dict[str, float]
    near_side: str
    counting: bool


class RuleMachine:
    """The rule's state machine; consumes :class:`FrameMetrics`, emits :class:`Event` lists."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        r = rule
        self.rep = r.rep
        self.sign = 1.0 if (r.rep is None or r.rep.direction == "up") else -1.0
        self.phase = "setup"
        self.counting_started: float | None = None
        self.reps: list[Rep] = []
        self.holds: list[Hold] = []
        self.faults: list[FaultEvent] = []
        self.warnings: list[Warning] = []
        self.t = 0.0
        self.values: dict[str, float] = {}
        self.near_side = "left"
        self._start = _Debounced()
        self._baseline: dict[str, float] = {}
        self._last_valid_t: float | None = None
        self._rep_start = (0.0, 0.0)  # (t, signed value) of the trough the rep rose from
        self._trough = (0.0, math.inf)
        self._descent: Rep | None = None
        self._descent_samples: list[tuple[float, float]] = []  # the lowering after the last rep
        self._top_start = 0.0
        self._top_end = 0.0
        self._top_end_value = 0.0
        self._top_samples: list[tuple[float, float]] = []
        self._previous = (0.0, -math.inf)
        self._hold_duration = 0.0
        self._finished = False
        self._peak = (0.0, -math.inf, float("nan"))  # (t, signed value, side metric)
        self._hold = _Debounced()
        self._hold_last_true = 0.0
        self._fault_state = {f.code: _Debounced() for f in r.faults}
        self._open_faults: dict[str, FaultEvent] = {}
        self._warn_state: dict[str, _Debounced] = {}
        self._open_warnings: dict[str, Warning] = {}
        self._hold_target_announced = False

    # -- helpers -------------------------------------------------------------------
    def v(self, ref: Any) -> float:
        return self.rule.value(ref)

    def _metric(self, cond: Condition) -> float:
        x = self.values.get(cond.metric, float("nan"))
        if cond.from_baseline:
            x -= self._baseline.get(cond.metric, float("nan"))
        if cond.minus is not None:
            x -= self.v(cond.minus)
        return abs(x) if cond.absolute else x

    def holds_true(self, conditions: tuple[Condition, ...]) -> bool:
        """All conditions hold (a NaN value never satisfies a condition)."""
        for c in conditions:
            x = self._metric(c)
            ref = self.v(c.ref)
            if not (x > ref if c.op == "above" else x < ref):
                return False
        return True

    def _rep_value(self) -> float:
        x = self.values.get(self.rep.metric, float("nan")) if self.rep else float("nan")
        if self.rep and self.rep.from_baseline and self.phase != "setup":
            x -= self._baseline.get(self.rep.metric, float("nan"))
        return abs(x) if (self.rep and self.rep.absolute) else x

    # -- set-up warnings -----------------------------------------------------------
    def _warn(self, code: str, active: bool, message: str, events: list[Event]) -> None:
        state = self._warn_state.setdefault(code, _Debounced())
        if active:
            state.false_since = None
            if state.since is None:
                state.since = self.t
            if not state.active and self.t - state.since >= WARNING_DEBOUNCE_S:
                state.active = True
                w = Warning(code, state.since, self.t, message)
                self._open_warnings[code] = w
                self.warnings.append(w)
                events.append(Event("warning", self.t, message, {"code": code}))
            elif state.active:
                self._open_warnings[code].end_s = self.t
                self._open_warnings[code].message = message
        else:
            state.since = None
            if state.active:
                state.active = False
                self._open_warnings.pop(code, None)
                events.append(Event("warning_cleared", self.t, "", {"code": code}))

    def _check_setup(self, fm: FrameMetrics, events: list[Event]) -> None:
        self._warn("no_person", fm.persons == 0, "No one in view: make sure your whole body is in the picture", events)
        self._warn(
            "two_people",
            fm.persons >= 2,
            "More than one person in view: formcheck follows one; ask others to step out of the picture",
            events,
        )
        self._warn(
            "body_out_of_frame",
            fm.persons > 0 and bool(fm.missing),
            f"Can't see your {part_list(fm.missing) if fm.missing else 'body'}: "
            "move or turn the camera so your whole body is in frame",
            events,
        )
        wrong_view = False
        if np.isfinite(fm.view_ratio):
            if self.rule.view == "side":
                wrong_view = fm.view_ratio > SIDE_VIEW_MAX_RATIO
            elif self.rule.view == "front":
                wrong_view = fm.view_ratio < FRONT_VIEW_MIN_RATIO
        hint = (
            "turn so the camera sees you side-on"
            if self.rule.view == "side"
            else "place the camera at your feet, looking along your body"
        )
        self._warn("wrong_view", wrong_view, f"Camera view: {hint}", events)

    # -- faults --------------------------------------------------------------------
    def _phase_matches(self, phase: str) -> bool:
        if self.phase == "setup":
            return False
        if phase == "any":
            return True
        if phase == "hold":
            return self._hold.active
        return self.phase == phase

    def _update_frame_fault(self, spec: FaultSpec, events: list[Event]) -> None:
        state = self._fault_state[spec.code]
        true = self._phase_matches(spec.phase) and self.holds_true(spec.when)
        if true:
            state.false_since = None
            if state.since is None:
                state.since = self.t
            if not state.active and self.t - state.since >= self.v(spec.debounce_s):
                state.active = True
                fault = FaultEvent(spec.code, state.since, self.t, spec.message, spec.severity)
                self._open_faults[spec.code] = fault
                self.faults.append(fault)
                events.append(Event("fault", self.t, spec.message, {"code": spec.code, "severity": spec.severity}))
            elif state.active:
                self._open_faults[spec.code].end_s = self.t
        else:
            state.since = None
            if state.active:
                if state.false_since is None:
                    state.false_since = self.t
                if self.t - state.false_since >= FAULT_RELEASE_S:
                    state.active = False
                    self._open_faults.pop(spec.code, None)
                    events.append(Event("fault_cleared", self.t, "", {"code": spec.code}))

    def _rep_measure(self, rep: Rep, measure: str) -> float:
        if measure == "peak":
            return rep.peak_value
        if measure == "range":
            return rep.range_of_motion
        return float(rep.duration_s if measure == "duration_s" else getattr(rep, measure))

    def _judge_rep(self, rep: Rep, events: list[Event], measures: tuple[str, ...], exclude: bool = False) -> None:
        """Apply the rule's rep checks on ``measures`` (or on all others, with ``exclude``)."""
        for spec in self.rule.faults:
            if spec.check != "rep" or spec.measure is None or ((spec.measure in measures) == exclude):
                continue
            x = self._rep_measure(rep, spec.measure)
            ref = self.v(spec.ref)
            if x > ref if spec.op == "above" else x < ref:
                self.faults.append(
                    FaultEvent(spec.code, rep.start_s, rep.end_s, spec.message, spec.severity, rep.index)
                )
                events.append(
                    Event(
                        "fault", self.t, spec.message, {"code": spec.code, "severity": spec.severity, "rep": rep.index}
                    )
                )

    def _attach_faults(self, rep: Rep) -> None:
        """List on the rep every fault that overlapped it or was judged on it."""
        for fault in self.faults:
            overlaps = fault.rep_index is None and fault.start_s <= rep.end_s and fault.end_s >= rep.start_s
            if (overlaps or fault.rep_index == rep.index) and fault.code not in rep.faults:
                rep.faults.append(fault.code)

    # -- reps ----------------------------------------------------------------------
    def _update_baseline(self, dt: float, time_s: float = BASELINE_TIME_S) -> None:
        a = 1.0 if not self._baseline else min(1.0, dt / time_s)
        for name, x in self.values.items():
            if np.isfinite(x):
                old = self._baseline.get(name)
                self._baseline[name] = x if old is None or not np.isfinite(old) else old + a * (x - old)

    def _begin_counting(self, events: list[Event]) -> None:
        self.phase = "bottom"
        self.counting_started = self.t
        events.append(Event("counting_started", self.t, "Start position reached: counting starts now"))

    def _complete_rep(self, events: list[Event]) -> None:
        """The metric is back down: count the rep now; its lowering is timed to the trough."""
        rep_spec = self.rep
        _, peak_signed, side_value = self._peak
        peak_t = self._peak_time()
        start_t, start_signed = self._rep_start
        if self.t - start_t < self.v(rep_spec.min_rep_s):
            events.append(Event("rep_rejected", self.t, "Too quick to count: move slowly and with control"))
            return
        side = None
        if rep_spec.alternating:
            positive = rep_spec.positive_side
            side = positive if side_value > 0 else ("right" if positive == "left" else "left")
        hold_s = max(0.0, self._top_end - self._top_start)
        rep = Rep(
            len(self.reps) + 1,
            start_t,
            peak_t,
            self.t,
            side,
            self.sign * peak_signed,
            abs(peak_signed - self._range_floor(start_signed)),
            rise_s=self._top_start - start_t,
            hold_s=hold_s,
            fall_s=self.t - self._top_end,
        )
        self.reps.append(rep)
        if self.rule.hold is not None and self.rule.hold.when == "top" and hold_s >= self.v(self.rule.hold.min_s):
            self.holds.append(Hold(self._top_start, self._top_end, self.v(self.rule.hold.target_s)))
        self._judge_rep(rep, events, LOWERING_MEASURES, exclude=True)
        self._attach_faults(rep)
        self._descent = rep
        self._descent_samples = [(self.t, self.sign * self._rep_value())]
        label = f"{rep.index}" if side is None else f"{rep.index} ({side})"
        events.append(Event("rep", self.t, label, {"index": rep.index, "side": side}))

    def _track_descent(self, sx: float, events: list[Event]) -> None:
        """Follow the lowering after a rep; close it once it ends.

        The lowering ends when the metric rises again (by SETTLE_FRACTION of the rep's range)
        or has dropped less than STILL_FRACTION of the range in the last SETTLE_S seconds."""
        rep = self._descent
        if rep is None:
            return
        samples = self._descent_samples
        samples.append((self.t, sx))
        scale = max(rep.range_of_motion, 1e-9)
        low = min(v for _, v in samples)
        earlier = [v for t, v in samples if t <= self.t - SETTLE_S]
        rising = sx > low + SETTLE_FRACTION * scale
        still = bool(earlier) and earlier[-1] - low <= STILL_FRACTION * scale
        if rising or still:
            self._close_descent(events)

    def _close_descent(self, events: list[Event]) -> None:
        """Time the lowering to its lowest point (the first moment within STILL_FRACTION of
        the rep's range of the final low) and judge it."""
        rep = self._descent
        if rep is None:
            return
        scale = max(rep.range_of_motion, 1e-9)
        low = min(v for _, v in self._descent_samples)
        trough_t = next(t for t, v in self._descent_samples if v <= low + STILL_FRACTION * scale)
        rep.end_s = trough_t
        rep.fall_s = max(0.0, trough_t - self._top_end)
        rep.fall_speed = abs(self._top_end_value - low) / rep.fall_s if rep.fall_s > 0 else float("inf")
        self._judge_rep(rep, events, LOWERING_MEASURES)
        self._attach_faults(rep)
        self._descent = None

    def _update_reps(self, dt: float, events: list[Event]) -> None:
        spec = self.rep
        x = self._rep_value()
        if not np.isfinite(x):
            if (
                self._last_valid_t is not None
                and self.t - self._last_valid_t > self.v(spec.max_gap_s)
                and self.phase in ("moving", "top")
            ):
                events.append(Event("rep_abandoned", self.t, "Lost sight of you mid-rep: that one is not counted"))
                self.phase = "bottom"
            if self._last_valid_t is not None and self.t - self._last_valid_t > LOST_AFTER_S and self.phase != "setup":
                self.phase = "setup"
                self._start = _Debounced()
            return
        self._last_valid_t = self.t
        s = self.sign
        enter, exit_ = s * self.v(spec.enter), s * self.v(spec.exit)
        sx = s * x
        if self.phase == "setup":
            if self.holds_true(spec.start):
                if self._start.since is None:
                    self._start.since = self.t
                self._update_baseline(dt)
                if self.t - self._start.since >= self.v(spec.start_hold_s):
                    self._begin_counting(events)
                    self._trough = (self.t, s * self._rep_value())
            else:
                self._start.since = None
            return
        if self.phase != "top":
            if sx < self._trough[1]:
                self._trough = (self.t, sx)
            elif sx <= self._trough[1] + TROUGH_BAND_FRACTION * abs(enter - exit_):
                self._trough = (self.t, self._trough[1])  # a rep starts when it leaves the bottom
        self._track_descent(sx, events)
        if self.phase == "bottom":
            if sx <= exit_:
                if self.holds_true(spec.start):  # a frame out of the start position (or a bad detection) is no baseline
                    away = spec.from_baseline and sx < exit_ - abs(enter - exit_)
                    self._update_baseline(dt, BASELINE_AWAY_TIME_S if away else BASELINE_TIME_S)
                return
            self.phase = "moving"
        if self.phase == "moving":
            if sx >= enter:
                self._close_descent(events)
                self._enter_top(sx)
            elif sx <= exit_:
                self.phase = "bottom"
                return
            else:
                return
        self._update_peak(sx)
        if sx >= enter:
            self._top_end, self._top_end_value = self.t, sx
        returned = spec.return_by is not None and sx < enter and sx <= self._peak[1] - self.v(spec.return_by)
        if sx <= exit_ or returned:
            self._complete_rep(events)
            self.phase = "bottom" if sx <= exit_ else "moving"
            self._trough = (self.t, sx)

    def _range_floor(self, start_signed: float) -> float:
        """Where a rep's range of motion is measured from: its start, or the rule's rest value if higher."""
        rest = self.rep.rest
        return start_signed if rest is None else max(start_signed, self.sign * self.v(rest))

    def _side_value(self) -> float:
        name = self.rep.side_metric if self.rep else None
        return self.values.get(name, float("nan")) if name else 0.0

    def _enter_top(self, sx: float) -> None:
        self.phase = "top"
        self._rep_start = self._trough
        self._top_start = self._top_end = self.t
        self._top_end_value = sx
        self._peak = (self.t, sx, self._side_value())
        self._top_samples = [(self.t, sx)]
        self._previous = (self.t, sx)
        self._hold_target_announced = False

    def _update_peak(self, sx: float) -> None:
        """Track the top phase. A one-frame spike is no peak: each sample counts as the lower
        of itself and the one before, timed between the two."""
        prev_t, prev = self._previous
        candidate = (0.5 * (prev_t + self.t), min(sx, prev))
        self._top_samples.append(candidate)
        if candidate[1] > self._peak[1]:
            self._peak = (candidate[0], candidate[1], self._side_value())
        self._previous = (self.t, sx)

    def _peak_time(self) -> float:
        """Middle of the time spent within a band of the peak, so a flat top (a held bridge,
        a held press-up) peaks in its middle."""
        peak = self._peak[1]
        band = PEAK_BAND_FRACTION * abs(peak - self._rep_start[1])
        near = [t for t, v in self._top_samples if v >= peak - band]
        return 0.5 * (near[0] + near[-1]) if near else self._peak[0]

    # -- holds ---------------------------------------------------------------------
    def _update_hold(self, events: list[Event]) -> None:
        spec = self.rule.hold
        if spec is None:
            return
        target = self.v(spec.target_s)
        if spec.when == "top":
            active = self.phase == "top" and self._top_end == self.t
            self._hold.active = self.phase == "top"
            duration = self.t - self._top_start if active else 0.0
        else:
            true = self.holds_true(spec.when)
            if self.phase == "setup" and self.rep is None and true:
                self._begin_counting(events)
                self.phase = "hold"
            if true:
                self._hold_last_true = self.t
                if not self._hold.active:
                    self._hold.active, self._hold.started = True, self.t
                    self._hold_target_announced = False
                    events.append(Event("hold_started", self.t))
                    if self.rep is None:
                        self.phase = "hold"
            elif self._hold.active and self.t - self._hold_last_true >= self.v(spec.release_s):
                self._hold.active = False
                if self._hold_last_true - self._hold.started >= self.v(spec.min_s):
                    self.holds.append(Hold(self._hold.started, self._hold_last_true, target))
                events.append(Event("hold_ended", self.t))
                if self.rep is None:
                    self.phase = "rest"
            duration = self.t - self._hold.started if self._hold.active else 0.0
        if duration >= target and not self._hold_target_announced and duration > 0:
            self._hold_target_announced = True
            events.append(Event("hold_target", self.t, f"{target:g} seconds: well held"))
        self._hold_duration = duration

    # -- entry points --------------------------------------------------------------
    def step(self, fm: FrameMetrics) -> list[Event]:
        """Advance by one frame; returns what happened in it."""
        events: list[Event] = []
        dt = fm.t - self.t if self.t else 0.0
        self.t = fm.t
        self.values = fm.values
        self.near_side = fm.near_side
        self._check_setup(fm, events)
        if self.rep is not None:
            self._update_reps(dt, events)
        self._update_hold(events)
        for spec in self.rule.faults:
            if spec.check == "frame":
                self._update_frame_fault(spec, events)
        return events

    def status(self) -> EngineStatus:
        return EngineStatus(
            t=self.t,
            phase=self.phase,
            rep_count=len(self.reps),
            reps_by_side={s: sum(1 for r in self.reps if r.side == s) for s in ("left", "right")}
            if self.rule.is_alternating
            else {},
            hold_s=self._hold_duration,
            hold_target_s=self.v(self.rule.hold.target_s) if self.rule.hold else 0.0,
            active_faults=list(self._open_faults.values()),
            active_warnings=list(self._open_warnings.values()),
            values=dict(self.values),
            near_side=self.near_side,
            counting=self.phase != "setup",
        )

    def finish(self) -> None:
        """Close what is still open at the end of the clip (a rep in progress is not counted).
        Calling it again changes nothing."""
        if self._finished:
            return
        self._finished = True
        self._close_descent([])
        spec = self.rule.hold
        if spec is not None and spec.when != "top" and self._hold.active:
            if self._hold_last_true - self._hold.started >= self.v(spec.min_s):
                self.holds.append(Hold(self._hold.started, self._hold_last_true, self.v(spec.target_s)))
            self._hold.active = False
        top_hold = self._top_end - self._top_start
        open_top = spec is not None and spec.when == "top" and self.phase == "top"
        if open_top and top_hold > 0 and top_hold >= self.v(spec.min_s):
            self.holds.append(Hold(self._top_start, self._top_end, self.v(spec.target_s)))


class Engine:
    """Pose frames in, events and a :class:`SessionResult` out: the one engine of both clocks.

    Example:
        >>> engine = Engine(rule)                      # doctest: +SKIP
        >>> for frame in frames: events = engine.step(frame)
        >>> result = engine.result()
    """

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.stream = MetricStream(rule)
        self.machine = RuleMachine(rule)
        self.history: list[FrameMetrics] = []
        self.stopped_for_pain = False

    def step(self, frame: PoseFrame) -> list[Event]:
        fm = self.stream.step(frame)
        self.history.append(fm)
        return self.machine.step(fm)

    def status(self) -> EngineStatus:
        return self.machine.status()

    def stop_for_pain(self) -> None:
        """The person pressed "stop — it hurts": end the set and record it."""
        self.stopped_for_pain = True

    def result(self, fps: float = 0.0, duration_s: float | None = None) -> SessionResult:
        self.machine.finish()
        return _result(self.rule, self.machine, self.history, fps, duration_s, self.stopped_for_pain)


def _result(
    rule: Rule,
    machine: RuleMachine,
    frames: list[FrameMetrics],
    fps: float,
    duration_s: float | None,
    stopped_for_pain: bool = False,
) -> SessionResult:
    t = np.array([f.t for f in frames])
    if not fps and len(t) > 1:
        fps = float((len(t) - 1) / max(t[-1] - t[0], 1e-6))
    series = {"t": t}
    for name in rule.metrics:
        series[name] = np.array([f.values.get(name, np.nan) for f in frames])
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


def run_rules(series: MetricSeries, rule: Rule, fps: float = 0.0, duration_s: float | None = None) -> SessionResult:
    """Re-run layer 2 only over a cached metric series (threshold tuning)."""
    machine = RuleMachine(rule)
    for fm in series.frames:
        machine.step(fm)
    machine.finish()
    return _result(rule, machine, series.frames, fps, duration_s)


def analyze_track(track: PoseTrack, rule: Rule) -> SessionResult:
    """Run the full engine over a landmark track, frame by frame, exactly as live does."""
    engine = Engine(rule)
    for frame in track.frames():
        engine.step(frame)
    return engine.result(fps=track.fps, duration_s=track.duration_s)


__all__ = ["Engine", "EngineStatus", "Event", "RuleMachine", "analyze_track", "compute_series", "run_rules"]
