"""Where the history database lives and how a connection to it is made.

Every connection gets the same settings: a 5 s busy timeout (two tabs or processes writing at
once wait for each other instead of failing), foreign keys with their cascades, full sync
(a committed set survives a crash) and secure delete (deleted rows are overwritten). The
database itself is in WAL mode, so readers never block the writer.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.history.migrations import migrate

ENV_VAR = "FORMCHECK_DB"
BUSY_TIMEOUT_MS = 5000
FILE_NAME = "history.sqlite3"


def default_path() -> Path:
    """``$FORMCHECK_DB``, else ``$XDG_DATA_HOME/formcheck/history.sqlite3`` (``~/.local/share/...``)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    return Path(base).expanduser() / "formcheck" / FILE_NAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with the house settings."""
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA secure_delete = ON")
    return con


@contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection for queries, closed on exit (one per call: safe from any thread)."""
    with closing(connect(path)) as con:
        yield con


@contextmanager
def writing(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection inside ``BEGIN IMMEDIATE``: committed on exit, rolled back on error.

    Taking the write lock at the start (not at the first write) lets the busy timeout apply,
    so concurrent writers queue instead of failing with "database is locked".
    """
    with closing(connect(path)) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def prepare(path: Path) -> None:
    """Create the folder and the database if needed, switch it to WAL and migrate it to the latest schema."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        new = not path.exists()
        with closing(connect(path)) as con:
            con.execute("PRAGMA journal_mode = WAL")
            migrate(con, str(path))
        if new:
            path.chmod(0o600)  # health data: readable by its owner only
    except sqlite3.DatabaseError as exc:
        raise FormcheckError(
            f"cannot use {path} as the history database ({exc}); set {ENV_VAR} to another file"
        ) from exc
    except OSError as exc:
        raise FormcheckError(f"cannot create the history database {path}: {exc.strerror or exc}") from exc
