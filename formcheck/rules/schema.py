"""The rule-file schema: dataclasses plus a validator whose messages a physio can act on.

Every error names the file, the field (``thresholds.up_angle.value``) and what is
allowed. Numbers that a physio may tune live in ``thresholds:`` with a unit, an allowed
range and the reason for the default; everywhere else a field may name a threshold or
give a plain number.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from formcheck.errors import RuleFileError
from formcheck.landmarks import is_valid_reference

VIEWS = ("side", "front", "any")
POSTURES = ("supine", "prone", "all_fours", "side_lying", "seated", "kneeling", "standing", "any")
SEVERITIES = ("info", "warning", "critical")
PHASES = ("any", "bottom", "top", "moving", "hold")
DIRECTIONS = ("up", "down")
REP_MEASURES = ("peak", "range", "duration_s", "rise_s", "fall_s", "fall_speed", "hold_s")
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
    #: rep's top or the hold); ``formcheck.recognize`` checks how often they hold. The engine ignores it.
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
# Validation
# --------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:g}"


def _check_range(file: str, where: str, value: float, low: float, high: float, unit: str) -> None:
    if not low <= value <= high:
        raise RuleFileError(
            file, where, f"{_fmt(value)} is outside the allowed range {_fmt(low)}-{_fmt(high)} {unit}".rstrip()
        )


class _Reader:
    """Reads fields from a mapping, raising :class:`RuleFileError` with the field's path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, problem: str) -> None:
        raise RuleFileError(self.file, where, problem)

    def mapping(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"must be a mapping of 'name: value' lines, got {type(value).__name__}")
        return value

    def get(self, data: dict, key: str, where: str, kind: type | tuple, default: Any = ..., allowed: tuple = ()) -> Any:
        path = f"{where}.{key}" if where else key
        if key not in data:
            if default is ...:
                self.fail(path, "is required")
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join("a number" if k is float else k.__name__ for k in kinds)
            self.fail(path, f"must be {names}, got {value!r}")
        if allowed and value not in allowed:
            self.fail(path, f"{value!r} is not allowed; choose one of: {', '.join(allowed)}")
        return value

    def unknown_keys(self, data: dict, where: str, known: set[str]) -> None:
        extra = sorted(set(data) - known)
        if extra:
            self.fail(
                f"{where}.{extra[0]}" if where else extra[0],
                f"unknown field; allowed fields here: {', '.join(sorted(known))}",
            )


_CONDITION_KEYS = {"metric", "above", "below", "from_baseline", "minus", "abs"}


def _ref(r: _Reader, data: dict, key: str, where: str, thresholds: dict[str, Threshold], default: Any = ...) -> Any:
    value = r.get(data, key, where, (float, str), default)
    if isinstance(value, str) and value.removeprefix("-") not in thresholds:
        r.fail(
            f"{where}.{key}",
            f"{value!r} is not a threshold of this file (thresholds: {', '.join(thresholds) or 'none'})",
        )
    return value


def _conditions(r: _Reader, items: Any, where: str, metrics: dict, thresholds: dict) -> tuple[Condition, ...]:
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        r.fail(where, "must be a list of conditions like '{metric: hip_angle, above: up_angle}'")
    out = []
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        item = r.mapping(item, here)
        r.unknown_keys(item, here, _CONDITION_KEYS)
        metric = r.get(item, "metric", here, str)
        if metric not in metrics:
            r.fail(f"{here}.metric", f"{metric!r} is not a metric of this file (metrics: {', '.join(metrics)})")
        ops = [k for k in ("above", "below") if k in item]
        if len(ops) != 1:
            r.fail(here, "needs exactly one of 'above' or 'below'")
        out.append(
            Condition(
                metric=metric,
                op=ops[0],
                ref=_ref(r, item, ops[0], here, thresholds),
                from_baseline=r.get(item, "from_baseline", here, bool, False),
                minus=_ref(r, item, "minus", here, thresholds, None),
                absolute=r.get(item, "abs", here, bool, False),
            )
        )
    return tuple(out)


def _threshold(r: _Reader, name: str, data: Any) -> Threshold:
    where = f"thresholds.{name}"
    data = r.mapping(data, where)
    r.unknown_keys(data, where, {"value", "unit", "range", "description", "why", "step"})
    value = r.get(data, "value", where, float)
    rng = r.get(data, "range", where, list)
    if (
        len(rng) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
        or rng[0] >= rng[1]
    ):
        r.fail(f"{where}.range", f"must be [low, high] with low < high, got {rng!r}")
    unit = r.get(data, "unit", where, str)
    _check_range(r.file, f"{where}.value", value, float(rng[0]), float(rng[1]), unit)
    return Threshold(
        name,
        value,
        unit,
        float(rng[0]),
        float(rng[1]),
        r.get(data, "description", where, str),
        r.get(data, "why", where, str, ""),
        r.get(data, "step", where, float, None),
    )


def _metric(r: _Reader, name: str, data: Any) -> MetricSpec:
    where = f"metrics.{name}"
    data = r.mapping(data, where)
    r.unknown_keys(data, where, {"kind", "points", "unit", "description", "axis", "scale", "min_visibility", "pick"})
    kind = r.get(data, "kind", where, str, allowed=tuple(METRIC_KINDS))
    points = r.get(data, "points", where, list)
    need = METRIC_KINDS[kind]
    if (need is not None and len(points) != need) or not points:
        r.fail(f"{where}.points", f"a {kind} metric takes {need or 'one or more'} points, got {len(points)}")
    for i, p in enumerate(points):
        if not isinstance(p, str) or not is_valid_reference(p):
            r.fail(f"{where}.points[{i}]", f"{p!r} is not a landmark name (e.g. hip, left_knee, mid_shoulder)")
    axis = r.get(data, "axis", where, list, None)
    axis_ok = bool(axis) and len(axis) == 2 and all(isinstance(p, str) and is_valid_reference(p) for p in axis)
    if kind == "axis_offset" and not axis_ok:
        r.fail(f"{where}.axis", "an axis_offset metric needs 'axis: [from_landmark, to_landmark]'")
    min_vis = r.get(data, "min_visibility", where, float, 0.5)
    _check_range(r.file, f"{where}.min_visibility", min_vis, 0.0, 1.0, "")
    return MetricSpec(
        name=name,
        kind=kind,
        points=tuple(points),
        unit=r.get(data, "unit", where, str, DEFAULT_UNITS.get(kind, "body")),
        description=r.get(data, "description", where, str, ""),
        axis=tuple(axis) if axis else None,
        scale=r.get(data, "scale", where, str, "torso", allowed=SCALES),
        min_visibility=min_vis,
        pick=r.get(data, "pick", where, str, None, allowed=("max", "min")),
    )


def _rep(r: _Reader, data: Any, metrics: dict, thresholds: dict) -> RepSpec:
    data = r.mapping(data, "rep")
    r.unknown_keys(
        data,
        "rep",
        {
            "metric",
            "direction",
            "enter",
            "exit",
            "start",
            "start_hold_s",
            "min_rep_s",
            "max_gap_s",
            "alternating",
            "side_metric",
            "positive_side",
            "abs",
            "return_by",
            "from_baseline",
        },
    )
    metric = r.get(data, "metric", "rep", str)
    if metric not in metrics:
        r.fail("rep.metric", f"{metric!r} is not a metric of this file (metrics: {', '.join(metrics)})")
    side_metric = r.get(data, "side_metric", "rep", str, None)
    if side_metric is not None and side_metric not in metrics:
        r.fail("rep.side_metric", f"{side_metric!r} is not a metric of this file")
    alternating = r.get(data, "alternating", "rep", bool, False)
    if alternating and side_metric is None:
        r.fail("rep.side_metric", "an alternating rep needs a side_metric whose sign tells left from right")
    rep = RepSpec(
        metric=metric,
        direction=r.get(data, "direction", "rep", str, allowed=DIRECTIONS),
        enter=_ref(r, data, "enter", "rep", thresholds),
        exit=_ref(r, data, "exit", "rep", thresholds),
        start=_conditions(r, r.get(data, "start", "rep", (list, dict)), "rep.start", metrics, thresholds),
        start_hold_s=_ref(r, data, "start_hold_s", "rep", thresholds, 0.5),
        min_rep_s=_ref(r, data, "min_rep_s", "rep", thresholds, 0.8),
        max_gap_s=_ref(r, data, "max_gap_s", "rep", thresholds, 1.0),
        return_by=_ref(r, data, "return_by", "rep", thresholds, None),
        alternating=alternating,
        side_metric=side_metric,
        positive_side=r.get(data, "positive_side", "rep", str, "left", allowed=("left", "right")),
        absolute=r.get(data, "abs", "rep", bool, False),
        from_baseline=r.get(data, "from_baseline", "rep", bool, False),
    )
    return rep


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
        parsed: str | tuple[Condition, ...] = "top"
    else:
        parsed = _conditions(r, when, "hold.when", metrics, thresholds)
    return HoldSpec(
        when=parsed,
        target_s=_ref(r, data, "target_s", "hold", thresholds),
        min_s=_ref(r, data, "min_s", "hold", thresholds, 1.0),
        release_s=_ref(r, data, "release_s", "hold", thresholds, 0.5),
    )


def _fault(r: _Reader, i: int, data: Any, metrics: dict, thresholds: dict, has_rep: bool) -> FaultSpec:
    where = f"faults[{i}]"
    data = r.mapping(data, where)
    r.unknown_keys(
        data,
        where,
        {
            "code",
            "message",
            "severity",
            "check",
            "when",
            "phase",
            "debounce_s",
            "measure",
            "above",
            "below",
            "description",
        },
    )
    code = r.get(data, "code", where, str)
    where = f"faults[{i}] ({code})"
    check = r.get(data, "check", where, str, "frame", allowed=("frame", "rep"))
    common = dict(
        code=code,
        message=r.get(data, "message", where, str),
        check=check,
        severity=r.get(data, "severity", where, str, "warning", allowed=SEVERITIES),
        description=r.get(data, "description", where, str, ""),
    )
    if check == "frame":
        return FaultSpec(
            **common,
            when=_conditions(r, data.get("when"), f"{where}.when", metrics, thresholds),
            phase=r.get(data, "phase", where, str, "any", allowed=PHASES),
            debounce_s=_ref(r, data, "debounce_s", where, thresholds, 0.3),
        )
    if not has_rep:
        r.fail(f"{where}.check", "'rep' checks need a 'rep:' section")
    ops = [k for k in ("above", "below") if k in data]
    if len(ops) != 1:
        r.fail(where, "a rep check needs exactly one of 'above' or 'below'")
    return FaultSpec(
        **common,
        measure=r.get(data, "measure", where, str, allowed=REP_MEASURES),
        op=ops[0],
        ref=_ref(r, data, ops[0], where, thresholds),
    )


_TOP_KEYS = {
    "id",
    "name",
    "summary",
    "description",
    "view",
    "posture",
    "setup",
    "prescription",
    "metrics",
    "thresholds",
    "rep",
    "hold",
    "faults",
    "key_metrics",
    "smoothing",
    "limitations",
    "sources",
    "profile",
    "recognition",
}


def parse_rule(data: Any, file: str = "<rule>") -> Rule:
    """Validate a rule file's parsed YAML and build the :class:`Rule`.

    Raises:
        RuleFileError: naming the file, the field and what is allowed.
    """
    r = _Reader(file)
    data = r.mapping(data, "")
    r.unknown_keys(data, "", _TOP_KEYS)
    rule_id = r.get(data, "id", "", str)
    if not rule_id.replace("_", "").isalnum() or not rule_id.islower():
        r.fail("id", f"{rule_id!r} must be lower-case letters, digits and underscores")
    thresholds = {
        name: _threshold(r, name, t)
        for name, t in r.mapping(r.get(data, "thresholds", "", dict, {}), "thresholds").items()
    }
    metrics_raw = r.mapping(r.get(data, "metrics", "", dict), "metrics")
    if not metrics_raw:
        r.fail("metrics", "at least one metric is required")
    metrics = {name: _metric(r, name, m) for name, m in metrics_raw.items()}
    rep = _rep(r, data["rep"], metrics, thresholds) if "rep" in data else None
    hold = _hold(r, data["hold"], metrics, thresholds, rep is not None) if "hold" in data else None
    if rep is None and hold is None:
        r.fail("rep", "a rule needs a 'rep:' section, a 'hold:' section, or both")
    faults_raw = r.get(data, "faults", "", list, [])
    faults = tuple(_fault(r, i, f, metrics, thresholds, rep is not None) for i, f in enumerate(faults_raw))
    codes = [f.code for f in faults]
    if len(set(codes)) != len(codes):
        r.fail("faults", f"fault codes must be unique; repeated: {sorted({c for c in codes if codes.count(c) > 1})}")
    key_metrics = tuple(r.get(data, "key_metrics", "", list, [rep.metric] if rep else [next(iter(metrics))]))
    for i, m in enumerate(key_metrics):
        if m not in metrics:
            r.fail(f"key_metrics[{i}]", f"{m!r} is not a metric of this file")
    smoothing = r.mapping(r.get(data, "smoothing", "", dict, {}), "smoothing")
    r.unknown_keys(smoothing, "smoothing", {"min_cutoff_hz", "beta"})
    smooth = {k: float(r.get(smoothing, k, "smoothing", float)) for k in smoothing}
    recognition = r.mapping(r.get(data, "recognition", "", dict, {}), "recognition")
    r.unknown_keys(recognition, "recognition", {"signature"})
    signature = (
        _conditions(r, recognition["signature"], "recognition.signature", metrics, thresholds)
        if "signature" in recognition
        else ()
    )
    prescription = r.mapping(r.get(data, "prescription", "", dict, {}), "prescription")
    r.unknown_keys(prescription, "prescription", {"sets", "reps", "hold_s", "duration_s", "per_side", "note"})
    rule = Rule(
        id=rule_id,
        name=r.get(data, "name", "", str),
        summary=r.get(data, "summary", "", str),
        description=r.get(data, "description", "", str, ""),
        view=r.get(data, "view", "", str, allowed=VIEWS),
        posture=r.get(data, "posture", "", str, allowed=POSTURES),
        setup=r.get(data, "setup", "", str),
        prescription=dict(prescription),
        metrics=metrics,
        thresholds=thresholds,
        rep=rep,
        hold=hold,
        faults=faults,
        key_metrics=key_metrics,
        smoothing=smooth,
        limitations=r.get(data, "limitations", "", str, ""),
        signature=signature,
        source_file=file,
        raw=copy.deepcopy(data),
    )
    _check_hysteresis(r, rule)
    return rule
