"""The HTML report of a period from the history database, for a physio to read a patient's
weeks on one page: sessions and adherence per week, each exercise's reps, range of motion and
fault rate over time (small plots and tables), the faults with their cues and the pain stops."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from formcheck.history.progress import (
    Adherence,
    ExercisePoint,
    WeekRow,
    adherence,
    exercise_progress,
    session_adherence,
    weekly,
)
from formcheck.history.records import SetRecord
from formcheck.history.rows import SessionSets
from formcheck.outputs import html_parts as hp
from formcheck.outputs.html_history import (
    adherence_pairs,
    cue_table,
    exercise_list,
    exercise_name,
    pain_table,
    rom_unit,
    share_text,
)
from formcheck.outputs.html_trends import exercises_png, weekly_png

if TYPE_CHECKING:
    from formcheck.history.store import HistoryStore

When = float | date | None
#: Exercises per figure of small plots.
PLOT_ROWS = 6


def _day(value: When, default: str) -> str:
    if value is None:
        return default
    return value.isoformat() if isinstance(value, date) else hp.date_text(float(value), with_time=False)


def _week_section(weeks: list[WeekRow]) -> hp.Raw:
    rows = [[w.week, w.monday.isoformat(), w.sessions, w.completed, w.pain_stops, w.sets,
             share_text(w.adherence.reps_done, w.adherence.reps_prescribed, w.adherence.reps_share),
             share_text(w.adherence.hold_done_s, w.adherence.hold_prescribed_s, w.adherence.hold_share, " s")]
            for w in weeks]
    return hp.section("Week by week", hp.image(weekly_png(weeks), "sessions and adherence per week"),
                      hp.table(["week", "from", "sessions", "completed", "pain stops", "sets", "reps done",
                                "hold time done"], rows))


def _rom_change(points: list[ExercisePoint], unit: str) -> str:
    """Mean range of motion of the first and the last session that measured it: ``60 → 78 deg``."""
    known = [p.mean_range_of_motion for p in points if p.mean_range_of_motion is not None]
    if not known:
        return "-"
    return hp.num(known[0], 0, unit) if len(known) == 1 else f"{hp.num(known[0], 0)} → {hp.num(known[-1], 0, unit)}"


def _exercise_row(exercise: str, points: list[ExercisePoint], sets: list[SetRecord]) -> list[object]:
    done = adherence(sets)
    reps, faults = sum(p.reps for p in points), sum(p.faults for p in points)
    return [exercise_name(exercise), len(points), sum(p.sets for p in points),
            share_text(done.reps_done, done.reps_prescribed, done.reps_share) if done.reps_share is not None else reps,
            share_text(done.hold_done_s, done.hold_prescribed_s, done.hold_share, " s"),
            _rom_change(points, rom_unit(exercise)), hp.num(faults / reps, 2) if reps else "-",
            sum(p.pain_stops for p in points)]


def _exercise_section(history: list[SessionSets]) -> hp.Raw:
    """A row per exercise over the period and small plots of each over time (a figure per
    :data:`PLOT_ROWS` exercises, so none is taller than a page)."""
    by_exercise: dict[str, list[ExercisePoint]] = defaultdict(list)
    for point in exercise_progress(history):
        by_exercise[point.exercise].append(point)
    sets: dict[str, list[SetRecord]] = defaultdict(list)
    for s in (s for h in history for s in h.sets):
        sets[s.exercise].append(s)
    rows = [_exercise_row(ex, pts, sets[ex]) for ex, pts in by_exercise.items()]
    groups = [(exercise_name(ex), pts, rom_unit(ex)) for ex, pts in by_exercise.items()]
    plots = [hp.image(exercises_png(groups[i:i + PLOT_ROWS]), "each exercise over time")
             for i in range(0, len(groups), PLOT_ROWS)]
    headers = ["exercise", "sessions", "sets", "reps done", "hold time done", "range of motion (first → last)",
               "faults / rep", "pain stops"]
    return hp.section("Exercises", hp.table(headers, rows), *plots)


def _session_row(h: SessionSets, done: Adherence) -> list[object]:
    row = h.session
    return [row.id, hp.date_text(row.started_at), row.programme or exercise_list(h.sets), len(h.sets),
            share_text(done.reps_done, done.reps_prescribed, done.reps_share), "yes" if row.completed else "no",
            "yes" if row.pain_stop else "no"]


def _session_section(history: list[SessionSets]) -> hp.Raw:
    shares = {a.session_id: a.adherence for a in session_adherence(history)}
    return hp.section("Sessions", hp.table(["#", "started", "programme", "sets", "reps done", "completed",
                                            "pain stop"], [_session_row(h, shares[h.session.id]) for h in history]))


def _pain_section(store: HistoryStore, history: list[SessionSets]) -> hp.Raw | None:
    stopped = [h.session for h in history if h.session.pain_stop]
    if not stopped:
        return None
    parts: list[object] = []
    for row in stopped:
        reports = store.pain_reports(row.id)
        parts.append(hp.heading(f"Session {row.id}, {hp.date_text(row.started_at)}"))
        parts.append(pain_table(reports) if reports else hp.paragraph("Where and how bad was not reported."))
    return hp.section("Pain stops", *parts)


def period_report(store: HistoryStore, since: When, until: When = None, person: str | None = None) -> str:
    """One self-contained HTML page about the sessions from ``since`` to ``until`` (dates or Unix
    seconds; ``until`` includes its day, None: up to now) of ``person`` (None: everyone)."""
    history = store.history(person=person, since=since, until=until)
    title = f"Progress {_day(since, 'from the start')} to {_day(until, 'today')}"
    who = person or ", ".join(sorted({h.session.person for h in history})) or "-"
    all_sets = [s for h in history for s in h.sets]
    summary = hp.facts([
        ("Person", who),
        ("Sessions", f"{len(history)} ({sum(h.session.completed for h in history)} completed)"),
        ("Pain stops", sum(h.session.pain_stop for h in history)),
        *adherence_pairs(adherence(all_sets)),
    ])
    if not history:
        return hp.page(title, [summary, hp.paragraph("No session was saved in this period.")])
    cues = cue_table(all_sets)
    parts = [summary, _week_section(weekly(history)), _exercise_section(history),
             hp.section("Faults and their cues", cues) if cues is not None else None,
             _pain_section(store, history), _session_section(history)]
    return hp.page(title, [p for p in parts if p is not None])


__all__ = ["period_report"]
