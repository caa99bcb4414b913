"""The local history: every session and set kept in SQLite on this machine, and the progress it shows.

``HistoryStore`` (``store.py``) writes and reads it; ``progress.py`` turns it into tables;
``export.py`` is its CSV form; ``text.py`` its terminal tables.
"""

from __future__ import annotations

from formcheck.history.records import PainReport, SafetyAnswers, SetRecord
from formcheck.history.rows import SavedProgramme, SessionRow, SessionSets
from formcheck.history.store import HistoryStore

__all__ = ["HistoryStore", "PainReport", "SafetyAnswers", "SavedProgramme", "SessionRow", "SessionSets", "SetRecord"]
