"""Short texts every face shows the same way: the left / right rep count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

#: The sides of an alternating exercise, in the order they are shown.
SIDES: tuple[str, str] = ("left", "right")


def side_counts(reps_by_side: Mapping[str, int]) -> list[tuple[str, int]]:
    """``[("left", n), ("right", m)]``: both sides, a side without reps counted 0."""
    return [(side, int(reps_by_side.get(side, 0))) for side in SIDES]


def rep_count_text(reps_by_side: Mapping[str, int], style: Literal["slash", "words"] = "slash") -> str:
    """The left / right rep count: ``"3 / 2"`` (``style="slash"``, a metric's value) or
    ``"left 3, right 2"`` (``style="words"``, a sentence)."""
    counts = side_counts(reps_by_side)
    if style == "words":
        return ", ".join(f"{side} {n}" for side, n in counts)
    return " / ".join(str(n) for _, n in counts)


def rep_count_label(label: str = "Reps") -> str:
    """``label`` with the sides the count is split into, e.g. ``"Reps (left / right)"``."""
    return f"{label} ({' / '.join(SIDES)})"
