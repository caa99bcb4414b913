"""The unit and allowed range of every number in a rule file, and how to say them to a physio.

* times (``FIELD_RANGES``): ``rep.start_hold_s`` 0-10 s, ``rep.min_rep_s`` 0-30 s,
  ``rep.max_gap_s`` 0-10 s, ``hold.target_s`` 0-600 s, ``hold.min_s`` 0-60 s,
  ``hold.release_s`` 0-10 s, ``faults[].debounce_s`` 0-10 s; a threshold named there must
  be in ``s`` with its whole range inside the field's;
* ``prescription:`` sets 1-10 and reps 1-100 (whole numbers), ``hold_s`` 1-600 s,
  ``duration_s`` 1-3600 s, ``per_side`` true/false;
* ``smoothing:`` ``min_cutoff_hz`` 0.01-10 Hz, ``beta`` 0-50; ``min_visibility`` 0-1;
* a value compared with a metric (conditions, ``rep.enter``/``exit``, a rep fault's
  ``peak``) lies in the metric kind's range (:data:`formcheck.rules.kinds.METRIC_KINDS`,
  e.g. a joint angle 0-180 deg); a change from the resting value (``from_baseline``,
  ``minus``) within plus or minus that range's width; ``rep.rest`` in the metric's range;
  ``rep.return_by`` and a rep's ``range`` from 0 to the width; a ``fall_speed`` from 0 to
  ten widths per second; a rep's times 0-600 s.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.rules.kinds import METRIC_KINDS


def fmt(x: float) -> str:
    """A number as a physio reads it: ``10``, ``0.5``, ``-45``."""
    return f"{x:g}"


def span(low: float, high: float, unit: str = "") -> str:
    """``0-10 s``, or ``-45 to 45 deg`` when the low end is negative."""
    text = f"{fmt(low)}-{fmt(high)}" if low >= 0 else f"{fmt(low)} to {fmt(high)}"
    return f"{text} {unit}".rstrip()


@dataclass(frozen=True)
class Allowed:
    """The unit and allowed range of a number in a rule file, and how to say it."""

    low: float
    high: float
    unit: str = ""
    #: What the number counts, in words ("seconds", "reps"); "" → "a number from 0 to 1 Hz".
    noun: str = ""
    whole: bool = False

    def span(self) -> str:
        """``0-10 s``, or ``-45 to 45 deg`` when the low end is negative."""
        return span(self.low, self.high, self.unit)

    def describe(self) -> str:
        """``a number of seconds from 0 to 10``, ``a whole number of reps from 1 to 100``."""
        kind = "a whole number" if self.whole else "a number"
        unit = f" {self.unit}" if self.unit and not self.noun else ""
        of = f" of {self.noun}" if self.noun else ""
        return f"{kind}{of} from {fmt(self.low)} to {fmt(self.high)}{unit}"

    @property
    def is_time(self) -> bool:
        return self.unit == "s"


def _seconds(low: float, high: float) -> Allowed:
    return Allowed(low, high, "s", "seconds")


#: The allowed range of every number outside ``thresholds:`` that is not compared with a metric.
FIELD_RANGES: dict[str, Allowed] = {
    "rep.start_hold_s": _seconds(0, 10),
    "rep.min_rep_s": _seconds(0, 30),
    "rep.max_gap_s": _seconds(0, 10),
    "hold.target_s": _seconds(0, 600),
    "hold.min_s": _seconds(0, 60),
    "hold.release_s": _seconds(0, 10),
    "faults.debounce_s": _seconds(0, 10),
    "faults.time_measure": _seconds(0, 600),
    "prescription.sets": Allowed(1, 10, "", "sets", whole=True),
    "prescription.reps": Allowed(1, 100, "", "reps", whole=True),
    "prescription.hold_s": _seconds(1, 600),
    "prescription.duration_s": _seconds(1, 3600),
    "smoothing.min_cutoff_hz": Allowed(0.01, 10, "Hz"),
    "smoothing.beta": Allowed(0, 50),
    "metrics.min_visibility": Allowed(0, 1),
}


def metric_range(kind: str, change: bool = False) -> Allowed:
    """What a value compared with a metric of ``kind`` may be (``change``: a change from rest)."""
    k = METRIC_KINDS[kind]
    if change:
        return Allowed(-(k.high - k.low), k.high - k.low, k.range_unit)
    return Allowed(k.low, k.high, k.range_unit)


def width(kind: str, per_second: bool = False) -> Allowed:
    """From 0 to the width of the metric's range (a return, a range of motion), or ten widths per second."""
    k = METRIC_KINDS[kind]
    if per_second:
        return Allowed(0, 10 * (k.high - k.low), f"{k.range_unit}/s")
    return Allowed(0, k.high - k.low, k.range_unit)


__all__ = ["FIELD_RANGES", "Allowed", "fmt", "metric_range", "span", "width"]
