"""Live page: the browser webcam through streamlit-webrtc, coached by :class:`LiveSession`.

The video callback runs in streamlit-webrtc's thread and only hands frames to the session
(which returns them drawn at once); a fragment re-run twice a second shows the counter,
set-up checklist and cues, and speaks new cues with the browser's speechSynthesis.
"""

from __future__ import annotations

import html
import threading
import time

import av
import streamlit as st

from formcheck.live import SETUP_HOLD_S, EngineStatus, LiveCues, LiveSession, PoseOptions, pain_stop_before_start
from formcheck.outputs.cue_choice import current_cue
from formcheck.outputs.drawing import format_value, metric_label
from formcheck.outputs.report import to_json
from formcheck.outputs.text import rep_count_label, rep_count_text
from formcheck.results import SessionResult
from formcheck.rules.schema import Rule
from formcheck.ui import common
from formcheck.ui.browser import speak as _speak
from formcheck.ui.review_save import review_record
from formcheck.ui.sessions import session_files
from formcheck.ui.store import current_person, open_store
from formcheck.ui.styles import camera_page_style
from formcheck.ui.webcam import webcam

#: How often the status panel refreshes while the camera runs (seconds).
PANEL_REFRESH_S = 0.5
CAMERA_KEY = "live-camera"
PAIN_KEY = "live_pain"
STOPPED_CUE = "Set stopped. Rest now. If the pain stays or spreads, see your GP or physiotherapist."

_STYLE = camera_page_style(PAIN_KEY)

class LiveHolder:
    """Joins the camera thread and the page: one :class:`LiveSession` per set, made on the
    first frame after the page arms it, ended by :meth:`finish`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._config: tuple[Rule, PoseOptions] | None = None
        self.session: LiveSession | None = None

    def arm(self, rule: Rule, options: PoseOptions) -> None:
        """Allow a session with this rule; a running session with another rule is ended."""
        with self._lock:
            self._config = (rule, options)
            old = self.session
            if old is None or (old.rule == rule and old.options.variant == options.variant):
                return
            self.session = None
        old.close()  # outside the lock: closing waits for the model, frames must not

    def process_av(self, frame: av.VideoFrame) -> av.VideoFrame:
        """streamlit-webrtc's video callback: never waits for the model."""
        with self._lock:
            session = self.session
            if session is None and self._config is not None:
                session = self.session = LiveSession(*self._config)
        if session is None:
            return frame
        out = av.VideoFrame.from_ndarray(session.process(frame.to_ndarray(format="rgb24")), format="rgb24")
        if frame.time_base is not None:
            out.pts, out.time_base = frame.pts, frame.time_base
        return out

    def finish(self, pain: bool = False) -> SessionResult | None:
        """End the current set and disarm (in one step, so a frame arriving meanwhile cannot
        start a new set); the set's result, or None if no frame was processed."""
        with self._lock:
            session, self.session, self._config = self.session, None, None
        if session is None:
            return None
        if session.frames_processed == 0 and not pain:
            session.close()
            return None
        return session.stop_for_pain() if pain else session.summary()

    def close(self) -> None:
        """The browser session is gone: end the set without a result (its model thread stops)."""
        with self._lock:
            session, self.session, self._config = self.session, None, None
        if session is not None:
            session.close()


def _holder() -> LiveHolder:
    """This browser session's holder; it is closed when the session ends (see ``ui/sessions.py``)."""
    holder = st.session_state.get("live_holder")
    if not isinstance(holder, LiveHolder):
        holder = st.session_state["live_holder"] = LiveHolder()
        session_files().on_end(holder.close)
    return holder


def _stop_for_pain(rule: Rule) -> None:
    result = _holder().finish(pain=True)
    st.session_state["live_stop"] = True
    if result is None:  # pressed before the first frame: still record the stop
        result = pain_stop_before_start(rule)
    _record(result, rule)
    _reset_cues()
    st.session_state["live_say"] = STOPPED_CUE


def _reset_cues() -> None:
    for key in ("live_speaker", "live_cues"):
        st.session_state.pop(key, None)


def _record(result: SessionResult, rule: Rule) -> None:
    """Show the set's summary, and keep the set in the history (a session of one set) so it is
    not forgotten when the tab closes."""
    st.session_state["live_result"] = (result, rule)
    st.session_state.setdefault("live_history", []).append(result.to_dict())
    store = open_store()
    if store is None:
        return

    def save() -> None:
        now = time.time()
        session = store.start_session(current_person(), source="live", started_at=now - result.duration_s)
        store.record_set(session, review_record(result, rule.id, now))
        store.end_session(session, completed=not result.stopped_for_pain, ended_at=now)

    common.guarded(save)


def safety_gate() -> bool:
    """The safety notice, acknowledged once per browser session before the camera starts."""
    if st.session_state.get("safety_ack"):
        return True
    st.warning(common.SAFETY_NOTICE)
    if st.button("I have read this — continue", key="safety_ok", type="primary"):
        st.session_state["safety_ack"] = True
        st.rerun()
    return False


def _cue_html(status: EngineStatus, rule: Rule, counting: bool) -> str:
    cue = current_cue(status, rule)
    if cue is None:
        return '<div class="fc-cue ok" role="status" aria-label="current cue">Good form — keep going</div>'
    headline, _, kind = cue
    css = "setup" if kind == "setup_warning" else ("guidance" if kind == "guidance" else "fault")
    if kind == "guidance" and counting:
        headline = "Set-up good — get into the start position"
    return f'<div class="fc-cue {css}" role="status" aria-label="current cue">{html.escape(headline)}</div>'


@st.fragment(run_every=PANEL_REFRESH_S)
def live_panel(rule: Rule, speech: bool) -> None:
    """Counter, hold, key angle, cue, set-up checklist and statistics; speaks new cues."""
    session = _holder().session
    if session is None:
        st.info("Waiting for the camera…")
        return
    if session.error is not None:
        common.show_error(session.error)
        return
    status, setup = session.status(), session.setup()
    cols = st.columns(3)
    with cols[0]:
        if rule.is_alternating:
            st.metric(rep_count_label(), rep_count_text(status.reps_by_side))
        elif rule.rep is not None:
            st.metric("Reps", status.rep_count)
    with cols[1]:
        if rule.hold is not None:
            st.metric(f"Hold (target {status.hold_target_s:g} s)", f"{status.hold_s:.1f} s")
    with cols[2]:
        key = rule.key_metrics[0] if rule.key_metrics else None
        if key is not None:
            value = status.values.get(key, float("nan"))
            st.metric(metric_label(key), format_value(value, rule.metrics[key].unit))
    st.markdown(_cue_html(status, rule, setup.counting_enabled), unsafe_allow_html=True)
    st.markdown("**Camera set-up**")
    for item in setup.items:
        mark = ":green[:material/check_circle:]" if item.ok else ":red[:material/cancel:]"
        st.markdown(f"{mark} {item.label}" + (f" — {item.message}" if not item.ok else ""))
    if setup.counting_enabled:
        st.success("Set-up good: counting is on.")
    else:
        st.info(f"Counting starts once set-up has been good for {SETUP_HOLD_S:g} s.")
    cues: LiveCues = st.session_state.setdefault("live_speaker", LiveCues())
    cues.offer(session.events())
    cue = cues.next_cue()
    if cue is not None:
        n = st.session_state["live_cue_n"] = st.session_state.get("live_cue_n", 0) + 1
        st.session_state.setdefault("live_cues", []).append(cue.text)
        if speech:
            _speak(cue.text, f"cue-{id(session)}-{n}", interrupt=cue.interrupts)
    said = st.session_state.get("live_cues", [])[-3:]
    if said:
        st.caption("Cues: " + " · ".join(reversed(said)))
    s = session.stats()
    st.caption(f"Pose model: {s.processed_fps:.0f} frames/s of {s.input_fps:.0f} · capture → result "
               f"{s.latency_ms_mean:.0f} ms (p95 {s.latency_ms_p95:.0f}) · on screen {s.display_delay_ms_mean:.0f} ms")


def set_summary(result: SessionResult, rule: Rule) -> None:
    """What the person sees when the set ends."""
    st.subheader("Set summary")
    common.result_overview(result, rule)
    st.download_button("Download this set (JSON)", to_json(result), file_name=f"{rule.id}_set.json",
                       mime="application/json", key="live_dl", on_click="ignore")


def render() -> None:
    """The Live page."""
    st.title("Live coaching")
    rule = common.exercise_picker()
    if rule is None or not safety_gate():
        return
    st.html(_STYLE)
    variant = common.variant_picker("full", key="live_variant")
    speech = st.sidebar.toggle("Spoken cues", value=True, key="live_speech")
    holder = _holder()
    stopping = st.session_state.get("live_stop", False)  # until the stream is seen stopped
    video, panel = st.columns([3, 2], gap="medium")
    with video:
        st.caption(rule.setup)
        streaming = webcam(CAMERA_KEY, holder.process_av, playing=False if stopping else None)
    if stopping and not streaming:
        st.session_state.pop("live_stop")
    playing = streaming and not stopping
    with panel:
        if playing:  # frames before this (a fraction of a second after START) pass through unannotated
            holder.arm(rule, PoseOptions(variant=variant))
            st.button("Stop — it hurts", icon=":material/front_hand:", key=PAIN_KEY, on_click=_stop_for_pain,
                      args=(rule,), width="stretch", help="Ends the set now and records that it hurt.")
            st.session_state.pop("live_result", None)
            live_panel(rule, speech)
            return
        result = holder.finish()
        if result is not None:
            _record(result, rule)
            _reset_cues()
        st.info(f"Press **START** to turn the camera on. {rule.setup}")
        last = st.session_state.get("live_result")
        if last is not None:
            set_summary(*last)
        say = st.session_state.pop("live_say", None)
        if say and speech:
            _speak(say, f"stopped-{len(st.session_state.get('live_history', []))}")


__all__ = ["LiveHolder", "live_panel", "render", "safety_gate", "set_summary"]
