"""Spoken cues of the live page: which engine events are worth saying, and when to say them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from formcheck.engine.status import Event

#: Event kind (fault: by severity) → priority of the cue; kinds not listed are not spoken.
CUE_PRIORITY = {
    "stopped_for_pain": 6, "fault:critical": 5, "fault:warning": 4, "warning": 3, "setup_ok": 2,
    "counting_started": 2, "fault:info": 2, "fault_not_judged": 2,
    "rep_abandoned": 1, "rep_rejected": 1, "rep": 1, "hold_target": 1,
}


def cue_text(event: Event) -> tuple[int, str] | None:
    """``(priority, words to say)`` for an event worth saying, else None."""
    kind = f"fault:{event.data.get('severity', 'warning')}" if event.kind == "fault" else event.kind
    priority = CUE_PRIORITY.get(kind)
    if priority is None:
        return None
    if event.kind == "rep":
        side = event.data.get("side")
        return priority, f"{event.data.get('index', event.message)}" + (f", {side}" if side else "")
    return (priority, event.message) if event.message else None


class CueSpeaker:
    """Chooses what to say: one cue at a time, at most one per ``cooldown_s``, the same words
    not again within ``repeat_s``, and a cue that had to wait longer than ``max_age_s`` is dropped
    (stale advice is worse than none). Higher-priority cues replace a waiting one."""

    def __init__(self, cooldown_s: float = 3.0, repeat_s: float = 10.0, max_age_s: float = 2.5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown_s, self.repeat_s, self.max_age_s = cooldown_s, repeat_s, max_age_s
        self._clock = clock
        self._pending: tuple[int, str, float] | None = None
        self._last_spoken = -float("inf")
        self._said: dict[str, float] = {}

    def offer(self, events: Iterable[Event]) -> None:
        """Consider the events' cues: one of higher or equal priority, or any once the waiting
        cue is too old, replaces the waiting cue."""
        now = self._clock()
        for event in events:
            cue = cue_text(event)
            if cue is None:
                continue
            priority, text = cue
            if self._pending is None or priority >= self._pending[0] or now - self._pending[2] > self.max_age_s:
                self._pending = (priority, text, now)

    def next_cue(self) -> str | None:
        """The words to say now, or None."""
        now = self._clock()
        if self._pending is None or now - self._last_spoken < self.cooldown_s:
            if self._pending is not None and now - self._pending[2] > self.max_age_s:
                self._pending = None
            return None
        _, text, offered = self._pending
        self._pending = None
        if now - offered > self.max_age_s or now - self._said.get(text, -float("inf")) < self.repeat_s:
            return None
        self._last_spoken = now
        self._said[text] = now
        return text


__all__ = ["CUE_PRIORITY", "CueSpeaker", "cue_text"]
