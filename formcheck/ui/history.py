"""History page: what was saved on this computer and the progress it shows. Sessions per week,
adherence, each exercise's reps, range of motion and fault rate over time (plots and tables);
one session's sets; CSV and HTML report downloads; delete one session or everything."""

from __future__ import annotations

from datetime import date, datetime

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from formcheck.history import HistoryStore, SessionSets
from formcheck.history.export import to_csv
from formcheck.history.progress import adherence, as_rows, exercise_progress, session_adherence, weekly
from formcheck.outputs.html_history import exercise_name, rom_unit, session_report
from formcheck.outputs.html_period import period_report
from formcheck.ui.common import guarded
from formcheck.ui.store import current_person, existing_store

SINCE_KEY = "history_since"
EXERCISE_KEY = "history_exercise"
SESSION_KEY = "history_session"
ALL = ""
CHART_HEIGHT = 220


def _share(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "-"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%a %d %b %Y %H:%M")


def _overview(history: list[SessionSets]) -> None:
    done = adherence(s for h in history for s in h.sets)
    this_week = date.today().isocalendar()[:2]
    cols = st.columns(4)
    cols[0].metric("Sessions", len(history))
    cols[1].metric("This week", sum(datetime.fromtimestamp(h.session.started_at).date().isocalendar()[:2]
                                    == this_week for h in history))
    cols[2].metric("Adherence (reps)", _share(done.reps_share),
                   help="Reps done (up to each set's target) out of the reps prescribed.")
    cols[3].metric("Pain stops", sum(h.session.pain_stop for h in history))


def _weekly(history: list[SessionSets]) -> None:
    st.subheader("Sessions per week")
    rows = pd.DataFrame(as_rows(weekly(history)))
    left, right = st.columns(2)
    left.altair_chart(alt.Chart(rows).mark_bar().encode(
        x=alt.X("week:N", title="week"), y=alt.Y("sessions:Q", title="sessions", axis=alt.Axis(tickMinStep=1)),
        tooltip=["week", "sessions", "completed", "pain_stops"]).properties(height=CHART_HEIGHT), width="stretch")
    share = rows.dropna(subset=["reps_share"])
    if not share.empty:
        right.altair_chart(alt.Chart(share).mark_line(point=True).encode(
            x=alt.X("week:N", title="week"), y=alt.Y("reps_share:Q", title="adherence (reps)",
                                                     axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=["week", alt.Tooltip("reps_share:Q", format=".0%")]).properties(height=CHART_HEIGHT),
            width="stretch")
    table = rows[["week", "sessions", "completed", "pain_stops", "sets", "reps_done", "reps_prescribed",
                  "hold_done_s", "hold_prescribed_s"]]
    st.dataframe(table, hide_index=True, column_config={
        "pain_stops": "pain stops", "reps_done": "reps done", "reps_prescribed": "reps prescribed",
        "hold_done_s": "held (s)", "hold_prescribed_s": "hold due (s)"})


def _line(frame: pd.DataFrame, column: str, title: str) -> alt.Chart:
    return alt.Chart(frame.dropna(subset=[column])).mark_line(point=True).encode(
        x=alt.X("started:T", title="session", axis=alt.Axis(format="%d %b", tickCount="day")),
        y=alt.Y(f"{column}:Q", title=title, axis=alt.Axis(format="~r")),
        tooltip=[alt.Tooltip("started:T", format="%d %b %H:%M"), alt.Tooltip(f"{column}:Q", format=".3~g")],
    ).properties(height=CHART_HEIGHT, title=title)


def _charts(exercise: str, rows: pd.DataFrame) -> list[tuple[str, str]]:
    """The plots worth drawing for an exercise: (column, title) of each measure it has."""
    unit = rom_unit(exercise)
    wanted = [("reps", "reps"), ("hold_s", "held (s)"), ("mean_range_of_motion", f"range of motion ({unit or '-'})"),
              ("fault_rate", "faults per rep")]
    return [(c, t) for c, t in wanted if rows[c].notna().any() and (c not in ("reps", "hold_s") or rows[c].gt(0).any())]


def _exercises(history: list[SessionSets]) -> None:
    st.subheader("Progress per exercise")
    points = as_rows(exercise_progress(history))
    if not points:
        st.info("No sets saved yet in these sessions.")
        return
    started = {h.session.id: datetime.fromtimestamp(h.session.started_at) for h in history}
    frame = pd.DataFrame(points).assign(started=lambda f: f["session_id"].map(started),
                                        name=lambda f: f["exercise"].map(exercise_name))
    for exercise, rows in frame.groupby("exercise", sort=False):
        st.markdown(f"**{exercise_name(exercise)}**")
        charts = _charts(exercise, rows)
        for col, (column, title) in zip(st.columns(max(3, len(charts))), charts, strict=False):
            col.altair_chart(_line(rows, column, title), width="stretch")
    st.dataframe(frame[["name", "day", "session_id", "sets", "reps", "hold_s", "mean_range_of_motion", "faults",
                        "fault_rate", "pain_stops"]], hide_index=True,
                 column_config={"name": "exercise", "session_id": "session",
                                "hold_s": st.column_config.NumberColumn("held (s)", format="%.1f"),
                                "mean_range_of_motion": st.column_config.NumberColumn("range of motion", format="%.0f"),
                                "fault_rate": st.column_config.NumberColumn("faults per rep", format="%.2f"),
                                "pain_stops": "pain stops"})


def _session_table(history: list[SessionSets]) -> None:
    shares = {a.session_id: a.adherence for a in session_adherence(history)}
    rows = [{"session": h.session.id, "started": _when(h.session.started_at),
             "programme": h.session.programme or ", ".join(dict.fromkeys(exercise_name(s.exercise) for s in h.sets)),
             "kind": h.session.source, "week": h.session.week, "sets": len(h.sets),
             "adherence (reps)": _share(shares[h.session.id].reps_share),
             "completed": h.session.completed, "pain stop": h.session.pain_stop}
            for h in reversed(history)]
    st.dataframe(rows, hide_index=True)


def _sets_table(store: HistoryStore, session_id: int) -> None:
    sets = guarded(lambda: store.sets(session_id)) or []
    rows = [{"exercise": exercise_name(s.exercise), "side": s.side or "", "set": s.set_index,
             "reps": s.reps, "target reps": s.target_reps, "held (s)": round(s.hold_s, 1),
             "target hold (s)": s.target_hold_s, "range of motion": s.range_of_motion,
             "faults": ", ".join(f"{c} x{n}" for c, n in s.fault_counts.items()),
             "camera checks": s.camera_checked, "pain stop": s.pain_stop} for s in sets]
    if rows:
        st.dataframe(rows, hide_index=True, column_config={
            "range of motion": st.column_config.NumberColumn(format="%.0f")})
    else:
        st.info("No set was saved in this session.")
    for pain in guarded(lambda: store.pain_reports(session_id)) or []:
        st.warning(f"Stopped for pain: {pain.where}, {pain.score}/10 ({_when(pain.reported_at)}).")


def _one_session(store: HistoryStore, history: list[SessionSets]) -> None:
    ids = [h.session.id for h in reversed(history)]
    labels = {h.session.id: f"{h.session.id}: {_when(h.session.started_at)} {h.session.programme}".strip()
              for h in history}
    if st.session_state.get(SESSION_KEY) not in ids:
        st.session_state[SESSION_KEY] = ids[0]
    chosen = st.selectbox("Session", ids, key=SESSION_KEY, format_func=labels.__getitem__)
    _sets_table(store, chosen)
    cols = st.columns(2)
    cols[0].download_button("Session report (HTML)", lambda: session_report(store, chosen), key="history_report",
                            file_name=f"formcheck_session_{chosen}.html", mime="text/html", on_click="ignore",
                            icon=":material/description:")
    _delete_one(store, chosen, cols[1])


def _delete_one(store: HistoryStore, session_id: int, where: DeltaGenerator) -> None:
    if st.session_state.get("history_confirm") != session_id:
        where.button("Delete this session", key="history_delete", icon=":material/delete:",
                     on_click=st.session_state.__setitem__, args=("history_confirm", session_id))
        return
    st.warning(f"Delete session {session_id} and its sets for good?")
    cols = st.columns(2)
    cols[0].button("Yes, delete it", key="history_delete_yes", type="primary", on_click=_delete,
                   args=(store, session_id))
    cols[1].button("Cancel", key="history_delete_no", on_click=st.session_state.pop, args=("history_confirm", None))


def _delete(store: HistoryStore, session_id: int | None) -> None:
    """Delete one session (or, with None, everything of the current person); the result is shown next run."""
    st.session_state.pop("history_confirm", None)
    if session_id is None:
        count = guarded(lambda: store.delete_all(current_person()))
        message = f"Deleted everything of {current_person()} ({count} sessions)." if count is not None else None
    else:
        message = f"Deleted session {session_id}." if guarded(lambda: store.delete_session(session_id)) else None
    if message:
        st.session_state["history_message"] = message


def _exports(store: HistoryStore, history: list[SessionSets], since: date | None) -> None:
    st.subheader("Download")
    person = current_person()
    first = since or datetime.fromtimestamp(history[0].session.started_at).date()
    cols = st.columns(2)
    cols[0].download_button("All sets (CSV)", to_csv(history), key="history_csv", mime="text/csv",
                            file_name=f"formcheck_history_{person}.csv", on_click="ignore", icon=":material/table:")
    cols[1].download_button("Report of this period (HTML)", lambda: period_report(store, first, person=person),
                            key="history_period", file_name=f"formcheck_{person}_since_{first}.html",
                            mime="text/html", on_click="ignore", icon=":material/description:")


def _delete_all(store: HistoryStore) -> None:
    st.subheader("Delete everything")
    person = current_person()
    sure = st.checkbox(f"I understand: every session, set, pain report and safety check of “{person}” is deleted "
                       "from this computer for good.", key="history_delete_all_sure")
    st.button("Delete everything", key="history_delete_all", type="primary", disabled=not sure,
              icon=":material/delete_forever:", on_click=_delete, args=(store, None))


def _filters(history: list[SessionSets]) -> tuple[date | None, str]:
    exercises = sorted({s.exercise for h in history for s in h.sets})
    cols = st.columns(2)
    since = cols[0].date_input("Since", value=None, key=SINCE_KEY, help="Leave empty for every session.")
    if st.session_state.get(EXERCISE_KEY) not in (ALL, *exercises):
        st.session_state[EXERCISE_KEY] = ALL
    exercise = cols[1].selectbox("Exercise", [ALL, *exercises], key=EXERCISE_KEY,
                                 format_func=lambda e: exercise_name(e) if e else "All exercises")
    return since, exercise


def render() -> None:
    """The History page."""
    st.title("History")
    message = st.session_state.pop("history_message", None)
    if message:
        st.success(message)
    person = current_person()
    store = existing_store()
    everything = guarded(lambda: store.history(person)) if store is not None else None
    if not everything:
        st.info(f"No sessions saved yet for “{person}”. Sessions on the Coach page are saved here as you go.")
        return
    st.caption(f"Saved on this computer only ({store.path}). Person: **{person}**.")
    since, exercise = _filters(everything)
    history = guarded(lambda: store.history(person, since=since, exercise=exercise or None)) or []
    if not history:
        st.info("No sessions match these filters.")
        return
    _overview(history)
    _weekly(history)
    _exercises(history)
    st.subheader("Sessions")
    _session_table(history)
    _one_session(store, history)
    _exports(store, history, since)
    _delete_all(store)


__all__ = ["render"]
