"""Which clips an earlier run finished: their record matches the file and the settings.

A record matches its file when the file's size and modification time are the ones recorded,
or else when its content fingerprint (SHA-256) is the recorded one; a clip whose content
changed is reviewed again. A failed clip is tried again when its error may pass (an internal
error, a missing model on a node) or when asked (``--retry-errors``); a clip that failed for a
reason in the clip itself (not a video, nobody in it) is not, while the file stays the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from formcheck.analysis import file_fingerprint
from formcheck.batch.jobs import ClipJob
from formcheck.batch.outputs import OutputFolder


def same_file(batch: Mapping[str, Any], job: ClipJob) -> bool:
    """True when the record's ``batch`` block describes the file of ``job`` (same content)."""
    recorded = batch.get("fingerprint")
    if not recorded:
        return False
    if batch.get("size") == job.size and batch.get("mtime_ns") == job.mtime_ns:
        return True
    try:
        return file_fingerprint(job.path) == recorded
    except OSError:
        return False


def is_finished(record: Mapping[str, Any], job: ClipJob, out: OutputFolder, retry_errors: bool = False) -> bool:
    """True when ``record`` (from an earlier run) stands for ``job``: skip the clip."""
    batch = record["batch"]
    if batch.get("settings") != job.settings.key():
        return False
    if batch.get("error"):
        if retry_errors or batch.get("retry", True):
            return False
    elif job.settings.annotate and not out.video_path(job.clip).is_file():
        return False
    return same_file(batch, job)


__all__ = ["is_finished", "same_file"]
