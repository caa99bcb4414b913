"""Spoken cues of the live page: the engine's events through the one cue policy the coach uses
too (:class:`~formcheck.outputs.cue_schedule.CueScheduler`: priorities, rate limit, repeats,
stale cues), on the page's own clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from formcheck.engine.status import Event
from formcheck.outputs.cue_schedule import Cue, CueScheduler, engine_cue


class LiveCues:
    """What the live page says: :meth:`offer` the engine's new events, then :meth:`next_cue`
    gives one cue at a time (or None), timed by ``clock`` (seconds)."""

    def __init__(self, scheduler: CueScheduler | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.scheduler = scheduler or CueScheduler()
        self._clock = clock

    def offer(self, events: Iterable[Event]) -> None:
        """Consider the events worth saying (see :func:`~formcheck.outputs.cue_schedule.engine_cue`)."""
        now = self._clock()
        for event in events:
            cue = engine_cue(event)
            if cue is not None:
                text, priority, key = cue
                self.scheduler.push(text, priority, key, now)

    def next_cue(self) -> Cue | None:
        """The cue to say now, or None."""
        return self.scheduler.next_cue(self._clock())


__all__ = ["LiveCues"]
