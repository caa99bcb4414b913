"""The history as text tables for the terminal: sessions, weeks with adherence, progress per exercise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from formcheck.history.progress import Adherence, ExercisePoint, WeekRow, adherence, exercise_progress, weekly
from formcheck.history.rows import SessionSets


def table(header: Sequence[str], rows: list[Sequence[object]], left: int = 1) -> str:
    """Columns padded to their widest cell: the first ``left`` columns left-aligned, the others right-aligned."""
    cells = [[str(c) for c in header]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


def share(done: float, prescribed: float, value: float | None, unit: str = "") -> str:
    """``"92% (46/50)"``, or ``"-"`` when nothing was prescribed."""
    if value is None:
        return "-"
    return f"{value:.0%} ({done:g}/{prescribed:g}{unit})"


def _adherence_cells(a: Adherence) -> list[str]:
    return [share(a.reps_done, a.reps_prescribed, a.reps_share),
            share(round(a.hold_done_s), round(a.hold_prescribed_s), a.hold_share, " s")]


def sessions_table(history: list[SessionSets]) -> str:
    rows: list[list[object]] = []
    for h in history:
        s = h.session
        rows.append([s.id, datetime.fromtimestamp(s.started_at).strftime("%Y-%m-%d %H:%M"), s.person,
                     s.programme or s.clip_name or "-", s.source, len(h.sets), "yes" if s.completed else "no",
                     "yes" if s.pain_stop else "", *_adherence_cells(adherence(h.sets))])
    return table(["id", "started", "person", "programme or clip", "source", "sets", "completed", "pain stop",
                  "reps done", "hold time done"], rows, left=5)


def weeks_table(weeks: list[WeekRow]) -> str:
    rows = [[w.week, w.sessions, w.completed, w.pain_stops, w.sets, *_adherence_cells(w.adherence)] for w in weeks]
    return table(["week", "sessions", "completed", "pain stops", "sets", "reps done", "hold time done"], rows)


def exercises_table(points: list[ExercisePoint]) -> str:
    rows = [[p.exercise, p.day.isoformat(), p.session_id, p.sets, p.reps, f"{p.hold_s:.0f}",
             "-" if p.mean_range_of_motion is None else f"{p.mean_range_of_motion:.0f}",
             "-" if p.fault_rate is None else f"{p.fault_rate:.2f}", p.pain_stops or ""] for p in points]
    return table(["exercise", "day", "session", "sets", "reps", "hold s", "range of motion", "faults per rep",
                  "pain stops"], rows, left=2)


def history_text(history: list[SessionSets]) -> str:
    """The whole report: sessions, sessions per week with adherence, progress per exercise."""
    if not history:
        return "No sessions saved yet."
    return "\n\n".join([
        "Sessions\n" + sessions_table(history),
        "Sessions per week (adherence: share of the prescribed reps and hold time done)\n"
        + weeks_table(weekly(history)),
        "Progress per exercise\n" + exercises_table(exercise_progress(history)),
    ])
