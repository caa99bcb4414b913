"""The rule machine over a whole cached metric series at once: the fast path of :func:`run_rules`.

The machine's parts and their per-frame logic are the live engine's own; what changes is how
they are fed. The rep counter, the one truly sequential part, steps every frame with its
start-position condition looked up from an array. Everything else is fed only the frames where
it can change (:func:`formcheck.engine.runs.feed_runs`), from inputs computed for all frames
at once (:class:`formcheck.engine.series_inputs.SeriesInputs`):

* set-up warnings depend on nothing else and are run first;
* a conditions hold and the frame fault checks depend on the phase, the hold and the resting
  baseline, so they follow behind the rep counter (which records those per frame), and are
  brought up to date before a rep is judged, the one moment the rep counter reads them.

Records fed check by check are put back in time order (:meth:`SpanLog.reorder`), so the
result is the one :meth:`RuleMachine.step` gives frame by frame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from formcheck.engine.debounce import SpanLog
from formcheck.engine.faults import NOT_JUDGED_AFTER_S, phase_matches
from formcheck.engine.runs import feed_runs, spread
from formcheck.engine.series_inputs import PHASE_CODE, PHASES, SeriesInputs, baseline_metrics, rule_conditions
from formcheck.engine.setup import SetupChecker
from formcheck.engine.status import Event
from formcheck.metrics.stream import MetricSeries
from formcheck.rules.conditions import conditions_known
from formcheck.rules.schema import Condition, FaultSpec

if TYPE_CHECKING:
    from formcheck.engine.machine import RuleMachine


def run_series(machine: RuleMachine, series: MetricSeries) -> None:
    """Advance a new ``machine`` over every frame of ``series``, to the state stepping it frame by
    frame reaches (then call :meth:`RuleMachine.finish`)."""
    if not series.frames:
        return
    inputs = SeriesInputs(series, machine.rule)
    run_setup(machine.setup, inputs)
    followers = Followers(machine, inputs)
    if machine.rep_counter is not None:
        run_reps(machine, inputs, followers)
    followers.catch_up(len(inputs))
    last = series.frames[-1]
    machine.t, machine.values, machine.near_side = last.t, last.values, last.near_side
    if machine.rep_counter is not None and machine.hold.at_top:
        machine.rep_counter.time_top_hold([])


def _is_on(log: SpanLog, code: str) -> bool:
    state = log.states.get(code)
    return state is not None and state.active


def run_setup(setup: SetupChecker, inputs: SeriesInputs) -> None:
    """Every set-up check over the whole series (they depend on nothing else the machine does)."""
    events: list[Event] = []
    started: list[int] = []
    first = len(setup.log.records)
    for code, present in inputs.setup_problems(setup.views).items():

        def feed(j: int, value: bool, code: str = code) -> None:
            if setup.check(code, value, inputs.times[j], inputs.frames[j].missing, events) == "started":
                started.append(j)

        feed_runs(present, 0, feed, lambda code=code: _is_on(setup.log, code))
    setup.log.reorder(first, started)


def run_reps(machine: RuleMachine, inputs: SeriesInputs, followers: Followers) -> None:
    """Step the rep counter over every frame, recording the phase (and the resting baseline the
    followers compare with) after each."""
    counter, counting, baseline = machine.rep_counter, machine.counting, machine.baseline
    assert counter is not None
    in_start = inputs.in_start()
    rep = machine.rule.rep
    counter.baseline_names = tuple(sorted({*followers.tracked, *([rep.metric] if rep and rep.from_baseline else [])}))
    phases, code = followers.phases, PHASE_CODE
    tracked, history = followers.tracked, followers.baselines
    events: list[Event] = []
    previous, current, resting = None, {}, ("setup", "bottom")
    for fm, start in zip(inputs.frames, in_start, strict=True):
        t = fm.t
        counter.update(t, fm.values, 0.0 if previous is None else t - previous, events, start)
        previous = t
        phases.append(code[counting.phase])
        if tracked:
            if counting.phase in resting and baseline != current:  # only there does it move
                current = baseline.copy()
            history.append(current)
        if events:
            events.clear()


class Followers:
    """A conditions hold and the frame fault checks, run behind the rep counter over the frames
    it has passed: the same parts and calls as :meth:`RuleMachine.step`, fed sparsely."""

    def __init__(self, machine: RuleMachine, inputs: SeriesInputs) -> None:
        self.machine, self.inputs = machine, inputs
        #: Frames followed so far; the phase (code) after each frame the rep counter has passed.
        self.done = 0
        self.phases = bytearray()
        #: Metrics compared with their resting baseline, and the baseline after each frame.
        self.tracked = baseline_metrics(rule_conditions(machine.rule))
        self.baselines: list[dict[str, float]] = []
        hold = machine.rule.hold
        self.hold_when = None if hold is None or isinstance(hold.when, str) else hold.when
        self.specs = machine.fault_checker.frame_specs
        #: Per frame check: whether it applies, by ``2 * phase code + holding``.
        self.phase_tables = [
            np.array([phase_matches(p, spec.phase, h) for p in PHASES for h in (False, True)]) for spec in self.specs
        ]
        if self.specs:
            machine.fault_checker.before_judge = lambda: self.catch_up(len(self.phases))

    def catch_up(self, end: int) -> None:
        """Follow every frame before ``end``."""
        window = Window(self, self.done, end)
        if window.length <= 0:
            return
        if self.machine.rep_counter is not None:
            phase = np.frombuffer(self.phases[window.first : end], dtype=np.int8)
        else:
            phase = np.full(window.length, PHASE_CODE[self.machine.phase], dtype=np.int8)
        holding = phase == PHASE_CODE["top"] if self.machine.hold.at_top else np.zeros(window.length, bool)
        if self.hold_when is not None:
            phase, holding = self._hold(window, window.truth(self.hold_when), phase, holding)
        if self.specs:
            self._faults(window, phase, holding)
        self.done = end

    def _hold(
        self, window: Window, truth: np.ndarray, phase: np.ndarray, holding: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The hold timer over the window; returns the phase (which it drives without a rep) and
        whether it is holding, per frame."""
        machine, times, first = self.machine, self.inputs.times, window.first
        if not machine.hold.active and not truth.any():
            return phase, holding  # off, and staying off
        events: list[Event] = []
        at: list[int] = []
        held: list[bool] = []
        phases: list[int] = []

        def feed(j: int, value: bool) -> None:
            machine.t = times[j]
            machine.apply_hold(value, events)
            at.append(j - first)
            held.append(machine.hold.active)
            phases.append(PHASE_CODE[machine.phase])

        feed_runs(truth, first, feed, lambda: machine.hold.active)
        if machine.rep_counter is None:
            phase = spread(at, phases, window.length, np.int8)
        return phase, spread(at, held, window.length)

    def _faults(self, window: Window, phase: np.ndarray, holding: np.ndarray) -> None:
        """Every frame fault check over the window, its records put in time order."""
        checker, times = self.machine.fault_checker, self.inputs.times
        events: list[Event] = []
        started: list[int] = []
        records = len(checker.log.records)
        state_index = phase * 2 + holding
        for spec, table in zip(self.specs, self.phase_tables, strict=True):
            truth = table[state_index]  # where the check applies (a new array: narrowed in place below)
            if spec.code in checker.unjudged_s:
                self._unjudged(window, spec, truth)
            if truth.any():
                truth &= window.truth(spec.when)
            state = checker.log.states.get(spec.code)
            if not truth.any() and (state is None or (not state.active and state.since is None)):
                continue  # off, and staying off

            def feed(j: int, value: bool, spec=spec) -> None:
                if checker.check_frame(spec, value, times[j], events) == "started":
                    started.append(j)

            feed_runs(truth, window.first, feed, lambda code=spec.code: _is_on(checker.log, code))
        if started:
            checker.log.reorder(records, started)


    def _unjudged(self, window: Window, spec: FaultSpec, applies: np.ndarray) -> None:
        """Time the frames where ``spec`` applies but the view cannot judge it, as
        :meth:`FaultChecker.update_frame` does frame by frame (the same sums, in the same order)."""
        checker, times, first = self.machine.fault_checker, self.inputs.times, window.first
        blind = applies & window.known(spec.judged_if) & ~window.truth(spec.judged_if)
        if not blind.any():
            return
        frames = np.flatnonzero(blind) + first
        dts = [times[j] - times[j - 1] if j > 0 else 0.0 for j in frames.tolist()]
        total = np.cumsum([checker.unjudged_s[spec.code], *dts])[1:]
        reached = np.flatnonzero(total >= NOT_JUDGED_AFTER_S)
        if len(reached) == 0:
            checker.unjudged_s[spec.code] = float(total[-1])
            return
        k = int(reached[0])
        checker.unjudged_s[spec.code] = float(total[k - 1]) if k else checker.unjudged_s[spec.code]
        checker.count_unjudged(spec, dts[k], times[int(frames[k])], [])


class Window:
    """Frames ``first`` to ``end - 1`` of a series, as the followers see them."""

    def __init__(self, followers: Followers, first: int, end: int) -> None:
        self.followers, self.first, self.end, self.length = followers, first, end, end - first
        self._baseline: dict[str, np.ndarray] | None = None

    def truth(self, conditions: tuple[Condition, ...]) -> np.ndarray:
        """Whether all ``conditions`` hold in each frame (with the baseline after each frame)."""
        inputs = self.followers.inputs
        plain, based = inputs.split(conditions)
        truth = plain[self.first : self.end]
        if based and truth.any():
            columns = {c.metric: inputs.columns[c.metric][self.first : self.end] for c in based}
            truth = truth & inputs.truth(based, columns, self.baseline(), self.length)
        return truth

    def known(self, conditions: tuple[Condition, ...]) -> np.ndarray:
        """Whether every condition's metric has a value in each frame."""
        columns = {c.metric: self.followers.inputs.columns[c.metric][self.first : self.end] for c in conditions}
        known = conditions_known(conditions, columns)
        return known if isinstance(known, np.ndarray) else np.full(self.length, bool(known))

    def baseline(self) -> dict[str, np.ndarray]:
        """Each tracked metric's resting baseline after each frame (none without a rep counter)."""
        f = self.followers
        if self._baseline is None:
            self._baseline = {}
            if f.baselines:
                rows = f.baselines[self.first : self.end]
                self._baseline = {name: np.array([row.get(name, math.nan) for row in rows]) for name in f.tracked}
        return self._baseline


__all__ = ["Followers", "Window", "run_reps", "run_series", "run_setup"]
