"""``PoseTrack``: landmarks × frames, the one data object every later stage consumes."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.errors import InputError
from formcheck.pose.landmarks import COUNT

CACHE_FORMAT = 1


def _warnings(data: np.lib.npyio.NpzFile) -> list[tuple[str, str]]:
    """The ``(code, message)`` warnings of a cache (none in caches written before them)."""
    if "warnings" not in data.files:
        return []
    return [(str(code), str(message)) for code, message in data["warnings"].reshape(-1, 2)]


@dataclass(frozen=True)
class PoseFrame:
    """One frame's pose of the tracked person.

    ``landmarks`` is (33, 4): x, y normalised to the image (0-1), z (MediaPipe's
    relative depth, smaller is nearer the camera) and visibility (0-1). NaN rows
    mean the model found nobody in this frame.
    """

    timestamp_s: float
    landmarks: np.ndarray
    world: np.ndarray
    persons: int
    image_size: tuple[int, int]
    #: False when the model did not run on this frame and the latest pose was held (the pose rate).
    fresh: bool = True

    @property
    def has_person(self) -> bool:
        return bool(np.isfinite(self.landmarks[0, 0]))


@dataclass
class PoseTrack:
    """The pose of one person over a clip.

    Attributes:
        landmarks: (T, 33, 4) float32, as in :class:`PoseFrame`.
        world: (T, 33, 3) float32 world landmarks in metres, hip-centred.
        timestamps: (T,) float64 seconds from the first frame.
        persons: (T,) int8 number of people the model found in each frame.
        image_size: (width, height) in pixels, after rotation metadata is applied.
        fps: nominal frame rate of the source.
        source: name of the source video.
        model: model variant that produced the landmarks.
        warnings: ``(code, message)`` problems with the video the user should see (e.g.
            the file was cut short, so the track covers only its first part).
        model_ran: (T,) bool, the frames the model ran on (the others hold the latest pose);
            None when it ran on every frame (or the track predates the pose rate).
    """

    landmarks: np.ndarray
    world: np.ndarray
    timestamps: np.ndarray
    persons: np.ndarray
    image_size: tuple[int, int]
    fps: float
    source: str = ""
    model: str = ""
    extras: dict = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    model_ran: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.timestamps)

    @property
    def duration_s(self) -> float:
        if len(self) == 0:
            return 0.0
        return float(self.timestamps[-1] + 1.0 / max(self.fps, 1e-6))

    @property
    def has_depth(self) -> bool:
        """The frames with a person carry the pose model's 3-D (world) landmarks. MediaPipe always
        gives them; landmark data from other tools may not (all zeros or NaN)."""
        seen = self.persons > 0
        return bool(np.any(np.nan_to_num(np.abs(self.world[seen])) > 0))

    def frame(self, i: int) -> PoseFrame:
        return PoseFrame(
            timestamp_s=float(self.timestamps[i]),
            landmarks=self.landmarks[i],
            world=self.world[i],
            persons=int(self.persons[i]),
            image_size=self.image_size,
            fresh=True if self.model_ran is None else bool(self.model_ran[i]),
        )

    def frames(self):
        """Yield every frame as a :class:`PoseFrame`."""
        for i in range(len(self)):
            yield self.frame(i)

    @classmethod
    def from_frames(cls, frames: list[PoseFrame], fps: float, source: str = "", model: str = "") -> PoseTrack:
        if not frames:
            raise InputError(f"{source or 'the video'}: no frames to build a pose track from")
        return cls(
            landmarks=np.stack([f.landmarks for f in frames]).astype(np.float32),
            world=np.stack([f.world for f in frames]).astype(np.float32),
            timestamps=np.array([f.timestamp_s for f in frames], dtype=np.float64),
            persons=np.array([f.persons for f in frames], dtype=np.int8),
            image_size=frames[0].image_size,
            fps=float(fps),
            source=source,
            model=model,
            model_ran=np.array([f.fresh for f in frames], dtype=bool),
        )

    def save(self, path: str | Path) -> Path:
        """Write a compressed ``.npz`` cache (about 30 kB per second of video)."""
        path = Path(path)
        np.savez_compressed(
            path,
            format=np.array(CACHE_FORMAT),
            landmarks=self.landmarks.astype(np.float32),
            world=self.world.astype(np.float32),
            timestamps=self.timestamps.astype(np.float64),
            persons=self.persons.astype(np.int8),
            image_size=np.array(self.image_size, dtype=np.int32),
            fps=np.array(self.fps),
            source=np.array(self.source),
            model=np.array(self.model),
            warnings=np.array(self.warnings, dtype=str).reshape(-1, 2),
            **({} if self.model_ran is None else {"model_ran": self.model_ran.astype(bool)}),
        )
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        """Read a cache written by :meth:`save`; a clear error if it is not one."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such landmark file")
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"]) != CACHE_FORMAT:
                    raise InputError(
                        f"{path}: landmark cache format {int(data['format'])} "
                        f"is not supported (expected {CACHE_FORMAT})"
                    )
                track = cls(
                    landmarks=data["landmarks"],
                    world=data["world"],
                    timestamps=data["timestamps"],
                    persons=data["persons"],
                    image_size=tuple(int(v) for v in data["image_size"]),
                    fps=float(data["fps"]),
                    source=str(data["source"]),
                    model=str(data["model"]),
                    warnings=_warnings(data),
                    model_ran=data["model_ran"] if "model_ran" in data.files else None,
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise InputError(f"{path}: not a formcheck landmark file ({exc.__class__.__name__})") from None
        if track.landmarks.shape[1:] != (COUNT, 4) or len(track.landmarks) != len(track.timestamps):
            raise InputError(f"{path}: landmark arrays have the wrong shape")
        return track
