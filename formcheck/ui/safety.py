"""The red-flag check (``formcheck/coach/safety.py``): its page, and the gate in front of the
camera pages. A person answers before their first session and whenever they choose; the
answers are stored with their date. Any "yes" → the advice to see a GP or physiotherapist
first, and the Coach and Live pages stay closed (with that advice) until a new check passes."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from formcheck.coach.safety import RED_FLAGS, advice, assess, urgent
from formcheck.errors import FormcheckError
from formcheck.history import SafetyAnswers
from formcheck.ui.common import SAFETY_NOTICE
from formcheck.ui.store import current_person, last_safety, open_store

YES, NO = "Yes", "No"
SUBMIT_KEY = "safety_ok"
#: The Live page's own once-per-tab acknowledgement (a passed check just now counts as read).
LIVE_ACK_KEY = "safety_ack"


def answer_key(flag_id: str) -> str:
    """Session-state key of a question's radio (tests set these)."""
    return f"safety_{flag_id}"


def show_result(result: SafetyAnswers) -> None:
    """The verdict of a check with its date: the all-clear, or the advice (urgent first)."""
    when = datetime.fromtimestamp(result.answered_at).strftime("%d %b %Y %H:%M")
    lines = advice(result)
    if result.passed:
        st.success(f"{lines[0]} (checked {when})")
        return
    (st.error if urgent(result) else st.warning)("  \n".join(lines))
    st.caption(f"Answered {when}. Take the check again once a GP or physiotherapist has seen you.")


def _save() -> None:
    """The submit button: every question answered → assessed, stored (with its date) and shown."""
    answers = {f.id: st.session_state.get(answer_key(f.id)) for f in RED_FLAGS}
    missing = sum(a is None for a in answers.values())
    if missing:
        st.session_state["safety_problem"] = (f"Answer every question ({missing} not answered yet): "
                                              "yes or no.")
        return
    store = open_store()
    try:
        result = assess({k: a == YES for k, a in answers.items()})
        if store is None:
            return
        store.record_safety(current_person(), result)
    except FormcheckError as exc:
        st.session_state["safety_problem"] = str(exc)
        return
    for flag in RED_FLAGS:
        st.session_state.pop(answer_key(flag.id), None)
    st.session_state[LIVE_ACK_KEY] = result.passed


def check_form(submit_label: str = "I have read this — save my answers") -> None:
    """The questions (no answer chosen in advance) and the submit button."""
    st.markdown("**Do any of these apply to you now?** Answer each one.")
    for flag in RED_FLAGS:
        st.radio(flag.question, [NO, YES], index=None, horizontal=True, key=answer_key(flag.id))
    problem = st.session_state.pop("safety_problem", None)
    if problem:
        st.error(problem)
    st.button(submit_label, key=SUBMIT_KEY, type="primary", on_click=_save, icon=":material/fact_check:")


def gate(title: str) -> bool:
    """In front of a camera page: True when the person's latest check passed; else the page's
    title, the notice and the check (first time) or the advice and the check again (a "yes")."""
    person = current_person()
    last = last_safety(person)
    if last is not None and last.passed:
        return True
    st.title(title)
    if last is None:
        st.warning(SAFETY_NOTICE)
        st.info(f"Before {person}'s first session: a short safety check.")
    else:
        st.error("No session for now: your last safety check found a warning sign.")
        show_result(last)
        st.markdown("**Seen a GP or physiotherapist?** Take the check again:")
    check_form()
    return False


def render() -> None:
    """The Safety check page: the last result, and the check to take (again)."""
    st.title("Safety check")
    person = current_person()
    st.caption(f"For {person}. The answers are saved on this computer with their date.")
    last = last_safety(person)
    if last is not None:
        show_result(last)
        with st.expander("Your answers", expanded=False):
            st.dataframe([{"question": f.question, "answer": YES if last.answers.get(f.id) else NO}
                          for f in RED_FLAGS], hide_index=True)
        st.subheader("Take the check again")
    st.markdown(SAFETY_NOTICE)
    check_form("Save my answers" if last is not None else "I have read this — save my answers")


__all__ = ["answer_key", "check_form", "gate", "render", "show_result"]
