"""After "Stop — it hurts" on the Coach page: the advice, then (once the person is up) where it
hurts and how much, saved with the session; and the session's report download."""

from __future__ import annotations

import streamlit as st

from formcheck.coach.words import PAIN_STOP
from formcheck.errors import FormcheckError
from formcheck.outputs.html_history import session_report
from formcheck.ui.coach_holder import CoachHolder
from formcheck.ui.coach_log import SessionLog

PLACES = ("Back", "Buttock", "Leg", "Other")
SAVED_KEY = "coach_pain_saved"


def _save(h: CoachHolder) -> None:
    where, score = st.session_state.get("coach_pain_where"), st.session_state.get("coach_pain_score")
    if where is None or score is None:
        st.session_state["coach_pain_problem"] = "Choose where it hurts and how much (0-10)."
        return
    if h.log is None:
        return
    try:
        h.log.pain(str(where).lower(), int(score))
    except FormcheckError as exc:
        st.session_state["coach_pain_problem"] = str(exc)
        return
    st.session_state[SAVED_KEY] = (h.log.session_id, where, int(score))


def session_downloads(log: SessionLog) -> None:
    """The session's report (HTML) and where to see it."""
    st.download_button("Session report (HTML)", lambda: session_report(log.store, log.session_id),
                       key="coach_report", file_name=f"formcheck_session_{log.session_id}.html", mime="text/html",
                       on_click="ignore", icon=":material/description:")
    st.caption(f"Saved as session {log.session_id}: open **History** to see your progress.")


def pain_form(h: CoachHolder) -> None:
    """The advice, the two questions (where, how bad 0-10) and what was saved."""
    st.error(PAIN_STOP)
    saved = st.session_state.get(SAVED_KEY)
    if saved is not None and h.log is not None and saved[0] == h.log.session_id:
        st.info(f"Saved: {saved[1].lower()}, {saved[2]} out of 10. Rest now.")
    else:
        st.markdown("**When you are up again:** where does it hurt, and how much?")
        st.radio("Where does it hurt?", PLACES, index=None, horizontal=True, key="coach_pain_where")
        st.radio("How bad is it? 0 = no pain, 10 = the worst pain you can imagine", list(range(11)), index=None,
                 horizontal=True, key="coach_pain_score")
        problem = st.session_state.pop("coach_pain_problem", None)
        if problem:
            st.error(problem)
        st.button("Save", key="coach_pain_save", type="primary", on_click=_save, args=(h,))
    if h.log is not None:
        session_downloads(h.log)
    st.button("Back to the programmes", key="coach_pain_back", on_click=h.dismiss)


__all__ = ["PLACES", "pain_form", "session_downloads"]
