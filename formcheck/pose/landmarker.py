"""One MediaPipe Tasks ``PoseLandmarker`` in VIDEO mode, as plain arrays.

:class:`Landmarker` hides the Tasks API: frames in time order go in, a list of
``(landmarks (33, 4), world (33, 3))`` arrays comes out, one pair per person found.
The pose stage (:mod:`formcheck.pose.estimator`) runs two of them: one following the
exercising person on the frames the pose rate asks for, one looking for other people now
and then (:mod:`formcheck.pose.people`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from formcheck.errors import ModelNotFoundError
from formcheck.pose.native_log import capture_native_stderr

#: One person's pose: image landmarks (x, y, z, visibility) and world landmarks (metres).
Pose = tuple[np.ndarray, np.ndarray]


class Landmarker:
    """A context-free wrapper around one ``PoseLandmarker``; close it when done.

    Args:
        model_path: the ``.task`` bundle.
        num_poses: people the model looks for.
        min_detection_confidence: detector and presence threshold.
        min_tracking_confidence: threshold for following a person from the previous frame.
    """

    def __init__(self, model_path: Path, num_poses: int, min_detection_confidence: float,
                 min_tracking_confidence: float) -> None:
        with capture_native_stderr():
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions, vision
        self._mp = mp
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        try:
            with capture_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(f"{model_path}: the pose model could not be loaded ({exc})") from None
        self._last_ms = -1
        self._warmed_up = False

    def close(self) -> None:
        """Release the native graph (explicitly: its finaliser is noisy at exit)."""
        if self._landmarker is not None:
            with capture_native_stderr():
                self._landmarker.close()
            self._landmarker = None

    def _timestamp_ms(self, t: float) -> int:
        ms = max(int(round(t * 1000)), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def detect(self, rgb: np.ndarray, timestamp_s: float) -> list[Pose]:
        """Every person found in one RGB frame (frames must come in time order)."""
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        ms = self._timestamp_ms(timestamp_s)
        if not self._warmed_up:  # the first inference logs its delegate set-up natively
            self._warmed_up = True
            with capture_native_stderr():
                result = self._landmarker.detect_for_video(image, ms)
        else:
            result = self._landmarker.detect_for_video(image, ms)
        return [
            (np.array([(p.x, p.y, p.z, p.visibility if p.visibility is not None else 0.0) for p in image_pose],
                      np.float32),
             np.array([(p.x, p.y, p.z) for p in world_pose], np.float32))
            for image_pose, world_pose in zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)
        ]


logging.getLogger("absl").setLevel(logging.ERROR)
