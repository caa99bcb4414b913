"""The progress lines of a batch on stderr: ``[3/28] clip.mp4 ok glute_bridge: 4 reps 12.3 s``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def result_text(record: Mapping[str, Any]) -> str:
    """``ok glute_bridge: 4 reps, 2 faults`` or ``ERROR <message>``."""
    batch = record["batch"]
    if batch.get("error"):
        return f"ERROR {batch['error']}"
    counts_reps = record.get("rep_metric") is not None or record.get("rep_count")
    parts = [_plural(record.get("rep_count", 0), "rep")] if counts_reps else []
    holds = record.get("holds", [])
    if holds:
        reached = sum(bool(h.get("reached_target")) for h in holds)
        parts.append(f"{_plural(len(holds), 'hold')} ({reached} reached the target)")
    faults = sum(record.get("fault_counts", {}).values())
    if faults:
        parts.append(_plural(faults, "fault"))
    return f"ok {record.get('exercise')}: {', '.join(parts) or 'nothing counted'}"


def outcome_line(done: int, total: int, record: Mapping[str, Any]) -> str:
    """One finished clip: position, name, result and the seconds it took."""
    batch = record["batch"]
    return f"[{done}/{total}] {batch['clip']} {result_text(record)} {batch.get('seconds') or 0:.1f} s"


def start_line(total: int, skipped: int, how: str) -> str:
    """What the run will do: ``28 clips: 5 done before (skipped), 23 to review on 2 local processes``."""
    return f"{_plural(total, 'clip')}: {skipped} done before (skipped), {total - skipped} to review {how}"


__all__ = ["outcome_line", "result_text", "start_line"]
