"""The history database's schema, version by version.

``PRAGMA user_version`` holds the version a database is at; :data:`MIGRATIONS` lists, in
order, the SQL that takes a database from one version to the next. A database is brought up
to date when it is opened, each step in its own transaction (a failed step leaves the
database at the previous version). Never edit a shipped step: add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from formcheck.errors import FormcheckError

#: Version 1: people, programmes, sessions, sets with their fault counts, safety checks.
V1 = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0)
);
INSERT INTO people (name) VALUES ('me');
CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    yaml TEXT NOT NULL,
    saved_at REAL NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    programme_id TEXT,
    programme_title TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('live', 'programme', 'review')),
    week INTEGER NOT NULL DEFAULT 1 CHECK (week >= 1),
    started_at REAL NOT NULL,
    ended_at REAL,
    completed INTEGER NOT NULL DEFAULT 0,
    pain_stop INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_person_time ON sessions (person_id, started_at);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    exercise TEXT NOT NULL,
    side TEXT,
    set_index INTEGER NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL NOT NULL,
    reps INTEGER NOT NULL CHECK (reps >= 0),
    target_reps INTEGER,
    hold_s REAL NOT NULL DEFAULT 0,
    target_hold_s REAL,
    range_of_motion REAL,
    pain_stop INTEGER NOT NULL DEFAULT 0,
    camera_checked INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sets_by_session ON sets (session_id);
CREATE INDEX sets_by_exercise ON sets (exercise);
CREATE TABLE set_faults (
    set_id INTEGER NOT NULL REFERENCES sets (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (set_id, code)
) WITHOUT ROWID;
CREATE TABLE safety_checks (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    answers TEXT NOT NULL,
    passed INTEGER NOT NULL,
    answered_at REAL NOT NULL
);
CREATE INDEX safety_by_person_time ON safety_checks (person_id, answered_at);
"""

#: Version 2: pain reports, camera-view problems per set, the clip of a reviewed video.
V2 = """
CREATE TABLE pain_reports (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    location TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    reported_at REAL NOT NULL
);
CREATE INDEX pain_by_session ON pain_reports (session_id);
CREATE TABLE set_view_problems (
    set_id INTEGER NOT NULL REFERENCES sets (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (set_id, position)
) WITHOUT ROWID;
ALTER TABLE sessions ADD COLUMN clip_name TEXT;
ALTER TABLE sessions ADD COLUMN clip_fingerprint TEXT;
UPDATE sessions SET pain_stop = 1 WHERE id IN (SELECT session_id FROM sets WHERE pain_stop);
"""

#: Step ``i`` takes a database from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[str, ...] = (V1, V2)
LATEST = len(MIGRATIONS)


def statements(script: str) -> Iterator[str]:
    """The complete SQL statements of ``script``, one at a time (``executescript`` would commit)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement: {buffer.strip()[:60]}")


def schema_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


def migrate(con: sqlite3.Connection, where: str, target: int = LATEST) -> int:
    """Bring the database of ``con`` (autocommit mode) up to ``target``; returns the version before.

    Each step runs in a ``BEGIN IMMEDIATE`` transaction and re-reads the version inside it, so
    two processes opening an old database at once migrate it once.
    """
    before = schema_version(con)
    if before > LATEST:
        raise FormcheckError(
            f"history database {where} was written by a newer formcheck (schema version {before}, this one "
            f"reads up to {LATEST}): update formcheck, or set FORMCHECK_DB to another file"
        )
    while schema_version(con) < target:
        con.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(con)
            if version < target:
                for sql in statements(MIGRATIONS[version]):
                    con.execute(sql)
                con.execute(f"PRAGMA user_version = {version + 1}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return before
