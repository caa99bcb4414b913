"""Joins the camera thread, the coached session and its history log for one browser tab.

streamlit-webrtc calls :meth:`CoachHolder.process_av` from its own thread; the page calls the
rest. Every poll hands the session's new events to the :class:`~formcheck.ui.coach_log.SessionLog`
first (each finished set is saved before anything is shown), then returns them to the page.
"""

from __future__ import annotations

import threading
import time

import av

from formcheck.coach.live import CoachSession
from formcheck.coach.state import CoachEvent
from formcheck.coach.words import summary_lines
from formcheck.ui.coach_log import SessionLog

#: Without a camera frame for this long, the page lets time pass itself (timers and rests run on).
NO_FRAMES_S = 1.5
#: How long "Stop — it hurts" waits for the runner to record the stop before the page moves on.
PAIN_STOP_WAIT_S = 3.0


class CoachHolder:
    """One tab's coached session (or none) and its log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.session: CoachSession | None = None
        self.log: SessionLog | None = None
        self.ended = False  # "End the session" was pressed
        self.dismissed = False  # the person left the end screen
        self._last_frame = 0.0

    def start(self, session: CoachSession, log: SessionLog) -> None:
        """Coach ``session`` from now on (a previous one is ended first)."""
        self.end()
        with self._lock:
            self.session, self.log, self._last_frame = session, log, time.monotonic()
            self.ended = self.dismissed = False

    @property
    def stage(self) -> str | None:
        """What the page shows, from the session itself (not from page flags a rerun could lose):
        None (choose a programme), "running", "pain" (after "Stop — it hurts") or "done"."""
        session = self.session
        if session is None or self.dismissed:
            return None
        phase = session.state().phase
        if phase == "stopped":
            return "pain"
        return "done" if phase == "done" or self.ended else "running"

    def summary(self) -> list[str]:
        """The written summary of the session so far (a headline, then a line per exercise)."""
        session = self.session
        return summary_lines(session.runner.plan, session.records) if session is not None else []

    def dismiss(self) -> None:
        """Back to choosing a programme (the session is ended and saved already)."""
        self.end()
        self.dismissed = True

    def process_av(self, frame: av.VideoFrame) -> av.VideoFrame:
        """streamlit-webrtc's video callback: never waits for the model."""
        session = self.session
        if session is None:
            return frame
        self._last_frame = time.monotonic()
        out = av.VideoFrame.from_ndarray(session.process(frame.to_ndarray(format="rgb24")), format="rgb24")
        if frame.time_base is not None:
            out.pts, out.time_base = frame.pts, frame.time_base
        return out

    def poll(self) -> list[CoachEvent]:
        """The session's new events, their sets saved first; time passes when no frames come."""
        with self._lock:
            session, log = self.session, self.log
            if session is None or log is None:
                return []
            if time.monotonic() - self._last_frame > NO_FRAMES_S and not session.state().finished:
                session.tick()
            events = session.events()
            log.take(events)
        return events

    def stop_for_pain(self) -> list[CoachEvent]:
        """"Stop — it hurts": the session ends, the set is saved as a pain stop; the events.

        The runner stops at once; releasing the model may wait for a frame in progress, so that
        happens in the background and the page does not wait for it."""
        session = self.session
        if session is None:
            return []
        threading.Thread(target=session.stop_for_pain, name="formcheck-coach-stop", daemon=True).start()
        deadline = time.monotonic() + PAIN_STOP_WAIT_S
        while not session.state().finished and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.poll()

    def end(self) -> list[CoachEvent]:
        """End the session now (not completed unless it already was); the last events."""
        session, log = self.session, self.log
        if session is None or log is None:
            return []
        self.ended = True
        session.close()
        events = self.poll()
        log.end(completed=session.state().phase == "done")
        return events

    def close(self) -> None:
        """The browser session is gone: save what was done, end the session, release the model."""
        try:
            self.end()
        finally:
            if self.log is not None:
                self.log.close()
            with self._lock:
                self.session = None


__all__ = ["NO_FRAMES_S", "PAIN_STOP_WAIT_S", "CoachHolder"]
