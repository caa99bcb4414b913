"""The output folder of a batch: where each clip's files go, atomic writes, and reading them back.

Per clip ``NAME`` (its path relative to the batch folder, e.g. ``bridge_01.mp4``):
``NAME.json`` (the ``analyze --json`` record plus a ``batch`` block), ``NAME.error.json`` (a
clip that could not be reviewed: only the ``batch`` block), ``NAME.annotated.mp4`` (with
``--annotate``). Every file is written as ``FILE.tmp`` in the same folder and renamed over
``FILE``, so a killed run leaves either the old file, the new one, or nothing, never half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from formcheck.batch.jobs import ClipOutcome

TMP_SUFFIX = ".tmp"
RESULT_SUFFIX = ".json"
ERROR_SUFFIX = ".error.json"
VIDEO_SUFFIX = ".annotated.mp4"
SUMMARY_NAME = "summary.csv"


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` via ``path.tmp`` + ``os.replace``; no ``.tmp`` is left on failure."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _read_json(path: Path) -> dict[str, Any] | None:
    """A record file, or ``None`` when it is missing or not a record (e.g. edited by hand)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("batch"), dict) else None


class OutputFolder:
    """The files of one batch's output folder (``root``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.summary = root / SUMMARY_NAME

    def prepare(self) -> int:
        """Create the folder; remove ``.tmp`` files a killed run left. Returns how many were removed."""
        self.root.mkdir(parents=True, exist_ok=True)
        stale = [p for p in self.root.rglob(f"*{TMP_SUFFIX}") if p.is_file()]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def result_path(self, clip: str) -> Path:
        return self.root / f"{clip}{RESULT_SUFFIX}"

    def error_path(self, clip: str) -> Path:
        return self.root / f"{clip}{ERROR_SUFFIX}"

    def video_path(self, clip: str) -> Path:
        return self.root / f"{clip}{VIDEO_SUFFIX}"

    def load(self, clip: str) -> dict[str, Any] | None:
        """The clip's record from an earlier run: its result, else its error, else ``None``."""
        return _read_json(self.result_path(clip)) or _read_json(self.error_path(clip))

    def save(self, outcome: ClipOutcome) -> dict[str, Any]:
        """Write a task's outputs (video first, then the record that marks the clip done) and remove
        the other kind of record left by an earlier run. Returns the record as written."""
        clip, record = outcome.clip, outcome.record
        self.result_path(clip).parent.mkdir(parents=True, exist_ok=True)
        if outcome.error is not None:
            write_atomic(self.error_path(clip), json.dumps(record, indent=2))
            self.result_path(clip).unlink(missing_ok=True)
            self.video_path(clip).unlink(missing_ok=True)
            return record
        record["batch"]["annotated"] = None
        if outcome.video is not None:
            write_atomic(self.video_path(clip), outcome.video)
            record["batch"]["annotated"] = self.video_path(clip).name
        write_atomic(self.result_path(clip), json.dumps(record, indent=2, allow_nan=False))
        self.error_path(clip).unlink(missing_ok=True)
        return record


__all__ = ["ERROR_SUFFIX", "RESULT_SUFFIX", "SUMMARY_NAME", "TMP_SUFFIX", "VIDEO_SUFFIX", "OutputFolder",
           "write_atomic"]
