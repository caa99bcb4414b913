"""One walk over a rule: every place that gives a number (a threshold's name or a plain number).

:func:`references` yields them in the file's order (rep, hold, faults, recognition) with
what each place is (``section``/``field``), the metric the number is a value of, and a
short description of where it is ("rep reaches its top", "fault back_arched when"). The
Tune page's "what this threshold drives" (:func:`formcheck.engine.tuning.threshold_uses`),
the plots' threshold lines, the catalogue docs and the validator's "unused threshold"
check all read this one walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from formcheck.rules.schema import Condition, FaultSpec, Rule

#: Sections: the rep's own numbers, its start position, the hold, a fault, the recognition hint.
SECTIONS = ("rep", "start", "hold", "fault", "signature")

_REP_FIELDS = {
    "enter": "rep reaches its top",
    "exit": "rep ends",
    "return_by": "rep ends after returning from its peak",
    "rest": "rep's resting value",
}
_REP_TIMES = {"start_hold_s": "start position held", "min_rep_s": "shortest rep", "max_gap_s": "longest gap"}
#: A rep fault's measure, in words.
_MEASURES = {"peak": "peak", "range": "range", "duration_s": "rep time", "rise_s": "rise time", "fall_s": "fall time",
             "fall_speed": "fall speed", "hold_s": "time held"}
_HOLD_TIMES = {"target_s": "hold target", "min_s": "shortest hold", "release_s": "hold release"}


@dataclass(frozen=True)
class Reference:
    """One place in a rule that gives a number.

    Attributes:
        section: one of :data:`SECTIONS`.
        field: the field (``enter``, ``min_rep_s``, ``when``, ``debounce_s``, a rep
            fault's measure such as ``peak``, ...).
        ref: the threshold name (``-name`` negated) or the number.
        where: where it is, in words.
        metric: the metric the number is a value of or a distance in (None for times).
        condition: the condition it belongs to (its ``minus`` is part of the place).
        fault: the fault it belongs to.
    """

    section: str
    field: str
    ref: str | float | None
    where: str
    metric: str | None = None
    condition: Condition | None = None
    fault: FaultSpec | None = None

    @property
    def thresholds(self) -> set[str]:
        """Names of the thresholds this place uses (``ref``, and a condition's ``minus``)."""
        refs = (self.ref, self.condition.minus if self.condition else None)
        return {r.removeprefix("-") for r in refs if isinstance(r, str)}


def _conditions(section: str, field: str, where: str, conds: tuple[Condition, ...] | str,
                fault: FaultSpec | None = None) -> Iterator[Reference]:
    for c in () if isinstance(conds, str) else conds:
        yield Reference(section, field, c.ref, where, c.metric, c, fault)


def _rep(rule: Rule) -> Iterator[Reference]:
    rep = rule.rep
    if rep is None:
        return
    for name, where in _REP_FIELDS.items():
        yield Reference("rep", name, getattr(rep, name), where, rep.metric)
    yield from _conditions("start", "start", "rep start position", rep.start)
    for name, where in _REP_TIMES.items():
        yield Reference("rep", name, getattr(rep, name), where)


def _hold(rule: Rule) -> Iterator[Reference]:
    hold = rule.hold
    if hold is None:
        return
    yield from _conditions("hold", "when", "hold position", hold.when)
    for name, where in _HOLD_TIMES.items():
        yield Reference("hold", name, getattr(hold, name), where)


def _fault(rule: Rule, f: FaultSpec) -> Iterator[Reference]:
    if f.check == "frame":
        yield from _conditions("fault", "when", f"fault {f.code} when", f.when, f)
        yield Reference("fault", "debounce_s", f.debounce_s, f"fault {f.code} debounce", fault=f)
        return
    measure = f.measure or ""
    metric = rule.rep.metric if rule.rep is not None and measure in ("peak", "range", "fall_speed") else None
    yield Reference("fault", measure, f.ref, f"fault {f.code} {_MEASURES.get(measure, measure)}", metric, fault=f)


def references(rule: Rule) -> Iterator[Reference]:
    """Every place in ``rule`` that gives a number, in the file's order; unset optional
    fields (``ref`` None: no ``return_by``, no ``rest``) are left out."""
    parts = (_rep(rule), _hold(rule), *(_fault(rule, f) for f in rule.faults),
             _conditions("signature", "signature", "recognition signature", rule.signature))
    for part in parts:
        yield from (r for r in part if r.ref is not None)


def used_thresholds(rule: Rule) -> set[str]:
    """Names of the thresholds some condition, the rep, the hold or a fault uses."""
    return set().union(*(r.thresholds for r in references(rule)))


def threshold_places(rule: Rule) -> dict[str, list[Reference]]:
    """Threshold name → the places that use it, in the file's order (unused: an empty list)."""
    places: dict[str, list[Reference]] = {name: [] for name in rule.thresholds}
    for r in references(rule):
        for name in sorted(r.thresholds & set(places)):
            places[name].append(r)
    return places


__all__ = ["SECTIONS", "Reference", "references", "threshold_places", "used_thresholds"]
