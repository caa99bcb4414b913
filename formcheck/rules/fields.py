"""Reading the parts a rule file is built from: threshold references, conditions, thresholds, metrics.

Each reader checks one part against its allowed values (:mod:`formcheck.rules.ranges`,
:mod:`formcheck.rules.kinds`) and raises :class:`~formcheck.errors.RuleFileError` naming the
field and what is allowed.
"""

from __future__ import annotations

from typing import Any

from formcheck.pose.landmarks import is_valid_reference
from formcheck.rules.kinds import METRIC_KINDS
from formcheck.rules.ranges import FIELD_RANGES, Allowed, fmt, metric_range, span
from formcheck.rules.reader import Reader, check_range, is_number, show
from formcheck.rules.schema import (
    AXIS_KINDS,
    SCALES,
    SPACES,
    WORLD_KINDS,
    WORLD_ONLY_KINDS,
    Condition,
    MetricSpec,
    Threshold,
)


def read_ref(
    r: Reader, data: dict, key: str, where: str, thresholds: dict[str, Threshold], default: Any, allowed: Allowed
) -> Any:
    """A threshold name (``-name`` negates it) or a number; either must fit ``allowed``.

    ``default`` is returned when the field is missing; ``...`` makes the field required.
    """
    path = f"{where}.{key}"
    what = f"{allowed.describe()}, or the name of a threshold{' in s' if allowed.is_time else ''}"
    if key not in data:
        return r.default(path, default, f"is required: {what}")
    value = data[key]
    if isinstance(value, str):
        if value.removeprefix("-") not in thresholds:
            names = ", ".join(thresholds) or "none"
            r.fail(path, f"{value!r} is not a threshold of this file (thresholds: {names}); give {what}")
        _threshold_fits(r, path, value, thresholds, allowed)
        return value
    if not is_number(value):
        r.fail(path, f"must be {what}, got {show(value)}")
    check_range(r.file, path, float(value), allowed.low, allowed.high, allowed.unit or allowed.noun)
    return float(value)


def _threshold_fits(r: Reader, path: str, ref: str, thresholds: dict[str, Threshold], allowed: Allowed) -> None:
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
            f"threshold {ref!r} may be tuned over {span(low, high, t.unit)}, but this field allows "
            f"{allowed.span()}: narrow the threshold's range",
        )


_CONDITION_KEYS = {"metric", "above", "below", "from_baseline", "minus", "abs"}
_CONDITION_EXAMPLE = "{metric: hip_angle, above: up_angle}"
CONDITIONS_WHAT = f"a list of conditions like '{_CONDITION_EXAMPLE}'"


def read_metric_name(r: Reader, data: dict, key: str, where: str, metrics: dict[str, MetricSpec]) -> str:
    """A field naming one of this file's metrics."""
    name = r.get(data, key, where, str, what="the name of a metric of this file")
    if name not in metrics:
        r.fail(f"{where}.{key}", f"{name!r} is not a metric of this file (metrics: {', '.join(metrics)})")
    return name


def read_condition(r: Reader, item: Any, here: str, metrics: dict, thresholds: dict) -> Condition:
    item = r.mapping(item, here, f"a condition like '{_CONDITION_EXAMPLE}'")
    r.unknown_keys(item, here, _CONDITION_KEYS)
    metric = read_metric_name(r, item, "metric", here, metrics)
    ops = [k for k in ("above", "below") if k in item]
    if len(ops) != 1:
        r.fail(here, "needs exactly one of 'above' or 'below'")
    from_baseline = r.get(item, "from_baseline", here, bool, False)
    minus = read_ref(r, item, "minus", here, thresholds, None, metric_range(metrics[metric].kind, change=True))
    change = from_baseline or minus is not None
    return Condition(
        metric=metric,
        op=ops[0],
        ref=read_ref(r, item, ops[0], here, thresholds, ..., metric_range(metrics[metric].kind, change)),
        from_baseline=from_baseline,
        minus=minus,
        absolute=r.get(item, "abs", here, bool, False),
    )


def read_conditions(r: Reader, items: Any, where: str, metrics: dict, thresholds: dict) -> tuple[Condition, ...]:
    if items is None:
        r.fail(where, f"is required: {CONDITIONS_WHAT}")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        r.fail(where, f"must be {CONDITIONS_WHAT}, got {show(items)}")
    return tuple(read_condition(r, item, f"{where}[{i}]", metrics, thresholds) for i, item in enumerate(items))


def read_range(r: Reader, data: dict, where: str) -> tuple[float, float]:
    """A ``range: [low, high]`` field."""
    what = "[low, high]: two numbers with low below high, e.g. [130, 178]"
    rng = r.get(data, "range", where, list, what=what)
    if len(rng) != 2 or not all(is_number(v) for v in rng) or rng[0] >= rng[1]:
        r.fail(f"{where}.range", f"must be {what}, got {show(rng)}")
    return float(rng[0]), float(rng[1])


def read_threshold(r: Reader, name: str, data: Any) -> Threshold:
    where = f"thresholds.{name}"
    data = r.mapping(data, where)
    r.unknown_keys(data, where, {"value", "unit", "range", "description", "why", "step"})
    low, high = read_range(r, data, where)
    unit = r.get(data, "unit", where, str, what="the unit as text, e.g. deg, s, torso")
    if not unit.strip():
        r.fail(f"{where}.unit", "must not be empty: give the unit, e.g. deg, s, torso")
    value = r.number(data, "value", where, Allowed(low, high, unit))
    step = r.number(data, "step", where, Allowed(0, high - low, unit), None)
    if step is not None and step <= 0:
        r.fail(f"{where}.step", f"must be above 0 (and at most the width of the range, {fmt(high - low)} {unit})")
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


def _landmarks(r: Reader, data: dict, key: str, where: str, default: Any = ...) -> list[str] | None:
    points = r.get(data, key, where, list, default, what="a list of landmark names like [shoulder, hip, knee]")
    for i, p in enumerate(points or []):
        if not isinstance(p, str) or not is_valid_reference(p):
            r.fail(f"{where}.{key}[{i}]", f"{show(p)} is not a landmark name (e.g. hip, left_knee, mid_shoulder)")
    return points


def read_metric(r: Reader, name: str, data: Any) -> MetricSpec:
    where = f"metrics.{name}"
    data = r.mapping(data, where)
    r.unknown_keys(data, where, {"kind", "points", "unit", "description", "axis", "scale", "min_visibility", "pick",
                                 "space", "level"})
    kind = r.get(data, "kind", where, str, allowed=tuple(METRIC_KINDS))
    space = r.get(data, "space", where, str, "image", allowed=SPACES)
    if space == "world" and kind not in WORLD_KINDS:
        r.fail(f"{where}.space", f"'world' applies only to metrics of kind {', '.join(WORLD_KINDS)}, not to a {kind} "
               "metric: remove it (the metric is then measured in the picture)")
    points = _landmarks(r, data, "points", where)
    need = METRIC_KINDS[kind].points
    if (need is not None and len(points) != need) or not points:
        r.fail(f"{where}.points", f"a {kind} metric takes {need or 'one or more'} points, got {len(points)}")
    if kind in WORLD_ONLY_KINDS and space != "world":
        r.fail(f"{where}.space", f"a {kind} metric needs depth: give 'space: world' (the pose model's 3-D landmarks)")
    if kind not in AXIS_KINDS:
        r.not_here(data, where, ("axis",), " and ".join(AXIS_KINDS) + " metrics", f"a {kind} metric")
    if METRIC_KINDS[kind].is_angle:
        r.not_here(data, where, ("scale",), "metrics measured in body sizes (offsets, distances, speeds)", "an angle")
    axis = _landmarks(r, data, "axis", where, None)
    if kind in AXIS_KINDS and (not axis or len(axis) != 2):
        r.fail(f"{where}.axis", f"a {kind} metric needs 'axis: [from_landmark, to_landmark]'")
    return MetricSpec(
        name=name,
        kind=kind,
        points=tuple(points),
        unit=r.get(data, "unit", where, str, METRIC_KINDS[kind].unit),
        description=r.get(data, "description", where, str, ""),
        axis=tuple(axis) if axis else None,
        scale=r.get(data, "scale", where, str, "torso", allowed=SCALES),
        min_visibility=float(r.number(data, "min_visibility", where, FIELD_RANGES["metrics.min_visibility"], 0.5)),
        pick=r.get(data, "pick", where, str, None, allowed=("max", "min")),
        space=space,
        level=_level(r, data, where, kind, space),
    )


def _level(r: Reader, data: dict, where: str, kind: str, space: str) -> bool:
    """``level: true``: a world ``axis_offset`` along its axis laid level with the floor."""
    level = r.get(data, "level", where, bool, False)
    if level and (kind != "axis_offset" or space != "world"):
        r.fail(f"{where}.level", "applies only to axis_offset metrics with 'space: world': remove it")
    return level
