"""Where the set is: the phase, and when counting started."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.engine.status import Event
from formcheck.texts import COUNTING_STARTED


@dataclass
class Counting:
    """The phase of the set and when counting (last) started.

    Phases with a rep: ``setup`` (waiting for the start position) → ``bottom`` → ``moving`` →
    ``top`` → back to ``bottom``. Without a rep they follow the hold: ``setup`` → ``hold`` ⇄ ``rest``.
    """

    phase: str = "setup"
    started_s: float | None = None

    def begin(self, t: float, events: list[Event]) -> None:
        """The start position is reached at ``t``: count from now."""
        self.phase = "bottom"
        self.started_s = t
        events.append(Event("counting_started", t, COUNTING_STARTED))


__all__ = ["Counting"]
