"""Live coaching without Streamlit: camera frames in, annotated frames out at once.

:class:`LiveSession` never blocks the caller on the pose model. ``process(rgb)`` puts the
frame in a one-slot mailbox and returns it drawn with the newest pose and engine status.
A worker thread runs the model in VIDEO mode (``PoseEstimator.detect``) on whatever frame
is newest, feeds the result to :meth:`Engine.step` (the same engine as review) and queues
the engine's events for cues.

Why a worker with VIDEO mode rather than MediaPipe's LIVE_STREAM mode: the drop policy is
explicit (one slot, newest frame wins, so the backlog — and the latency — is bounded by
one inference), the engine runs in one thread we own instead of MediaPipe's callback
thread, the pose code path is exactly the one review uses, and a fake estimator makes the
whole class testable without the model or a camera.

Counting starts only after the camera set-up has been good for :data:`SETUP_HOLD_S`:
one person fully in frame and the right view (both from the engine's set-up warnings) and
enough light (:mod:`formcheck.sources.lighting`). Until then a set-up engine runs only for its
warnings; when set-up is good a fresh engine starts, so nothing done while setting up
counts.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol, Self

import numpy as np

from formcheck.engine.machine import WARNING_DEBOUNCE_S, Engine, EngineStatus, Event
from formcheck.errors import FormcheckError
from formcheck.outputs.overlay import annotate_frame
from formcheck.pose.estimator import PoseEstimator, PoseOptions
from formcheck.pose.track import PoseFrame
from formcheck.results import SessionResult, Warning
from formcheck.rules.schema import Rule
from formcheck.sources.lighting import DARK_BRIGHT_LUMA, DARK_LUMA, luminance_stats

log = logging.getLogger(__name__)

#: Set-up must be good this long before counting starts. Longer than the engine's warning
#: debounce, so a problem present all along has surfaced as a warning within it.
SETUP_HOLD_S = WARNING_DEBOUNCE_S + 0.5
#: A pose older than this is not drawn (the skeleton would trail the person).
STALE_POSE_S = 0.5
#: Time constant of the smoothed frame brightness.
LIGHT_TIME_S = 0.5
#: The worker releases the model after this long without frames (restarted on the next frame).
IDLE_EXIT_S = 60.0
#: Window for the frames-per-second figures; samples kept for latency statistics.
FPS_WINDOW_S = 3.0
LATENCY_SAMPLES = 300

DARK_MESSAGE = "Too dark: switch on a light or face a window (no bright window behind you)"
SETUP_OK_MESSAGE = "Set-up is good: counting starts once you are in the start position"
NO_PERSON_MESSAGE = "Step into the picture so the camera sees your whole body"
PERSON_CODES = ("no_person", "two_people", "body_out_of_frame")
#: Live default: the same model as review (the thresholds were set with it). On 2 cores "full"
#: costs ~22 ms/frame against lite's ~18, and lite reads the bridge's top hip angle 7-10° higher.
LIVE_OPTIONS = PoseOptions(variant="full")


class Estimator(Protocol):
    """What :class:`LiveSession` needs from the pose stage (``PoseEstimator`` in VIDEO mode)."""

    def detect(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SetupItem:
    """One line of the camera set-up checklist."""

    code: str  # person, view, light
    label: str
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class SetupCheck:
    """The set-up checklist and whether counting has started."""

    items: tuple[SetupItem, ...]
    counting_enabled: bool
    good_for_s: float = 0.0

    @property
    def all_ok(self) -> bool:
        return all(item.ok for item in self.items)


@dataclass(frozen=True)
class LiveStats:
    """Throughput and delay of the live pipeline (times in milliseconds).

    ``latency`` is capture → pose and engine result; ``display_delay`` is capture → the
    first outgoing frame drawn with that result (what the person sees on screen).
    """

    frames_in: int
    frames_processed: int
    frames_dropped: int
    input_fps: float
    processed_fps: float
    latency_ms_mean: float
    latency_ms_p95: float
    display_delay_ms_mean: float
    display_delay_ms_p95: float
    model_ms_mean: float


def _stats(samples: Iterable[float]) -> tuple[float, float]:
    a = np.fromiter(samples, float)
    return (float(a.mean()), float(np.percentile(a, 95))) if a.size else (float("nan"), float("nan"))


def _rate(times: deque[float], now: float) -> float:
    while times and now - times[0] > FPS_WINDOW_S:
        times.popleft()
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / max(times[-1] - times[0], 1e-6)


class LiveSession:
    """One live set: frames in (``process``), status, events, statistics and a summary out.

    Args:
        rule: the exercise rule.
        options: pose model options (``live`` is ignored: the worker uses VIDEO mode).
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

    def __init__(
        self,
        rule: Rule,
        options: PoseOptions = LIVE_OPTIONS,
        estimator_factory: Callable[[], Estimator] | None = None,
        setup_hold_s: float = SETUP_HOLD_S,
        dark_luma: float = DARK_LUMA,
        draw: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rule = rule
        self.options = replace(options, live=False)
        self._factory = estimator_factory or (lambda: PoseEstimator(self.options))
        self.setup_hold_s = setup_hold_s
        self.dark_luma = dark_luma
        self.draw = draw
        self._clock = clock
        self.error: FormcheckError | None = None

        self._lock = threading.Lock()  # engine, set-up state, statistics
        self._cond = threading.Condition()  # mailbox and worker lifecycle
        self._pending: tuple[np.ndarray, float, float] | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._busy = False
        self._events: queue.Queue[Event] = queue.Queue()

        self._setup_engine = Engine(rule)
        self._engine: Engine | None = None
        self._ok_since: float | None = None
        self._setup = SetupCheck(self._items(None, self._setup_engine.status(), False), False)
        self._light: float | None = None
        self._bright: float | None = None
        self._dark = False
        self._last_t: float | None = None
        self._t0: float | None = None
        self._latest_t = -1.0
        self._view: tuple[PoseFrame | None, EngineStatus, float, float] = (
            None, self._display_status(self._setup_engine.status()), 0.0, -1.0)
        self._shown_arrival = -1.0
        self._result: SessionResult | None = None
        self._stopped_for_pain = False

        self.frames_in = 0
        self.frames_processed = 0
        self._in_times: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self._done_times: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self._latency: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self._display: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self._model_ms: deque[float] = deque(maxlen=LATENCY_SAMPLES)

    # -- caller side ------------------------------------------------------------------
    def process(self, rgb: np.ndarray, timestamp_s: float | None = None) -> np.ndarray:
        """Hand over a camera frame; returns it annotated with the newest result, at once.

        Args:
            rgb: H×W×3 uint8 frame.
            timestamp_s: capture time in seconds (default: the session clock). Must increase.
        """
        now = self._clock()
        if self._t0 is None:
            self._t0 = now
        t = now - self._t0 if timestamp_s is None else float(timestamp_s)
        if self._last_t is not None and t <= self._last_t:
            t = self._last_t + 0.001
        self._last_t = t
        with self._lock:  # statistics only: the worker holds this lock for an engine step, never the model
            self.frames_in += 1
            self._in_times.append(now)
        if self._result is None:
            with self._cond:
                self._pending = (rgb, t, now)
                self._ensure_worker()
                self._cond.notify()
        pose, status, pose_at, arrival = self._view
        if pose is not None and now - pose_at > STALE_POSE_S:
            pose = None
        out = annotate_frame(rgb, pose, status, self.rule) if self.draw else rgb
        if arrival >= 0 and arrival != self._shown_arrival:
            self._shown_arrival = arrival
            with self._lock:
                self._display.append((self._clock() - arrival) * 1000.0)
        return out

    def status(self) -> EngineStatus:
        """The newest engine status (set-up warnings, phase, counts, hold, faults, values)."""
        return self._view[1]

    def setup(self) -> SetupCheck:
        """The camera set-up checklist and whether counting has started."""
        return self._setup

    @property
    def counting_enabled(self) -> bool:
        return self._engine is not None

    def events(self) -> list[Event]:
        """New events since the last call (thread-safe; each event is returned once)."""
        out: list[Event] = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def stats(self) -> LiveStats:
        now = self._clock()
        with self._lock:
            lat, disp = _stats(self._latency), _stats(self._display)
            return LiveStats(
                frames_in=self.frames_in, frames_processed=self.frames_processed,
                frames_dropped=max(0, self.frames_in - self.frames_processed - (1 if self._busy else 0)),
                input_fps=_rate(self._in_times, now), processed_fps=_rate(self._done_times, now),
                latency_ms_mean=lat[0], latency_ms_p95=lat[1], display_delay_ms_mean=disp[0],
                display_delay_ms_p95=disp[1], model_ms_mean=_stats(self._model_ms)[0],
            )

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the newest frame has been processed (tests, benchmarks)."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._pending is not None or self._busy:
                if self.error is not None or not self._cond.wait(max(0.0, end - time.monotonic())):
                    return self._pending is None and not self._busy
        return True

    def stop_for_pain(self) -> SessionResult:
        """The "Stop — it hurts" button: end the set now and record that it was stopped for pain."""
        self._stopped_for_pain = True
        self._events.put(Event("stopped_for_pain", self._last_t or 0.0, "Set stopped because it hurt. Rest now."))
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
        with self._cond:
            self._stopping = True
            self._pending = None
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker side ------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        """Start the worker if it is not running (call with ``_cond`` held)."""
        if self._stopping or self.error is not None:
            return
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="formcheck-live-pose", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            estimator = self._factory()
        except FormcheckError as exc:
            self.error = exc
        except Exception as exc:  # any failure to load the model is shown, not raised
            log.exception("pose model failed to start")
            self.error = FormcheckError(f"the pose model could not start: {exc}")
        if self.error is not None:
            with self._cond:
                self._pending = None
                self._cond.notify_all()
            return
        try:
            while True:
                with self._cond:
                    idle_since = time.monotonic()
                    while self._pending is None and not self._stopping:
                        if time.monotonic() - idle_since > IDLE_EXIT_S:
                            return
                        self._cond.wait(1.0)
                    if self._stopping:
                        return
                    rgb, t, arrival = self._pending
                    self._pending = None
                    self._busy = True
                try:
                    started = time.perf_counter()
                    pose = estimator.detect(rgb, t)
                    model_ms = (time.perf_counter() - started) * 1000.0
                    self._consume(rgb, pose, t, arrival, model_ms)
                except Exception:  # one bad frame must not end the session
                    log.exception("live frame failed")
                finally:
                    with self._cond:
                        self._busy = False
                        self._cond.notify_all()
        finally:
            estimator.close()

    def _update_light(self, rgb: np.ndarray, t: float) -> None:
        mean, bright = luminance_stats(rgb)
        if self._light is None or self._bright is None:
            self._light, self._bright = mean, bright
        else:
            a = min(1.0, max(t - self._latest_t, 0.0) / LIGHT_TIME_S)
            self._light += a * (mean - self._light)
            self._bright += a * (bright - self._bright)
        dark = self._light < self.dark_luma and self._bright < DARK_BRIGHT_LUMA
        if dark and not self._dark:
            self._events.put(Event("warning", t, DARK_MESSAGE, {"code": "too_dark"}))
        elif self._dark and not dark:
            self._events.put(Event("warning_cleared", t, "", {"code": "too_dark"}))
        self._dark = dark

    def _items(self, pose: PoseFrame | None, status: EngineStatus, dark: bool) -> tuple[SetupItem, ...]:
        warnings = {w.code: w.message for w in status.active_warnings}
        person = next((warnings[c] for c in PERSON_CODES if c in warnings), None)
        if person is None and (pose is None or not pose.has_person):
            person = NO_PERSON_MESSAGE
        view = {"side": "Camera side-on to you", "front": "Camera facing you, along your body"}.get(
            self.rule.view, "Camera view")
        return (
            SetupItem("person", "One person, whole body in the picture", person is None, person or ""),
            SetupItem("view", view, "wrong_view" not in warnings, warnings.get("wrong_view", "")),
            SetupItem("light", "Enough light", not dark, DARK_MESSAGE if dark else ""),
        )

    def _display_status(self, status: EngineStatus) -> EngineStatus:
        """Before counting: no counts or faults shown. Always: the darkness warning."""
        if self._engine is None:
            status = replace(status, phase="setup", counting=False, rep_count=0, hold_s=0.0, active_faults=[],
                             reps_by_side={k: 0 for k in status.reps_by_side})
        if self._dark:
            status = replace(status, active_warnings=[*status.active_warnings,
                                                      Warning("too_dark", status.t, status.t, DARK_MESSAGE)])
        return status

    def _consume(self, rgb: np.ndarray, pose: PoseFrame, t: float, arrival: float, model_ms: float) -> None:
        with self._lock:
            self._update_light(rgb, t)
            if self._engine is None:
                events = [e for e in self._setup_engine.step(pose) if e.kind.startswith("warning")]
                status = self._setup_engine.status()
                items = self._items(pose, status, self._dark)
                ok = all(item.ok for item in items)
                self._ok_since = (self._ok_since if self._ok_since is not None else t) if ok else None
                good_for = t - self._ok_since if self._ok_since is not None else 0.0
                if ok and good_for >= self.setup_hold_s:
                    self._engine = Engine(self.rule)
                    events.append(Event("setup_ok", t, SETUP_OK_MESSAGE))
                    events += self._engine.step(pose)
                    status = self._engine.status()
                self._setup = SetupCheck(items, self._engine is not None, good_for)
            else:
                events = self._engine.step(pose)
                status = self._engine.status()
                self._setup = SetupCheck(self._items(pose, status, self._dark), True, self._setup.good_for_s)
            self._latest_t = t
            now = self._clock()
            self._view = (pose, self._display_status(status), now, arrival)
            self.frames_processed += 1
            self._done_times.append(now)
            self._latency.append((now - arrival) * 1000.0)
            self._model_ms.append(model_ms)
        for event in events:
            self._events.put(event)


# -- spoken cues ------------------------------------------------------------------------
#: Event kind (fault: by severity) → priority of the cue; kinds not listed are not spoken.
CUE_PRIORITY = {
    "stopped_for_pain": 6, "fault:critical": 5, "fault:warning": 4, "warning": 3, "setup_ok": 2,
    "counting_started": 2, "fault:info": 2, "rep_abandoned": 1, "rep_rejected": 1, "rep": 1, "hold_target": 1,
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


__all__ = ["CueSpeaker", "Estimator", "LiveSession", "LiveStats", "SetupCheck", "SetupItem", "cue_text"]
