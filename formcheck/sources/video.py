"""Video files in: the header checked (:func:`probe`) and frames decoded as ``(timestamp_s, rgb)``
(:func:`read_frames`). The live camera's frames come from the browser, not from here.

Files are decoded with PyAV, which gives real presentation timestamps (so a clip with
dropped or repeated frames keeps its true timing) and the rotation a phone records.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from formcheck.errors import InputError

#: Refuse files above this size (bytes; ``$FORMCHECK_MAX_FILE_MB`` overrides it) and
#: videos longer than this duration (seconds) unless told otherwise.
MAX_FILE_BYTES = 2 * 1024**3
MAX_DURATION_S = 30 * 60
#: A clip may run this much over the duration limit (a "30 minute" recording is 30:00.4).
DURATION_GRACE_S = 1.0
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv")
#: The decoded part may fall short of the header's duration by this many frame periods
#: (and this share of the duration) before the file is reported as cut short.
TRUNCATION_FRAMES = 3
TRUNCATION_SHARE = 0.01


def max_file_bytes() -> int:
    """The largest file accepted: ``$FORMCHECK_MAX_FILE_MB`` megabytes if set to a positive
    number, else :data:`MAX_FILE_BYTES`."""
    try:
        mb = float(os.environ.get("FORMCHECK_MAX_FILE_MB", ""))
    except ValueError:
        return MAX_FILE_BYTES
    return int(mb * 1024**2) if mb > 0 else MAX_FILE_BYTES


def _size_text(n: float) -> str:
    for unit in ("bytes", "kB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _clock(seconds: float, unit: bool = True) -> str:
    """``seconds`` as m:ss (h:mm:ss from an hour), with the unit in brackets if ``unit``."""
    whole = int(seconds)
    h, m, s = whole // 3600, whole // 60 % 60, whole % 60
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
    return f"{text} ({'h:min:s' if h else 'min:s'})" if unit else text


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


def _check_file(path: Path) -> None:
    """Refuse a missing, empty or too large file before opening it."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a video file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes)")
    limit = max_file_bytes()
    if size > limit:
        raise InputError(f"{path}: {_size_text(size)} is larger than the {_size_text(limit)} limit")


def _unreadable(path: Path, exc: Exception) -> InputError:
    """The error for a file FFmpeg cannot open, telling a cut-off MP4/MOV from other files."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    if head[4:8] == b"ftyp":
        return InputError(
            f"{path}: not a readable video: it starts like an MP4/MOV but its index (moov box) is "
            "missing or damaged (an interrupted recording, copy or upload?)"
        )
    return InputError(f"{path}: not a readable video ({exc.__class__.__name__})")


def _open(path: Path) -> av.container.InputContainer:
    _check_file(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from None
    fmt = container.format.name
    if fmt == "image2" or fmt.endswith("_pipe"):
        container.close()
        kind = fmt.removesuffix("_pipe").upper() if fmt != "image2" else "picture"
        raise InputError(f"{path}: is a still image ({kind}), not a video")
    if not container.streams.video:
        container.close()
        raise InputError(f"{path}: the file holds no video stream")
    if container.streams.video[0].codec_context is None:
        container.close()
        raise InputError(
            f"{path}: the video is in a format (codec) formcheck cannot decode; export it as H.264 MP4"
        )
    return container


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1e6
    return 0.0


def _check_duration(path: Path, duration_s: float, max_duration_s: float) -> None:
    if duration_s > max_duration_s + DURATION_GRACE_S:
        raise InputError(
            f"{path}: the video lasts {_clock(duration_s)}, longer than the "
            f"{_clock(max_duration_s, unit=False)} limit; trim it or split it into shorter clips"
        )


def probe(path: str | Path, max_duration_s: float = MAX_DURATION_S) -> VideoInfo:
    """Read a video's header; raise :class:`InputError` for anything unusable.

    A video may run :data:`DURATION_GRACE_S` over ``max_duration_s``.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 30.0
        duration = _duration(container, stream)
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
    _check_duration(path, duration, max_duration_s)
    return VideoInfo(path, stream.width, stream.height, fps, duration, frames, rotation % 360)


def _apply_rotation(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """Turn stored pixels upright. ``rotation`` is PyAV's ``frame.rotation`` (mod 360): the
    display matrix angle, counter-clockwise, as ffprobe's side data shows it (an iPhone's
    portrait clip: -90, i.e. 270). np.rot90 also turns counter-clockwise. Checked for 90, 180
    and 270 against ffmpeg's own auto-rotation (tests/test_bad_inputs.py)."""
    turns = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(rgb, k=turns)) if turns else rgb


def _scale_to(rgb_frame: av.VideoFrame, max_side: int | None) -> av.VideoFrame:
    if not max_side or max(rgb_frame.width, rgb_frame.height) <= max_side:
        return rgb_frame
    scale = max_side / max(rgb_frame.width, rgb_frame.height)
    width = int(round(rgb_frame.width * scale / 2)) * 2
    height = int(round(rgb_frame.height * scale / 2)) * 2
    return rgb_frame.reformat(width=width, height=height)


def _cut_short(info: VideoInfo, decoded_s: float) -> str | None:
    """A warning if the decoded part ends well before the header's duration, else None."""
    missing = info.duration_s - decoded_s
    if missing <= max(TRUNCATION_FRAMES / max(info.fps, 1.0), TRUNCATION_SHARE * info.duration_s):
        return None
    return (
        f"the video file is cut short or damaged: only the first {decoded_s:.1f} s of "
        f"{info.duration_s:.1f} s could be read; the results cover that part only"
    )


def _damaged_after(last_s: float, exc: Exception) -> str:
    name = exc.__class__.__name__
    return f"the video file is damaged after {last_s:.1f} s ({name}); the results cover the part before"


def read_frames(
    path: str | Path,
    max_side: int | None = 1280,
    max_duration_s: float = MAX_DURATION_S,
    warnings: list[str] | None = None,
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(timestamp_s, rgb)`` for each frame, timestamps from the file's own clock.

    Args:
        path: video file.
        max_side: frames larger than this (pixels, longer side) are scaled down; the pose
            model works at 256 px, so this only saves decoding and drawing time.
        max_duration_s: refuse longer videos (checked in the header and while reading).
        warnings: if given, a message is appended when the file ends early or breaks
            part-way (a truncated upload): the frames before the damage are still yielded.

    Frames are decoded one at a time and never kept. Timestamps start at 0 and strictly
    increase (a repeated timestamp is nudged by 1 ms). Frames are turned upright by the
    file's rotation metadata.
    """
    info = probe(path, max_duration_s)
    container = _open(Path(path))
    first: float | None = None
    last = -1.0
    count = 0
    broken: str | None = None
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            t = frame.time if frame.time is not None else index / info.fps
            first = t if first is None else first
            t = max(t - first, last + 0.001)
            _check_duration(Path(path), t, max_duration_s)
            last = t
            rgb = _scale_to(frame, max_side).to_ndarray(format="rgb24")
            count += 1
            yield t, _apply_rotation(rgb, info.rotation)
    except av.error.FFmpegError as exc:
        if count == 0:
            raise InputError(f"{path}: the video cannot be decoded ({exc.__class__.__name__})") from None
        broken = _damaged_after(last, exc)
    finally:
        container.close()
    if count == 0:
        raise InputError(f"{path}: the video has no frames")
    message = broken or _cut_short(info, last + 1.0 / max(info.fps, 1.0))
    if message and warnings is not None:
        warnings.append(message)
