"""Feeding a per-frame true/false series to a stateful part only at the frames where it can change.

A debounced state (a set-up warning, a frame fault) or a hold timer changes only while its
input has just flipped, or while it is still catching up with its input (a problem not yet
reported, a fault or hold not yet released); once settled (on while the input is true, off
while it is false), more frames of the same input change nothing but the time the state was
last seen on, which the last frame of the run sets. :func:`feed_runs` feeds each run of equal
values its first frame, then frame by frame until the state has settled, then its last frame:
the part ends in the state it would reach fed every frame, through the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def run_bounds(truth: np.ndarray) -> tuple[list[int], list[int], list[bool]]:
    """The first and last index and the value of each run of equal values in ``truth``."""
    edges = np.flatnonzero(truth[1:] != truth[:-1]) + 1
    starts = [0, *edges.tolist()]
    ends = [*(edges - 1).tolist(), len(truth) - 1]
    return starts, ends, truth[starts].tolist()


def feed_runs(truth: np.ndarray, offset: int, feed: Callable[[int, bool], object], state: Callable[[], bool]) -> None:
    """Feed ``truth`` (the input of frames ``offset``, ``offset + 1``, ...) to a part, sparsely.

    Args:
        truth: the part's boolean input, one per frame.
        offset: the frame number of ``truth[0]``.
        feed: advances the part to a frame: ``feed(frame, value)``.
        state: whether the part is on now; it has settled when that equals its input.
    """
    if len(truth) == 0:
        return
    for start, end, value in zip(*run_bounds(truth), strict=True):
        j = start
        feed(offset + j, value)
        while j < end and state() != value:
            j += 1
            feed(offset + j, value)
        if j < end:
            feed(offset + end, value)


def spread(at: Sequence[int], values: Sequence, length: int, dtype: type = bool) -> np.ndarray:
    """Per-frame values of a state known at frames ``at`` (the first 0) and unchanged until the next."""
    return np.repeat(np.array(values, dtype=dtype), np.diff([*at, length]))


__all__ = ["feed_runs", "run_bounds", "spread"]
