"""The Coach page's live panel, refreshed twice a second while the camera runs: the current
exercise (name, set x/y, side, target), a big rep counter / hold timer / countdown, what to do
now, the newest cue, the camera set-up checklist. It speaks the runner's cues and saves each
finished set (through the holder) as it comes. Beside it: the big Pause / Skip / Repeat
buttons (keys: space, N, A)."""

from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from formcheck.coach.plan import dose_text
from formcheck.coach.state import CoachEvent, CoachState
from formcheck.coach.words import set_label
from formcheck.outputs.cue_schedule import Priority
from formcheck.ui import common
from formcheck.ui.browser import press_camera_start, say_cues
from formcheck.ui.coach_holder import CoachHolder

PANEL_REFRESH_S = 0.5
#: Spoken cues kept rendered (see :func:`say`).
KEEP_CUES = 4
HOLDER_KEY = "coach_holder"
#: Keyboard shortcuts (Streamlit's own, shown on the buttons): R is Streamlit's "rerun", so repeat is A (again).
SHORTCUTS = {"pause": "Space", "skip": "N", "repeat": "A", "pain": "P"}
CAMERA_STARTING = ("Starting the camera… If your browser asks, allow the camera. The coach starts talking "
                   "as soon as it sees the picture.")
PHASE_NAMES = {"announce": "Listen", "setup": "Get set up", "active": "Go", "rest": "Rest", "done": "Done",
               "stopped": "Stopped"}


def holder() -> CoachHolder | None:
    """This tab's holder, if any (by its methods, not its class: Streamlit may re-import the module)."""
    value = st.session_state.get(HOLDER_KEY)
    return value if hasattr(value, "poll") and hasattr(value, "process_av") else None


def say(events: list[CoachEvent]) -> None:
    """Speak the ``say`` events (a safety cue cuts in; others wait their turn). The last few cues stay
    rendered, so a quick rerun cannot drop one before the browser has said it (each is said once)."""
    said: list[tuple[str, str, bool]] = st.session_state.setdefault("coach_said", [])
    start = st.session_state.get("coach_started", 0)
    for event in events:
        if event.kind == "say":
            said.append((f"coach-{start}-{len(said)}", event.text, event.priority == Priority.SAFETY))
    if said:
        say_cues(said[-KEEP_CUES:], "coach")


def _header(state: CoachState) -> None:
    ps = state.current
    if ps is None:
        return
    label = set_label(ps)
    st.markdown(f"## {ps.name}")
    parts = [label[0].upper() + label[1:] if label else "One set", f"target: {dose_text(ps)}",
             f"set {state.index + 1} of {state.total} in all"]
    if not ps.camera_checked:
        parts.append("done without camera checks")
    st.caption(" · ".join(parts))


def _counter(state: CoachState) -> None:
    """The big number: rest or announcement countdown, reps, hold or time left."""
    with st.container(key="coach_counter"):
        cols = st.columns(2)
        cols[0].metric("Now", "Paused" if state.paused else PHASE_NAMES.get(state.phase, state.phase))
        if state.phase in ("rest", "announce") and state.time_left_s is not None:
            cols[1].metric("Rest" if state.phase == "rest" else "Starting in", f"{state.time_left_s:.0f} s")
        elif state.target_reps is not None:
            cols[1].metric("Reps", f"{state.reps} / {state.target_reps}")
        elif state.target_hold_s is not None:
            cols[1].metric("Hold", f"{state.hold_s:.0f} / {state.target_hold_s:g} s")
        elif state.time_left_s is not None:
            cols[1].metric("Time left", f"{state.time_left_s:.0f} s")


def _checklist(state: CoachState) -> None:
    if state.setup is None or state.phase not in ("announce", "setup", "active"):
        return
    st.markdown("**Camera set-up**")
    for item in state.setup.items:
        mark = ":green[:material/check_circle:]" if item.ok else ":red[:material/cancel:]"
        st.markdown(f"{mark} {item.label}" + (f" — {item.message}" if not item.ok and item.message else ""))


def _control(action: str) -> None:
    h = holder()
    session = h.session if h is not None else None
    if session is None or session.state().finished:
        return
    if action == "pause":
        action = "resume" if session.state().paused else "pause"
    getattr(session, action)()


def controls() -> None:
    """The big Pause / Skip / Repeat buttons with their keys. They sit outside the refreshing panel and
    never change, so a key press always finds its button (a button re-drawn just then can miss one)."""
    with st.container(key="coach_controls"):
        cols = st.columns(3)
        cols[0].button("Pause", key="coach_pause", on_click=_control, args=("pause",), icon=":material/play_pause:",
                       width="stretch", shortcut=SHORTCUTS["pause"], help="Pause, and press again to go on.")
        cols[1].button("Skip", key="coach_skip", on_click=_control, args=("skip",), icon=":material/skip_next:",
                       width="stretch", shortcut=SHORTCUTS["skip"])
        cols[2].button("Repeat", key="coach_repeat", on_click=_control, args=("repeat",), icon=":material/replay:",
                       width="stretch", shortcut=SHORTCUTS["repeat"])


def _mute(h: CoachHolder) -> None:
    if h.session is not None:
        h.session.muted = bool(st.session_state.get("coach_mute"))


def pain_button(stop_for_pain: Callable[[], None]) -> None:
    """The "Stop — it hurts" button (key P), on screen at every stage of a session."""
    st.button("Stop — it hurts", icon=":material/front_hand:", key="coach_pain", on_click=stop_for_pain,
              width="stretch", shortcut=SHORTCUTS["pain"], help="Ends the session now and records that it hurt.")


def camera_starting(stop_for_pain: Callable[[], None]) -> None:
    """The panel while the camera connects: the browser presses the camera's own Start for the
    person (:func:`~formcheck.ui.browser.press_camera_start`). It does not refresh by itself, so
    no page rerun lands in the middle of the connection hand-shake; the refreshing panel
    (:func:`coach_panel`) starts once the camera plays."""
    pain_button(stop_for_pain)
    st.info(CAMERA_STARTING)
    press_camera_start("coach_camera")


@st.fragment(run_every=PANEL_REFRESH_S)
def coach_panel(stop_for_pain: Callable[[], None]) -> None:
    """The live panel (see the module docstring) under the "Stop — it hurts" button."""
    pain_button(stop_for_pain)
    h = holder()
    session = h.session if h is not None else None
    if h is None or session is None:
        st.info("No session is running.")
        return
    if session.error is not None:
        common.show_error(session.error)
        return
    events = common.guarded(h.poll) or []
    if h.stage != "running":  # done, stopped for pain, or ended: the page shows the end
        st.rerun(scope="app")
    state = session.state()
    say(events)
    _header(state)
    _counter(state)
    message = html.escape(state.message)
    st.markdown(f'<div class="fc-cue guidance" role="status" aria-label="what to do">{message}</div>',
                unsafe_allow_html=True)
    if state.cue and state.cue != state.message:
        st.caption(f"Cue: {state.cue}")
    st.toggle("Mute spoken cues", key="coach_mute", on_change=_mute, args=(h,))
    _checklist(state)
    s = session.stats()
    if s.frames_processed:
        st.caption(f"Pose model: {s.processed_fps:.0f} frames/s · capture → result {s.latency_ms_mean:.0f} ms")


__all__ = [
    "CAMERA_STARTING", "HOLDER_KEY", "KEEP_CUES", "PANEL_REFRESH_S", "SHORTCUTS", "camera_starting", "coach_panel",
    "controls", "holder", "pain_button", "say",
]  # fmt: skip
