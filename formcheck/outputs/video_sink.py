"""``VideoSink``: write RGB frames to an H.264 MP4 that browsers play while it downloads.

PyAV encodes with libx264 (yuv420p, even width and height, ``+faststart`` so the index
sits before the media data). pip's OpenCV cannot write H.264, hence PyAV.

Example:
    >>> with VideoSink("out.mp4", fps=25, size=(768, 432)) as sink:  # doctest: +SKIP
    ...     for rgb in frames:
    ...         sink.write(rgb)
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Self

import av
import numpy as np


def fps_fraction(fps: float) -> Fraction:
    """A frame rate as an exact fraction: 25 → 25, 29.97 → 2997/100, 30000/1001 → 30000/1001."""
    if not fps or not np.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    return Fraction(fps).limit_denominator(1001)


class VideoSink:
    """Context manager that encodes RGB frames (H×W×3 uint8) into an H.264 MP4 file.

    Args:
        path: output file (``.mp4``); its folder must exist.
        fps: frame rate; fractional rates such as 29.97 are kept exact.
        size: (width, height) of the frames that will be written. An odd width or
            height is padded to even by repeating the last column or row.
        crf: x264 quality (lower is better and bigger; 18-28 is sensible).
        preset: x264 speed preset.

    Frame ``i`` is shown at ``i / fps`` seconds (constant frame rate).
    """

    def __init__(self, path: str | Path, fps: float, size: tuple[int, int], crf: int = 23,
                 preset: str = "veryfast") -> None:
        width, height = int(size[0]), int(size[1])
        if width < 1 or height < 1:
            raise ValueError(f"frame size must be positive, got {size!r}")
        self.path = Path(path)
        self.rate = fps_fraction(fps)
        self.size = (width, height)
        self.encoded_size = (width + width % 2, height + height % 2)
        self.crf = crf
        self.preset = preset
        self.frames_written = 0
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def open(self) -> None:
        """Create the file and the encoder (``with`` does this for you)."""
        if self._container is not None:
            return
        container = av.open(str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"})
        try:
            stream = container.add_stream("libx264", rate=self.rate)
            stream.width, stream.height = self.encoded_size
            stream.pix_fmt = "yuv420p"
            stream.time_base = 1 / self.rate
            stream.codec_context.time_base = 1 / self.rate
            stream.options = {"crf": str(self.crf), "preset": self.preset}
        except Exception:
            container.close()
            raise
        self._container, self._stream = container, stream

    def write(self, rgb: np.ndarray) -> None:
        """Encode one RGB frame of the size given at construction."""
        if self._container is None or self._stream is None:
            raise RuntimeError("VideoSink is not open: use it as a context manager or call open()")
        if rgb.ndim != 3 or rgb.shape[2] != 3 or (rgb.shape[1], rgb.shape[0]) != self.size:
            raise ValueError(f"expected an RGB frame of {self.size[0]}x{self.size[1]}, got shape {rgb.shape}")
        pad_h, pad_w = self.encoded_size[1] - rgb.shape[0], self.encoded_size[0] - rgb.shape[1]
        if pad_h or pad_w:
            rgb = np.pad(rgb, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb, dtype=np.uint8), format="rgb24")
        frame = frame.reformat(format="yuv420p")
        frame.pts = self.frames_written
        frame.time_base = self._stream.codec_context.time_base
        self._container.mux(self._stream.encode(frame))
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file (``with`` does this for you)."""
        if self._container is None:
            return
        container, stream = self._container, self._stream
        self._container = self._stream = None
        try:
            if stream is not None:
                container.mux(stream.encode(None))
        finally:
            container.close()


__all__ = ["VideoSink", "fps_fraction"]
