"""The pose stage: MediaPipe Tasks ``PoseLandmarker`` behind one small interface.

``PoseEstimator.detect(rgb, t)`` gives every frame (in time order) a
:class:`~formcheck.pose.track.PoseFrame`: the model runs at the pose rate of
:mod:`formcheck.pose.sampling` (the latest pose is held in between) and follows one person
among those it finds (:mod:`formcheck.pose.people`). Files and the
live camera both use it: the live clock calls it from its own worker thread for each camera
frame (:mod:`formcheck.live.worker`), so both see poses built the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.pose.landmarker import Landmarker
from formcheck.pose.landmarks import COUNT
from formcheck.pose.models import DEFAULT_VARIANT, resolve_model
from formcheck.pose.people import PersonPicker
from formcheck.pose.sampling import MAX_GAP_S, PoseRate
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.sources.lighting import brighten, dark_note

#: Result-warning code of a clip whose frames were mostly too dark (and were brightened).
DARK_WARNING = "video_dark"


@dataclass(frozen=True)
class PoseOptions:
    """How to run the pose model.

    Attributes:
        variant: ``lite``, ``full`` or ``heavy``.
        model_path: explicit bundle (``--model``); otherwise the model search order applies.
        max_people: people the model looks for; more than one lets formcheck warn about a
            second person and keep following the first (and re-finds the person on every frame
            the model runs on, see :mod:`formcheck.pose.people`).
        min_detection_confidence: detector (and presence) threshold (MediaPipe's default is 0.5).
        min_tracking_confidence: threshold for following the person from the previous frame.
        max_gap_s: the pose rate (:class:`~formcheck.pose.sampling.PoseRate`): the longest a
            pose is held between model runs; 0 runs the model on every frame.
    """

    variant: str = DEFAULT_VARIANT
    model_path: str | Path | None = None
    max_people: int = 2
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    max_gap_s: float = MAX_GAP_S


def _empty_frame(t: float, size: tuple[int, int]) -> PoseFrame:
    return PoseFrame(t, np.full((COUNT, 4), np.nan, np.float32), np.full((COUNT, 3), np.nan, np.float32), 0, size)


class PoseEstimator:
    """The pose stage: the landmarker run at the pose rate, following one person among those
    found. A context manager; close it when done.

    Example:
        >>> with PoseEstimator(PoseOptions(variant="lite")) as pose:   # doctest: +SKIP
        ...     frame = pose.detect(rgb, 0.0)
    """

    def __init__(self, options: PoseOptions = PoseOptions()) -> None:
        self.options = options
        self.model_path = resolve_model(options.variant, options.model_path)
        self._landmarker = Landmarker(self.model_path, options.max_people, options.min_detection_confidence,
                                      options.min_tracking_confidence)
        self._picker = PersonPicker()
        self._rate = PoseRate(options.max_gap_s)
        self._held: PoseFrame | None = None
        #: Frames given to :meth:`detect`; those the model ran on; those too dark (brightened).
        self.frames_seen = 0
        self.model_runs = 0
        self.dark_frames = 0

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        """Release the native graph (do this explicitly: its finaliser is noisy at exit)."""
        self._landmarker.close()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inference -------------------------------------------------------------------
    def detect(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame:
        """Pose of one frame (of a file or the camera); frames must come in time order.
        The model runs when the pose rate asks for it; otherwise the latest pose is held."""
        size = (rgb.shape[1], rgb.shape[0])
        self.frames_seen += 1
        if self._held is not None and not self._rate.needs_model(timestamp_s):
            held = self._held
            return PoseFrame(timestamp_s, held.landmarks, held.world, held.persons, size, fresh=False)
        lifted = brighten(rgb)
        if lifted is not None:
            self.dark_frames += 1
            rgb = lifted
        self.model_runs += 1
        poses = self._landmarker.detect(rgb, timestamp_s)
        chosen, persons = self._picker.pick(poses, timestamp_s)
        frame = (_empty_frame(timestamp_s, size) if chosen is None
                 else PoseFrame(timestamp_s, *poses[chosen], persons, size))
        self._rate.observe(timestamp_s, frame.landmarks, size)
        self._held = frame
        return frame


def track_frames(
    frames: Iterable[tuple[float, np.ndarray]],
    options: PoseOptions = PoseOptions(),
    fps: float = 30.0,
    source: str = "",
    progress: Callable[[int], None] | None = None,
    keep_frame: Callable[[float, np.ndarray, PoseFrame], None] | None = None,
) -> PoseTrack:
    """Run the model over ``(timestamp_s, rgb)`` frames and return the :class:`PoseTrack`.

    ``keep_frame`` is called with each frame and its pose (e.g. to draw an annotated copy
    while the model runs); ``progress`` with the number of frames done.
    """
    out: list[PoseFrame] = []
    with PoseEstimator(options) as pose:
        for t, rgb in frames:
            frame = pose.detect(rgb, t)
            out.append(frame)
            if keep_frame is not None:
                keep_frame(t, rgb, frame)
            if progress is not None:
                progress(len(out))
        note = dark_note(pose.dark_frames, pose.model_runs)
    track = PoseTrack.from_frames(out, fps=fps, source=source, model=options.variant)
    if note:
        track.warnings.append((DARK_WARNING, note))
    return track

