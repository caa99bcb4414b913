"""Review page: upload a clip, analyse it once, then the annotated video, per-rep table,
angle plot and downloads. Changing the exercise or profile re-runs only the rules."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from formcheck.analysis import PoseTrack, rule_key
from formcheck.outputs.annotate import annotate_video
from formcheck.outputs.plots import figure_png, metric_figure
from formcheck.outputs.report import rep_table, to_csv, to_json
from formcheck.results import SessionResult
from formcheck.rules.schema import Rule
from formcheck.ui import common
from formcheck.ui.common import ClipRef, guarded
from formcheck.ui.review_save import history_buttons
from formcheck.ui.sessions import session_files

#: Annotated videos kept per browser session.
MAX_VIDEOS = 2


def annotated_video(clip: ClipRef, variant: str, track: PoseTrack, rule: Rule) -> bytes | None:
    """The annotated H.264 video (made once per clip, model and rule version; progress bar)."""
    videos: dict = st.session_state.setdefault("videos", {})
    key = (clip.digest, variant, rule_key(rule))
    if key in videos:
        return videos[key]
    bar = st.progress(0.0, text="Drawing the annotated video…")

    session = session_files()

    def progress(fraction: float) -> None:  # every few frames
        session.check()  # the browser tab is gone: stop here
        bar.progress(min(1.0, fraction), text=f"Drawing the annotated video: {fraction:.0%}")

    def make() -> bytes:
        out = session.new_path(".mp4", prefix="annotated-")  # in this session's folder
        try:
            annotate_video(clip.path, track, rule, out, progress=progress)
            return out.read_bytes()
        finally:
            out.unlink(missing_ok=True)

    data = guarded(make)
    bar.empty()
    if data is not None:
        while len(videos) >= MAX_VIDEOS:
            videos.pop(next(iter(videos)))
        videos[key] = data
    return data


def _outputs(clip: ClipRef, variant: str, track: PoseTrack, rule: Rule, result: SessionResult) -> None:
    stem = Path(clip.name).stem
    video = None
    if st.toggle("Annotated video", value=True, key="review_make_video",
                 help="Draw the skeleton, angles, counter and cues on every frame (takes a little while)."):
        video = annotated_video(clip, variant, track, rule)
        if video is not None:
            st.video(video)
    st.subheader("Reps")
    rows = rep_table(result, rule)
    if rows:
        st.dataframe(rows, hide_index=True, column_config={
            "start_s": "start (s)", "end_s": "end (s)", "duration_s": "duration (s)",
            "range_of_motion": "range of motion", "rise_s": "rise (s)", "hold_s": "hold (s)", "fall_s": "fall (s)"})
    else:
        st.info("No complete reps in this clip.")
    st.subheader("Over time")
    png = guarded(lambda: figure_png(metric_figure(result, rule)))
    if png is not None:
        st.image(png, caption="Key angle over time: dashed lines are thresholds, shaded spans reps, red faults.")
    st.subheader("Downloads")
    cols = st.columns(3)
    with cols[0]:
        st.download_button("Annotated video (MP4)", video or b"", file_name=f"{stem}_{rule.id}_annotated.mp4",
                           mime="video/mp4", disabled=video is None, key="dl_video", on_click="ignore")
    with cols[1]:
        st.download_button("Result (JSON)", to_json(result), file_name=f"{stem}_{rule.id}.json",
                           mime="application/json", key="dl_json", on_click="ignore")
    with cols[2]:
        st.download_button("Reps (CSV)", to_csv(result, rule), file_name=f"{stem}_{rule.id}_reps.csv",
                           mime="text/csv", key="dl_csv", on_click="ignore")


def render() -> None:
    """The Review page."""
    st.title("Review a video")
    variant = common.variant_picker("full")
    rule = common.exercise_picker()
    clip = common.clip_picker("review")
    if rule is None or clip is None:
        st.info("Upload a video of one exercise set (or pick a sample clip) to analyse it.")
        return
    analysis = common.clip_analysis(clip, variant, rule)
    if analysis is None:
        return
    common.result_overview(analysis.result, rule)  # with the video's own warnings (e.g. cut short)
    _outputs(clip, variant, analysis.track, rule, analysis.result)
    st.subheader("History and report")
    history_buttons(clip, analysis)


__all__ = ["annotated_video", "render"]
