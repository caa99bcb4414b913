"""A coached session in the history database: started once, each set saved the moment the runner
reports it (``set_done`` / ``pain_stop``), ended once (done, stopped, or the tab went away), and
the pain report added when the person is up again."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from formcheck.coach.state import CoachEvent
from formcheck.history import HistoryStore, PainReport
from formcheck.programmes import Programme, dump_programme

log = logging.getLogger(__name__)


class SessionLog:
    """Writes one coached session to ``store`` (thread-safe: the camera and page threads may both call it)."""

    def __init__(self, store: HistoryStore, session_id: int) -> None:
        self.store, self.session_id = store, session_id
        self.ended = False
        self.sets_saved = 0
        #: Seconds from each set's end (its record's ``ended_at``) to its row being committed.
        self.save_delays_s: list[float] = []
        self._lock = threading.Lock()

    @classmethod
    def start(cls, store: HistoryStore, person: str, programme: Programme, week: int) -> SessionLog:
        """A new programme session (the programme file is kept with the history)."""
        store.save_programme(programme.id, dump_programme(programme))
        return cls(store, store.start_session(person, programme.id, programme.title, source="programme", week=week))

    def take(self, events: Iterable[CoachEvent]) -> None:
        """Save the sets these events report; end the session on ``session_done`` or ``pain_stop``."""
        for event in events:
            if event.record is not None and event.kind in ("set_done", "pain_stop"):
                with self._lock:
                    self.store.record_set(self.session_id, event.record)
                    self.sets_saved += 1
                    self.save_delays_s.append(max(0.0, time.time() - event.record.ended_at))
                log.info("coached session %d: set %d saved %.0f ms after it ended", self.session_id,
                         self.sets_saved, 1000 * self.save_delays_s[-1])
            if event.kind in ("session_done", "pain_stop"):
                self.end(completed=event.kind == "session_done")

    def end(self, completed: bool) -> None:
        """Close the session (once)."""
        with self._lock:
            if self.ended:
                return
            self.ended = True
            self.store.end_session(self.session_id, completed=completed)

    def pain(self, where: str, score: int) -> None:
        """Where it hurt and how much (0-10), asked after "Stop — it hurts"."""
        self.store.record_pain(self.session_id, PainReport(where, int(score), time.time()))

    def close(self) -> None:
        """The browser tab is gone: end the session as not completed (errors only logged)."""
        try:
            self.end(completed=False)
        except Exception:  # noqa: BLE001 - the janitor must not fail on a database problem
            log.exception("could not end a coached session in the history database")


__all__ = ["SessionLog"]
