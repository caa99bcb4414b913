"""The history as CSV: one row per set with its session's columns, and back.

Times are local ISO 8601 with their UTC offset (to the millisecond), yes/no for flags, fault
counts as ``code:count;...`` and camera-view problems as ``code;...``. A session without sets
is one row with the set columns empty. Importing an export into an empty database and
exporting again gives the same file (session ids are kept when they are free).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formcheck.errors import FormcheckError
from formcheck.history.records import SetRecord
from formcheck.history.rows import SOURCES, SessionRow, SessionSets

if TYPE_CHECKING:
    from formcheck.history.store import HistoryStore

SESSION_COLUMNS = ("session_id", "person", "programme_id", "programme_title", "source", "week", "session_started",
                   "session_ended", "completed", "session_pain_stop", "clip_name", "clip_fingerprint")
SET_COLUMNS = ("exercise", "side", "set_index", "set_started", "set_ended", "reps", "target_reps", "hold_s",
               "target_hold_s", "range_of_motion", "faults", "pain_stop", "view_problems", "camera_checked")
COLUMNS = SESSION_COLUMNS + SET_COLUMNS


def to_csv(history: list[SessionSets]) -> str:
    """The CSV text of these sessions and their sets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for h in history:
        s = h.session
        head = [s.id, s.person, s.programme_id, s.programme_title, s.source, s.week, _time(s.started_at),
                _time(s.ended_at), _flag(s.completed), _flag(s.pain_stop), s.clip_name, s.clip_fingerprint]
        for r in h.sets:
            writer.writerow(_cells(head + [
                r.exercise, r.side, r.set_index, _time(r.started_at), _time(r.ended_at), r.reps, r.target_reps,
                r.hold_s, r.target_hold_s, r.range_of_motion,
                ";".join(f"{code}:{n}" for code, n in sorted(r.fault_counts.items())),
                _flag(r.pain_stop), ";".join(r.view_problems), _flag(r.camera_checked),
            ]))
        if not h.sets:
            writer.writerow(_cells(head + [None] * len(SET_COLUMNS)))
    return out.getvalue()


def from_csv(text: str, name: str = "CSV") -> list[SessionSets]:
    """Sessions and sets read back from :func:`to_csv` text; a bad cell is one line naming file, line and column."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise FormcheckError(f"{name}: not a formcheck history export (missing columns: {', '.join(missing)})")
    sessions: dict[str, SessionSets] = {}
    for row in reader:
        cell = _Cells(row, f"{name}: line {reader.line_num}")
        key = row["session_id"]
        if key not in sessions:
            sessions[key] = SessionSets(_session(cell), [])
        if row["exercise"]:
            sessions[key].sets.append(_set(cell))
    return list(sessions.values())


def import_csv(store: HistoryStore, path: str | Path) -> list[int]:
    """Add the sessions of an exported CSV file to ``store``; returns their ids."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormcheckError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    return [store.add_session(h.session, h.sets) for h in from_csv(text, str(path))]


def _session(c: _Cells) -> SessionRow:
    source = c.text("source")
    if source not in SOURCES:
        raise c.error("source", f"must be one of {', '.join(SOURCES)}")
    return SessionRow(
        id=c.number("session_id", int), person=c.text("person"), programme_id=c.optional("programme_id"),
        programme_title=c.text("programme_title", allow_empty=True), source=source, week=c.number("week", int),
        started_at=c.time("session_started"), ended_at=c.time("session_ended", optional=True),
        completed=c.flag("completed"), pain_stop=c.flag("session_pain_stop"), clip_name=c.optional("clip_name"),
        clip_fingerprint=c.optional("clip_fingerprint"),
    )


def _set(c: _Cells) -> SetRecord:
    return SetRecord(
        exercise=c.text("exercise"), side=c.optional("side"), set_index=c.number("set_index", int),
        started_at=c.time("set_started"), ended_at=c.time("set_ended"), reps=c.number("reps", int),
        target_reps=c.number("target_reps", int, optional=True), hold_s=c.number("hold_s", float),
        target_hold_s=c.number("target_hold_s", float, optional=True),
        range_of_motion=c.number("range_of_motion", float, optional=True), fault_counts=c.faults("faults"),
        pain_stop=c.flag("pain_stop"), view_problems=[v for v in c.text("view_problems", True).split(";") if v],
        camera_checked=c.flag("camera_checked"),
    )


class _Cells:
    """Typed reading of one CSV row, each problem one line with the file, line and column."""

    def __init__(self, row: dict[str, str], where: str) -> None:
        self.row, self.where = row, where

    def error(self, column: str, problem: str) -> FormcheckError:
        return FormcheckError(f"{self.where}: {column}: {problem}, got {self.row.get(column)!r}")

    def text(self, column: str, allow_empty: bool = False) -> str:
        value = self.row.get(column) or ""
        if not value and not allow_empty:
            raise self.error(column, "must not be empty")
        return value

    def optional(self, column: str) -> str | None:
        return self.row.get(column) or None

    def number(self, column: str, kind: Callable[[str], Any], optional: bool = False) -> Any:
        value = self.row.get(column) or ""
        if not value and optional:
            return None
        try:
            return kind(value)
        except ValueError:
            raise self.error(column, "must be a whole number" if kind is int else "must be a number") from None

    def flag(self, column: str) -> bool:
        value = (self.row.get(column) or "").lower()
        if value not in ("yes", "no"):
            raise self.error(column, "must be yes or no")
        return value == "yes"

    def time(self, column: str, optional: bool = False) -> float | None:
        value = self.row.get(column) or ""
        if not value and optional:
            return None
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            raise self.error(column, "must be a date and time like 2024-05-01T09:30:00.000+01:00") from None

    def faults(self, column: str) -> dict[str, int]:
        counts = {}
        for part in filter(None, (self.row.get(column) or "").split(";")):
            code, _, n = part.partition(":")
            if not code or not n.isdigit():
                raise self.error(column, "must be fault counts like code:2;other_code:1")
            counts[code] = int(n)
        return counts


def _time(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(round(t, 3), tz=UTC).astimezone().isoformat(timespec="milliseconds")


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _cells(values: list[Any]) -> list[Any]:
    return ["" if v is None else v for v in values]
