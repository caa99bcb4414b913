"""Streaming smoothing: the One Euro filter (Casiez, Roussel & Vogel, CHI 2012).

Little smoothing when a point moves fast (no lag on real movement), strong smoothing
when it is still (no ±5° jitter on a held pose). It runs sample by sample on frame
timestamps, so a file and a live camera are smoothed the same way.
"""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over an array of independent signals (e.g. 33 landmarks × 2).

    Args:
        min_cutoff_hz: cut-off when still; lower = smoother, more lag.
        beta: how fast the cut-off rises with speed (per unit/s of the signal).
        d_cutoff_hz: cut-off of the speed estimate.

    A NaN sample (landmark missing) resets that signal, so it restarts from the next
    real value instead of gliding from a stale one.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 5.0, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz = min_cutoff_hz, beta, d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        self._x = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or t <= self._t:
            fresh = self._t is None or t > self._t
            if fresh:
                self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return self._x.copy() if self._x is not None else x.copy()
        dt = t - self._t
        missing_before = np.isnan(self._x)
        dx = (x - self._x) / dt
        a_d = _alpha(self.d_cutoff_hz, dt)
        dx_hat = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = _alpha(cutoff, dt)
        x_hat = a * x + (1 - a) * self._x
        restart = missing_before & ~np.isnan(x)
        x_hat = np.where(restart, x, x_hat)
        dx_hat = np.where(restart | np.isnan(x), 0.0, dx_hat)
        self._x, self._dx, self._t = x_hat, dx_hat, t
        return x_hat.copy()
