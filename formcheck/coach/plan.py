"""A programme and a week → the ordered list of sets a coached session works through.

Each :class:`PlannedSet` carries its exercise's rule (the catalogue rule, or the saved
threshold profile the programme names) already dosed for the week: the hold target set to
the prescribed hold and the prescription's reps shown on the overlay's counter. Per-side
items give a left and then a right set for each set number. An exercise without a rule is
planned as a timed set (``rule`` None, ``duration_s`` its length): listed, never dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError, RuleFileError
from formcheck.programmes.schema import Programme, ProgrammeItem
from formcheck.rules.catalog import load_rule
from formcheck.rules.profiles import list_profiles, load_profile
from formcheck.rules.schema import Rule

#: A timed exercise prescribed in reps only (no camera to count them) lasts this long per rep.
TIMED_REP_S = 4.0
#: A timed exercise with no dose at all lasts this long.
TIMED_DEFAULT_S = 60.0
SIDES = ("left", "right")


@dataclass(frozen=True)
class PlannedSet:
    """One set of a session: what to do, against which target, and how long to rest after it.

    Attributes:
        item_index: position of the exercise in the programme (0-based).
        exercise, name: exercise id and the name shown and spoken.
        rule: the dosed rule (camera checks), or None for an exercise done without camera checks.
        set_index, sets: this set's number (1-based) and the sets of the exercise (per side).
        side: "left"/"right" for a per-side exercise, else None.
        target_reps: reps to do (None: a hold or a timed set).
        target_hold_s: seconds to hold (each rep's hold, or the whole hold when there are no reps).
        duration_s: how long a timed set lasts (a set done without camera checks, or a rule's
            "for N seconds" dose); None when the set ends on its reps or hold.
        rest_s: rest after this set.
        instructions: what to do, said when the exercise is announced.
        setup: where to put the camera (the rule's set-up text; empty without a rule).
        view: the camera view this set is filmed from ("side", "front", "any"), None without a
            rule: the rule's preferred view, or the previous camera-checked set's view when the
            rule supports that one too (the camera is not moved mid-routine for nothing).
    """

    item_index: int
    exercise: str
    name: str
    rule: Rule | None
    set_index: int
    sets: int
    side: str | None
    target_reps: int | None
    target_hold_s: float | None
    duration_s: float | None
    rest_s: float
    instructions: str
    setup: str
    view: str | None

    @property
    def camera_checked(self) -> bool:
        return self.rule is not None

    @property
    def counts_side(self) -> str | None:
        """The side whose reps count in this set: the set's side when the rule tells sides apart."""
        return self.side if self.rule is not None and self.rule.is_alternating else None


RuleSource = Callable[[str], Rule]


def plan_sets(programme: Programme, week: int = 1, rules: RuleSource = load_rule,
              profiles_folder: Path | None = None) -> list[PlannedSet]:
    """The sets of ``programme`` in ``week`` (1 = its first week), in the order they are done.

    Args:
        rules: exercise id → rule (default: the catalogue).
        profiles_folder: where saved threshold profiles live (default: the profiles folder).

    Raises:
        FormcheckError: the week is not a whole number from 1, a threshold profile the
            programme names is not saved, or a prescribed hold is outside the rule's range.
    """
    if isinstance(week, bool) or not isinstance(week, int) or week < 1:
        raise FormcheckError(f"programme {programme.id}: week must be a whole number from 1, got {week!r}")
    out: list[PlannedSet] = []
    for index, item in enumerate(programme.items):
        out += _item_sets(programme, index, item, week, rules, profiles_folder)
    return _keep_camera(out)


def _supports(rule: Rule, view: str) -> bool:
    return view in rule.supported_views or "any" in rule.supported_views


def _first_view(rules: list[Rule]) -> str | None:
    """The view to start the session in: of the first rule's views, the one the most exercises
    in a row from the start support (its preferred view on a tie)."""
    if not rules:
        return None

    def run(view: str) -> int:
        return next((i for i, rule in enumerate(rules) if not _supports(rule, view)), len(rules))

    views = [v for v in rules[0].supported_views if v != "any"]
    return max(views, key=run) if views else None


def _keep_camera(sets: list[PlannedSet]) -> list[PlannedSet]:
    """Each camera-checked set filmed from the view the camera is already in when its rule
    supports it (knee rolls after glute bridges stay side-on), else from its preferred view; the
    first from the view that serves the most exercises in a row (a routine opening with knee
    rolls, then bridges, starts side-on)."""
    in_use = _first_view([ps.rule for ps in sets if ps.rule is not None])
    out = []
    for ps in sets:
        if ps.rule is not None:
            if in_use is not None and _supports(ps.rule, in_use):
                ps = dataclasses.replace(ps, view=in_use)
            in_use = ps.view if ps.view != "any" else in_use
        out.append(ps)
    return out


def _item_sets(programme: Programme, index: int, item: ProgrammeItem, week: int, rules: RuleSource,
               profiles_folder: Path | None) -> list[PlannedSet]:
    """The planned sets of one programme item."""
    reps, hold_s = item.dose_for_week(week)
    rule = _dosed(programme, item, _item_rule(programme, item, rules, profiles_folder), reps, hold_s) \
        if item.has_rule else None
    if rule is None:
        duration: float | None = item.duration_s or _timed_length(reps, hold_s)
    else:  # a checked set ends on its reps or hold; on the clock only when that is its dose
        duration = (item.duration_s or TIMED_DEFAULT_S) if reps is None and hold_s is None else None
    base = PlannedSet(
        item_index=index, exercise=item.exercise, name=item.name, rule=rule, set_index=1, sets=item.sets, side=None,
        target_reps=reps, target_hold_s=hold_s, duration_s=duration, rest_s=item.rest_s,
        instructions=item.instructions or (rule.summary if rule is not None else ""),
        setup=rule.setup if rule is not None else "", view=rule.view if rule is not None else None,
    )
    sides = SIDES if item.per_side else (None,)
    return [dataclasses.replace(base, set_index=n, side=side) for n in range(1, item.sets + 1) for side in sides]


def _timed_length(reps: int | None, hold_s: float | None) -> float:
    """How long a set done without camera checks lasts: its holds, else its reps at a steady pace."""
    if hold_s:
        return hold_s * (reps or 1)
    return reps * TIMED_REP_S if reps else TIMED_DEFAULT_S


def _item_rule(programme: Programme, item: ProgrammeItem, rules: RuleSource, folder: Path | None) -> Rule:
    """The catalogue rule of the item's exercise, or the saved profile it names."""
    if not item.profile:
        try:
            return rules(item.exercise)
        except FormcheckError as exc:
            raise FormcheckError(f"programme {programme.id}: {item.name}: {exc}") from None
    path = Path(item.profile).expanduser()
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_profile(path)
    saved = list_profiles(item.exercise, folder)
    wanted = item.profile.strip().lower()
    match = next((p for p in saved if p.name.lower() == wanted), None)
    if match is None:
        names = ", ".join(p.name for p in saved) or "none"
        raise FormcheckError(f"programme {programme.id}: {item.name}: no saved threshold profile named "
                             f"{item.profile!r} for {item.exercise} (saved: {names})")
    return load_profile(match.path)


def _dosed(programme: Programme, item: ProgrammeItem, rule: Rule, reps: int | None, hold_s: float | None) -> Rule:
    """The rule with the week's dose: its hold target set to the prescribed hold, and the
    prescription (shown on the overlay's counter) replaced by the dose."""
    if reps is None and hold_s is not None and rule.hold is None:
        raise FormcheckError(f"programme {programme.id}: {item.name}: the {rule.name.lower()} has no hold to "
                             "time; prescribe reps instead")
    target = rule.hold.target_s if rule.hold is not None else None
    if hold_s is not None and isinstance(target, str) and rule.value(target) != hold_s:
        try:
            rule = rule.with_thresholds({target: hold_s})
        except RuleFileError as exc:
            raise FormcheckError(f"programme {programme.id}: {item.name}: a hold of {hold_s:g} s cannot be "
                                 f"checked: {exc.problem}") from None
    prescription = {"sets": item.sets, "per_side": item.per_side}
    if reps is not None:
        prescription["reps"] = reps
    if hold_s is not None:
        prescription["hold_s"] = hold_s
    if item.duration_s is not None:
        prescription["duration_s"] = item.duration_s
    return dataclasses.replace(rule, prescription=prescription)


def dose_text(ps: PlannedSet) -> str:
    """The dose of a set in words: ``"10 reps, holding each 5 seconds"``, ``"hold 20 seconds"``."""
    each = " each side" if ps.side else ""
    if ps.target_reps is not None:
        text = f"{ps.target_reps} reps{each}"
        return text + (f", holding each {ps.target_hold_s:g} seconds" if ps.target_hold_s else "")
    if ps.target_hold_s is not None:
        return f"hold {ps.target_hold_s:g} seconds{each}"
    return f"{ps.duration_s or 0:g} seconds{each}"


__all__ = ["SIDES", "TIMED_DEFAULT_S", "TIMED_REP_S", "PlannedSet", "dose_text", "plan_sets"]
