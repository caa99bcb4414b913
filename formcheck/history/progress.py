"""Progress over the weeks, as plain tables: pure functions over sessions and their sets.

Input is what :meth:`HistoryStore.history` returns (a list of :class:`SessionSets`); output is a
list of small frozen dataclasses (``dataclasses.asdict`` makes a row dict for a table or plot).
Days and ISO weeks are in local time.

Adherence is the share of what was prescribed that was done, counted over the saved sets that
carry a prescription: reps done (capped at the target of each set) over reps prescribed, and
seconds held (capped likewise) over seconds prescribed, where a set's prescribed hold time is
``target_hold_s`` for each of its ``target_reps`` (once for a hold without reps).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

from formcheck.history.records import SetRecord
from formcheck.history.rows import SessionSets


@dataclass(frozen=True)
class Adherence:
    """Prescribed and done, for reps and for hold time; a share is None when nothing was prescribed."""

    reps_done: int = 0
    reps_prescribed: int = 0
    reps_share: float | None = None
    hold_done_s: float = 0.0
    hold_prescribed_s: float = 0.0
    hold_share: float | None = None


@dataclass(frozen=True)
class SessionAdherence:
    session_id: int
    day: date
    programme: str
    adherence: Adherence


@dataclass(frozen=True)
class WeekRow:
    """One ISO week (``"2024-W05"``, starting on ``monday``): sessions, sets, pain stops and adherence."""

    week: str
    monday: date
    sessions: int
    completed: int
    pain_stops: int
    sets: int
    adherence: Adherence


@dataclass(frozen=True)
class ExercisePoint:
    """One exercise in one session: what a progress plot draws one point of."""

    exercise: str
    session_id: int
    day: date
    sets: int
    reps: int
    hold_s: float
    mean_range_of_motion: float | None
    faults: int
    fault_rate: float | None  # faults per rep
    pain_stops: int


def prescribed_hold_s(record: SetRecord) -> float:
    """Seconds of holding a set prescribed: ``target_hold_s`` per rep (or once for a hold-only set)."""
    if not record.target_hold_s:
        return 0.0
    return record.target_hold_s * (record.target_reps or 1)


def adherence(sets: Iterable[SetRecord]) -> Adherence:
    """Adherence over these sets (see the module docstring)."""
    reps_done = reps_prescribed = 0
    hold_done = hold_prescribed = 0.0
    for s in sets:
        if s.target_reps:
            reps_prescribed += s.target_reps
            reps_done += min(s.reps, s.target_reps)
        wanted = prescribed_hold_s(s)
        if wanted:
            hold_prescribed += wanted
            hold_done += min(s.hold_s, wanted)
    return Adherence(reps_done, reps_prescribed, reps_done / reps_prescribed if reps_prescribed else None,
                     hold_done, hold_prescribed, hold_done / hold_prescribed if hold_prescribed else None)


def session_adherence(history: list[SessionSets]) -> list[SessionAdherence]:
    """Adherence of each session, in the order given."""
    return [SessionAdherence(h.session.id, day_of(h.session.started_at), h.session.programme, adherence(h.sets))
            for h in history]


def weekly(history: list[SessionSets]) -> list[WeekRow]:
    """Sessions per ISO week from the first to the last week with a session (empty weeks included)."""
    by_week: dict[date, list[SessionSets]] = defaultdict(list)
    for h in history:
        by_week[monday_of(day_of(h.session.started_at))].append(h)
    if not by_week:
        return []
    rows, monday, last = [], min(by_week), max(by_week)
    while monday <= last:
        week = by_week.get(monday, [])
        year, number, _ = monday.isocalendar()
        rows.append(WeekRow(
            week=f"{year}-W{number:02d}", monday=monday, sessions=len(week),
            completed=sum(h.session.completed for h in week), pain_stops=sum(h.session.pain_stop for h in week),
            sets=sum(len(h.sets) for h in week), adherence=adherence(s for h in week for s in h.sets),
        ))
        monday += timedelta(days=7)
    return rows


def exercise_progress(history: list[SessionSets], exercise: str | None = None) -> list[ExercisePoint]:
    """Per exercise and session: reps, hold time, mean range of motion, faults per rep, pain stops.

    Sorted by exercise, then time; ``exercise`` keeps one exercise.
    """
    points = []
    for h in history:
        by_exercise: dict[str, list[SetRecord]] = defaultdict(list)
        for s in h.sets:
            if exercise is None or s.exercise == exercise:
                by_exercise[s.exercise].append(s)
        for name, sets in by_exercise.items():
            points.append((name, h.session.started_at, _point(name, h, sets)))
    return [p for _, _, p in sorted(points, key=lambda t: (t[0], t[1], t[2].session_id))]


def _point(name: str, h: SessionSets, sets: list[SetRecord]) -> ExercisePoint:
    reps = sum(s.reps for s in sets)
    faults = sum(sum(s.fault_counts.values()) for s in sets)
    roms = [s.range_of_motion for s in sets if s.range_of_motion is not None]
    return ExercisePoint(
        exercise=name, session_id=h.session.id, day=day_of(h.session.started_at), sets=len(sets), reps=reps,
        hold_s=sum(s.hold_s for s in sets), mean_range_of_motion=fmean(roms) if roms else None, faults=faults,
        fault_rate=faults / reps if reps else None, pain_stops=sum(s.pain_stop for s in sets),
    )


def as_rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Dataclass rows as flat dicts (a nested ``adherence`` becomes its own columns): for tables and plots."""
    rows = []
    for item in items:
        row = {}
        for key, value in asdict(item).items():
            row.update(value if isinstance(value, dict) else {key: value})
        rows.append(row)
    return rows


def day_of(timestamp: float) -> date:
    """The local calendar day of a Unix time."""
    return datetime.fromtimestamp(timestamp).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
