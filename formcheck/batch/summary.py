"""``summary.csv``: one row per clip, made from the clips' records (``NAME.json`` / ``NAME.error.json``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from formcheck.batch.outputs import write_atomic

SUMMARY_COLUMNS = (
    "clip", "exercise", "chosen_by", "confidence", "duration_s", "reps", "reps_by_side", "holds",
    "holds_reaching_target", "faults", "usable_frame_share", "warnings", "error", "seconds",
)  # fmt: skip


def _counts(counts: Mapping[str, int]) -> str:
    """``{"b": 2, "a": 1}`` → ``a:1;b:2`` (sorted, so two runs give the same text)."""
    return ";".join(f"{key}:{n}" for key, n in sorted(counts.items()))


def _warning_counts(warnings: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for warning in warnings:
        counts[warning["code"]] = counts.get(warning["code"], 0) + 1
    return counts


def summary_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The summary line of one clip's record (a failed clip has only its name, error and time)."""
    batch = record["batch"]
    row: dict[str, Any] = {"clip": batch["clip"], "error": batch.get("error") or "", "seconds": batch.get("seconds")}
    if batch.get("error"):
        return row
    choice = record.get("exercise_choice") or {}
    holds = record.get("holds", [])
    row.update(
        exercise=record.get("exercise"), chosen_by=choice.get("chosen_by"), confidence=choice.get("confidence"),
        duration_s=record.get("duration_s"), reps=record.get("rep_count"),
        reps_by_side=_counts(record.get("reps_by_side", {})), holds=len(holds),
        holds_reaching_target=sum(bool(h.get("reached_target")) for h in holds),
        faults=_counts(record.get("fault_counts", {})), usable_frame_share=batch.get("usable_frame_share"),
        warnings=_counts(_warning_counts(record.get("warnings", []))),
    )
    return row


def summary_csv(records: Iterable[Mapping[str, Any]]) -> str:
    """The CSV text (header ``SUMMARY_COLUMNS``) of ``records``, in the order given."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else v for k, v in summary_row(record).items()})
    return buffer.getvalue()


def write_summary(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``summary.csv`` whole (atomically) from ``records``."""
    return write_atomic(path, summary_csv(records))


__all__ = ["SUMMARY_COLUMNS", "summary_csv", "summary_row", "write_summary"]
