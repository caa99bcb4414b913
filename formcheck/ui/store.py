"""The history database as the pages use it: which person is exercising, and the store.

The database is the one :class:`~formcheck.history.HistoryStore` finds (``FORMCHECK_DB``, else
the user's data folder). It is created on the first write, not by looking at a page. The
store opens a short connection per call, so it is safe from the camera and page threads.
"""

from __future__ import annotations

import streamlit as st

from formcheck.history import HistoryStore, SafetyAnswers
from formcheck.history.db import default_path
from formcheck.history.store import DEFAULT_PERSON
from formcheck.ui.common import guarded

PERSON_KEY = "person"


def current_person() -> str:
    """The person this browser tab records for (the sidebar's "Person"; default ``me``)."""
    name = st.session_state.get(PERSON_KEY)
    return name.strip() if isinstance(name, str) and name.strip() else DEFAULT_PERSON


def person_box() -> str:
    """The sidebar's "Person" field: one name per patient on a shared machine."""
    if PERSON_KEY not in st.session_state:
        st.session_state[PERSON_KEY] = DEFAULT_PERSON
    st.sidebar.text_input("Person", key=PERSON_KEY, max_chars=80,
                          help="Whose sessions are saved and shown (one name per person on this computer).")
    return current_person()


def open_store() -> HistoryStore | None:
    """The history store (created or migrated now); None with the reason shown if it cannot be used."""
    return guarded(lambda: HistoryStore.open())


def existing_store() -> HistoryStore | None:
    """The store if the database exists already (reading a page creates nothing), else None."""
    return open_store() if default_path().is_file() else None


def last_safety(person: str) -> SafetyAnswers | None:
    """The person's latest red-flag check, or None if they never answered it."""
    store = existing_store()
    return guarded(lambda: store.last_safety(person)) if store is not None else None


__all__ = ["PERSON_KEY", "current_person", "existing_store", "last_safety", "open_store", "person_box"]
