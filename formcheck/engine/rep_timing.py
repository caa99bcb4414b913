"""When a rep peaked and when its lowering ended, from signed rep-metric samples
(signed so that the movement always goes up)."""

from __future__ import annotations

import math

from formcheck.results import Rep

#: A rep's peak time is the middle of the time spent within this share of its range from the top.
PEAK_BAND_FRACTION = 0.05
#: The lowering after a rep ends once the metric rises again by this share of the rep's range,
#: or has dropped less than STILL_FRACTION of it in the last SETTLE_S seconds.
SETTLE_FRACTION = 0.1
SETTLE_S = 0.4
#: While lowering, a drop smaller than this share of the rep's range within SETTLE_S is no movement.
STILL_FRACTION = 0.03


class Top:
    """The top phase of a rep: when it began, when the metric was last past the enter
    threshold, and the peak (a one-frame spike is no peak)."""

    def __init__(self) -> None:
        self.start_s = 0.0
        self.end_s = 0.0
        self.end_value = 0.0
        #: (t, signed value, side metric) of the highest sample so far.
        self.peak = (0.0, -math.inf, math.nan)
        self._samples: list[tuple[float, float]] = []
        self._previous = (0.0, -math.inf)

    def enter(self, t: float, sx: float, side_value: float) -> None:
        """The metric passed the enter threshold at ``t``."""
        self.start_s = self.end_s = t
        self.end_value = sx
        self.peak = (t, sx, side_value)
        self._samples = [(t, sx)]
        self._previous = (t, sx)

    def add(self, t: float, sx: float, side_value: float) -> None:
        """A sample during the top: it counts as the lower of itself and the one before,
        timed between the two."""
        prev_t, prev = self._previous
        low = prev if prev < sx else sx  # min(sx, prev)
        candidate = (0.5 * (prev_t + t), low)
        self._samples.append(candidate)
        if low > self.peak[1]:
            self.peak = (candidate[0], low, side_value)
        self._previous = (t, sx)

    def still_up(self, t: float, sx: float) -> None:
        """The metric is still past the enter threshold at ``t``."""
        self.end_s, self.end_value = t, sx

    def peak_time(self, start_value: float) -> float:
        """Middle of the time spent within a band of the peak (the band a share of the rise
        from ``start_value``), so a flat top (a held bridge, a held press-up) peaks in its middle."""
        peak = self.peak[1]
        band = PEAK_BAND_FRACTION * abs(peak - start_value)
        near = [t for t, v in self._samples if v >= peak - band]
        return 0.5 * (near[0] + near[-1]) if near else self.peak[0]


class Lowering:
    """The lowering after a counted rep, followed until it ends, then timed to its lowest point."""

    def __init__(self) -> None:
        self.rep: Rep | None = None
        self._samples: list[tuple[float, float]] = []
        self._top_end_s = 0.0
        self._top_end_value = 0.0
        #: The lowest sample so far, and how many samples are SETTLE_S or more before the latest
        #: (kept as samples arrive, so each one costs the same however long the lowering lasts).
        self._low = math.inf
        self._settled = 0
        self._in_order = True

    def begin(self, rep: Rep, t: float, sx: float, top: Top) -> None:
        """``rep`` was just counted at ``t`` (value ``sx``); follow its lowering from ``top``'s end."""
        self.rep = rep
        self._samples = [(t, sx)]
        self._top_end_s, self._top_end_value = top.end_s, top.end_value
        self._low, self._settled, self._in_order = sx, 0, True

    def ended(self, t: float, sx: float) -> bool:
        """Add a sample; True once the lowering has ended: the metric rises again (by
        SETTLE_FRACTION of the rep's range) or dropped less than STILL_FRACTION of it in SETTLE_S."""
        if self.rep is None:
            return False
        samples = self._samples
        self._in_order = self._in_order and t >= samples[-1][0]
        samples.append((t, sx))
        scale = max(self.rep.range_of_motion, 1e-9)
        if sx < self._low:
            self._low = sx
        low = self._low
        earlier = self._earlier(t - SETTLE_S)
        rising = sx > low + SETTLE_FRACTION * scale
        still = earlier is not None and earlier - low <= STILL_FRACTION * scale
        return rising or still

    def _earlier(self, before: float) -> float | None:
        """The last sample (in arrival order) taken at or before ``before``, if any."""
        samples = self._samples
        if not self._in_order:  # times went back: look through all of them
            earlier = [v for s, v in samples if s <= before]
            return earlier[-1] if earlier else None
        settled = self._settled
        while settled < len(samples) and samples[settled][0] <= before:
            settled += 1
        self._settled = settled
        return samples[settled - 1][1] if settled else None

    def close(self) -> Rep | None:
        """Time the lowering to its lowest point (the first moment within STILL_FRACTION of the
        rep's range of the final low); returns its rep, or None when no lowering was open."""
        rep = self.rep
        if rep is None:
            return None
        scale = max(rep.range_of_motion, 1e-9)
        low = min(v for _, v in self._samples)
        trough_t = next(t for t, v in self._samples if v <= low + STILL_FRACTION * scale)
        rep.end_s = trough_t
        rep.fall_s = max(0.0, trough_t - self._top_end_s)
        rep.fall_speed = abs(self._top_end_value - low) / rep.fall_s if rep.fall_s > 0 else float("inf")
        self.rep = None
        return rep


__all__ = ["PEAK_BAND_FRACTION", "SETTLE_FRACTION", "SETTLE_S", "STILL_FRACTION", "Lowering", "Top"]
