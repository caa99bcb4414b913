"""How long a programme takes: the minutes ``formcheck programmes`` shows.

A rough figure, not a promise: each rep takes :data:`SECONDS_PER_REP` plus its hold, a set
of a timed item its ``duration_s``, a hold-only set its hold; sides double the sets of a
``per_side`` item; each set but the last of an item is followed by its rest; each exercise
adds :data:`SETUP_S` to hear what to do and get into position.
"""

from __future__ import annotations

import math

from formcheck.programmes.schema import Programme, ProgrammeItem

#: A slow, controlled rep as the guides ask for (down and up, without the hold).
SECONDS_PER_REP = 4.0
#: Hearing the exercise, moving the camera if needed and getting into the start position.
SETUP_S = 30.0


def item_seconds(item: ProgrammeItem, week: int = 1) -> float:
    """Seconds ``item`` takes in ``week``, rests and set-up included."""
    reps, hold_s = item.dose_for_week(week)
    if item.duration_s is not None:
        set_s = item.duration_s
    elif reps is not None:
        set_s = reps * (SECONDS_PER_REP + (hold_s or 0.0))
    else:
        set_s = hold_s or 0.0
    sets = item.sets * (2 if item.per_side else 1)
    return SETUP_S + sets * set_s + (sets - 1) * item.rest_s


def estimate_minutes(programme: Programme, week: int = 1) -> int:
    """Whole minutes (rounded up) the programme takes in ``week``."""
    return math.ceil(sum(item_seconds(i, week) for i in programme.items) / 60)


__all__ = ["SECONDS_PER_REP", "SETUP_S", "estimate_minutes", "item_seconds"]
