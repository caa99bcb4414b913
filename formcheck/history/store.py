"""``HistoryStore``: every session, set, pain report and safety check, kept in SQLite on this machine.

Each call opens its own short-lived connection, so one store can be shared by every thread of
the app (sqlite3 connections never cross threads) and by several processes at once. Every
``record_set`` is its own committed transaction: a crash loses at most the set in progress.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.history import db
from formcheck.history.records import PainReport, SafetyAnswers, SetRecord
from formcheck.history.rows import (
    SESSION_SELECT,
    SOURCES,
    SavedProgramme,
    SessionRow,
    SessionSets,
    insert_set,
    read_sets,
    session_row,
)

DEFAULT_PERSON = "me"
When = float | date | None


class HistoryStore:
    """The history database at ``path`` (see :meth:`open`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def open(cls, path: str | Path | None = None) -> HistoryStore:
        """The store at ``path`` (default :func:`formcheck.history.db.default_path`), created or migrated."""
        store = cls(Path(path).expanduser() if path else db.default_path())
        db.prepare(store.path)
        return store

    # -- writing a session -------------------------------------------------------------------------
    def start_session(self, person: str = DEFAULT_PERSON, programme_id: str | None = None, programme_title: str = "",
                      source: str = "live", week: int = 1, started_at: float | None = None,
                      clip_name: str | None = None, clip_fingerprint: str | None = None) -> int:
        """A new session (``source``: live, programme or review); returns its id. The person is added if new."""
        if source not in SOURCES:
            raise FormcheckError(f"session source must be one of {', '.join(SOURCES)}, got {source!r}")
        if not isinstance(week, int) or week < 1:
            raise FormcheckError(f"programme week must be a whole number from 1, got {week!r}")
        with db.writing(self.path) as con:
            cur = con.execute(
                "INSERT INTO sessions (person_id, programme_id, programme_title, source, week, started_at, clip_name,"
                " clip_fingerprint) VALUES (?,?,?,?,?,?,?,?)",
                (_person_id(con, person), programme_id, programme_title, source, week,
                 time.time() if started_at is None else started_at, clip_name, clip_fingerprint),
            )
            return int(cur.lastrowid)

    def record_set(self, session_id: int, record: SetRecord) -> int:
        """Save one finished set, committed at once; returns its id."""
        with self._writing_to(session_id) as con:
            return insert_set(con, session_id, record)

    def end_session(self, session_id: int, completed: bool, pain: PainReport | None = None,
                    ended_at: float | None = None) -> None:
        """Close a session; a pain report (after "Stop — it hurts") is saved with it and marks a pain stop."""
        with self._writing_to(session_id) as con:
            con.execute("UPDATE sessions SET ended_at = ?, completed = ? WHERE id = ?",
                        (time.time() if ended_at is None else ended_at, int(completed), session_id))
            if pain is not None:
                _insert_pain(con, session_id, pain)

    def record_pain(self, session_id: int, pain: PainReport) -> None:
        """Save where it hurt and how much (0-10); the session counts as a pain stop."""
        with self._writing_to(session_id) as con:
            _insert_pain(con, session_id, pain)

    def add_session(self, session: SessionRow, sets: list[SetRecord]) -> int:
        """Save a whole session at once (an import), keeping ``session.id`` when it is free; returns the id."""
        with db.writing(self.path) as con:
            taken = con.execute("SELECT 1 FROM sessions WHERE id = ?", (session.id,)).fetchone()
            cur = con.execute(
                "INSERT INTO sessions (id, person_id, programme_id, programme_title, source, week, started_at,"
                " ended_at, completed, pain_stop, clip_name, clip_fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (None if taken else session.id, _person_id(con, session.person), session.programme_id,
                 session.programme_title, session.source, session.week, session.started_at, session.ended_at,
                 int(session.completed), int(session.pain_stop), session.clip_name, session.clip_fingerprint),
            )
            session_id = int(cur.lastrowid)
            for record in sets:
                insert_set(con, session_id, record)
            return session_id

    # -- reading -----------------------------------------------------------------------------------
    def sessions(self, person: str | None = None, since: When = None, until: When = None,
                 exercise: str | None = None) -> list[SessionRow]:
        """Sessions, oldest first; ``since``/``until`` are Unix seconds or dates (``until`` includes its day);
        ``exercise`` keeps the sessions with a set of it."""
        where, params = [], []
        if person is not None:
            where.append("p.name = ?")
            params.append(person)
        if since is not None:
            where.append("s.started_at >= ?")
            params.append(_timestamp(since))
        if until is not None:
            where.append("s.started_at < ?")
            params.append(_timestamp(until, end_of_day=True))
        if exercise is not None:
            where.append("EXISTS (SELECT 1 FROM sets WHERE session_id = s.id AND exercise = ?)")
            params.append(exercise)
        sql = SESSION_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY s.started_at, s.id"
        with db.reading(self.path) as con:
            return [session_row(r) for r in con.execute(sql, params)]

    def session(self, session_id: int) -> SessionRow | None:
        with db.reading(self.path) as con:
            row = con.execute(SESSION_SELECT + " WHERE s.id = ?", (session_id,)).fetchone()
        return session_row(row) if row else None

    def sets(self, session_id: int) -> list[SetRecord]:
        """The sets of a session, in the order they were saved."""
        with db.reading(self.path) as con:
            return read_sets(con, [session_id])[session_id]

    def history(self, person: str | None = None, since: When = None, until: When = None,
                exercise: str | None = None) -> list[SessionSets]:
        """Sessions as :meth:`sessions` with their sets (only ``exercise``'s sets when it is given)."""
        rows = self.sessions(person, since, until, exercise)
        with db.reading(self.path) as con:
            sets = read_sets(con, [r.id for r in rows])
        return [SessionSets(r, [s for s in sets[r.id] if exercise is None or s.exercise == exercise]) for r in rows]

    def pain_reports(self, session_id: int) -> list[PainReport]:
        with db.reading(self.path) as con:
            rows = con.execute("SELECT location, score, reported_at FROM pain_reports WHERE session_id = ?"
                               " ORDER BY reported_at, id", (session_id,)).fetchall()
        return [PainReport(where, score, at) for where, score, at in rows]

    # -- people, safety checks, programmes ---------------------------------------------------------
    def people(self) -> list[str]:
        with db.reading(self.path) as con:
            return [name for (name,) in con.execute("SELECT name FROM people ORDER BY id")]

    def add_person(self, name: str) -> None:
        """Add a person (a profile on this machine); nothing happens if they exist."""
        with db.writing(self.path) as con:
            _person_id(con, name)

    def record_safety(self, person: str, answers: SafetyAnswers) -> None:
        """Save a red-flag check with its date."""
        with db.writing(self.path) as con:
            con.execute("INSERT INTO safety_checks (person_id, answers, passed, answered_at) VALUES (?,?,?,?)",
                        (_person_id(con, person), json.dumps(answers.answers, sort_keys=True), int(answers.passed),
                         answers.answered_at))

    def last_safety(self, person: str = DEFAULT_PERSON) -> SafetyAnswers | None:
        """The person's latest red-flag check, or None if they never answered it."""
        with db.reading(self.path) as con:
            row = con.execute("SELECT c.answers, c.answered_at FROM safety_checks AS c JOIN people AS p"
                              " ON p.id = c.person_id WHERE p.name = ? ORDER BY c.answered_at DESC, c.id DESC",
                              (person,)).fetchone()
        return SafetyAnswers(json.loads(row[0]), row[1]) if row else None

    def save_programme(self, programme_id: str, yaml_text: str, saved_at: float | None = None) -> None:
        """Keep a programme a person ran or imported (the file as given); a newer save replaces it."""
        with db.writing(self.path) as con:
            con.execute("INSERT INTO programmes (id, yaml, saved_at) VALUES (?,?,?) ON CONFLICT (id) DO UPDATE"
                        " SET yaml = excluded.yaml, saved_at = excluded.saved_at",
                        (programme_id, yaml_text, time.time() if saved_at is None else saved_at))

    def programmes(self) -> list[SavedProgramme]:
        with db.reading(self.path) as con:
            return [SavedProgramme(*r) for r in con.execute("SELECT id, yaml, saved_at FROM programmes ORDER BY id")]

    # -- deleting (the person owns their data) -----------------------------------------------------
    def delete_session(self, session_id: int) -> bool:
        """Delete a session with its sets and pain reports; False if there was none."""
        with db.writing(self.path) as con:
            deleted = con.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0
        self._checkpoint()
        return deleted

    def delete_all(self, person: str | None = None) -> int:
        """Delete a person with everything of theirs, or (None) everyone's data and the saved programmes.

        The default person "me" is kept, emptied. Returns the number of sessions deleted.
        """
        with db.writing(self.path) as con:
            match = "" if person is None else " WHERE person_id IN (SELECT id FROM people WHERE name = ?)"
            params = () if person is None else (person,)
            count = con.execute("SELECT count(*) FROM sessions" + match, params).fetchone()[0]
            con.execute("DELETE FROM people" + ("" if person is None else " WHERE name = ?"), params)
            if person is None:
                con.execute("DELETE FROM programmes")
            con.execute("INSERT OR IGNORE INTO people (name) VALUES (?)", (DEFAULT_PERSON,))
        self._checkpoint()
        return int(count)

    # -- helpers -----------------------------------------------------------------------------------
    @contextmanager
    def _writing_to(self, session_id: int) -> Iterator[sqlite3.Connection]:
        """``db.writing`` that first checks the session exists (one clear line if not)."""
        with db.writing(self.path) as con:
            if con.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise FormcheckError(f"no session {session_id} in the history database {self.path}")
            yield con

    def _checkpoint(self) -> None:
        """Fold the write-ahead log into the database so deleted rows leave no copy behind."""
        with db.reading(self.path) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _person_id(con: sqlite3.Connection, name: str) -> int:
    """The id of person ``name``, added if new."""
    if not isinstance(name, str) or not name.strip():
        raise FormcheckError(f"a person's name cannot be empty, got {name!r}")
    con.execute("INSERT OR IGNORE INTO people (name) VALUES (?)", (name,))
    return int(con.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()[0])


def _insert_pain(con: sqlite3.Connection, session_id: int, pain: PainReport) -> None:
    if isinstance(pain.score, bool) or not isinstance(pain.score, int) or not 0 <= pain.score <= 10:
        raise FormcheckError(f"pain score must be a whole number from 0 (no pain) to 10 (worst), got {pain.score!r}")
    con.execute("INSERT INTO pain_reports (session_id, location, score, reported_at) VALUES (?,?,?,?)",
                (session_id, pain.where, pain.score, pain.reported_at))
    con.execute("UPDATE sessions SET pain_stop = 1 WHERE id = ?", (session_id,))


def _timestamp(value: float | date, end_of_day: bool = False) -> float:
    """Unix seconds of ``value``; a date is its local midnight (the next one with ``end_of_day``)."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        day = value + timedelta(days=1) if end_of_day else value
        return datetime(day.year, day.month, day.day).timestamp()
    return float(value)
