"""The rule's state machine over metric values, and the engine facade of both clocks.

One code path for both clocks: :class:`Engine` takes one :class:`PoseFrame` at a time
(the live page calls it per camera frame; review calls it for every frame of a file),
and :func:`run_rules` re-runs only the rules over a cached metric series when a physio
changes a threshold. All timing comes from frame timestamps.

:class:`RuleMachine` composes one part per job: set-up warnings (:mod:`.setup`), the rep
counter (:mod:`.reps`), the hold timer (:mod:`.holds`) and the fault checks (:mod:`.faults`).
"""

from __future__ import annotations

from collections.abc import Mapping

from formcheck.engine.counting import Counting
from formcheck.engine.faults import FaultChecker
from formcheck.engine.holds import HoldTimer
from formcheck.engine.reps import RepCounter
from formcheck.engine.series_run import run_series
from formcheck.engine.setup import SetupChecker
from formcheck.engine.status import EngineStatus, Event
from formcheck.engine.summary import session_result
from formcheck.metrics.frame_prep import SharedFrames
from formcheck.metrics.stream import FrameMetrics, MetricSeries, MetricStream
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.results import FaultEvent, Hold, NotJudged, Rep, SessionResult, SetupWarning
from formcheck.rules.conditions import conditions_hold, conditions_known
from formcheck.rules.schema import Condition, Rule


class RuleMachine:
    """The rule's state machine; consumes :class:`FrameMetrics`, emits :class:`Event` lists."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.t = 0.0
        #: Whether a frame has been seen (``t`` is then its time; a clip's first frame is at 0).
        self._started = False
        self.values: Mapping[str, float] = {}
        self.near_side = "left"
        self.counting = Counting()
        #: Each metric's resting baseline (averaged in the start position), for from-baseline conditions.
        self.baseline: dict[str, float] = {}
        self.setup = SetupChecker(rule.view, rule.supported_views, rule.clear_view, rule.posture)
        self.fault_checker = FaultChecker(rule, self.value_of)
        self.hold = HoldTimer(rule.hold, self.value_of)
        self.rep_counter = (
            None
            if rule.rep is None
            else RepCounter(rule.rep, self.value_of, self.counting, self.baseline, self.fault_checker, self.hold)
        )
        self._finished = False

    # -- what it found -------------------------------------------------------------
    @property
    def phase(self) -> str:
        return self.counting.phase

    @property
    def counting_started(self) -> float | None:
        """When counting (last) started, in seconds; None if it never did."""
        return self.counting.started_s

    @property
    def reps(self) -> list[Rep]:
        return self.rep_counter.reps if self.rep_counter else []

    @property
    def holds(self) -> list[Hold]:
        return self.hold.holds

    @property
    def faults(self) -> list[FaultEvent]:
        return self.fault_checker.faults

    @property
    def not_judged(self) -> list[NotJudged]:
        return self.fault_checker.not_judged

    @property
    def warnings(self) -> list[SetupWarning]:
        return self.setup.warnings

    def value_of(self, ref: str | float) -> float:
        """A threshold's current value by name (``-name`` negates it), or the number itself."""
        return self.rule.value(ref)

    def holds_true(self, conditions: tuple[Condition, ...]) -> bool:
        """All conditions hold in the current frame (a NaN value never satisfies a condition)."""
        return bool(conditions_hold(conditions, self.values, self.value_of, self.baseline))

    def values_known(self, conditions: tuple[Condition, ...]) -> bool:
        """Every condition's metric has a value in the current frame."""
        return bool(conditions_known(conditions, self.values))

    def step(self, fm: FrameMetrics) -> list[Event]:
        """Advance by one frame; returns what happened in it."""
        events: list[Event] = []
        dt = fm.t - self.t if self._started else 0.0
        self.t, self._started = fm.t, True
        self.values = fm.values
        self.near_side = fm.near_side
        self.setup.update(fm, events)
        if self.rep_counter is not None:
            self.rep_counter.update(self.t, self.values, dt, events)
        self._update_hold(events)
        self.fault_checker.update_frame(self.t, dt, self.phase, self.hold.active, self.holds_true, events,
                                        self.values_known)
        return events

    def _update_hold(self, events: list[Event]) -> None:
        """Time the hold; without a rep, the hold drives the phase (``hold`` ⇄ ``rest``)."""
        spec = self.rule.hold
        if spec is None:
            return
        if self.hold.at_top:
            if self.rep_counter is not None:
                self.rep_counter.time_top_hold(events)
            return
        self.apply_hold(self.holds_true(spec.when), events)

    def apply_hold(self, true: bool, events: list[Event]) -> None:
        """Time a conditions hold at :attr:`t`, where its conditions hold (``true``) or not."""
        rep_less = self.rep_counter is None
        if rep_less and true and self.phase == "setup":
            self.counting.begin(self.t, events)
            self.counting.phase = "hold"
        change = self.hold.update(true, self.t, events)
        if rep_less and change is not None:
            self.counting.phase = "hold" if change == "started" else "rest"

    def status(self) -> EngineStatus:
        """A snapshot for the overlay and the live page."""
        reps = self.reps
        return EngineStatus(
            t=self.t,
            phase=self.phase,
            rep_count=len(reps),
            reps_by_side={s: sum(1 for r in reps if r.side == s) for s in ("left", "right")}
            if self.rule.is_alternating
            else {},
            hold_s=self.hold.duration_s,
            hold_target_s=self.hold.target_s,
            active_faults=self.fault_checker.log.active,
            active_warnings=self.setup.log.active,
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
        if self.rep_counter is not None:
            self.rep_counter.finish()
        self.hold.finish()


class Engine:
    """Pose frames in, events and a :class:`SessionResult` out: the one engine of both clocks.

    Example:
        >>> engine = Engine(rule)                      # doctest: +SKIP
        >>> for frame in frames: events = engine.step(frame)
        >>> result = engine.result()
    """

    def __init__(self, rule: Rule, shared: SharedFrames | None = None) -> None:
        """``shared``: the rule-free per-frame work of a track other rules' engines also step
        through (recognition), done once for all of them."""
        self.rule = rule
        self.stream = MetricStream(rule, shared)
        self.machine = RuleMachine(rule)
        self.history: list[FrameMetrics] = []
        self.stopped_for_pain = False

    def step(self, frame: PoseFrame) -> list[Event]:
        """Advance by one pose frame; returns what happened in it."""
        fm = self.stream.step(frame)
        self.history.append(fm)
        return self.machine.step(fm)

    def status(self) -> EngineStatus:
        return self.machine.status()

    def stop_for_pain(self) -> None:
        """The person pressed "stop — it hurts": end the set and record it."""
        self.stopped_for_pain = True

    def result(self, fps: float = 0.0, duration_s: float | None = None) -> SessionResult:
        """The set so far, closed (see :meth:`RuleMachine.finish`)."""
        self.machine.finish()
        return session_result(self.rule, self.machine, self.history, fps, duration_s, self.stopped_for_pain)


def run_rules(series: MetricSeries, rule: Rule, fps: float = 0.0, duration_s: float | None = None) -> SessionResult:
    """Re-run the rules only over a cached metric series (threshold tuning): the same machine
    as :meth:`RuleMachine.step` frame by frame, fed from the series' columns (see
    :func:`formcheck.engine.series_run.run_series`), with the same result."""
    machine = RuleMachine(rule)
    run_series(machine, series)
    machine.finish()
    return session_result(rule, machine, series.frames, fps, duration_s, columns=series)


def replay_track(track: PoseTrack, rule: Rule, shared: SharedFrames | None = None) -> SessionResult:
    """Replay a landmark track through the frame-by-frame engine, exactly as live runs it (the
    reference the review path, :func:`formcheck.analysis.analyze_track`, is tested against);
    ``shared`` as in :class:`Engine`."""
    engine = Engine(rule, shared)
    for frame in track.frames():
        engine.step(frame)
    return engine.result(fps=track.fps, duration_s=track.duration_s)


__all__ = ["Engine", "RuleMachine", "replay_track", "run_rules"]
