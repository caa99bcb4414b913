"""What to say, and when: spoken cues rate-limited by priority, so a safety message beats a count.

Cues are pushed as they arise (:meth:`CueScheduler.push`) and taken one at a time when the
speaker may talk (:meth:`CueScheduler.next_cue`): the highest priority first, at most one per
``min_gap_s`` (a safety cue preempts: it is said at once, never dropped), the same advice
not again within ``repeat_gap_s``, and a cue that waited too long for its turn is dropped
(stale advice is worse than none; a newer count replaces a waiting one). Muted, nothing is
said but :attr:`CueScheduler.latest` still holds the newest cue for the screen. All times
are the caller's (pose timestamps), so the schedule is deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

from formcheck.engine.status import Event
from formcheck.texts import rep_label


class Priority(IntEnum):
    """Cue priorities, lowest first."""

    INFO = 0
    COUNT = 1
    SETUP = 2
    FAULT = 3
    SAFETY = 4


#: How long a cue may wait for its turn before it is dropped, by priority.
MAX_WAIT_S = {Priority.INFO: 15.0, Priority.COUNT: 2.0, Priority.SETUP: 6.0, Priority.FAULT: 3.0,
              Priority.SAFETY: math.inf}


@dataclass(frozen=True)
class Cue:
    """Words to say (and show), their priority, what they are about (``key``) and when they arose."""

    text: str
    priority: Priority
    key: str
    t: float

    @property
    def interrupts(self) -> bool:
        """Say it at once, cutting off whatever is being said (a safety cue)."""
        return self.priority == Priority.SAFETY


class CueScheduler:
    """Chooses the cue to say now from the cues pushed so far.

    Args:
        min_gap_s: at most one cue per this many seconds (a safety cue does not wait).
        repeat_gap_s: the same key (the same fault, set-up line, ...) is not said again within
            this long; counts and safety cues are exempt.
        max_wait_s: how long a cue of each priority may wait (default :data:`MAX_WAIT_S`).
    """

    def __init__(self, min_gap_s: float = 2.0, repeat_gap_s: float = 10.0,
                 max_wait_s: dict[Priority, float] | None = None) -> None:
        self.min_gap_s, self.repeat_gap_s = min_gap_s, repeat_gap_s
        self.max_wait_s = {**MAX_WAIT_S, **(max_wait_s or {})}
        #: Nothing is said while muted; :attr:`latest` still follows the cues.
        self.muted = False
        #: The newest cue pushed (for the screen, spoken or not).
        self.latest: Cue | None = None
        self._waiting: list[Cue] = []
        self._last_spoken = -math.inf
        self._said: dict[str, float] = {}

    def push(self, text: str, priority: Priority, key: str | None = None, t: float = 0.0) -> None:
        """Offer a cue at time ``t``. It replaces a waiting cue with the same key; a count
        replaces a waiting count."""
        cue = Cue(text, Priority(priority), key or text, t)
        self.latest = cue
        count = cue.priority == Priority.COUNT
        self._waiting = [c for c in self._waiting
                         if c.key != cue.key and not (count and c.priority == Priority.COUNT)]
        self._waiting.append(cue)

    def next_cue(self, t: float) -> Cue | None:
        """The cue to say at ``t``, or None (nothing waiting, too soon after the last one, or muted)."""
        self._waiting = [c for c in self._waiting if t - c.t <= self.max_wait_s[c.priority]]
        if self.muted:
            self._waiting.clear()  # unmuting must not bring back old advice
            return None
        while self._waiting:
            cue = max(self._waiting, key=lambda c: (c.priority, -c.t))  # highest priority, oldest first
            if cue.priority < Priority.SAFETY and t - self._last_spoken < self.min_gap_s:
                return None
            self._waiting.remove(cue)
            if self._repeated(cue, t):
                continue
            self._last_spoken = t
            self._said[cue.key] = t
            return cue
        return None

    def waiting(self) -> list[Cue]:
        """The cues waiting for their turn (oldest first)."""
        return list(self._waiting)

    def clear(self, below: Priority = Priority.SAFETY) -> None:
        """Drop the waiting cues of lower priority than ``below`` (e.g. when a set ends)."""
        self._waiting = [c for c in self._waiting if c.priority >= below]

    def _repeated(self, cue: Cue, t: float) -> bool:
        if cue.priority in (Priority.COUNT, Priority.SAFETY):
            return False
        return t - self._said.get(cue.key, -math.inf) < self.repeat_gap_s


#: Engine event kinds worth saying and their priority (faults: by severity; reps: a count).
EVENT_PRIORITY = {
    "stopped_for_pain": Priority.SAFETY, "warning": Priority.SETUP, "setup_ok": Priority.SETUP,
    "counting_started": Priority.SETUP, "rep_rejected": Priority.INFO, "rep_abandoned": Priority.INFO,
    "hold_target": Priority.COUNT, "rep": Priority.COUNT, "fault_not_judged": Priority.INFO,
}


def engine_cue(event: Event) -> tuple[str, Priority, str] | None:
    """``(text, priority, key)`` of an engine event worth saying, else None.

    A critical fault is a safety cue; other faults are fault cues keyed by their code, so the
    same fault is not repeated within the scheduler's repeat gap.
    """
    code = event.data.get("code")
    if event.kind == "fault":
        critical = event.data.get("severity") == "critical"
        return (event.message, Priority.SAFETY if critical else Priority.FAULT, f"fault:{code}") if event.message \
            else None
    priority = EVENT_PRIORITY.get(event.kind)
    if priority is None:
        return None
    if event.kind == "rep":
        return rep_label(event.data.get("index", 0), event.data.get("side")), priority, "count"
    prefix = "not_judged" if event.kind == "fault_not_judged" else "setup"
    key = f"{prefix}:{code}" if code else event.kind
    return (event.message, priority, key) if event.message else None


__all__ = ["EVENT_PRIORITY", "MAX_WAIT_S", "Cue", "CueScheduler", "Priority", "engine_cue"]
