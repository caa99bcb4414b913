"""Form faults: frame checks (a condition lasting through a phase) and rep checks (a finished
rep's measure against a threshold)."""

from __future__ import annotations

from collections.abc import Callable

from formcheck.engine.debounce import Change, SpanLog
from formcheck.engine.status import Event
from formcheck.results import FaultEvent, NotJudged, Rep
from formcheck.rules.conditions import ValueOf, compare
from formcheck.rules.schema import Condition, FaultSpec, Rule

#: A fault ends once its condition has been false this long.
FAULT_RELEASE_S = 0.2
#: Rep measures known only once the lowering after the rep has ended.
LOWERING_MEASURES = ("fall_s", "fall_speed")
#: A fault whose phase has been seen this long (in all) from a camera view that cannot judge it
#: is said, once, not to be judged: long enough that a glance off-angle says nothing.
NOT_JUDGED_AFTER_S = 1.0


def rep_measure(rep: Rep, measure: str) -> float:
    """A finished rep's value of a rep check's ``measure``."""
    if measure == "peak":
        return rep.peak_value
    if measure == "range":
        return rep.range_of_motion
    return float(rep.duration_s if measure == "duration_s" else getattr(rep, measure))


def phase_matches(phase: str, wanted: str, holding: bool) -> bool:
    """A frame check for ``wanted`` (a phase, ``any`` or ``hold``) applies in ``phase``."""
    if phase == "setup":
        return False
    if wanted == "any":
        return True
    if wanted == "hold":
        return holding
    return phase == wanted


class FaultChecker:
    """Runs a rule's fault checks; :attr:`faults` lists every fault found, in order."""

    def __init__(self, rule: Rule, value_of: ValueOf) -> None:
        self.value_of = value_of
        self.frame_specs = [spec for spec in rule.faults if spec.check == "frame"]
        self.rep_specs = [spec for spec in rule.faults if spec.check == "rep" and spec.measure is not None]
        self.log: SpanLog[FaultEvent] = SpanLog()
        #: Faults the view could not judge, said once each; and the time each has been unjudged so far.
        self.not_judged: list[NotJudged] = []
        self.unjudged_s: dict[str, float] = {spec.code: 0.0 for spec in self.frame_specs if spec.judged_if}
        #: Called before a rep is judged: a re-run that follows the frame checks behind the rep
        #: counter brings them up to the frame before first (see :mod:`formcheck.engine.series_run`).
        self.before_judge: Callable[[], None] | None = None

    @property
    def faults(self) -> list[FaultEvent]:
        return self.log.records

    def update_frame(
        self, t: float, dt: float, phase: str, holding: bool, holds: Callable[[tuple[Condition, ...]], bool],
        events: list[Event], known: Callable[[tuple[Condition, ...]], bool] = lambda conditions: True,
    ) -> None:
        """Advance every frame check to time ``t``, ``dt`` seconds after the previous frame (0 for the
        first); ``holds`` tells whether conditions hold now, ``known`` whether their metrics have a value now."""
        for spec in self.frame_specs:
            applies = phase_matches(phase, spec.phase, holding)
            self.check_frame(spec, applies and holds(spec.when), t, events)
            if spec.code in self.unjudged_s:
                blind = applies and known(spec.judged_if) and not holds(spec.judged_if)
                self.count_unjudged(spec, dt if blind else 0.0, t, events)

    def count_unjudged(self, spec: FaultSpec, dt: float, t: float, events: list[Event]) -> None:
        """Add ``dt`` seconds in which the view could not judge ``spec``'s fault (one still in
        :attr:`unjudged_s`); say so once it reaches :data:`NOT_JUDGED_AFTER_S`."""
        total = self.unjudged_s[spec.code] = self.unjudged_s[spec.code] + dt
        if total >= NOT_JUDGED_AFTER_S:
            del self.unjudged_s[spec.code]
            self.not_judged.append(NotJudged(spec.code, t, spec.not_judged))
            events.append(Event("fault_not_judged", t, spec.not_judged, {"code": spec.code}))

    def check_frame(self, spec: FaultSpec, true: bool, t: float, events: list[Event]) -> Change | None:
        """Advance one frame check to time ``t``, where its phase and conditions hold (``true``) or not."""
        change = self.log.update(spec.code, true, t, self.value_of(spec.debounce_s), FAULT_RELEASE_S)
        if change == "started":
            fault = FaultEvent(spec.code, self.log.since(spec.code), t, spec.message, spec.severity,
                               category=spec.category)
            self.log.start(spec.code, fault)
            data = {"code": spec.code, "severity": spec.severity, "category": spec.category}
            events.append(Event("fault", t, spec.message, data))
        elif change == "ended":
            events.append(Event("fault_cleared", t, "", {"code": spec.code}))
        return change

    def judge_rep(self, rep: Rep, t: float, events: list[Event]) -> None:
        """Judge a rep just counted on everything but its lowering."""
        self._judge(rep, t, events, lowering=False)

    def judge_lowering(self, rep: Rep, t: float, events: list[Event]) -> None:
        """Judge a rep's lowering once it has ended."""
        self._judge(rep, t, events, lowering=True)

    def _judge(self, rep: Rep, t: float, events: list[Event], lowering: bool) -> None:
        if self.before_judge is not None:
            self.before_judge()
        for spec in self.rep_specs:
            if (spec.measure in LOWERING_MEASURES) != lowering:
                continue
            if compare(rep_measure(rep, spec.measure), spec.op, self.value_of(spec.ref)):
                fault = FaultEvent(spec.code, rep.start_s, rep.end_s, spec.message, spec.severity, rep.index,
                                   spec.category)
                self.faults.append(fault)
                data = {"code": spec.code, "severity": spec.severity, "category": spec.category, "rep": rep.index}
                events.append(Event("fault", t, spec.message, data))
        self._attach(rep)

    def _attach(self, rep: Rep) -> None:
        """List on the rep every fault that overlapped it or was judged on it."""
        for fault in self.faults:
            overlaps = fault.rep_index is None and fault.start_s <= rep.end_s and fault.end_s >= rep.start_s
            if (overlaps or fault.rep_index == rep.index) and fault.code not in rep.faults:
                rep.faults.append(fault.code)


__all__ = ["FAULT_RELEASE_S", "LOWERING_MEASURES", "NOT_JUDGED_AFTER_S", "FaultChecker", "phase_matches", "rep_measure"]
