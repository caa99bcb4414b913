"""A programme as data: an ordered routine of exercises with their dosage (``pose_rules/programmes/*.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProgressionStep:
    """From ``week_from`` to ``week_to`` (inclusive; None = onwards) the dose is these reps / hold seconds."""

    week_from: int
    week_to: int | None
    reps: int | None = None
    hold_s: float | None = None


@dataclass(frozen=True)
class ProgrammeItem:
    """One exercise of a programme and its dosage.

    Attributes:
        exercise: exercise id (a rule in ``pose_rules/`` or, with ``has_rule`` False, a guide
            exercise formcheck cannot check with the camera: then it is timed, never dropped).
        name: the name shown and spoken.
        sets: sets to do (per side when ``per_side``).
        reps: reps per set (None for a hold-only item).
        hold_s: seconds to hold (each rep's hold, or the whole hold of a hold-only item).
        per_side: the sets are done on the left and then the right.
        rest_s: rest after each set.
        profile: name of a saved threshold profile to use instead of the catalogue rule.
        progression: how the dose grows over the weeks (the first matching step wins).
        has_rule: the exercise has a rule file (camera checks); False: done without camera checks.
        instructions: what to do, said at the start (defaults to the rule's set-up text).
        duration_s: for an item without camera checks and without reps: how long it lasts.
    """

    exercise: str
    name: str
    sets: int = 1
    reps: int | None = None
    hold_s: float | None = None
    per_side: bool = False
    rest_s: float = 30.0
    profile: str | None = None
    progression: tuple[ProgressionStep, ...] = ()
    has_rule: bool = True
    instructions: str = ""
    duration_s: float | None = None

    def dose_for_week(self, week: int) -> tuple[int | None, float | None]:
        """``(reps, hold_s)`` prescribed in ``week`` (1 = the first week of the programme)."""
        for step in self.progression:
            if step.week_from <= week and (step.week_to is None or week <= step.week_to):
                return (step.reps if step.reps is not None else self.reps,
                        step.hold_s if step.hold_s is not None else self.hold_s)
        return self.reps, self.hold_s


@dataclass(frozen=True)
class Programme:
    """A routine: its id (file stem), title, source guide and ordered items."""

    id: str
    title: str
    source: str
    items: tuple[ProgrammeItem, ...]
    description: str = ""
    author: str = ""
    extra: dict = field(default_factory=dict, compare=False)
