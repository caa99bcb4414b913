"""The clips of a folder and the per-clip task every runner (local or Ray) runs.

:func:`run_clip` never raises for a bad clip: a clip that cannot be reviewed comes back as a
record whose ``batch.error`` says why, so one clip never stops the others.
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.analysis import VIDEO_SUFFIXES, PoseOptions, file_fingerprint
from formcheck.batch.settings import AUTO, ReviewSettings
from formcheck.errors import FormcheckError, ModelNotFoundError
from formcheck.pose.models import resolve_model

#: Fingerprints of model bundles already checked in this process (path → fingerprint).
_MODEL_FINGERPRINTS: dict[str, str] = {}


def list_clips(folder: Path, recursive: bool = False, skip: Path | None = None) -> list[Path]:
    """The videos (``VIDEO_SUFFIXES``) in ``folder``, sorted; with ``recursive`` in its sub-folders
    too, except those under ``skip`` (the output folder). Hidden files are left out."""
    pattern = "**/*" if recursive else "*"
    skip = skip.resolve() if skip is not None else None
    found = []
    for path in folder.glob(pattern):
        if path.name.startswith(".") or path.suffix.lower() not in VIDEO_SUFFIXES or not path.is_file():
            continue
        where = path.parent.resolve()  # the file itself may be a link to elsewhere
        if skip is not None and (where == skip or skip in where.parents):
            continue
        found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


@dataclass(frozen=True)
class ClipJob:
    """One clip to review.

    Attributes:
        clip: its name relative to the batch folder (``sub/a.mp4``): the key of its outputs.
        path: where the driver reads it.
        size, mtime_ns: the file's size and modification time when the job was made.
        settings: how to review it.
        data: the video itself, for a worker that cannot read ``path`` (a Ray node).
    """

    clip: str
    path: str
    size: int
    mtime_ns: int
    settings: ReviewSettings
    data: bytes | None = None


@dataclass
class ClipOutcome:
    """What a task gives back: the record (``analyze --json`` plus ``batch``) and the annotated video."""

    clip: str
    record: dict[str, Any]
    video: bytes | None = None

    @property
    def error(self) -> str | None:
        return self.record["batch"]["error"]


def _model_path(settings: ReviewSettings) -> Path:
    """The bundle this worker loads, checked against the driver's fingerprint."""
    path = resolve_model(settings.variant, settings.model, allow_download=False)
    if settings.model_fingerprint:
        seen = _MODEL_FINGERPRINTS.setdefault(str(path), file_fingerprint(path))
        if seen != settings.model_fingerprint:
            raise ModelNotFoundError(
                f"the pose model {path} on {socket.gethostname()} is not the one the batch started with "
                f"(fingerprint {seen}, expected {settings.model_fingerprint}); install the same bundle on every node"
            )
    return path


def _pose_options(settings: ReviewSettings) -> PoseOptions:
    """The pose options ``formcheck analyze`` uses for the same choices (see ``cli._pose_options``)."""
    rate = {"max_gap_s": 0.0} if settings.every_frame else {}
    return PoseOptions(variant=settings.variant, model_path=_model_path(settings), max_people=settings.max_people,
                       **rate)


@contextlib.contextmanager
def _readable(job: ClipJob) -> Iterator[Path]:
    """A path to the clip: ``job.path``, or a private temporary copy of ``job.data`` (removed after)."""
    if job.data is None:
        yield Path(job.path)
        return
    with tempfile.TemporaryDirectory(prefix="formcheck-batch-") as folder:
        copy = Path(folder) / Path(job.path).name
        copy.write_bytes(job.data)
        yield copy


def _annotated(path: Path, review: Any) -> bytes:
    """The annotated H.264 video of a reviewed clip, as bytes (the driver writes the file)."""
    from formcheck.outputs.annotate import annotate_video

    with tempfile.TemporaryDirectory(prefix="formcheck-annotate-") as folder:
        out = annotate_video(path, review.track, review.rule, Path(folder) / "annotated.mp4")
        return out.read_bytes()


def _review(job: ClipJob, path: Path) -> tuple[dict[str, Any], bytes | None, float]:
    """Review one readable clip: its ``analyze --json`` record, annotated video and usable-frame share."""
    from formcheck.batch.review import review_video
    from formcheck.rules import load_rule

    settings = job.settings
    rule = None if settings.exercise == AUTO else load_rule(settings.exercise)
    review = review_video(path, rule, _pose_options(settings))
    video = _annotated(path, review) if settings.annotate else None
    return review.record(), video, round(review.usable_share(), 3)


def _fingerprint(path: Path) -> str | None:
    """The clip's content fingerprint, or ``None`` when it cannot be read."""
    try:
        return file_fingerprint(path)
    except OSError:
        return None


def _error_fields(exc: Exception, job: ClipJob, path: Path | None) -> dict[str, Any]:
    """The ``batch`` fields of a clip that could not be reviewed; ``retry`` when another run may succeed."""
    message = str(exc) if isinstance(exc, FormcheckError) else f"{exc.__class__.__name__}: {exc}"
    if path is not None and job.data is not None:
        message = message.replace(str(path), job.path)  # name the clip, not the node's temporary copy
    final = isinstance(exc, FormcheckError) and not isinstance(exc, ModelNotFoundError)
    return {"error": message, "error_type": exc.__class__.__name__, "retry": not final}


def _batch_block(job: ClipJob, fields: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The ``batch`` block of a record: which file, with which settings, how it went, where and how long."""
    return {"clip": job.clip, "size": job.size, "mtime_ns": job.mtime_ns, **fields,
            "settings": job.settings.key(), "seconds": round(seconds, 3), "node": socket.gethostname()}


def run_clip(job: ClipJob) -> ClipOutcome:
    """Review one clip; never raises for a bad clip (the record's ``batch.error`` tells what went wrong)."""
    started = time.perf_counter()
    record: dict[str, Any] = {}
    video, path = None, None
    fields: dict[str, Any] = {"fingerprint": None, "usable_frame_share": None}
    try:
        with _readable(job) as path:
            fields["fingerprint"] = _fingerprint(path)
            record, video, fields["usable_frame_share"] = _review(job, path)
        fields.update(error=None, error_type=None, retry=False)
    except Exception as exc:  # noqa: BLE001 - one clip's failure must not stop the batch
        fields.update(_error_fields(exc, job, path))
    record["batch"] = _batch_block(job, fields, time.perf_counter() - started)
    return ClipOutcome(job.clip, record, video)


def crashed_outcome(job: ClipJob, message: str) -> ClipOutcome:
    """The outcome of a clip whose worker died (no record came back); tried again on the next run."""
    fields = {"fingerprint": None, "usable_frame_share": None, "error": message, "error_type": "WorkerLost",
              "retry": True}
    return ClipOutcome(job.clip, {"batch": _batch_block(job, fields, 0.0)})


def warm_up() -> None:
    """Import the model library and the rule catalogue once per worker process (pool initializer)."""
    from formcheck.batch import review  # noqa: F401 - imports the analysis stack
    from formcheck.pose.native_log import capture_native_stderr
    from formcheck.rules import list_rules

    with capture_native_stderr():
        from mediapipe.tasks.python import vision  # noqa: F401
    list_rules()


__all__ = ["ClipJob", "ClipOutcome", "crashed_outcome", "list_clips", "run_clip", "warm_up"]
