"""Live coaching without Streamlit: camera frames in, annotated frames out at once.

:class:`LiveSession` composes the parts: the :mod:`~formcheck.live.worker` runs the pose model on
the newest frame, each pose goes to :meth:`Engine.step` (the engine review uses) once the
:mod:`~formcheck.live.checklist` says set-up is good (a fresh engine then: nothing done while
setting up counts), and :mod:`~formcheck.live.stats` keeps the figures.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import NamedTuple, Self

import numpy as np

from formcheck.engine.machine import Engine
from formcheck.engine.status import EngineStatus, Event
from formcheck.errors import FormcheckError
from formcheck.live.checklist import SETUP_HOLD_S, SetupCheck, SetupChecklist
from formcheck.live.stats import LiveStats, StatsRecorder
from formcheck.live.worker import Estimator, FrameIn, FrameStamps, FrameWorker
from formcheck.outputs.overlay import annotate_frame
from formcheck.pose.estimator import PoseEstimator, PoseOptions
from formcheck.pose.track import PoseFrame
from formcheck.results import SessionResult
from formcheck.rules.schema import Rule
from formcheck.sources.lighting import DARK_LUMA

#: A pose older than this is not drawn (the skeleton would trail the person).
STALE_POSE_S = 0.5
#: Live default: the same model as review (the thresholds were set with it). On 2 cores "full"
#: costs ~22 ms/frame against lite's ~18, and lite reads the bridge's top hip angle 7-10° higher.
LIVE_OPTIONS = PoseOptions(variant="full")


class View(NamedTuple):
    """What frames are drawn with: pose and status, when the pose was ready and its frame arrived."""

    pose: PoseFrame | None
    status: EngineStatus
    at: float
    arrival: float


class LiveSession:
    """One live set: frames in (``process``), status, events, statistics and a summary out.

    Args:
        rule: the exercise rule.
        options: pose model options.
        estimator_factory: builds the estimator in the worker thread (tests pass a fake).
        setup_hold_s: how long set-up must be good before counting starts.
        dark_luma: mean-luma threshold of :func:`formcheck.sources.lighting.is_too_dark`.
        draw: draw the overlay in ``process`` (off: return the frame unchanged).
        clock: monotonic clock in seconds.

    Example:
        >>> session = LiveSession(load_rule("glute_bridge"))        # doctest: +SKIP
        >>> out = session.process(rgb)     # per camera frame; returns at once
        >>> session.status().rep_count, [e.message for e in session.events()]
        >>> result = session.summary()
    """

    def __init__(self, rule: Rule, options: PoseOptions = LIVE_OPTIONS,
                 estimator_factory: Callable[[], Estimator] | None = None, setup_hold_s: float = SETUP_HOLD_S,
                 dark_luma: float = DARK_LUMA, draw: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.rule, self.options, self.draw = rule, options, draw
        self._clock = clock
        self._worker = FrameWorker(estimator_factory or (lambda: PoseEstimator(self.options)), self._consume)
        self._lock = threading.Lock()  # the engines and the set-up state: one engine step at a time
        self._events: queue.Queue[Event] = queue.Queue()
        self._stats = StatsRecorder()
        self._checklist = SetupChecklist(rule, setup_hold_s, dark_luma)
        self._engine: Engine | None = None  # the counting engine, once set-up is good
        self._view = View(None, self._checklist.shown(self._checklist.status(), False), 0.0, -1.0)
        self._stamps = FrameStamps()
        self._latest_t = -1.0  # newest frame processed
        self._result: SessionResult | None = None
        self._stopped_for_pain = False

    # -- caller side ------------------------------------------------------------------
    def process(self, rgb: np.ndarray, timestamp_s: float | None = None) -> np.ndarray:
        """Hand over a camera frame; returns it annotated with the newest result, at once.

        Args:
            rgb: H×W×3 uint8 frame.
            timestamp_s: capture time in seconds (default: the session clock). Must increase.
        """
        now = self._clock()
        t = self._stamps.stamp(now, timestamp_s)
        self._stats.frame_in(now)
        if self._result is None:
            self._worker.put(FrameIn(rgb, t, now))
        view = self._view
        pose = view.pose if view.pose is not None and now - view.at <= STALE_POSE_S else None
        out = annotate_frame(rgb, pose, view.status, self.rule) if self.draw else rgb
        self._stats.frame_shown(view.arrival, self._clock)
        return out

    @property
    def error(self) -> FormcheckError | None:
        """Why the pose model could not start, else None."""
        return self._worker.error

    @property
    def frames_processed(self) -> int:
        """Frames the pose model and the engine have processed."""
        return self._stats.frames_processed

    @property
    def counting_enabled(self) -> bool:
        """Set-up has been good long enough: the counting engine runs."""
        return self._engine is not None

    def status(self) -> EngineStatus:
        """The newest engine status (set-up warnings, phase, counts, hold, faults, values)."""
        return self._view.status

    def setup(self) -> SetupCheck:
        """The camera set-up checklist and whether counting has started."""
        return self._checklist.check

    def events(self) -> list[Event]:
        """New events since the last call (thread-safe; each event is returned once)."""
        out: list[Event] = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def stats(self) -> LiveStats:
        """Frame counts, rates and delays so far."""
        return self._stats.summary(self._clock(), self._worker.busy)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the newest frame has been processed (tests, benchmarks)."""
        return self._worker.wait_idle(timeout)

    def stop_for_pain(self) -> SessionResult:
        """The "Stop — it hurts" button: end the set now and record that it was stopped for pain."""
        self._stopped_for_pain = True
        self._events.put(Event("stopped_for_pain", self._stamps.last or 0.0, "Set stopped because it hurt. Rest now."))
        return self.summary()

    def summary(self) -> SessionResult:
        """End the set (the worker stops) and return its :class:`SessionResult` (idempotent)."""
        self.close()
        with self._lock:
            if self._result is None:
                engine = self._engine or Engine(self.rule)
                if self._stopped_for_pain:
                    engine.stop_for_pain()
                fps = self.frames_processed / self._latest_t if self._latest_t > 0 else 0.0
                self._result = engine.result(fps=fps, duration_s=max(self._latest_t, 0.0))
            return self._result

    def close(self) -> None:
        """Stop the worker and release the model (the summary stays available)."""
        self._worker.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker side ------------------------------------------------------------------
    def _step(self, pose: PoseFrame, t: float) -> tuple[list[Event], EngineStatus]:
        """Run the frame through the set-up checklist or the counting engine (call with ``_lock`` held)."""
        if self._engine is None:
            events, ready = self._checklist.step(pose, t)
            if not ready:
                return events, self._checklist.status()
            self._engine = Engine(self.rule)
            events += self._engine.step(pose)
            return events, self._engine.status()
        events = self._engine.step(pose)
        status = self._engine.status()
        self._checklist.recheck(pose, status)
        return events, status

    def _consume(self, frame: FrameIn, pose: PoseFrame, model_ms: float) -> None:
        with self._lock:
            for event in self._checklist.light.update(frame.rgb, frame.t - self._latest_t, frame.t):
                self._events.put(event)
            events, status = self._step(pose, frame.t)
            self._latest_t = frame.t
            now = self._clock()
            self._view = View(pose, self._checklist.shown(status, self._engine is not None), now, frame.arrival)
            self._stats.frame_done(now, frame.arrival, model_ms)
        for event in events:
            self._events.put(event)


__all__ = ["LIVE_OPTIONS", "STALE_POSE_S", "LiveSession", "View"]
