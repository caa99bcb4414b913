"""The pose stage: MediaPipe Tasks ``PoseLandmarker`` behind one small interface.

``PoseEstimator.detect(rgb, t)`` runs the model in VIDEO mode (frames in time order) and
returns a :class:`~formcheck.pose.track.PoseFrame`. Files and the live camera both use it:
the live clock calls it from its own worker thread on the newest camera frame
(:mod:`formcheck.live.worker`), so both see poses built the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import ModelNotFoundError
from formcheck.pose.landmarks import COUNT, INDEX
from formcheck.pose.models import DEFAULT_VARIANT, resolve_model
from formcheck.pose.native_log import capture_native_stderr
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.sources.lighting import brighten, dark_note

_TORSO = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
#: Result-warning code of a clip whose frames were mostly too dark (and were brightened).
DARK_WARNING = "video_dark"
#: Two detections whose boxes overlap more than this are one person seen twice.
SAME_PERSON_IOU = 0.5


@dataclass(frozen=True)
class PoseOptions:
    """How to run the pose model.

    Attributes:
        variant: ``lite``, ``full`` or ``heavy``.
        model_path: explicit bundle (``--model``); otherwise the model search order applies.
        max_people: people the detector looks for; more than one lets formcheck warn about
            a second person and keep following the first.
        min_detection_confidence: detector (and presence) threshold (MediaPipe's default is 0.5).
        min_tracking_confidence: threshold for following the person from the previous frame.
    """

    variant: str = DEFAULT_VARIANT
    model_path: str | Path | None = None
    max_people: int = 2
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5


def _empty_frame(t: float, size: tuple[int, int]) -> PoseFrame:
    return PoseFrame(t, np.full((COUNT, 4), np.nan, np.float32), np.full((COUNT, 3), np.nan, np.float32), 0, size)


def _box(points: np.ndarray) -> tuple[float, float, float, float]:
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return float(inter / union) if union > 0 else 0.0


class PersonPicker:
    """Chooses which detected person to follow: the one nearest the previous choice,
    else the largest. Counts distinct people (near-duplicate detections are merged)."""

    def __init__(self) -> None:
        self._last_torso: np.ndarray | None = None

    def pick(self, poses: list[np.ndarray]) -> tuple[int | None, int]:
        """Return (index of the chosen pose, number of distinct people)."""
        if not poses:
            return None, 0
        distinct: list[int] = []
        for i, pose in enumerate(poses):
            if all(_iou(pose[:, :2], poses[j][:, :2]) < SAME_PERSON_IOU for j in distinct):
                distinct.append(i)
        if self._last_torso is not None:
            chosen = min(distinct, key=lambda i: float(np.linalg.norm(poses[i][_TORSO, :2] - self._last_torso)))
        else:
            chosen = max(distinct, key=lambda i: float(np.prod(np.ptp(poses[i][:, :2], axis=0))))
        self._last_torso = poses[chosen][_TORSO, :2].copy()
        return chosen, len(distinct)


class PoseEstimator:
    """A context manager around one MediaPipe ``PoseLandmarker``.

    Example:
        >>> with PoseEstimator(PoseOptions(variant="lite")) as pose:   # doctest: +SKIP
        ...     frame = pose.detect(rgb, 0.0)
    """

    def __init__(self, options: PoseOptions = PoseOptions()) -> None:
        self.options = options
        self.model_path = resolve_model(options.variant, options.model_path)
        with capture_native_stderr():
            from mediapipe.tasks.python import BaseOptions, vision
        self._picker = PersonPicker()
        self._last_ms = -1
        kwargs = dict(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=options.max_people,
            min_pose_detection_confidence=options.min_detection_confidence,
            min_pose_presence_confidence=options.min_detection_confidence,
            min_tracking_confidence=options.min_tracking_confidence,
        )
        self._mp = __import__("mediapipe")
        self._landmarker = None
        try:
            with capture_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(**kwargs))
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(f"{self.model_path}: the pose model could not be loaded ({exc})") from None
        self._warmed_up = False
        #: Frames given to :meth:`detect`, and how many of them were too dark and brightened.
        self.frames_seen = 0
        self.dark_frames = 0

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        """Release the native graph (do this explicitly: its finaliser is noisy at exit)."""
        if self._landmarker is not None:
            with capture_native_stderr():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- conversion ------------------------------------------------------------------
    def _to_frame(self, result, t: float, size: tuple[int, int]) -> PoseFrame:
        poses = [
            np.array([(p.x, p.y, p.z, p.visibility if p.visibility is not None else 0.0) for p in pose], np.float32)
            for pose in result.pose_landmarks
        ]
        chosen, people = self._picker.pick(poses)
        if chosen is None:
            return _empty_frame(t, size)
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[chosen]], np.float32)
        return PoseFrame(t, poses[chosen], world, people, size)

    def _timestamp_ms(self, t: float) -> int:
        ms = max(int(round(t * 1000)), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def _image(self, rgb: np.ndarray):
        return self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))

    # -- inference -------------------------------------------------------------------
    def detect(self, rgb: np.ndarray, timestamp_s: float) -> PoseFrame:
        """Pose of one frame (of a file or the camera); frames must come in time order."""
        size = (rgb.shape[1], rgb.shape[0])
        lifted = brighten(rgb)
        self.frames_seen += 1
        if lifted is not None:
            self.dark_frames += 1
            rgb = lifted
        if not self._warmed_up:  # the first inference logs its delegate set-up natively
            self._warmed_up = True
            with capture_native_stderr():
                result = self._landmarker.detect_for_video(self._image(rgb), self._timestamp_ms(timestamp_s))
        else:
            result = self._landmarker.detect_for_video(self._image(rgb), self._timestamp_ms(timestamp_s))
        return self._to_frame(result, timestamp_s, size)


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
        note = dark_note(pose.dark_frames, pose.frames_seen)
    track = PoseTrack.from_frames(out, fps=fps, source=source, model=options.variant)
    if note:
        track.warnings.append((DARK_WARNING, note))
    return track


logging.getLogger("absl").setLevel(logging.ERROR)
