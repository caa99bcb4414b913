"""The hold timer: time spent at a rep's top (``when: top``) or while the hold's conditions hold."""

from __future__ import annotations

from formcheck.engine.status import Event
from formcheck.results import Hold
from formcheck.rules.conditions import ValueOf
from formcheck.rules.schema import HoldSpec
from formcheck.texts import hold_target_reached


class HoldTimer:
    """Times a rule's hold, announces its target, and records each hold long enough to count."""

    def __init__(self, spec: HoldSpec | None, value_of: ValueOf) -> None:
        self.spec = spec
        self.at_top = spec is not None and spec.when == "top"
        self.target_s = value_of(spec.target_s) if spec else 0.0
        self.min_s = value_of(spec.min_s) if spec else 0.0
        self.release_s = value_of(spec.release_s) if spec else 0.0
        self.holds: list[Hold] = []
        #: Holding now (at the top, for a ``when: top`` hold).
        self.active = False
        self.started_s = 0.0
        self.last_true_s = 0.0
        #: How long the current hold has lasted (0 when not holding).
        self.duration_s = 0.0
        self._announced = False

    def record(self, start_s: float, end_s: float) -> None:
        """Keep a finished hold if it lasted at least the rule's minimum."""
        if end_s - start_s >= self.min_s:
            self.holds.append(Hold(start_s, end_s, self.target_s))

    def new_top(self) -> None:
        """A rep reached its top: its hold may be announced again."""
        self._announced = False

    def update_top(self, in_top: bool, still_up: bool, top_start_s: float, t: float, events: list[Event]) -> None:
        """A ``when: top`` hold at ``t``: ``still_up`` while the rep metric stays past its enter threshold."""
        self.active = in_top
        self._advance(t - top_start_s if still_up else 0.0, t, events)

    def update(self, true: bool, t: float, events: list[Event]) -> str | None:
        """A conditions hold at ``t``; returns ``"started"`` or ``"ended"`` when it did."""
        change = None
        if true:
            self.last_true_s = t
            if not self.active:
                self.active, self.started_s = True, t
                self._announced = False
                events.append(Event("hold_started", t))
                change = "started"
        elif self.active and t - self.last_true_s >= self.release_s:
            self.active = False
            self.record(self.started_s, self.last_true_s)
            events.append(Event("hold_ended", t))
            change = "ended"
        self._advance(t - self.started_s if self.active else 0.0, t, events)
        return change

    def finish(self) -> None:
        """End of the clip: keep a conditions hold still going."""
        if not self.at_top and self.active:
            self.record(self.started_s, self.last_true_s)
            self.active = False

    def _advance(self, duration_s: float, t: float, events: list[Event]) -> None:
        if duration_s >= self.target_s and not self._announced and duration_s > 0:
            self._announced = True
            events.append(Event("hold_target", t, hold_target_reached(self.target_s)))
        self.duration_s = duration_s


__all__ = ["HoldTimer"]
