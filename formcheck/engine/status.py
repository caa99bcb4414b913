"""What the engine tells its faces, as plain data: events and the status snapshot.

Kept apart from the engine so the overlay and the live page can name these types without
importing the state machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from formcheck.results import FaultEvent, SetupWarning


@dataclass
class Event:
    """Something the live page may announce: a rep, a fault cue, a hold reaching target."""

    kind: str
    t: float
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class EngineStatus:
    """A snapshot for the overlay and the live page."""

    t: float
    phase: str
    rep_count: int
    reps_by_side: dict[str, int]
    hold_s: float
    hold_target_s: float
    active_faults: list[FaultEvent]
    active_warnings: list[SetupWarning]
    values: dict[str, float]
    near_side: str
    counting: bool


__all__ = ["EngineStatus", "Event"]
