"""Reading an item's progression: how its dose grows over the weeks.

A step is ``{weeks: "1-2", reps: 5}``; ``weeks`` is ``"1-2"``, ``[1, 2]``, ``"5+"`` (week 5
onwards) or one week (``3``), weeks 1-52. Steps go in week order and do not overlap; a step
changes only what its item prescribes (``reps`` and/or ``hold_s``), within the item's ranges.
"""

from __future__ import annotations

import re
from typing import Any

from formcheck.programmes.dose import read_number
from formcheck.programmes.problems import Problems
from formcheck.programmes.schema import ProgressionStep
from formcheck.rules.reader import Reader, is_number, show

MAX_WEEK = 52
WEEKS_WHAT = f"a week range like '1-2', [1, 2] or '5+' (week 5 onwards), weeks 1 to {MAX_WEEK}"
_RANGE = re.compile(r"\s*(\d+)\s*(?:(-)\s*(\d+)|(\+))?\s*")


def weeks_text(step: ProgressionStep) -> str:
    """``1-2``, ``5+`` or ``3``: how the file (and a person) writes the step's weeks."""
    if step.week_to is None:
        return f"{step.week_from}+"
    return str(step.week_from) if step.week_to == step.week_from else f"{step.week_from}-{step.week_to}"


def _parse_weeks(value: Any) -> tuple[int, int | None] | None:
    """``(from, to)`` (``to`` None: onwards), or None when ``value`` is not a week range."""
    if is_number(value) and value == int(value):
        return int(value), int(value)
    if isinstance(value, list) and len(value) == 2 and all(is_number(v) and v == int(v) for v in value):
        return int(value[0]), int(value[1])
    match = _RANGE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    first = int(match.group(1))
    return first, None if match.group(4) else int(match.group(3) or first)


def read_weeks(r: Reader, step: dict, where: str) -> tuple[int, int | None]:
    """A step's ``weeks``, checked on its own (the order of steps is checked after)."""
    if "weeks" not in step:
        r.fail(f"{where}.weeks", f"is required: {WEEKS_WHAT}")
    weeks = _parse_weeks(step["weeks"])
    if weeks is None:
        r.fail(f"{where}.weeks", f"must be {WEEKS_WHAT}, got {show(step['weeks'])}")
    first, last = weeks
    if not 1 <= first <= MAX_WEEK or not 1 <= (last or first) <= MAX_WEEK:
        r.fail(f"{where}.weeks", f"must be {WEEKS_WHAT}, got {show(step['weeks'])}")
    if last is not None and last < first:
        r.fail(f"{where}.weeks", f"week {last} comes before week {first}: write the first week first, e.g. "
                                 f"'{last}-{first}'")
    return first, last


def _step(p: Problems, data: Any, where: str, item: dict) -> ProgressionStep | None:
    r = p.reader
    step = p.check(lambda: r.mapping(data, where, "a step like '{weeks: 1-2, reps: 5}'"))
    if step is None:
        return None
    before = len(p.found)
    p.check(lambda: r.unknown_keys(step, where, {"weeks", "reps", "hold_s"}))
    weeks = p.check(lambda: read_weeks(r, step, where))
    dose = {k: p.check(lambda k=k: read_number(r, step, k, where)) for k in ("reps", "hold_s")}
    if not any(k in step for k in dose):
        p.add(where, "needs reps or hold_s: the dose in these weeks")
    for key in dose:
        if key in step and key not in item:
            p.add(f"{where}.{key}", f"the item gives no {key}, so its progression cannot change it: "
                                    f"give the item's {key} too, or remove it here")
    if len(p.found) > before or weeks is None:
        return None
    return ProgressionStep(weeks[0], weeks[1], dose["reps"], dose["hold_s"])


def _check_order(p: Problems, steps: list[tuple[int, ProgressionStep]], where: str) -> None:
    """Each step starts after the week where the step before it ends."""
    for (_, before), (j, step) in zip(steps, steps[1:], strict=False):
        if before.week_to is None:
            p.add(f"{where}.progression[{j}].weeks", f"comes after weeks {weeks_text(before)}, which has no end: "
                                                     "only the last step may say 'N+'")
        elif step.week_from <= before.week_to:
            p.add(f"{where}.progression[{j}].weeks",
                  f"weeks {weeks_text(step)} must start after week {before.week_to}, where the step before ends "
                  "(steps go in week order and do not overlap)")


def read_progression(p: Problems, item: dict, where: str) -> tuple[ProgressionStep, ...]:
    """The item's ``progression`` steps (empty if it has none or they have problems, noted in ``p``)."""
    if "progression" not in item:
        return ()
    r = p.reader
    raw = p.check(lambda: r.get(item, "progression", where, list,
                                what="a list of steps like '- {weeks: 1-2, reps: 5}'"))
    if raw is None:
        return ()
    if not raw:
        p.add(f"{where}.progression", "is empty: give at least one step like '- {weeks: 1-2, reps: 5}', or remove it")
    steps = [(j, s) for j, data in enumerate(raw)
             if (s := _step(p, data, f"{where}.progression[{j}]", item)) is not None]
    _check_order(p, steps, where)
    return tuple(s for _, s in steps)


__all__ = ["MAX_WEEK", "read_progression", "read_weeks", "weeks_text"]
