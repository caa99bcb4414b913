"""A coached programme from a camera: frames in, drawn frames out at once, the runner in between.

:class:`CoachSession` is what the Live page drives. It reuses the live clock's parts: the
:class:`~formcheck.live.worker.FrameWorker` runs the pose model on the newest frame and hands
each pose (with its frame, for the light check) to the same
:class:`~formcheck.coach.runner.ProgrammeRunner` a recorded track drives in the tests; the
:class:`~formcheck.live.stats.StatsRecorder` keeps the figures; frames are drawn with the
review overlay (:func:`~formcheck.outputs.overlay.annotate_frame`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from formcheck.coach.runner import ProgrammeRunner
from formcheck.coach.state import CoachEvent, CoachState
from formcheck.errors import FormcheckError
from formcheck.history.records import SetRecord
from formcheck.live.session import LIVE_OPTIONS, STALE_POSE_S
from formcheck.live.stats import LiveStats, StatsRecorder
from formcheck.live.worker import Estimator, FrameIn, FrameStamps, FrameWorker
from formcheck.outputs.overlay import annotate_frame
from formcheck.pose.estimator import PoseEstimator, PoseOptions
from formcheck.pose.track import PoseFrame
from formcheck.programmes.schema import Programme


class CoachSession:
    """A programme coached from camera frames (thread-safe: frames from the camera thread,
    controls and reads from the page).

    Args:
        programme, week: what to run.
        options: pose model options.
        estimator_factory: builds the estimator in the worker thread (tests pass a fake).
        draw: draw the overlay in ``process`` (off: return the frame unchanged).
        clock: monotonic clock in seconds (frame times when the caller gives none).
        runner_options: passed to :class:`ProgrammeRunner` (``announce_s``, ``wall_clock``, ``cues``...).

    Example:
        >>> session = CoachSession(load_programme("nhs_back_five"))   # doctest: +SKIP
        >>> out = session.process(rgb)                # per camera frame; returns at once
        >>> for event in session.events(): ...        # say it / save event.record
        >>> session.state().message
    """

    def __init__(self, programme: Programme, week: int = 1, options: PoseOptions = LIVE_OPTIONS,
                 estimator_factory: Callable[[], Estimator] | None = None, draw: bool = True,
                 clock: Callable[[], float] = time.monotonic, **runner_options: Any) -> None:
        self.runner = ProgrammeRunner(programme, week, **runner_options)
        self.options, self.draw = options, draw
        self._clock = clock
        self._worker = FrameWorker(estimator_factory or (lambda: PoseEstimator(self.options)), self._consume)
        self._lock = threading.Lock()  # the runner: one call at a time
        self._events: list[CoachEvent] = []  # not yet collected by events(); guarded by _lock
        self._stats = StatsRecorder()
        self._stamps = FrameStamps()  # frames and controls share one increasing time line
        self._stamp_lock = threading.Lock()
        self._state = self.runner.state()
        self._pose: tuple[PoseFrame | None, float, float] = (None, 0.0, -1.0)  # pose, when it was ready, its arrival

    # -- frames -----------------------------------------------------------------------
    def process(self, rgb: np.ndarray, timestamp_s: float | None = None) -> np.ndarray:
        """Hand over a camera frame (H×W×3 uint8, captured at ``timestamp_s``, default: the session
        clock; increasing); returns it drawn with the newest pose and status, at once."""
        now = self._clock()
        with self._stamp_lock:
            t = self._stamps.stamp(now, timestamp_s)
        self._stats.frame_in(now)
        state = self._state
        if not state.finished:
            self._worker.put(FrameIn(rgb, t, now))
        pose, at, arrival = self._pose
        rule = state.current.rule if state.current is not None else None
        out = rgb
        if self.draw and rule is not None and state.status is not None:
            out = annotate_frame(rgb, pose if now - at <= STALE_POSE_S else None, state.status, rule)
        self._stats.frame_shown(arrival, self._clock)
        return out

    def _consume(self, frame: FrameIn, pose: PoseFrame, model_ms: float) -> None:
        """Worker thread: the pose (and the frame's light) through the runner."""
        with self._lock:
            events = self.runner.step(pose, frame.rgb)
            self._state = self.runner.state()
            now = self._clock()
            self._pose = (pose, now, frame.arrival)
            self._stats.frame_done(now, frame.arrival, model_ms)
            self._events += events
        if self._state.finished:
            self._worker.stop()

    # -- the page's side --------------------------------------------------------------
    def state(self) -> CoachState:
        """The newest runner state (phase, set, counts, set-up checklist, message, status)."""
        return self._state

    def events(self) -> list[CoachEvent]:
        """New events since the last call, each returned once: speak the ``say`` ones, save
        the ``record`` of ``set_done`` and ``pain_stop`` at once."""
        with self._lock:
            out, self._events = self._events, []
        return out

    @property
    def records(self) -> list[SetRecord]:
        return list(self.runner.records)

    @property
    def muted(self) -> bool:
        return self.runner.muted

    @muted.setter
    def muted(self, value: bool) -> None:
        with self._lock:
            self.runner.muted = value

    def tick(self, t: float | None = None) -> None:
        """Let time pass without a frame (the page calls this while no camera frames come)."""
        self._control(self.runner.tick, t)

    def skip(self) -> None:
        self._control(self.runner.skip)

    def repeat(self) -> None:
        self._control(self.runner.repeat)

    def pause(self) -> None:
        self._control(self.runner.pause)

    def resume(self) -> None:
        self._control(self.runner.resume)

    def stop_for_pain(self) -> SetRecord | None:
        """"Stop — it hurts": the session ends; returns the set recorded with ``pain_stop``."""
        self._control(self.runner.stop_for_pain)
        self.close()
        records = self.runner.records
        return records[-1] if records and records[-1].pain_stop else None

    @property
    def error(self) -> FormcheckError | None:
        """Why the pose model could not start, else None."""
        return self._worker.error

    def stats(self) -> LiveStats:
        """Frame counts, rates and delays so far."""
        return self._stats.summary(self._clock(), self._worker.busy)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the newest frame has been processed (tests, benchmarks)."""
        return self._worker.wait_idle(timeout)

    def close(self) -> None:
        """Stop the worker and release the model (state, events and records stay available)."""
        self._worker.stop()

    def _control(self, action: Callable[[float], list[CoachEvent]], t: float | None = None) -> None:
        """Run a runner call at ``t`` (default: now, stamped as a frame would be: the clock since
        the first frame, never before the newest frame)."""
        if t is None:
            with self._stamp_lock:
                t = self._stamps.stamp(self._clock(), None)
        with self._lock:
            self._events += action(t)
            self._state = self.runner.state()


__all__ = ["CoachSession"]
