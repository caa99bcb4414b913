"""The rule-file schema: dataclasses plus a validator whose messages a physio can act on.

Every error names the file, the field (``thresholds.up_angle.value``) and what is
allowed, in words a physio uses ("a number of seconds from 0 to 10", "a list of
conditions"), never a programming type. Numbers that a physio may tune live in
``thresholds:`` with a unit, an allowed range and the reason for the default (``why``);
everywhere else a field may name a threshold or give a plain number, and every such
number has a unit and an allowed range:

* times (``FIELD_RANGES``): ``rep.start_hold_s`` 0-10 s, ``rep.min_rep_s`` 0-30 s,
  ``rep.max_gap_s`` 0-10 s, ``hold.target_s`` 0-600 s, ``hold.min_s`` 0-60 s,
  ``hold.release_s`` 0-10 s, ``faults[].debounce_s`` 0-10 s; a threshold named there must
  be in ``s`` with its whole range inside the field's;
* ``prescription:`` sets 1-10 and reps 1-100 (whole numbers), ``hold_s`` 1-600 s,
  ``duration_s`` 1-3600 s, ``per_side`` true/false;
* ``smoothing:`` ``min_cutoff_hz`` 0.01-10 Hz, ``beta`` 0-50; ``min_visibility`` 0-1;
* a value compared with a metric (conditions, ``rep.enter``/``exit``, a rep fault's
  ``peak``) lies in the metric kind's range (``KIND_RANGES``, e.g. a joint angle 0-180
  deg); a change from the resting value (``from_baseline``, ``minus``) within plus or minus
  that range's width; ``rep.rest`` (the value at rest, where a rep's range of motion is
  measured from at the lowest) in the metric's range; ``rep.return_by`` and a rep's
  ``range`` from 0 to the width; a
  ``fall_speed`` from 0 to ten widths per second; a rep's times 0-600 s.

``parse_rule(..., complete=True)`` (every rule file and profile read from disk) also
requires what a published rule file must have: a ``why`` for every threshold, and no
threshold that nothing uses.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from formcheck.errors import RuleFileError
from formcheck.pose.landmarks import is_valid_reference

VIEWS = ("side", "front", "any")
POSTURES = ("supine", "prone", "all_fours", "side_lying", "seated", "kneeling", "standing", "any")
SEVERITIES = ("info", "warning", "critical")
PHASES = ("any", "bottom", "top", "moving", "hold")
DIRECTIONS = ("up", "down")
REP_MEASURES = ("peak", "range", "duration_s", "rise_s", "fall_s", "fall_speed", "hold_s")
TIME_MEASURES = ("duration_s", "rise_s", "fall_s", "hold_s")
SCALES = ("torso", "thigh", "hip_width", "shoulder_width", "none")

#: Metric kind → number of landmark points it takes (None: one or more).
METRIC_KINDS: dict[str, int | None] = {
    "joint_angle": 3,        # angle at the middle point, 0-180°
    "straightness": 3,       # angle at the middle point that goes past 180 when it rises above the line
    "bend": 3,               # signed bend at the middle point, degrees (+ = turns upward, heading to the head)
    "inclination": 2,        # segment to the horizontal, -90..90° (+ = second point higher)
    "vertical_offset": 2,    # second point above the first, in body-size units
    "horizontal_offset": 2,  # second point toward the head from the first, body-size units
    "line_offset": 3,        # middle point above the line through the other two, body-size units
    "distance": 2,           # distance between two points, body-size units
    "axis_offset": 2,        # second point minus first along `axis`, body-size units
    "speed": None,           # mean speed of the points, body-size units per second
}  # fmt: skip
DEFAULT_UNITS = {"joint_angle": "deg", "straightness": "deg", "bend": "deg", "inclination": "deg", "speed": "body/s"}

#: Metric kind → (lowest, highest value it produces, unit). Body-size units (torso lengths,
#: hip or shoulder widths) allow +/-20: a leg is ~8 hip widths long.
KIND_RANGES: dict[str, tuple[float, float, str]] = {
    "joint_angle": (0, 180, "deg"),
    "straightness": (0, 360, "deg"),
    "bend": (-180, 180, "deg"),
    "inclination": (-90, 90, "deg"),
    "vertical_offset": (-20, 20, "body lengths"),
    "horizontal_offset": (-20, 20, "body lengths"),
    "line_offset": (-20, 20, "body lengths"),
    "distance": (0, 20, "body lengths"),
    "axis_offset": (-20, 20, "body lengths"),
    "speed": (0, 20, "body lengths/s"),
}  # fmt: skip


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
        return _span(self.low, self.high, self.unit)

    def describe(self) -> str:
        """``a number of seconds from 0 to 10``, ``a whole number of reps from 1 to 100``."""
        kind = "a whole number" if self.whole else "a number"
        unit = f" {self.unit}" if self.unit and not self.noun else ""
        of = f" of {self.noun}" if self.noun else ""
        return f"{kind}{of} from {_fmt(self.low)} to {_fmt(self.high)}{unit}"

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


@dataclass(frozen=True)
class Threshold:
    """A tunable number: default ``value`` within ``low``-``high``, in ``unit``."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    description: str
    why: str = ""
    step: float | None = None


@dataclass(frozen=True)
class MetricSpec:
    """How to compute one per-frame signal from landmarks (see ``METRIC_KINDS``)."""

    name: str
    kind: str
    points: tuple[str, ...]
    unit: str
    description: str = ""
    axis: tuple[str, str] | None = None
    scale: str = "torso"
    min_visibility: float = 0.5
    #: "max"/"min": evaluate on both body sides (side-free names → left, then right) and keep
    #: the larger/smaller value, e.g. the hip angle of whichever leg is raised.
    pick: str | None = None


@dataclass(frozen=True)
class Condition:
    """``metric`` (optionally minus its baseline or a constant, optionally absolute)
    compared ``above``/``below`` a threshold name or number."""

    metric: str
    op: str
    ref: str | float
    from_baseline: bool = False
    minus: str | float | None = None
    absolute: bool = False


@dataclass(frozen=True)
class RepSpec:
    """A repetition: ``metric`` passes ``enter`` then comes back past ``exit`` (hysteresis),
    or, when ``return_by`` is set, comes back at least that far from its peak."""

    metric: str
    direction: str
    enter: str | float
    exit: str | float
    start: tuple[Condition, ...]
    start_hold_s: str | float = 0.5
    min_rep_s: str | float = 0.8
    return_by: str | float | None = None
    #: The metric's value at rest: a rep's range of motion is measured from no lower than this,
    #: so a rep started from further back (a back extension from child's pose) reports only the
    #: movement the exercise is about.
    rest: str | float | None = None
    max_gap_s: str | float = 1.0
    alternating: bool = False
    side_metric: str | None = None
    positive_side: str = "left"
    absolute: bool = False
    #: Measure the rep metric as its change from the resting baseline (the value averaged in the
    #: start position), for movements too small to have the same absolute value for everyone.
    from_baseline: bool = False


@dataclass(frozen=True)
class HoldSpec:
    """A hold: time spent in the rep's top phase (``when: top``) or while ``when`` holds."""

    when: str | tuple[Condition, ...]
    target_s: str | float
    min_s: str | float = 1.0
    release_s: str | float = 0.5


@dataclass(frozen=True)
class FaultSpec:
    """A form fault and the cue it gives.

    ``check: frame`` faults fire when every ``when`` condition holds for ``debounce_s``
    during ``phase``; ``check: rep`` faults judge a finished rep's ``measure``.
    """

    code: str
    message: str
    severity: str
    check: str
    when: tuple[Condition, ...] = ()
    phase: str = "any"
    debounce_s: str | float = 0.3
    measure: str | None = None
    op: str | None = None
    ref: str | float | None = None
    description: str = ""


@dataclass(frozen=True)
class Rule:
    """One exercise, as read from ``pose_rules/<id>.yaml``."""

    id: str
    name: str
    summary: str
    description: str
    view: str
    posture: str
    setup: str
    prescription: dict[str, Any]
    metrics: dict[str, MetricSpec]
    thresholds: dict[str, Threshold]
    rep: RepSpec | None
    hold: HoldSpec | None
    faults: tuple[FaultSpec, ...]
    key_metrics: tuple[str, ...]
    smoothing: dict[str, float] = field(default_factory=dict)
    limitations: str = ""
    #: Recognition hint: conditions characteristic of the exercise while it is performed (the
    #: rep's top or the hold); ``formcheck.engine.recognize`` checks how often they hold. The engine ignores it.
    signature: tuple[Condition, ...] = ()
    source_file: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def value(self, ref: str | float | None) -> float:
        """A threshold's current value (``-name`` negates it), or the number itself."""
        if ref is None:
            raise ValueError("no value")
        if isinstance(ref, str):
            if ref.startswith("-"):
                return -self.thresholds[ref[1:]].value
            return self.thresholds[ref].value
        return float(ref)

    def with_thresholds(self, values: dict[str, float]) -> Rule:
        """A copy with some threshold values changed (each checked against its range)."""
        thresholds = dict(self.thresholds)
        raw = copy.deepcopy(self.raw)
        for name, value in values.items():
            if name not in thresholds:
                raise RuleFileError(self.source_file, f"thresholds.{name}", "no such threshold")
            t = thresholds[name]
            _check_range(self.source_file, f"thresholds.{name}.value", float(value), t.low, t.high, t.unit)
            thresholds[name] = replace(t, value=float(value))
            raw.setdefault("thresholds", {}).setdefault(name, {})["value"] = float(value)
        tuned = replace(self, thresholds=thresholds, raw=raw)
        _check_hysteresis(_Reader(self.source_file), tuned)
        return tuned

    def threshold_values(self) -> dict[str, float]:
        return {name: t.value for name, t in self.thresholds.items()}

    @property
    def is_alternating(self) -> bool:
        return bool(self.rep and self.rep.alternating)


# --------------------------------------------------------------------------------------
# Validation: messages
# --------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:g}"


def _span(low: float, high: float, unit: str = "") -> str:
    text = f"{_fmt(low)}-{_fmt(high)}" if low >= 0 else f"{_fmt(low)} to {_fmt(high)}"
    return f"{text} {unit}".rstrip()


def _show(value: Any) -> str:
    """A value as the rule file spells it (YAML), for "got ..." in messages."""
    if value is None:
        return "nothing (the field is empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)):
        return _fmt(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_range(file: str, where: str, value: float, low: float, high: float, unit: str) -> None:
    if not low <= value <= high:
        raise RuleFileError(file, where, f"{_fmt(value)} is outside the allowed range {_span(low, high, unit)}")


#: Expected kinds of value, in words (never a programming type).
_WORDS: dict[type, str] = {
    str: "text",
    float: "a number",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a section of named fields ('name: value' lines)",
}


class _Reader:
    """Reads fields from a mapping, raising :class:`RuleFileError` with the field's path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, problem: str) -> None:
        raise RuleFileError(self.file, where, problem)

    def mapping(self, value: Any, where: str, what: str = _WORDS[dict]) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"must be {what}, got {_show(value)}")
        return value

    def get(
        self,
        data: dict,
        key: str,
        where: str,
        kind: type | tuple,
        default: Any = ...,
        allowed: tuple = (),
        what: str = "",
    ) -> Any:
        """``data[key]`` of the given type(s); ``what`` says in words what is expected."""
        path = f"{where}.{key}" if where else key
        if key not in data:
            if default is ...:
                self.fail(path, f"is required{f': {what}' if what else ''}")
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and _is_number(value):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            self.fail(path, f"must be {what or ' or '.join(_WORDS.get(k, 'text') for k in kinds)}, got {_show(value)}")
        if allowed and value not in allowed:
            self.fail(path, f"{value!r} is not allowed; choose one of: {', '.join(allowed)}")
        return value

    def number(self, data: dict, key: str, where: str, allowed: Allowed, default: Any = ...) -> Any:
        """A plain number within ``allowed`` (a whole number if it says so), as written."""
        path = f"{where}.{key}" if where else key
        if key not in data:
            if default is ...:
                self.fail(path, f"is required: {allowed.describe()}")
            return default
        value = data[key]
        if not _is_number(value) or (allowed.whole and value != int(value)):
            self.fail(path, f"must be {allowed.describe()}, got {_show(value)}")
        _check_range(self.file, path, float(value), allowed.low, allowed.high, allowed.unit or allowed.noun)
        return int(value) if allowed.whole else value

    def unknown_keys(self, data: dict, where: str, known: set[str]) -> None:
        extra = sorted(set(data) - known, key=str)
        if extra:
            self.fail(
                f"{where}.{extra[0]}" if where else str(extra[0]),
                f"unknown field; allowed fields here: {', '.join(sorted(known))}",
            )

    def not_here(self, data: dict, where: str, keys: tuple[str, ...], applies_to: str, here: str) -> None:
        """Fields in ``keys`` do not apply here: name what they apply to."""
        for key in keys:
            if key in data:
                self.fail(f"{where}.{key}", f"applies only to {applies_to}, not to {here}: remove it")


# --------------------------------------------------------------------------------------
# Validation: numbers that name a threshold or give a value
# --------------------------------------------------------------------------------------
def _ref(
    r: _Reader, data: dict, key: str, where: str, thresholds: dict[str, Threshold], default: Any, allowed: Allowed
) -> Any:
    """A threshold name (``-name`` negates it) or a number; either must fit ``allowed``.

    ``default`` is returned when the field is missing; ``...`` makes the field required.
    """
    path = f"{where}.{key}"
    what = f"{allowed.describe()}, or the name of a threshold{' in s' if allowed.is_time else ''}"
    if key not in data:
        if default is ...:
            r.fail(path, f"is required: {what}")
        return default
    value = data[key]
    if isinstance(value, str):
        if value.removeprefix("-") not in thresholds:
            names = ", ".join(thresholds) or "none"
            r.fail(path, f"{value!r} is not a threshold of this file (thresholds: {names}); give {what}")
        _threshold_fits(r, path, value, thresholds, allowed)
        return value
    if not _is_number(value):
        r.fail(path, f"must be {what}, got {_show(value)}")
    _check_range(r.file, path, float(value), allowed.low, allowed.high, allowed.unit or allowed.noun)
    return float(value)


def _threshold_fits(r: _Reader, path: str, ref: str, thresholds: dict[str, Threshold], allowed: Allowed) -> None:
    """Every value the named threshold may be tuned to must be allowed in this field."""
    name = ref.removeprefix("-")
    t = thresholds[name]
    if allowed.is_time:
        if ref.startswith("-"):
            r.fail(path, f"a time cannot be negative: remove the '-' before {name!r}")
        if t.unit != "s":
            r.fail(path, f"threshold {name!r} is in {t.unit}, but this field is a time: name a threshold in s")
    low, high = (-t.high, -t.low) if ref.startswith("-") else (t.low, t.high)
    if low < allowed.low or high > allowed.high:
        r.fail(
            path,
            f"threshold {ref!r} may be tuned over {_span(low, high, t.unit)}, but this field allows "
            f"{allowed.span()}: narrow the threshold's range",
        )


def _metric_range(metric: MetricSpec, change: bool = False) -> Allowed:
    """What a value compared with ``metric`` may be (``change``: a change from rest)."""
    low, high, unit = KIND_RANGES[metric.kind]
    if change:
        return Allowed(-(high - low), high - low, unit)
    return Allowed(low, high, unit)


def _width(metric: MetricSpec, per_second: bool = False) -> Allowed:
    """From 0 to the width of the metric's range (a return, a range of motion), or ten widths per second."""
    low, high, unit = KIND_RANGES[metric.kind]
    if per_second:
        return Allowed(0, 10 * (high - low), f"{unit}/s")
    return Allowed(0, high - low, unit)


# --------------------------------------------------------------------------------------
# Validation: sections
# --------------------------------------------------------------------------------------
_CONDITION_KEYS = {"metric", "above", "below", "from_baseline", "minus", "abs"}
_CONDITION_EXAMPLE = "{metric: hip_angle, above: up_angle}"
_CONDITIONS_WHAT = f"a list of conditions like '{_CONDITION_EXAMPLE}'"


def _metric_name(r: _Reader, data: dict, key: str, where: str, metrics: dict[str, MetricSpec]) -> str:
    """A field naming one of this file's metrics."""
    name = r.get(data, key, where, str, what="the name of a metric of this file")
    if name not in metrics:
        r.fail(f"{where}.{key}", f"{name!r} is not a metric of this file (metrics: {', '.join(metrics)})")
    return name


def _condition(r: _Reader, item: Any, here: str, metrics: dict, thresholds: dict) -> Condition:
    item = r.mapping(item, here, f"a condition like '{_CONDITION_EXAMPLE}'")
    r.unknown_keys(item, here, _CONDITION_KEYS)
    metric = _metric_name(r, item, "metric", here, metrics)
    ops = [k for k in ("above", "below") if k in item]
    if len(ops) != 1:
        r.fail(here, "needs exactly one of 'above' or 'below'")
    from_baseline = r.get(item, "from_baseline", here, bool, False)
    minus = _ref(r, item, "minus", here, thresholds, None, _metric_range(metrics[metric], change=True))
    change = from_baseline or minus is not None
    return Condition(
        metric=metric,
        op=ops[0],
        ref=_ref(r, item, ops[0], here, thresholds, ..., _metric_range(metrics[metric], change)),
        from_baseline=from_baseline,
        minus=minus,
        absolute=r.get(item, "abs", here, bool, False),
    )


def _conditions(r: _Reader, items: Any, where: str, metrics: dict, thresholds: dict) -> tuple[Condition, ...]:
    if items is None:
        r.fail(where, f"is required: {_CONDITIONS_WHAT}")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        r.fail(where, f"must be {_CONDITIONS_WHAT}, got {_show(items)}")
    return tuple(_condition(r, item, f"{where}[{i}]", metrics, thresholds) for i, item in enumerate(items))


def _threshold_range(r: _Reader, data: dict, where: str) -> tuple[float, float]:
    what = "[low, high]: two numbers with low below high, e.g. [130, 178]"
    rng = r.get(data, "range", where, list, what=what)
    if len(rng) != 2 or not all(_is_number(v) for v in rng) or rng[0] >= rng[1]:
        r.fail(f"{where}.range", f"must be {what}, got {_show(rng)}")
    return float(rng[0]), float(rng[1])


def _threshold(r: _Reader, name: str, data: Any) -> Threshold:
    where = f"thresholds.{name}"
    data = r.mapping(data, where)
    r.unknown_keys(data, where, {"value", "unit", "range", "description", "why", "step"})
    low, high = _threshold_range(r, data, where)
    unit = r.get(data, "unit", where, str, what="the unit as text, e.g. deg, s, torso")
    if not unit.strip():
        r.fail(f"{where}.unit", "must not be empty: give the unit, e.g. deg, s, torso")
    value = r.number(data, "value", where, Allowed(low, high, unit))
    step = r.number(data, "step", where, Allowed(0, high - low, unit), None)
    if step is not None and step <= 0:
        r.fail(f"{where}.step", f"must be above 0 (and at most the width of the range, {_fmt(high - low)} {unit})")
    return Threshold(
        name,
        float(value),
        unit,
        low,
        high,
        r.get(data, "description", where, str, what="text saying what the threshold is"),
        r.get(data, "why", where, str, "", what="text giving the reason for the default"),
        None if step is None else float(step),
    )


def _landmarks(r: _Reader, data: dict, key: str, where: str, default: Any = ...) -> list[str] | None:
    points = r.get(data, key, where, list, default, what="a list of landmark names like [shoulder, hip, knee]")
    for i, p in enumerate(points or []):
        if not isinstance(p, str) or not is_valid_reference(p):
            r.fail(f"{where}.{key}[{i}]", f"{_show(p)} is not a landmark name (e.g. hip, left_knee, mid_shoulder)")
    return points


def _metric(r: _Reader, name: str, data: Any) -> MetricSpec:
    where = f"metrics.{name}"
    data = r.mapping(data, where)
    r.unknown_keys(data, where, {"kind", "points", "unit", "description", "axis", "scale", "min_visibility", "pick"})
    kind = r.get(data, "kind", where, str, allowed=tuple(METRIC_KINDS))
    points = _landmarks(r, data, "points", where)
    need = METRIC_KINDS[kind]
    if (need is not None and len(points) != need) or not points:
        r.fail(f"{where}.points", f"a {kind} metric takes {need or 'one or more'} points, got {len(points)}")
    if kind != "axis_offset":
        r.not_here(data, where, ("axis",), "axis_offset metrics", f"a {kind} metric")
    if DEFAULT_UNITS.get(kind) == "deg":
        r.not_here(data, where, ("scale",), "metrics measured in body sizes (offsets, distances, speeds)", "an angle")
    axis = _landmarks(r, data, "axis", where, None)
    if kind == "axis_offset" and (not axis or len(axis) != 2):
        r.fail(f"{where}.axis", "an axis_offset metric needs 'axis: [from_landmark, to_landmark]'")
    return MetricSpec(
        name=name,
        kind=kind,
        points=tuple(points),
        unit=r.get(data, "unit", where, str, DEFAULT_UNITS.get(kind, "body")),
        description=r.get(data, "description", where, str, ""),
        axis=tuple(axis) if axis else None,
        scale=r.get(data, "scale", where, str, "torso", allowed=SCALES),
        min_visibility=float(r.number(data, "min_visibility", where, FIELD_RANGES["metrics.min_visibility"], 0.5)),
        pick=r.get(data, "pick", where, str, None, allowed=("max", "min")),
    )


_REP_KEYS = {
    "metric", "direction", "enter", "exit", "start", "start_hold_s", "min_rep_s", "max_gap_s", "alternating",
    "side_metric", "positive_side", "abs", "return_by", "rest", "from_baseline",
}  # fmt: skip


def _rep_sides(r: _Reader, data: dict, metrics: dict) -> dict[str, Any]:
    """``alternating``, ``side_metric`` and ``positive_side`` (which only alternating reps use)."""
    side_metric = _metric_name(r, data, "side_metric", "rep", metrics) if "side_metric" in data else None
    alternating = r.get(data, "alternating", "rep", bool, False)
    if alternating and side_metric is None:
        r.fail("rep.side_metric", "an alternating rep needs a side_metric whose sign tells left from right")
    if not alternating:
        r.not_here(data, "rep", ("positive_side",), "alternating reps ('alternating: true')", "this rep")
    return dict(
        alternating=alternating,
        side_metric=side_metric,
        positive_side=r.get(data, "positive_side", "rep", str, "left", allowed=("left", "right")),
    )


def _rep(r: _Reader, data: Any, metrics: dict, thresholds: dict) -> RepSpec:
    data = r.mapping(data, "rep")
    r.unknown_keys(data, "rep", _REP_KEYS)
    metric = metrics[_metric_name(r, data, "metric", "rep", metrics)]
    from_baseline = r.get(data, "from_baseline", "rep", bool, False)
    value = _metric_range(metric, change=from_baseline)
    start = r.get(data, "start", "rep", (list, dict), what=_CONDITIONS_WHAT)
    return RepSpec(
        metric=metric.name,
        direction=r.get(data, "direction", "rep", str, allowed=DIRECTIONS),
        enter=_ref(r, data, "enter", "rep", thresholds, ..., value),
        exit=_ref(r, data, "exit", "rep", thresholds, ..., value),
        start=_conditions(r, start, "rep.start", metrics, thresholds),
        start_hold_s=_ref(r, data, "start_hold_s", "rep", thresholds, 0.5, FIELD_RANGES["rep.start_hold_s"]),
        min_rep_s=_ref(r, data, "min_rep_s", "rep", thresholds, 0.8, FIELD_RANGES["rep.min_rep_s"]),
        max_gap_s=_ref(r, data, "max_gap_s", "rep", thresholds, 1.0, FIELD_RANGES["rep.max_gap_s"]),
        return_by=_ref(r, data, "return_by", "rep", thresholds, None, _width(metric)),
        rest=_ref(r, data, "rest", "rep", thresholds, None, value),
        absolute=r.get(data, "abs", "rep", bool, False),
        from_baseline=from_baseline,
        **_rep_sides(r, data, metrics),
    )


def _check_hysteresis(r: _Reader, rule: Rule) -> None:
    rep = rule.rep
    if rep is None:
        return
    enter, exit_ = rule.value(rep.enter), rule.value(rep.exit)
    if rep.direction == "up" and not enter > exit_:
        r.fail(
            "rep.enter",
            f"for direction 'up' the enter value ({_fmt(enter)}) must be above the exit value ({_fmt(exit_)})",
        )
    if rep.direction == "down" and not enter < exit_:
        r.fail(
            "rep.enter",
            f"for direction 'down' the enter value ({_fmt(enter)}) must be below the exit value ({_fmt(exit_)})",
        )


def _hold(r: _Reader, data: Any, metrics: dict, thresholds: dict, has_rep: bool) -> HoldSpec:
    data = r.mapping(data, "hold")
    r.unknown_keys(data, "hold", {"when", "target_s", "min_s", "release_s"})
    when = data.get("when")
    if when == "top":
        if not has_rep:
            r.fail("hold.when", "'top' needs a 'rep:' section; give posture conditions instead")
        r.not_here(data, "hold", ("release_s",), "holds timed by conditions ('when: [...]')", "'when: top'")
        parsed: str | tuple[Condition, ...] = "top"
    elif isinstance(when, str):
        r.fail("hold.when", f"must be 'top' (the top of each rep) or {_CONDITIONS_WHAT}, got {_show(when)}")
    else:
        parsed = _conditions(r, when, "hold.when", metrics, thresholds)
    return HoldSpec(
        when=parsed,
        target_s=_ref(r, data, "target_s", "hold", thresholds, ..., FIELD_RANGES["hold.target_s"]),
        min_s=_ref(r, data, "min_s", "hold", thresholds, 1.0, FIELD_RANGES["hold.min_s"]),
        release_s=_ref(r, data, "release_s", "hold", thresholds, 0.5, FIELD_RANGES["hold.release_s"]),
    )


_FAULT_KEYS = {
    "code", "message", "severity", "check", "when", "phase", "debounce_s", "measure", "above", "below", "description",
}  # fmt: skip
_FRAME_ONLY = ("when", "phase", "debounce_s")
_REP_ONLY = ("measure", "above", "below")


def _measure_range(rep: RepSpec, measure: str, metrics: dict[str, MetricSpec]) -> Allowed:
    """What a finished rep's ``measure`` may be compared with."""
    metric = metrics[rep.metric]
    if measure in TIME_MEASURES:
        return FIELD_RANGES["faults.time_measure"]
    if measure == "peak":
        return _metric_range(metric, change=rep.from_baseline)
    return _width(metric, per_second=measure == "fall_speed")


def _frame_fault(r: _Reader, data: dict, where: str, metrics: dict, thresholds: dict) -> dict[str, Any]:
    r.not_here(data, where, _REP_ONLY, "faults with 'check: rep'", "'check: frame' (give 'when' conditions)")
    return dict(
        when=_conditions(r, data.get("when"), f"{where}.when", metrics, thresholds),
        phase=r.get(data, "phase", where, str, "any", allowed=PHASES),
        debounce_s=_ref(r, data, "debounce_s", where, thresholds, 0.3, FIELD_RANGES["faults.debounce_s"]),
    )


def _rep_fault(
    r: _Reader, data: dict, where: str, rep: RepSpec | None, metrics: dict, thresholds: dict
) -> dict[str, Any]:
    r.not_here(data, where, _FRAME_ONLY, "faults with 'check: frame'", "'check: rep' (which judges a finished rep)")
    if rep is None:
        r.fail(f"{where}.check", "'rep' checks need a 'rep:' section")
    ops = [k for k in ("above", "below") if k in data]
    if len(ops) != 1:
        r.fail(where, "a rep check needs exactly one of 'above' or 'below'")
    measure = r.get(data, "measure", where, str, allowed=REP_MEASURES)
    return dict(
        measure=measure,
        op=ops[0],
        ref=_ref(r, data, ops[0], where, thresholds, ..., _measure_range(rep, measure, metrics)),
    )


def _fault(r: _Reader, i: int, data: Any, metrics: dict, thresholds: dict, rep: RepSpec | None) -> FaultSpec:
    where = f"faults[{i}]"
    data = r.mapping(data, where, "a fault: a section with code, message, check and what it checks")
    r.unknown_keys(data, where, _FAULT_KEYS)
    code = r.get(data, "code", where, str, what="a short name for the fault, e.g. hips_sag")
    where = f"faults[{i}] ({code})"
    check = r.get(data, "check", where, str, "frame", allowed=("frame", "rep"))
    parts = (
        _frame_fault(r, data, where, metrics, thresholds)
        if check == "frame"
        else _rep_fault(r, data, where, rep, metrics, thresholds)
    )
    return FaultSpec(
        code=code,
        message=r.get(data, "message", where, str, what="the cue as text"),
        check=check,
        severity=r.get(data, "severity", where, str, "warning", allowed=SEVERITIES),
        description=r.get(data, "description", where, str, ""),
        **parts,
    )


def _faults(r: _Reader, data: dict, metrics: dict, thresholds: dict, rep: RepSpec | None) -> tuple[FaultSpec, ...]:
    items = r.get(data, "faults", "", list, [], what="a list of faults (each with code, message and check)")
    faults = tuple(_fault(r, i, f, metrics, thresholds, rep) for i, f in enumerate(items))
    codes = [f.code for f in faults]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        r.fail("faults", f"fault codes must be unique; repeated: {', '.join(repeated)}")
    return faults


_TOP_KEYS = {
    "id", "name", "summary", "description", "view", "posture", "setup", "prescription", "metrics", "thresholds",
    "rep", "hold", "faults", "key_metrics", "smoothing", "limitations", "sources", "profile", "recognition",
}  # fmt: skip


def _prescription(r: _Reader, data: dict) -> dict[str, Any]:
    """The dosage: sets, reps, seconds held or in total, per side, and a note."""
    p = r.mapping(r.get(data, "prescription", "", dict, {}), "prescription")
    r.unknown_keys(p, "prescription", {"sets", "reps", "hold_s", "duration_s", "per_side", "note"})
    out: dict[str, Any] = {}
    for key in ("sets", "reps", "hold_s", "duration_s"):
        if key in p:
            out[key] = r.number(p, key, "prescription", FIELD_RANGES[f"prescription.{key}"])
    if "per_side" in p:
        out["per_side"] = r.get(p, "per_side", "prescription", bool)
    if "note" in p:
        out["note"] = r.get(p, "note", "prescription", str)
    return {k: out[k] for k in p}  # the file's order


def _smoothing(r: _Reader, data: dict) -> dict[str, float]:
    smoothing = r.mapping(r.get(data, "smoothing", "", dict, {}), "smoothing")
    r.unknown_keys(smoothing, "smoothing", {"min_cutoff_hz", "beta"})
    return {k: float(r.number(smoothing, k, "smoothing", FIELD_RANGES[f"smoothing.{k}"])) for k in smoothing}


def _signature(r: _Reader, data: dict, metrics: dict, thresholds: dict) -> tuple[Condition, ...]:
    recognition = r.mapping(r.get(data, "recognition", "", dict, {}), "recognition")
    r.unknown_keys(recognition, "recognition", {"signature"})
    if "signature" not in recognition:
        return ()
    return _conditions(r, recognition["signature"], "recognition.signature", metrics, thresholds)


def _texts(r: _Reader, data: dict, key: str, what: str) -> tuple[str, ...]:
    """An optional list of text items (``sources``, ``key_metrics``)."""
    items = r.get(data, key, "", list, [], what=f"a list of {what}")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            r.fail(f"{key}[{i}]", f"must be text ({what}), got {_show(item)}")
    return tuple(items)


def _profile(r: _Reader, data: dict) -> None:
    """A saved profile's ``profile: {name, based_on, saved_at}`` (see ``formcheck.rules.profiles``)."""
    if "profile" not in data:
        return
    p = r.mapping(data["profile"], "profile")
    r.unknown_keys(p, "profile", {"name", "based_on", "saved_at"})
    if not r.get(p, "name", "profile", str, what="the profile's name as text").strip():
        r.fail("profile.name", "must not be empty: give the profile a name (e.g. the patient's initials)")
    r.get(p, "based_on", "profile", str, None, what="the id of the exercise the profile was made from")
    r.get(p, "saved_at", "profile", (str, dt.date), None, what="a date and time, e.g. '2024-05-01T09:30:00+00:00'")


def _key_metrics(r: _Reader, data: dict, metrics: dict, rep: RepSpec | None) -> tuple[str, ...]:
    if "key_metrics" not in data:
        return (rep.metric,) if rep else (next(iter(metrics)),)
    names = _texts(r, data, "key_metrics", "metric names")
    for i, m in enumerate(names):
        if m not in metrics:
            r.fail(f"key_metrics[{i}]", f"{m!r} is not a metric of this file (metrics: {', '.join(metrics)})")
    return names


def _rule_id(r: _Reader, data: dict) -> str:
    rule_id = r.get(data, "id", "", str, what="the exercise id, e.g. glute_bridge")
    if not rule_id.replace("_", "").isalnum() or not rule_id.islower():
        r.fail("id", f"{rule_id!r} must be lower-case letters, digits and underscores")
    return rule_id


# --------------------------------------------------------------------------------------
# Validation: what a published rule file must also have
# --------------------------------------------------------------------------------------
def _names(*refs: Any) -> set[str]:
    return {ref.removeprefix("-") for ref in refs if isinstance(ref, str)}


def _condition_names(conditions: tuple[Condition, ...] | str) -> set[str]:
    if isinstance(conditions, str):
        return set()
    return set().union(*(_names(c.ref, c.minus) for c in conditions))


def used_thresholds(rule: Rule) -> set[str]:
    """Names of the thresholds some condition, the rep, the hold or a fault uses."""
    used = _condition_names(rule.signature)
    if rule.rep is not None:
        rep = rule.rep
        used |= _names(rep.enter, rep.exit, rep.return_by, rep.rest, rep.start_hold_s, rep.min_rep_s, rep.max_gap_s)
        used |= _condition_names(rep.start)
    if rule.hold is not None:
        used |= _names(rule.hold.target_s, rule.hold.min_s, rule.hold.release_s) | _condition_names(rule.hold.when)
    for f in rule.faults:
        used |= _names(f.ref, f.debounce_s) | _condition_names(f.when)
    return used


def _check_complete(r: _Reader, rule: Rule) -> None:
    """Every threshold says why its default is what it is, and something uses it."""
    for name, t in rule.thresholds.items():
        if not t.why.strip():
            r.fail(
                f"thresholds.{name}.why",
                "is required: the reason for the default (the anatomy, or the guides' cue it puts into numbers)",
            )
    used = used_thresholds(rule)
    for name in rule.thresholds:
        if name not in used:
            r.fail(
                f"thresholds.{name}",
                f"threshold {name!r} is not used by any condition, rep, hold or fault: remove it or use it",
            )


def parse_rule(data: Any, file: str = "<rule>", *, complete: bool = False) -> Rule:
    """Validate a rule file's parsed YAML and build the :class:`Rule`.

    ``complete=True`` (rule files and profiles) also requires a ``why`` for every
    threshold and refuses thresholds that nothing uses.

    Raises:
        RuleFileError: naming the file, the field and what is allowed.
    """
    r = _Reader(file)
    data = r.mapping(data, "", "a rule file: 'name: value' lines (id, name, metrics, thresholds, ...)")
    r.unknown_keys(data, "", _TOP_KEYS)
    rule_id = _rule_id(r, data)
    thresholds = {
        name: _threshold(r, name, t)
        for name, t in r.mapping(r.get(data, "thresholds", "", dict, {}), "thresholds").items()
    }
    metrics_raw = r.get(data, "metrics", "", dict)
    if not metrics_raw:
        r.fail("metrics", "at least one metric is required")
    metrics = {name: _metric(r, name, m) for name, m in metrics_raw.items()}
    rep = _rep(r, data["rep"], metrics, thresholds) if "rep" in data else None
    hold = _hold(r, data["hold"], metrics, thresholds, rep is not None) if "hold" in data else None
    if rep is None and hold is None:
        r.fail("rep", "a rule needs a 'rep:' section, a 'hold:' section, or both")
    faults = _faults(r, data, metrics, thresholds, rep)
    _texts(r, data, "sources", "sources as text")
    _profile(r, data)
    rule = Rule(
        id=rule_id,
        name=r.get(data, "name", "", str, what="the exercise's name as text"),
        summary=r.get(data, "summary", "", str, what="a one-line summary as text"),
        description=r.get(data, "description", "", str, ""),
        view=r.get(data, "view", "", str, allowed=VIEWS),
        posture=r.get(data, "posture", "", str, allowed=POSTURES),
        setup=r.get(data, "setup", "", str, what="where to put the camera, as text"),
        prescription=_prescription(r, data),
        metrics=metrics,
        thresholds=thresholds,
        rep=rep,
        hold=hold,
        faults=faults,
        key_metrics=_key_metrics(r, data, metrics, rep),
        smoothing=_smoothing(r, data),
        limitations=r.get(data, "limitations", "", str, ""),
        signature=_signature(r, data, metrics, thresholds),
        source_file=file,
        raw=copy.deepcopy(data),
    )
    _check_hysteresis(r, rule)
    if complete:
        _check_complete(r, rule)
    return rule
