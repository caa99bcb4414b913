"""The live pose worker: a one-slot frame mailbox and the thread that runs the model on it.

The newest frame wins: a frame handed over while the model is busy replaces the one
waiting, so the backlog (and the latency) is bounded by one inference. The model runs in
VIDEO mode (``PoseEstimator.detect``), exactly as review runs it, in a thread we own; a
fake estimator makes the whole live clock testable without the model or a camera.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import NamedTuple, Protocol

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.pose.track import PoseFrame

log = logging.getLogger(__name__)

#: The worker releases the model after this long without frames (restarted on the next frame).
IDLE_EXIT_S = 60.0


class Estimator(Protocol):
    """What the worker needs from the pose stage (``PoseEstimator`` in VIDEO mode)."""

    def detect(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame: ...

    def close(self) -> None: ...


class FrameIn(NamedTuple):
    """A camera frame waiting for the model: its pixels, timestamp and arrival (clock seconds)."""

    rgb: np.ndarray
    t: float
    arrival: float


class FrameStamps:
    """Timestamps of camera frames: the caller's, else the clock since the first frame; always
    increasing (a repeat is nudged by 1 ms), as VIDEO mode needs."""

    def __init__(self) -> None:
        self.first: float | None = None  # clock at the first frame
        self.last: float | None = None  # the newest frame's timestamp

    def stamp(self, now: float, timestamp_s: float | None) -> float:
        """The timestamp of a frame handed in at clock time ``now`` with ``timestamp_s`` (or None)."""
        if self.first is None:
            self.first = now
        t = now - self.first if timestamp_s is None else float(timestamp_s)
        if self.last is not None and t <= self.last:
            t = self.last + 0.001
        self.last = t
        return t


#: Called in the worker thread with each frame, its pose and the model's time in milliseconds.
PoseHandler = Callable[[FrameIn, PoseFrame, float], None]


class FrameWorker:
    """Runs ``estimator.detect`` on the newest frame handed to :meth:`put`, never blocking the caller.

    Args:
        estimator_factory: builds the estimator in the worker thread (tests pass a fake).
        handle: receives each frame with its pose (in the worker thread).
    """

    def __init__(self, estimator_factory: Callable[[], Estimator], handle: PoseHandler) -> None:
        self._factory = estimator_factory
        self._handle = handle
        self.error: FormcheckError | None = None
        self._cond = threading.Condition()  # guards the mailbox and the worker's lifecycle
        self._stop = threading.Event()
        self._pending: FrameIn | None = None
        self._thread: threading.Thread | None = None
        self._busy = False

    @property
    def busy(self) -> bool:
        """A frame is in the model right now."""
        return self._busy

    def put(self, frame: FrameIn) -> None:
        """Leave ``frame`` in the mailbox (replacing any waiting one) and wake the worker."""
        with self._cond:
            self._pending = frame
            self._ensure_thread()
            self._cond.notify()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the newest frame has been processed (tests, benchmarks)."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._pending is not None or self._busy:
                if self.error is not None or not self._cond.wait(max(0.0, end - time.monotonic())):
                    return self._pending is None and not self._busy
        return True

    def stop(self) -> None:
        """Drop the waiting frame, stop the thread and release the model."""
        with self._cond:
            self._stop.set()
            self._pending = None
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    # -- worker thread ----------------------------------------------------------------
    def _ensure_thread(self) -> None:
        """Start the thread if it is not running (call with ``_cond`` held)."""
        if self._stop.is_set() or self.error is not None:
            return
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="formcheck-live-pose", daemon=True)
            self._thread.start()

    def _start_estimator(self) -> Estimator | None:
        """The estimator, or None with :attr:`error` set (a model that cannot start is shown, not raised)."""
        try:
            return self._factory()
        except FormcheckError as exc:
            self.error = exc
        except Exception as exc:
            log.exception("pose model failed to start")
            self.error = FormcheckError(f"the pose model could not start: {exc}")
        with self._cond:
            self._pending = None
            self._cond.notify_all()
        return None

    def _next_frame(self) -> FrameIn | None:
        """Wait for a frame and take it (marking the worker busy); None: stop or idle too long."""
        with self._cond:
            idle_since = time.monotonic()
            while self._pending is None and not self._stop.is_set():
                if time.monotonic() - idle_since > IDLE_EXIT_S:
                    return None
                self._cond.wait(1.0)
            if self._stop.is_set():
                return None
            frame, self._pending = self._pending, None
            self._busy = True
            return frame

    def _run(self) -> None:
        estimator = self._start_estimator()
        if estimator is None:
            return
        try:
            while (frame := self._next_frame()) is not None:
                try:
                    started = time.perf_counter()
                    pose = estimator.detect(frame.rgb, frame.t)
                    self._handle(frame, pose, (time.perf_counter() - started) * 1000.0)
                except Exception:  # one bad frame must not end the session
                    log.exception("live frame failed")
                finally:
                    with self._cond:
                        self._busy = False
                        self._cond.notify_all()
        finally:
            estimator.close()


__all__ = ["IDLE_EXIT_S", "Estimator", "FrameIn", "FrameStamps", "FrameWorker", "PoseHandler"]
