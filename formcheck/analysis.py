"""The review path in one place: video → landmarks (cached) → engine → result.

Faces (the CLI and the app) call these functions; they hold no rule logic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from formcheck.engine.machine import analyze_track
from formcheck.errors import NoPersonError
from formcheck.pose.estimator import PoseOptions, track_frames
from formcheck.pose.track import PoseTrack
from formcheck.results import SessionResult, Warning
from formcheck.rules.schema import Rule
from formcheck.sources.video import probe, read_frames

#: Below this share of frames with a person, the clip is treated as having nobody in it.
MIN_PERSON_SHARE = 0.05
#: Result-warning codes for problems with the video itself.
TRUNCATED_WARNING = "video_truncated"



def file_fingerprint(path: str | Path) -> str:
    """A short content hash of a file (cache key for its landmarks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def track_video(
    path: str | Path,
    options: PoseOptions = PoseOptions(),
    progress: Callable[[float], None] | None = None,
    cache_dir: str | Path | None = None,
) -> PoseTrack:
    """Landmarks of every frame of a video, from the cache when it has them.

    Args:
        path: the video file.
        options: model variant and model path.
        progress: called with the fraction done (0-1) while the model runs.
        cache_dir: folder for landmark caches, keyed by file content and model variant.

    Raises:
        InputError: the file is missing, empty, not a video or too long.
        NoPersonError: nobody was found in the clip.
    """
    info = probe(path)
    cached: Path | None = None
    if cache_dir is not None:
        people = "" if options.max_people == 2 else f".p{options.max_people}"
        cached = Path(cache_dir) / f"{file_fingerprint(path)}.{options.variant}{people}.npz"
        if cached.is_file():
            return PoseTrack.load(cached)
    total = max(info.frame_count, 1)
    report = (lambda n: progress(min(1.0, n / total))) if progress else None
    notes: list[str] = []
    track = track_frames(read_frames(path, warnings=notes), options, fps=info.fps, source=Path(path).name,
                         progress=report)
    track.warnings = [(TRUNCATED_WARNING, note) for note in notes] + track.warnings
    if (track.persons > 0).mean() < MIN_PERSON_SHARE:
        raise NoPersonError(f"{path}: no person found in the video (checked {len(track)} frames)")
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        track.save(cached)
    return track


def input_warnings(track: PoseTrack) -> list[Warning]:
    """The track's problems with the video (see :attr:`PoseTrack.warnings`) as result warnings.

    A truncated file's warning is placed where the readable part ends; others span the clip.
    """
    end = track.duration_s
    return [
        Warning(code, end if code == TRUNCATED_WARNING else 0.0, end, message) for code, message in track.warnings
    ]


def analyze(track: PoseTrack, rule: Rule) -> SessionResult:
    """Run the engine over a track; the result also carries the track's input warnings
    (so a summary or JSON shows that, e.g., the file was cut short)."""
    result = analyze_track(track, rule)
    result.warnings[:0] = input_warnings(track)
    return result


def analyze_video(
    path: str | Path,
    rule: Rule,
    options: PoseOptions = PoseOptions(),
    progress: Callable[[float], None] | None = None,
    cache_dir: str | Path | None = None,
) -> tuple[SessionResult, PoseTrack]:
    """Run the whole review pipeline on one video."""
    track = track_video(path, options, progress, cache_dir)
    return analyze(track, rule), track
