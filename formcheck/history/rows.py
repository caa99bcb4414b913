"""Rows of the history database as plain data, and the SQL that writes and reads a set."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from formcheck.history.records import SetRecord

SOURCES = ("live", "programme", "review")


@dataclass(frozen=True)
class SessionRow:
    """One session as listed: who, which programme, how it went, how many sets were saved.

    A reviewed video (``source == "review"``) keeps the clip's name and fingerprint, never the video.
    """

    id: int
    person: str
    programme_id: str | None
    programme_title: str
    source: str
    week: int
    started_at: float
    ended_at: float | None
    completed: bool
    pain_stop: bool
    set_count: int = 0
    clip_name: str | None = None
    clip_fingerprint: str | None = None

    @property
    def programme(self) -> str:
        """The programme's title, else its id, else ``""`` (a single-exercise session)."""
        return self.programme_title or self.programme_id or ""


@dataclass(frozen=True)
class SessionSets:
    """A session with its sets: what the progress tables and the CSV export read."""

    session: SessionRow
    sets: list[SetRecord] = field(default_factory=list)


@dataclass(frozen=True)
class SavedProgramme:
    """A programme a person ran or imported: its id, the YAML file as given, when it was saved."""

    id: str
    yaml: str
    saved_at: float


SESSION_SELECT = """
SELECT s.id, p.name, s.programme_id, s.programme_title, s.source, s.week, s.started_at, s.ended_at,
       s.completed, s.pain_stop, (SELECT count(*) FROM sets WHERE session_id = s.id),
       s.clip_name, s.clip_fingerprint
FROM sessions AS s JOIN people AS p ON p.id = s.person_id
"""


def session_row(row: tuple) -> SessionRow:
    (sid, person, prog_id, prog_title, source, week, started, ended, completed, pain, n, clip, fingerprint) = row
    return SessionRow(sid, person, prog_id, prog_title, source, week, started, ended, bool(completed), bool(pain), n,
                      clip, fingerprint)


def insert_set(con: sqlite3.Connection, session_id: int, rec: SetRecord) -> int:
    """Insert one set with its fault counts and view problems; returns the set's id (no commit)."""
    cur = con.execute(
        "INSERT INTO sets (session_id, exercise, side, set_index, started_at, ended_at, reps, target_reps, hold_s,"
        " target_hold_s, range_of_motion, pain_stop, camera_checked) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (session_id, rec.exercise, rec.side, rec.set_index, rec.started_at, rec.ended_at, rec.reps, rec.target_reps,
         rec.hold_s, rec.target_hold_s, rec.range_of_motion, int(rec.pain_stop), int(rec.camera_checked)),
    )
    set_id = int(cur.lastrowid)
    con.executemany("INSERT INTO set_faults (set_id, code, count) VALUES (?,?,?)",
                    [(set_id, code, int(n)) for code, n in rec.fault_counts.items()])
    con.executemany("INSERT INTO set_view_problems (set_id, position, code) VALUES (?,?,?)",
                    [(set_id, i, code) for i, code in enumerate(rec.view_problems)])
    if rec.pain_stop:
        con.execute("UPDATE sessions SET pain_stop = 1 WHERE id = ?", (session_id,))
    return set_id


def read_sets(con: sqlite3.Connection, session_ids: list[int]) -> dict[int, list[SetRecord]]:
    """The sets of these sessions in the order they were saved, by session id (three queries in all)."""
    ids = json.dumps(session_ids)
    within = "SELECT value FROM json_each(?)"
    faults: dict[int, dict[str, int]] = {}
    for set_id, code, n in con.execute(
        f"SELECT f.set_id, f.code, f.count FROM set_faults AS f JOIN sets AS t ON t.id = f.set_id"
        f" WHERE t.session_id IN ({within}) ORDER BY f.set_id, f.code", (ids,)
    ):
        faults.setdefault(set_id, {})[code] = n
    views: dict[int, list[str]] = {}
    for set_id, code in con.execute(
        f"SELECT v.set_id, v.code FROM set_view_problems AS v JOIN sets AS t ON t.id = v.set_id"
        f" WHERE t.session_id IN ({within}) ORDER BY v.set_id, v.position", (ids,)
    ):
        views.setdefault(set_id, []).append(code)
    out: dict[int, list[SetRecord]] = {sid: [] for sid in session_ids}
    for row in con.execute(
        "SELECT id, session_id, exercise, side, set_index, started_at, ended_at, reps, target_reps, hold_s,"
        f" target_hold_s, range_of_motion, pain_stop, camera_checked FROM sets WHERE session_id IN ({within})"
        " ORDER BY id", (ids,)
    ):
        set_id, sid, *values = row
        out[sid].append(_set_record(values, faults.get(set_id, {}), views.get(set_id, [])))
    return out


def _set_record(values: list, faults: dict[str, int], views: list[str]) -> SetRecord:
    exercise, side, index, started, ended, reps, target_reps, hold, target_hold, rom, pain, checked = values
    return SetRecord(exercise=exercise, side=side, set_index=index, started_at=started, ended_at=ended, reps=reps,
                     target_reps=target_reps, hold_s=hold, target_hold_s=target_hold, range_of_motion=rom,
                     fault_counts=faults, pain_stop=bool(pain), view_problems=views, camera_checked=bool(checked))
