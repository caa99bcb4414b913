"""Coach page: a whole programme, hands-free. Choose a programme (shipped, yours, or a file a
physio gave you), the week and whether to mute; press Start once. The camera starts, and the
:class:`~formcheck.coach.live.CoachSession` runs everything: it announces each exercise, waits
for the camera view and start position, counts, rests, switches sides and moves on. The panel
(``coach_panel``) shows and speaks it; each finished set is saved to the history as it ends.
"Stop — it hurts" is always on screen: it ends the session, then asks where and how bad.
"""

from __future__ import annotations

import dataclasses
import time

import streamlit as st
import yaml

from formcheck.coach.live import CoachSession
from formcheck.coach.plan import plan_sets
from formcheck.coach.words import PAIN_STOP
from formcheck.errors import FormcheckError
from formcheck.live import PoseOptions
from formcheck.programmes import (
    PROGRAMMES_DIR,
    Programme,
    estimate_minutes,
    parse_programme,
    save_programme,
    scan_programmes,
    unique_id,
)
from formcheck.ui import common
from formcheck.ui.browser import say_cues
from formcheck.ui.coach_holder import CoachHolder
from formcheck.ui.coach_log import SessionLog
from formcheck.ui.coach_pain import pain_form, session_downloads
from formcheck.ui.coach_panel import HOLDER_KEY, camera_starting, coach_panel, controls, holder
from formcheck.ui.sessions import session_files
from formcheck.ui.store import current_person, open_store
from formcheck.ui.styles import camera_page_style
from formcheck.ui.webcam import webcam

CAMERA_KEY = "coach-camera"
PROGRAMME_KEY = "coach_programme"
IMPORT_KEY = "coach_import"

_STYLE = camera_page_style("coach_pain", """.st-key-coach_start button { min-height: 4rem; }
.st-key-coach_start button p { font-size: 1.6rem; }
.st-key-coach_controls button { min-height: 3.5rem; }
.st-key-coach_controls button p { font-size: 1.3rem; }
.st-key-coach_counter [data-testid="stMetricValue"] { font-size: 3.4rem; }
.fc-cue { font-size: 1.7rem; }""")


def _holder() -> CoachHolder:
    """This tab's holder; closed (its session saved and ended) when the tab's session ends."""
    h = holder()
    if h is None:
        h = st.session_state[HOLDER_KEY] = CoachHolder()
        session_files().on_end(h.close)
    return h


# -- choosing ---------------------------------------------------------------------------
def _import() -> None:
    """A programme file was uploaded: validated, saved to the user's programmes, chosen."""
    upload = st.session_state.get(IMPORT_KEY)
    if upload is None:
        return
    try:
        try:
            data = yaml.safe_load(upload.getvalue().decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise FormcheckError(f"{upload.name}: not a programme file (not readable YAML: "
                                 f"{getattr(exc, 'problem', None) or exc})") from None
        programme = parse_programme(data, upload.name)
        if (PROGRAMMES_DIR / f"{programme.id}.yaml").is_file():  # never shadow a shipped programme
            programme = dataclasses.replace(programme, id=unique_id(programme.id))
        save_programme(programme)
    except FormcheckError as exc:
        st.session_state["coach_import_problems"] = list(getattr(exc, "problems", None) or str(exc).splitlines())
        return
    st.session_state.pop("coach_import_problems", None)
    st.session_state[PROGRAMME_KEY] = programme.id
    st.session_state["coach_message"] = f"Imported “{programme.title}”: it is in your programmes now."


def _programme_picker() -> Programme | None:
    catalogue = common.guarded(scan_programmes)
    if catalogue is None:
        return None
    for line in catalogue.problems:
        st.warning(f"Left out: {line}")
    programmes = {p.id: p for p in catalogue.programmes}
    if not programmes:
        st.error("No programmes found.")
        return None
    wanted = st.query_params.get("programme")
    if wanted in programmes and st.session_state.get("coach_programme_from_url") != wanted:
        st.session_state[PROGRAMME_KEY] = st.session_state["coach_programme_from_url"] = wanted
    if st.session_state.get(PROGRAMME_KEY) not in programmes:
        st.session_state.pop(PROGRAMME_KEY, None)
    chosen = st.selectbox("Programme", list(programmes), key=PROGRAMME_KEY, format_func=lambda i: (
        programmes[i].title + (" (yours)" if programmes[i].extra.get("origin") == "user" else "")))
    return programmes[chosen]


def _preview(programme: Programme, week: int) -> bool:
    """The programme's exercises with this week's dose; False (reason shown) if it cannot run."""
    st.caption(f"{programme.source}. About {estimate_minutes(programme, week):.0f} minutes. {programme.description}")
    rows = []
    for item in programme.items:
        reps, hold = item.dose_for_week(week)
        parts = ([f"{reps} reps"] if reps is not None else []) + ([f"hold {hold:g} s"] if hold is not None else [])
        dose = ", ".join(parts) or (f"{item.duration_s:g} s" if item.duration_s else "")
        rows.append({"exercise": item.name, "sets": item.sets, "dose": dose, "each side": item.per_side,
                     "rest (s)": item.rest_s, "camera checks": item.has_rule})
    st.dataframe(rows, hide_index=True)
    return common.guarded(lambda: plan_sets(programme, week)) is not None


def _start(programme: Programme, week: int, variant: str) -> None:
    """The one press: the session and its history log are made, the camera is asked to start."""
    session = common.guarded(lambda: CoachSession(programme, week, PoseOptions(variant=variant)))
    store = open_store() if session is not None else None
    log = common.guarded(lambda: SessionLog.start(store, current_person(), programme, week)) if store else None
    if session is None or log is None:
        return
    session.muted = bool(st.session_state.get("coach_mute_choice"))
    st.session_state["coach_mute"] = session.muted
    _holder().start(session, log)
    for key in ("coach_said", "coach_camera_off"):
        st.session_state.pop(key, None)
    st.session_state["coach_started"] = time.time()


def _choose(variant: str) -> None:
    message = st.session_state.pop("coach_message", None)
    if message:
        st.success(message)
    programme = _programme_picker()
    st.file_uploader("…or import a programme file from your physiotherapist (.yaml)", type=["yaml", "yml"],
                     key=IMPORT_KEY, on_change=_import)
    for line in st.session_state.get("coach_import_problems", []):
        st.error(line)
    if programme is None:
        return
    cols = st.columns(2)
    week = int(cols[0].number_input("Week of the programme", 1, 52, key="coach_week"))
    cols[1].toggle("Mute spoken cues", key="coach_mute_choice")
    ready = _preview(programme, week)
    st.info("Press **Start** once: the camera turns on and the coach talks you through every exercise. "
            "Keys: space = pause, N = skip, A = again (repeat), P = stop because it hurts.")
    st.button("Start", key="coach_start", type="primary", icon=":material/play_circle:", disabled=not ready,
              on_click=_start, args=(programme, week, variant), width="stretch")


# -- running and after ------------------------------------------------------------------
def _camera(playing: bool) -> bool:
    """The webcam (started and stopped by the page, not by a click on it); whether it plays."""
    # started by press_camera_start (see camera_starting)
    return webcam(CAMERA_KEY, _holder().process_av, playing=None if playing else False)


def _running() -> None:
    video, panel = st.columns([3, 2], gap="medium")
    with video:
        playing = _camera(True)
        controls()
        st.button("End the session", key="coach_end", on_click=_holder().end, icon=":material/stop_circle:",
                  help="Stop here (without pain): what you did so far is saved.")
    with panel:  # the refreshing panel only once the camera plays (see camera_starting)
        if playing:
            coach_panel(_holder().stop_for_pain)
        else:
            camera_starting(_holder().stop_for_pain)


def _said_now(words: list[str], interrupt: bool = False) -> None:
    """The words of the end (the pain advice, or the summary): rendered on every run of the page so a
    quick rerun cannot drop them before the browser says them; the browser says each once."""
    if st.session_state.get("coach_mute"):
        return
    start = st.session_state.get("coach_started", 0)
    say_cues([(f"coach-end-{start}-{n}", text, interrupt and n == 0) for n, text in enumerate(words)], "coach_end")


def _camera_off() -> None:
    """Stop the camera after a session (the component is dropped once it has stopped)."""
    if not st.session_state.get("coach_camera_off") and not _camera(False):
        st.session_state["coach_camera_off"] = True


def _done(h: CoachHolder) -> None:
    lines = h.summary()
    _said_now(lines[:1])
    if lines:
        st.success(lines[0])
        for line in lines[1:]:
            st.markdown(f"- {line}")
    if h.log is not None:
        session_downloads(h.log)
    st.button("Back to the programmes", key="coach_again", on_click=h.dismiss)
    _camera_off()


def render() -> None:
    """The Coach page: its stage comes from this tab's session (choose, running, pain, done)."""
    st.title("Coach")
    st.html(_STYLE)
    variant = common.variant_picker("full", key="coach_variant")
    h = holder()
    stage = h.stage if h is not None else None
    if stage == "running":
        _running()
    elif stage == "pain":
        _said_now([PAIN_STOP], interrupt=True)
        common.guarded(h.poll)  # a set reported after the stop is still saved
        pain_form(h)
        _camera_off()
    elif stage == "done":
        _done(h)
    else:
        _choose(variant)


__all__ = ["render"]
