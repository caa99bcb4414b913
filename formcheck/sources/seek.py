"""A few frames of a video by their times: only those decoded, seeking over long gaps.

The decoder seeks to the key frame before a wanted time when it is more than
:data:`SEEK_GAP_S` ahead, and otherwise decodes on. Frames are timed on the same clock as
:func:`formcheck.sources.video.read_frames` (seconds from the first frame), scaled and turned
upright the same way, so a track's timestamp finds its own frame.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import av
import numpy as np

from formcheck.sources.video import _apply_rotation, _open, _scale_to, probe

#: Seek rather than decode on when the next wanted frame is further ahead than this (seconds).
SEEK_GAP_S = 2.0


def _decoded(container: av.container.InputContainer, stream: av.video.stream.VideoStream,
             first: float, fps: float) -> Iterator[tuple[float, av.VideoFrame]]:
    """``(t, frame)`` from the container's current position, ``t`` from the first frame's time."""
    for index, frame in enumerate(container.decode(stream)):
        t = frame.time if frame.time is not None else index / fps
        yield t - first, frame


def frames_at(path: str | Path, times: Sequence[float],
              max_side: int | None = None) -> dict[float, np.ndarray]:
    """The upright RGB frame nearest each of ``times`` (seconds from the first frame), keyed by
    the wanted time; a time past the readable part of the file is left out. Raises InputError
    for a file that cannot be opened."""
    info = probe(path)
    out: dict[float, np.ndarray] = {}
    container = _open(Path(path))
    try:
        for target, frame in _picked(container, sorted({float(t) for t in times}), info.fps):
            out[target] = _apply_rotation(_scale_to(frame, max_side).to_ndarray(format="rgb24"), info.rotation)
    except av.error.FFmpegError:
        pass  # frames found before the damage are kept; the rest are reported as missing
    finally:
        container.close()
    return out


def _picked(container: av.container.InputContainer, wanted: Sequence[float], fps: float
            ) -> Iterator[tuple[float, av.VideoFrame]]:
    """``(target, frame)`` for each of the sorted ``wanted`` times that the file reaches: the
    first frame at or after half a frame period before it, seeking over long gaps."""
    stream = container.streams.video[0]
    half = 0.5 / max(fps, 1.0)
    first_frame = next(container.decode(stream), None)
    if first_frame is None:
        return
    first = first_frame.time or 0.0
    frames = _decoded(container, stream, first, fps)
    position = 0.0
    for target in wanted:
        if target <= half:
            yield target, first_frame
            continue
        if target - position > SEEK_GAP_S and stream.time_base:
            container.seek(max(int((target + first - 1.0) / stream.time_base), 0), stream=stream, backward=True)
            frames = _decoded(container, stream, first, fps)
        for t, frame in frames:
            position = t
            if t >= target - half:
                yield target, frame
                break
        else:
            return


__all__ = ["SEEK_GAP_S", "frames_at"]
