"""One debouncer for everything that must last before it counts: set-up warnings and frame faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

#: What an update did: the state turned on, stayed on, turned off (or nothing: ``None``).
Change = Literal["started", "continues", "ended"]


@dataclass
class Debouncer:
    """A per-frame true/false turned into a state that switches on once it has been true for
    ``on_after_s`` and off once it has been false for ``off_after_s``."""

    on_after_s: float
    off_after_s: float = 0.0
    #: When the condition last became true (None while it is false).
    since: float | None = None
    active: bool = False
    false_since: float | None = None

    def update(self, true: bool, t: float) -> Change | None:
        """Feed the condition at time ``t``; returns what changed."""
        if true:
            self.false_since = None
            if self.since is None:
                self.since = t
            if not self.active and t - self.since >= self.on_after_s:
                self.active = True
                return "started"
            return "continues" if self.active else None
        self.since = None
        if self.active:
            if self.false_since is None:
                self.false_since = t
            if t - self.false_since >= self.off_after_s:
                self.active = False
                return "ended"
        return None


class Span(Protocol):
    """A record with an end time that grows while its state stays on."""

    end_s: float


S = TypeVar("S", bound=Span)


@dataclass
class SpanLog(Generic[S]):
    """Debounced states by code, with a record (a warning, a fault) of each time one was on."""

    records: list[S] = field(default_factory=list)
    open: dict[str, S] = field(default_factory=dict)
    states: dict[str, Debouncer] = field(default_factory=dict)

    def update(self, code: str, true: bool, t: float, on_after_s: float, off_after_s: float = 0.0) -> Change | None:
        """Feed ``code``'s condition at time ``t`` (the debounce times count from its first
        update). A started span is opened by the caller with :meth:`start`; an open one grows to ``t``."""
        state = self.states.get(code)
        if state is None:
            state = self.states[code] = Debouncer(on_after_s, off_after_s)
        change = state.update(true, t)
        if change == "continues":
            self.open[code].end_s = t
        elif change == "ended":
            self.open.pop(code, None)
        return change

    @property
    def active(self) -> list[S]:
        """The records of the states on now."""
        return list(self.open.values())

    def since(self, code: str) -> float:
        """When ``code``'s condition became true."""
        since = self.states[code].since
        assert since is not None
        return since

    def start(self, code: str, record: S) -> None:
        """Keep the record of a span that just started."""
        self.open[code] = record
        self.records.append(record)

    def reorder(self, first: int, keys: list[int]) -> None:
        """Put the records from ``first`` on (one key each: the frame it started in) in time
        order, as if fed frame by frame: records fed code by code come out in code order."""
        order = sorted(range(len(keys)), key=keys.__getitem__)
        if order == list(range(len(keys))):
            return
        self.records[first:] = [self.records[first + i] for i in order]
        open_codes = {id(record): code for code, record in self.open.items()}
        self.open = {open_codes[id(r)]: r for r in self.records if id(r) in open_codes}


__all__ = ["Change", "Debouncer", "SpanLog"]
