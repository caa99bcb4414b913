"""What the programme runner tells its faces, as plain data: events and the state snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.coach.plan import PlannedSet
from formcheck.engine.status import EngineStatus
from formcheck.history.records import SetRecord
from formcheck.live.checklist import SetupCheck
from formcheck.outputs.cue_schedule import Priority

#: The runner's phases: announce the set → set up (camera view, then the start position) →
#: active (counting) → rest → ... → done; stopped after "Stop — it hurts".
PHASES = ("announce", "setup", "active", "rest", "done", "stopped")
#: CoachEvent kinds.
EVENT_KINDS = ("say", "set_done", "exercise_start", "rest", "session_done", "pain_stop")


@dataclass(frozen=True)
class CoachEvent:
    """Something the page acts on.

    ``say``: speak ``text`` now (already rate-limited and prioritised; ``priority`` SAFETY:
    interrupt whatever is being said). ``set_done`` and ``pain_stop`` carry the set's
    ``record`` (save it at once). ``exercise_start``, ``rest`` and ``session_done`` carry the
    announcement, the rest and the written summary as ``text``.
    """

    kind: str
    t: float
    text: str = ""
    priority: Priority | None = None
    record: SetRecord | None = None


@dataclass(frozen=True)
class CoachState:
    """A snapshot for the page.

    Attributes:
        phase: one of :data:`PHASES`; ``paused`` says whether the session is paused in it.
        current: the set announced, being set up or done; during the rest, the next set.
        index, total: the current set's position in the plan (0-based) and the number of sets.
        reps, target_reps, hold_s, target_hold_s: the set's counts against its dose.
        time_left_s: seconds left of the announcement, the rest or a set on the clock, else None.
        setup: the camera set-up checklist (with a start-position line), None without camera checks.
        message: what to do now, in words (for the screen).
        cue: the newest cue's words (shown even when muted), or "".
        status: the engine's newest status (for the overlay), None without camera checks.
    """

    phase: str
    paused: bool
    muted: bool
    current: PlannedSet | None
    index: int
    total: int
    reps: int
    target_reps: int | None
    hold_s: float
    target_hold_s: float | None
    time_left_s: float | None
    setup: SetupCheck | None
    message: str
    cue: str
    status: EngineStatus | None

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "stopped")


__all__ = ["EVENT_KINDS", "PHASES", "CoachEvent", "CoachState"]
