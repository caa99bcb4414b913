"""The annotated review video: decode the clip again (ahead, on its own thread), re-run the engine in
lockstep, draw, encode."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from formcheck.engine.machine import Engine
from formcheck.outputs.overlay import annotate_frame
from formcheck.outputs.video_sink import VideoSink
from formcheck.pose.track import PoseTrack
from formcheck.rules.schema import Rule
from formcheck.sources.prefetch import prefetch
from formcheck.sources.video import read_frames

#: Report progress about this often (frames).
PROGRESS_EVERY = 10


def annotate_video(
    video_path: str | Path,
    track: PoseTrack,
    rule: Rule,
    out_path: str | Path,
    progress: Callable[[float], None] | None = None,
    max_side: int = 1280,
) -> Path:
    """Write ``out_path`` (H.264 MP4): every frame of the clip with the overlay drawn on it.

    A fresh :class:`Engine` is stepped with ``track.frame(i)`` alongside decoded frame ``i``,
    so the overlay shows exactly what the engine knew at that moment. ``track`` must come
    from the same video read with the same :func:`read_frames` defaults; if the frame
    counts differ, the shorter one wins. The output runs at ``track.fps`` (constant rate).

    Args:
        video_path: the source clip.
        track: its landmarks.
        rule: the exercise rule to run and draw.
        out_path: the MP4 to write (its folder must exist).
        progress: called with the fraction done (0-1).
        max_side: longer side of the output in pixels (larger frames are scaled down).

    Returns:
        ``out_path`` as a :class:`Path`.
    """
    out_path = Path(out_path)
    total = len(track)
    sink: VideoSink | None = None
    frames = read_frames(video_path, max_side=max_side)
    ahead = prefetch(frames)
    try:
        for i, frame in enumerate(_drawn_frames(ahead, track, rule)):
            if sink is None:
                sink = VideoSink(out_path, track.fps, (frame.shape[1], frame.shape[0]))
                sink.open()
            sink.write(frame)
            if progress is not None and i % PROGRESS_EVERY == 0:
                progress(i / max(total, 1))
    finally:
        ahead.close()  # stops the decoding thread before the decoder is closed
        frames.close()
        if sink is not None:
            sink.close()
    if progress is not None:
        progress(1.0)
    return out_path


def _drawn_frames(frames: Iterable[tuple[float, np.ndarray]], track: PoseTrack, rule: Rule) -> Iterator[np.ndarray]:
    """Decoded frame ``i`` with the overlay of a fresh engine stepped with ``track.frame(i)``;
    ends with the shorter of the two."""
    engine = Engine(rule)
    for i, (_, rgb) in enumerate(frames):
        if i >= len(track):
            break
        pose = track.frame(i)
        engine.step(pose)
        yield annotate_frame(rgb, pose, engine.status(), rule)

__all__ = ["annotate_video"]
