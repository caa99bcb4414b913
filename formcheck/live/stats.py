"""Throughput and delay of the live clock: frame counts and rolling rates, latencies and model times."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

#: Window for the frames-per-second figures; samples kept for latency statistics.
FPS_WINDOW_S = 3.0
LATENCY_SAMPLES = 300


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


def mean_p95(samples: Iterable[float]) -> tuple[float, float]:
    """Mean and 95th percentile of ``samples`` (NaN for none)."""
    a = np.fromiter(samples, float)
    return (float(a.mean()), float(np.percentile(a, 95))) if a.size else (float("nan"), float("nan"))


def rate(times: deque[float], now: float) -> float:
    """Events per second over the last :data:`FPS_WINDOW_S` (older times are dropped from ``times``)."""
    while times and now - times[0] > FPS_WINDOW_S:
        times.popleft()
    if len(times) < 2:
        return 0.0
    return (len(times) - 1) / max(times[-1] - times[0], 1e-6)


def _samples() -> deque[float]:
    return deque(maxlen=LATENCY_SAMPLES)


class StatsRecorder:
    """Collects the live figures from both threads (clock times in seconds) and sums them up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.frames_in = 0
        self.frames_processed = 0
        self._in_times, self._done_times = _samples(), _samples()
        self._latency, self._display, self._model_ms = _samples(), _samples(), _samples()
        self._shown_arrival = -1.0

    def frame_in(self, now: float) -> None:
        """A camera frame arrived."""
        with self._lock:
            self.frames_in += 1
            self._in_times.append(now)

    def frame_done(self, now: float, arrival: float, model_ms: float) -> None:
        """The pose and engine result of the frame that arrived at ``arrival`` is ready."""
        with self._lock:
            self.frames_processed += 1
            self._done_times.append(now)
            self._latency.append((now - arrival) * 1000.0)
            self._model_ms.append(model_ms)

    def frame_shown(self, arrival: float, clock: Callable[[], float]) -> None:
        """An outgoing frame was drawn with the result of the frame that arrived at ``arrival``
        (-1: none yet); the delay counts the first time each result is shown."""
        if arrival < 0 or arrival == self._shown_arrival:
            return
        self._shown_arrival = arrival
        with self._lock:
            self._display.append((clock() - arrival) * 1000.0)

    def summary(self, now: float, busy: bool) -> LiveStats:
        """The figures now; ``busy``: a frame is in the model (neither processed nor dropped)."""
        with self._lock:
            lat, disp = mean_p95(self._latency), mean_p95(self._display)
            return LiveStats(
                frames_in=self.frames_in, frames_processed=self.frames_processed,
                frames_dropped=max(0, self.frames_in - self.frames_processed - (1 if busy else 0)),
                input_fps=rate(self._in_times, now), processed_fps=rate(self._done_times, now),
                latency_ms_mean=lat[0], latency_ms_p95=lat[1], display_delay_ms_mean=disp[0],
                display_delay_ms_p95=disp[1], model_ms_mean=mean_p95(self._model_ms)[0],
            )


__all__ = ["FPS_WINDOW_S", "LATENCY_SAMPLES", "LiveStats", "StatsRecorder", "mean_p95", "rate"]
