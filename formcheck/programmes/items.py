"""Reading one programme item (exercise, dose, profile, instructions) from a programme file.

The numbers are read by :mod:`formcheck.programmes.dose` (``rest_s`` defaults to 30 s). An item
says how much to do with ``reps``, ``hold_s`` or ``duration_s``. An exercise with no rule
file must say ``camera: false`` and give ``instructions``, so a misspelt id is still caught.
The progression is read by :mod:`formcheck.programmes.progression`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.programmes.dose import DOSE, read_number
from formcheck.programmes.exercises import catalogue_rule, unknown_exercise
from formcheck.programmes.problems import Problems
from formcheck.programmes.progression import read_progression
from formcheck.programmes.schema import ProgrammeItem
from formcheck.rules.reader import Reader
from formcheck.rules.schema import Rule

ITEM_KEYS = {
    "exercise", "name", "camera", "sets", "reps", "hold_s", "duration_s", "per_side", "rest_s", "profile",
    "progression", "instructions",
}  # fmt: skip
AMOUNTS = ("reps", "hold_s", "duration_s")
_ID = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class Exercise:
    """What an item's ``exercise`` (and ``camera``) name: the id and its rule, if checked by camera."""

    id: str
    rule: Rule | None


def _exercise(r: Reader, data: dict, where: str, known: dict[str, Path]) -> Exercise:
    exercise_id = r.get(data, "exercise", where, str, what="the exercise id, e.g. glute_bridge")
    camera = r.get(data, "camera", where, bool, True)
    if exercise_id in known:
        return Exercise(exercise_id, catalogue_rule(known[exercise_id]) if camera else None)
    if camera:
        r.fail(f"{where}.exercise", unknown_exercise(exercise_id, list(known)))
    if not _ID.fullmatch(exercise_id):
        r.fail(f"{where}.exercise", f"{exercise_id!r} must be lower-case letters, digits and underscores")
    return Exercise(exercise_id, None)


def _texts(p: Problems, data: dict, where: str, exercise: Exercise) -> tuple[str, str]:
    """``name`` (default: the rule's) and ``instructions`` (default: none; the coach then says the rule's)."""
    r, rule = p.reader, exercise.rule
    default_name = rule.name if rule else exercise.id.replace("_", " ").capitalize()
    name = p.check(lambda: r.get(data, "name", where, str, default_name))
    if rule is None and "instructions" not in data:
        p.add(f"{where}.instructions", "is required for an exercise done without camera checks: say what to do")
    instructions = p.check(lambda: r.get(data, "instructions", where, str, ""))
    return name or exercise.id, instructions or ""


def _profile(r: Reader, data: dict, where: str) -> str | None:
    """A saved profile's name; only its form is checked (the profile is found when the programme runs)."""
    name = r.get(data, "profile", where, str, None, what="the name of a saved threshold profile")
    if name is not None and not re.search(r"[A-Za-z0-9]", name):
        r.fail(f"{where}.profile", f"{name!r} must name a saved threshold profile (letters or digits)")
    return name.strip() if name is not None else None


def _check_amount(p: Problems, data: dict, where: str, exercise: Exercise | None) -> None:
    """The item says how much to do, in a way its rule can measure."""
    if not any(k in data for k in AMOUNTS):
        p.add(where, "needs reps, hold_s or duration_s: how many reps, or how long to hold or to keep going")
    elif exercise and exercise.rule and exercise.rule.rep is None and not {"hold_s", "duration_s"} & set(data):
        p.add(where, f"{exercise.rule.name} is a hold (formcheck times it and counts no reps): give hold_s, "
                     "the seconds of each hold")


def read_item(p: Problems, i: int, data: Any, known: dict[str, Path]) -> ProgrammeItem | None:
    """Item ``i``, or None when it has problems (all of them noted in ``p``)."""
    r, where = p.reader, f"items[{i}]"
    item = p.check(lambda: r.mapping(data, where, "an exercise: 'exercise: id' with its sets and reps or hold_s"))
    if item is None:
        return None
    before = len(p.found)
    p.check(lambda: r.unknown_keys(item, where, ITEM_KEYS))
    exercise = p.check(lambda: _exercise(r, item, where, known))
    dose = {k: p.check(lambda k=k: read_number(r, item, k, where, ... if k == "sets" else None)) for k in DOSE}
    per_side = p.check(lambda: r.get(item, "per_side", where, bool, False))
    profile = p.check(lambda: _profile(r, item, where))
    progression = read_progression(p, item, where)
    _check_amount(p, item, where, exercise)
    if exercise is None:
        return None
    if profile and exercise.rule is None:
        p.add(f"{where}.profile", "a threshold profile tunes camera checks, and this exercise is done without them")
    name, instructions = _texts(p, item, where, exercise)
    if len(p.found) > before:
        return None
    return ProgrammeItem(
        exercise=exercise.id, name=name, sets=dose["sets"], reps=dose["reps"], hold_s=dose["hold_s"],
        per_side=bool(per_side), rest_s=30.0 if dose["rest_s"] is None else dose["rest_s"], profile=profile,
        progression=progression, has_rule=exercise.rule is not None, instructions=instructions,
        duration_s=dose["duration_s"],
    )  # fmt: skip


__all__ = ["ITEM_KEYS", "read_item"]
