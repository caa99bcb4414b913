"""The Review page's two history buttons: save the reviewed video as a session (its name and
fingerprint, never the video) and download its self-contained HTML report."""

from __future__ import annotations

import math
import time
from pathlib import Path

import streamlit as st

from formcheck.analysis import Analysis
from formcheck.history import SetRecord
from formcheck.outputs.html_report import video_report
from formcheck.results import SessionResult
from formcheck.ui.common import ClipRef, guarded
from formcheck.ui.store import current_person, open_store


def review_record(result: SessionResult, exercise: str, ended_at: float) -> SetRecord:
    """The reviewed clip as one set: reps, mean hold, mean range of motion of the reps, fault counts,
    set-up warnings (no prescription: a clip is not a dose)."""
    rom = [r.range_of_motion for r in result.reps if math.isfinite(r.range_of_motion)]
    holds = [h.duration_s for h in result.holds]
    return SetRecord(exercise=exercise, side=None, set_index=1, started_at=ended_at - result.duration_s,
                     ended_at=ended_at, reps=result.rep_count, hold_s=sum(holds) / len(holds) if holds else 0.0,
                     range_of_motion=sum(rom) / len(rom) if rom else None, fault_counts=result.fault_counts(),
                     pain_stop=result.stopped_for_pain,
                     view_problems=list(dict.fromkeys(w.code for w in result.warnings)))


def save_review(clip: ClipRef, analysis: Analysis) -> int | None:
    """Save the reviewed clip to the history (one session of one set); its id, or None (reason shown)."""
    store = open_store()
    if store is None:
        return None

    def save() -> int:
        now = time.time()
        session = store.start_session(current_person(), source="review", started_at=now, clip_name=clip.name,
                                      clip_fingerprint=clip.digest)
        store.record_set(session, review_record(analysis.result, analysis.rule.id, now))
        store.end_session(session, completed=True, ended_at=now)
        return session

    return guarded(save)


def _on_save(clip: ClipRef, analysis: Analysis) -> None:
    session = save_review(clip, analysis)
    if session is not None:
        st.session_state["review_saved"] = (clip.digest, analysis.rule.id, session)


def history_buttons(clip: ClipRef, analysis: Analysis) -> None:
    """"Save to history" (once per clip and exercise) and "Report (HTML)" buttons."""
    cols = st.columns(2)
    saved = st.session_state.get("review_saved")
    done = saved is not None and saved[:2] == (clip.digest, analysis.rule.id)
    cols[0].button("Saved to history" if done else "Save to history", key="review_save", disabled=done,
                   on_click=_on_save, args=(clip, analysis), icon=":material/bookmark_add:",
                   help=f"Keep this clip's result (not the video) in the history of “{current_person()}”.")
    stem = Path(clip.name).stem
    cols[1].download_button("Report (HTML)", lambda: video_report(analysis, clip.path), key="review_report",
                            file_name=f"{stem}_{analysis.rule.id}_report.html", mime="text/html", on_click="ignore",
                            icon=":material/description:")
    if done:
        st.caption(f"Saved as session {saved[2]}: see the History page.")


__all__ = ["history_buttons", "review_record", "save_review"]
