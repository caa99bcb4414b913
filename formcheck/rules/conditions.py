"""What a rule's :class:`~formcheck.rules.schema.Condition` means, in one place.

The same code evaluates one frame (``values`` maps metric names to floats: the engine) or a
whole series at once (``values`` maps metric names to arrays: recognition). A NaN value, a
metric missing from ``values`` and a from-baseline condition without a known baseline never
satisfy a condition.

Example:
    >>> from formcheck.rules.schema import Condition
    >>> c = Condition("hip_angle", "above", 160.0)
    >>> conditions_hold((c,), {"hip_angle": 170.0}, float)
    True
    >>> conditions_hold((c,), {"hip_angle": np.array([150.0, 170.0, np.nan])}, float)
    array([False,  True, False])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from formcheck.rules.schema import Condition

#: A metric's value in one frame, or its values over a series of frames.
Value = float | np.ndarray
#: How a threshold reference (a threshold name, ``-name``, or a number) becomes a number:
#: normally :meth:`formcheck.rules.schema.Rule.value`.
ValueOf = Callable[[str | float], float]


def compare(x: Value, op: str, ref: float) -> bool | np.ndarray:
    """``x`` is ``above`` / ``below`` ``ref`` (NaN is neither)."""
    if isinstance(x, np.ndarray):
        with np.errstate(invalid="ignore"):
            return x > ref if op == "above" else x < ref
    return bool(x > ref if op == "above" else x < ref)


def condition_value(
    cond: Condition, values: Mapping[str, Value], value_of: ValueOf, baseline: Mapping[str, Value] | None = None
) -> Value:
    """The number a condition compares: the metric, minus its resting baseline and/or a
    constant when the condition says so, made absolute when it says so."""
    x = values.get(cond.metric, math.nan)
    if cond.from_baseline:
        x = x - (baseline or {}).get(cond.metric, math.nan)
    if cond.minus is not None:
        x = x - value_of(cond.minus)
    return abs(x) if cond.absolute else x


def condition_holds(
    cond: Condition, values: Mapping[str, Value], value_of: ValueOf, baseline: Mapping[str, Value] | None = None
) -> bool | np.ndarray:
    """One condition holds (per frame when ``values`` holds arrays)."""
    return compare(condition_value(cond, values, value_of, baseline), cond.op, value_of(cond.ref))


def conditions_hold(
    conditions: Iterable[Condition],
    values: Mapping[str, Value],
    value_of: ValueOf,
    baseline: Mapping[str, Value] | None = None,
) -> bool | np.ndarray:
    """All conditions hold: a ``bool`` for scalar values (``True`` when there are no
    conditions), a boolean array as soon as one condition's metric is an array."""
    results = [condition_holds(cond, values, value_of, baseline) for cond in conditions]
    if not any(isinstance(r, np.ndarray) for r in results):
        return all(results)
    return functools.reduce(np.logical_and, results)


def conditions_known(conditions: Iterable[Condition], values: Mapping[str, Value]) -> bool | np.ndarray:
    """Every condition's metric has a value (not NaN, not missing): per frame for arrays."""
    known: bool | np.ndarray = True
    for cond in conditions:
        x = values.get(cond.metric, math.nan)
        known = known & (np.isfinite(x) if isinstance(x, np.ndarray) else math.isfinite(x))
    return known


__all__ = [
    "Value", "ValueOf", "compare", "condition_holds", "condition_value", "conditions_hold", "conditions_known",
]  # fmt: skip
