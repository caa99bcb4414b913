"""Widgets and caches shared by the pages: exercise/profile picker, clip picker, pose-track
cache, error display and the set overview. No rule logic: results come from the engine."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from formcheck.analysis import (
    VARIANTS,
    VIDEO_SUFFIXES,
    Analysis,
    PoseOptions,
    PoseTrack,
    analyze,
    file_fingerprint,
    max_file_bytes,
    series_key,
    track_video,
)
from formcheck.errors import FormcheckError
from formcheck.outputs.text import rep_count_label, rep_count_text
from formcheck.results import SessionResult
from formcheck.rules.catalog import RULES_DIR, read_rule_file
from formcheck.rules.profiles import list_profiles, load_profile
from formcheck.rules.schema import Rule
from formcheck.ui.sessions import session_files

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_ENV = "FORMCHECK_SAMPLES_DIR"
#: Optional folder for landmark caches on disk (off unless set: uploads may be patients' videos).
CACHE_ENV = "FORMCHECK_CACHE_DIR"
UPLOAD_TYPES = ["mp4", "mov", "webm", "avi", "m4v", "mkv"]
NO_SAMPLE = "—"
DEFAULT_PROFILE = ""
#: Pose tracks kept per browser session (each is ~0.5 MB per minute of video).
MAX_TRACKS = 6

SAFETY_NOTICE = """
**Before you start**

- **Stop if it hurts.** Mild stretching discomfort is fine; sharp, shooting or increasing pain is not.
  Press **Stop — it hurts** and rest.
- **See a GP or physiotherapist** before exercising if your back pain is new or not yet diagnosed, if pain
  spreads down a leg, or if you have numbness, tingling or weakness. Get urgent help for numbness around the
  genitals or buttocks, or new problems passing urine or controlling your bowels.
- formcheck counts and gives form cues from a camera. **It is not a diagnosis** and does not replace
  your clinician's advice.
"""


# -- errors -------------------------------------------------------------------------------
def show_error(error: BaseException) -> None:
    """Show an error as one readable line: ``str(error)`` for ours, a short note for a bug."""
    if isinstance(error, FormcheckError):
        st.error(str(error))
    else:
        log.error("unexpected error", exc_info=error)
        st.error(f"Something went wrong ({type(error).__name__}: {error}). The details are in the server log.")


def guarded(fn: Callable[[], Any]) -> Any:
    """Run ``fn``; on any error show it and return None (never a traceback)."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - every error is shown to the user as one line
        show_error(exc)
        return None


# -- exercises and profiles -------------------------------------------------------------
def _restore(key: str) -> None:
    """Give widget ``key`` the value it last had on any page: Streamlit drops a widget's state
    when the same key appears on another page, unless the script sets it before the widget."""
    kept = f"kept_{key}"
    if kept in st.session_state:
        st.session_state[key] = st.session_state.get(key, st.session_state[kept])


def _keep(key: str, value: Any) -> Any:
    st.session_state[f"kept_{key}"] = value
    return value


def load_catalogue() -> list[Rule]:
    """Every readable rule of the catalogue; a broken file is reported, the rest still load."""
    rules = []
    for path in sorted(RULES_DIR.glob("*.yaml")):
        try:
            rules.append(read_rule_file(path))
        except FormcheckError as exc:
            st.warning(f"Skipped a rule file: {exc}")
    if not rules:
        st.error(f"No exercises found: no readable rule files in {RULES_DIR}")
    return rules


def exercise_picker(profiles: bool = True) -> Rule | None:
    """Exercise selectbox (``?exercise=<id>`` in the URL) and, optionally, a saved profile.

    The choice is shared by all pages. Returns the catalogue rule or the profile's rule.
    """
    rules = {r.id: r for r in load_catalogue()}
    if not rules:
        return None
    wanted = st.query_params.get("exercise")
    if wanted in rules and st.session_state.get("exercise_from_url") != wanted:  # each new URL value once
        st.session_state["exercise"] = st.session_state["exercise_from_url"] = wanted
    _restore("exercise")
    if st.session_state.get("exercise") not in rules:
        st.session_state.pop("exercise", None)
    exercise = _keep("exercise", st.selectbox("Exercise", list(rules), format_func=lambda i: rules[i].name,
                                              key="exercise"))
    rule = rules[exercise]
    st.caption(rule.summary)
    if not profiles:
        return rule
    saved = {str(p.path): p for p in list_profiles(rule.id)}
    _restore("profile")
    if st.session_state.get("profile") not in (DEFAULT_PROFILE, *saved):
        st.session_state["profile"] = DEFAULT_PROFILE
    choice = st.selectbox("Threshold profile", [DEFAULT_PROFILE, *saved], key="profile",
                          format_func=lambda p: f"{saved[p].name} (saved {saved[p].saved_at[:10]})" if p else
                          "Default thresholds", help="Profiles are saved on the Tune page (e.g. one per patient).")
    _keep("profile", choice)
    if choice == DEFAULT_PROFILE:
        return rule
    loaded = guarded(lambda: load_profile(choice))
    return loaded if loaded is not None else rule


def variant_picker(default: str = "full", key: str = "model_variant") -> str:
    """The pose model variant (lite is fastest, heavy most accurate)."""
    _restore(key)
    options = [default, *(v for v in VARIANTS if v != default)]
    return _keep(key, st.sidebar.selectbox(
        "Pose model", options, key=key, bind="query-params",
        help="lite is fastest; full is the default for review; heavy is most accurate and about three times slower."))


# -- clips ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClipRef:
    """A video the user picked: where it is, what to call it and its content hash."""

    path: str
    name: str
    digest: str


def samples_dir() -> Path | None:
    """``$FORMCHECK_SAMPLES_DIR``, else ``../shared/sample_videos`` beside the repo, if it exists."""
    env = os.environ.get(SAMPLES_ENV)
    folder = Path(env).expanduser() if env else REPO_ROOT.parent / "shared" / "sample_videos"
    return folder if folder.is_dir() else None


def sample_clips() -> list[str]:
    folder = samples_dir()
    return sorted(p.name for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES) if folder else []


def clip_from_path(path: str | Path) -> ClipRef:
    return ClipRef(str(path), Path(path).name, file_fingerprint(path))


def upload_limit_mb() -> int:
    """The largest upload (MB): the product's file limit (:func:`formcheck.analysis.max_file_bytes`),
    capped by Streamlit's ``server.maxUploadSize`` (the server refuses anything larger)."""
    product = max_file_bytes() // (1024 * 1024)
    try:
        server = int(st.get_option("server.maxUploadSize"))
    except Exception:  # noqa: BLE001 - outside a Streamlit process
        server = product
    return max(1, min(product, server))


def too_large(name: str, size: int) -> str | None:
    """Why an upload of ``size`` bytes cannot be used, or None."""
    limit = upload_limit_mb()
    if size <= limit * 1024 * 1024:
        return None
    return (f"{Path(name).name} is {size / 1024**2:,.0f} MB; the largest video this app takes is {limit:,} MB. "
            "Trim the clip to one set (or record at a lower resolution) and upload it again.")


def clip_from_bytes(name: str, data: bytes) -> ClipRef:
    """Keep an upload in this browser session's temporary folder (named by its content
    hash, not by its name); the folder is deleted when the session ends."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in VIDEO_SUFFIXES else ".mp4"
    path = session_files().folder / f"{digest}{suffix}"
    if not path.exists():
        path.write_bytes(data)
    return ClipRef(str(path), Path(name).name, digest)


def forget_clip() -> None:
    """Drop the current clip; an upload's file and everything computed from it go at once."""
    clip: ClipRef | None = st.session_state.pop("clip", None)
    st.session_state.pop("clip_origin", None)
    if clip is None:
        return
    files = session_files()
    if files.owns(clip.path):
        Path(clip.path).unlink(missing_ok=True)
        for cache in ("tracks", "track_errors", "analyses", "videos"):
            kept = st.session_state.get(cache)
            if isinstance(kept, dict):
                for key in [k for k in kept if k[0] == clip.digest]:
                    kept.pop(key)


def _use_clip(clip: ClipRef | None, origin: str) -> None:
    """Make ``clip`` the current clip; the previous upload's file is deleted."""
    old: ClipRef | None = st.session_state.get("clip")
    if old is not None and (clip is None or old.path != clip.path):
        forget_clip()
    st.session_state["clip"] = clip
    st.session_state["clip_origin"] = origin


def _on_upload(key: str) -> None:
    uploaded = st.session_state.get(key)
    if uploaded is None:  # the user removed the upload: so does the server
        if st.session_state.get("clip_origin") == key:
            forget_clip()
        return
    problem = too_large(uploaded.name, uploaded.size)
    if problem is not None:
        st.session_state["upload_problem"] = problem
        return
    st.session_state.pop("upload_problem", None)
    _use_clip(clip_from_bytes(uploaded.name, uploaded.getvalue()), key)


def _on_sample() -> None:
    name = st.session_state.get("sample")
    folder = samples_dir()
    if name and name != NO_SAMPLE and folder is not None:
        _use_clip(clip_from_path(folder / name), "sample")


def clip_picker(prefix: str) -> ClipRef | None:
    """Upload a clip or pick a sample clip (``?sample=<file>``); the current clip is shared by
    Review and Tune. ``st.session_state["clip_path"]`` (a path) also loads a clip (automation)."""
    if "clip_path" in st.session_state:
        _use_clip(guarded(lambda: clip_from_path(st.session_state.pop("clip_path"))), "path")
    limit = upload_limit_mb()
    st.file_uploader("Upload a video (mp4, mov, webm, avi)", type=UPLOAD_TYPES, key=f"{prefix}_upload",
                     on_change=_on_upload, args=(f"{prefix}_upload",), max_upload_size=limit,
                     help=f"Up to {limit:,} MB. The upload is kept only while this browser tab is open.")
    problem = st.session_state.pop("upload_problem", None)
    if problem:
        st.error(problem)
    samples = sample_clips()
    if samples:
        sample = st.selectbox("…or use a sample clip", [NO_SAMPLE, *samples], key="sample", on_change=_on_sample,
                              bind="query-params", help=f"Clips in {samples_dir()}")
        if sample != NO_SAMPLE and st.session_state.get("clip") is None:
            _on_sample()
    clip: ClipRef | None = st.session_state.get("clip")
    if clip is not None and not Path(clip.path).is_file():
        forget_clip()
        st.info(f"{clip.name} is no longer on the server. Upload it again.")
        clip = None
    if clip is not None:
        st.caption(f"Clip: **{clip.name}**")
    return clip


def _readable(message: str, clip: ClipRef) -> str:
    """An error message about ``clip`` with the server's path of it replaced by its name."""
    return message.replace(clip.path, clip.name)


# -- the expensive stages, cached per browser session -----------------------------------
def get_track(clip: ClipRef, variant: str) -> PoseTrack | None:
    """The clip's pose track: from this session's cache, else the model runs once (progress bar)."""
    tracks: dict = st.session_state.setdefault("tracks", {})
    errors: dict = st.session_state.setdefault("track_errors", {})
    key = (clip.digest, variant)
    if key in tracks:
        return tracks[key]
    if key in errors:
        st.error(errors[key])
        return None
    bar = st.progress(0.0, text=f"Finding the pose in {clip.name} ({variant} model)…")
    shown = [0.0]
    session = session_files()

    def progress(fraction: float) -> None:  # called after every frame
        session.check()  # the browser tab is gone: stop here
        if fraction - shown[0] >= 0.01 or fraction >= 1.0:
            shown[0] = fraction
            bar.progress(min(1.0, fraction), text=f"Finding the pose in {clip.name}: {fraction:.0%}")

    try:
        track = track_video(clip.path, PoseOptions(variant=variant), progress=progress,
                            cache_dir=os.environ.get(CACHE_ENV) or None)
    except FormcheckError as exc:  # shown as one line, and remembered so it is not retried
        bar.empty()
        errors[key] = _readable(str(exc), clip)
        st.error(errors[key])
        return None
    except Exception as exc:  # noqa: BLE001 - a bug: one line on the page, the details in the log
        bar.empty()
        log.error("unexpected error while finding the pose in an uploaded or sample clip", exc_info=exc)
        errors[key] = _readable(f"Could not analyse {clip.name} ({type(exc).__name__}: {exc}). "
                                "The details are in the server log.", clip)
        st.error(errors[key])
        return None
    bar.empty()
    while len(tracks) >= MAX_TRACKS:
        tracks.pop(next(iter(tracks)))
    tracks[key] = track
    return track


def track_warnings(clip: ClipRef, track: PoseTrack) -> None:
    """Problems with the video itself (e.g. cut short, very dark), one line each."""
    for _, message in getattr(track, "warnings", None) or []:
        st.warning(_readable(message, clip))


def get_analysis(clip: ClipRef, variant: str, track: PoseTrack, rule: Rule) -> Analysis:
    """The clip's analysis under ``rule``. The metric series is cached per clip, model and the
    rule's metric definitions, so another profile or threshold value re-runs only the rules."""
    cache: dict = st.session_state.setdefault("analyses", {})
    key = (clip.digest, variant, series_key(rule))
    if key in cache:
        return cache[key].with_rule(rule)
    while len(cache) >= 2 * MAX_TRACKS:
        cache.pop(next(iter(cache)))
    cache[key] = analyze(track, rule)
    return cache[key]


def clip_analysis(clip: ClipRef, variant: str, rule: Rule) -> Analysis | None:
    """The clip's analysis under ``rule``, the video's own problems shown above it; None (the
    reason shown) when the clip cannot be analysed."""
    track = get_track(clip, variant)
    if track is None:
        return None
    track_warnings(clip, track)
    return guarded(lambda: get_analysis(clip, variant, track, rule))


# -- results ----------------------------------------------------------------------------
def rep_metric(result: SessionResult, rule: Rule, label: str = "Reps") -> None:
    """The rep count as an ``st.metric`` (left / right for alternating exercises)."""
    if rule.is_alternating:
        st.metric(rep_count_label(label), rep_count_text(result.reps_by_side()))
    else:
        st.metric(label, result.rep_count)


def fault_rows(result: SessionResult) -> list[dict[str, Any]]:
    """One row per fault kind: how often it happened and its cue."""
    seen: dict[str, dict[str, Any]] = {}
    for fault in result.faults:
        row = seen.setdefault(fault.code, {"fault": fault.code, "times": 0, "severity": fault.severity,
                                           "cue": fault.message})
        row["times"] += 1
    return sorted(seen.values(), key=lambda r: -r["times"])


def result_overview(result: SessionResult, rule: Rule) -> None:
    """Reps, holds and faults (with how often each happened) of one set."""
    cols = st.columns(3)
    with cols[0]:
        if rule.rep is not None:
            rep_metric(result, rule)
        else:
            st.metric("Duration", f"{result.duration_s:.0f} s")
    with cols[1]:
        if rule.hold is not None:
            reached = sum(h.reached_target for h in result.holds)
            st.metric("Holds", len(result.holds), help=f"{reached} reached the target" if result.holds else None)
    with cols[2]:
        st.metric("Faults", len(result.faults))
    if result.stopped_for_pain:
        st.warning("This set was stopped because it hurt. Rest; if the pain persists or spreads, see a GP or "
                   "physiotherapist before exercising again.")
    if result.counting_started_s is None and rule.rep is not None:
        st.info("Counting never started: the start position was not reached.")
    rows = fault_rows(result)
    if rows:
        st.dataframe(rows, hide_index=True)
    else:
        st.success("No form faults." if not result.not_judged else "No form faults among those this view can judge.")
    for note in result.not_judged:
        st.info(f"Not judged from this camera angle ({note.code}): {note.message}")


__all__ = [
    "SAFETY_NOTICE", "ClipRef", "clip_analysis", "clip_from_bytes", "clip_from_path", "clip_picker", "exercise_picker",
    "fault_rows", "forget_clip", "get_analysis", "get_track", "guarded", "load_catalogue", "rep_metric",
    "result_overview", "samples_dir", "show_error", "too_large", "track_warnings", "upload_limit_mb",
    "variant_picker",
]  # fmt: skip
