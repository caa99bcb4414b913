"""Frame sources: a generator of ``(timestamp_s, rgb_frame)`` whether from a file or a camera.

Files are decoded with PyAV, which gives real presentation timestamps (so a clip with
dropped or repeated frames keeps its true timing) and the rotation a phone records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from formcheck.errors import InputError

#: Refuse files above this size (bytes) and duration (seconds) unless told otherwise.
MAX_FILE_BYTES = 2 * 1024**3
MAX_DURATION_S = 30 * 60
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv")


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, read from its header."""

    path: Path
    width: int
    height: int
    fps: float
    duration_s: float
    frame_count: int
    rotation: int

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) once rotation is applied."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a video file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path}: {size / 1024**3:.1f} GB is larger than the {MAX_FILE_BYTES / 1024**3:.0f} GB limit")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable video ({exc.__class__.__name__})") from None
    if not container.streams.video:
        container.close()
        raise InputError(f"{path}: the file holds no video stream")
    return container


def probe(path: str | Path, max_duration_s: float = MAX_DURATION_S) -> VideoInfo:
    """Read a video's header; raise :class:`InputError` for anything unusable."""
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 30.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1e6
        else:
            duration = 0.0
        frames = stream.frames or int(round(duration * fps))
        rotation = 0
        for frame in container.decode(stream):
            rotation = int(getattr(frame, "rotation", 0) or 0)
            break
        else:
            raise InputError(f"{path}: the video has no frames")
    except av.error.FFmpegError as exc:
        raise InputError(f"{path}: the video cannot be decoded ({exc.__class__.__name__})") from None
    finally:
        container.close()
    if duration > max_duration_s:
        raise InputError(f"{path}: {duration / 60:.0f} min is longer than the {max_duration_s / 60:.0f} min limit")
    return VideoInfo(path, stream.width, stream.height, fps, duration, frames, rotation % 360)


def _apply_rotation(rgb: np.ndarray, rotation: int) -> np.ndarray:
    # PyAV reports the display-matrix angle counter-clockwise; np.rot90 turns counter-clockwise.
    turns = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(rgb, k=turns)) if turns else rgb


def _scale_to(rgb_frame: av.VideoFrame, max_side: int | None) -> av.VideoFrame:
    if not max_side or max(rgb_frame.width, rgb_frame.height) <= max_side:
        return rgb_frame
    scale = max_side / max(rgb_frame.width, rgb_frame.height)
    width = int(round(rgb_frame.width * scale / 2)) * 2
    height = int(round(rgb_frame.height * scale / 2)) * 2
    return rgb_frame.reformat(width=width, height=height)


def read_frames(
    path: str | Path, max_side: int | None = 1280, max_duration_s: float = MAX_DURATION_S
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(timestamp_s, rgb)`` for each frame, timestamps from the file's own clock.

    Args:
        path: video file.
        max_side: frames larger than this (pixels, longer side) are scaled down; the pose
            model works at 256 px, so this only saves decoding and drawing time.
        max_duration_s: refuse longer videos.

    Timestamps start at 0 and strictly increase (a repeated timestamp is nudged by 1 ms).
    """
    info = probe(path, max_duration_s)
    container = _open(Path(path))
    first: float | None = None
    last = -1.0
    count = 0
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            t = frame.time if frame.time is not None else index / info.fps
            first = t if first is None else first
            t = max(t - first, last + 0.001)
            last = t
            rgb = _scale_to(frame, max_side).to_ndarray(format="rgb24")
            count += 1
            yield t, _apply_rotation(rgb, info.rotation)
    except av.error.FFmpegError as exc:
        if count == 0:
            raise InputError(f"{path}: the video cannot be decoded ({exc.__class__.__name__})") from None
        # A truncated file: keep what was decoded; the caller sees fewer frames.
    finally:
        container.close()
    if count == 0:
        raise InputError(f"{path}: the video has no frames")
