"""The Review and Tune pages under Streamlit's AppTest, on a real sample clip.

Counts and faults shown by the pages must be exactly what the engine says
(``engine.run_rules`` over the clip's metric series); the model runs once per session.
"""

from __future__ import annotations

import pytest
from app_support import BRIDGE, REPO, VARIANT, needs_samples
from streamlit.testing.v1 import AppTest

from formcheck.analysis import analyze_track
from formcheck.engine.machine import run_rules
from formcheck.metrics.stream import compute_series
from formcheck.rules import load_rule
from formcheck.rules.catalog import read_rule_file
from formcheck.rules.profiles import list_profiles
from formcheck.ui import common
from formcheck.ui.tune import slider_key

TIMEOUT = 600


def page(name: str) -> AppTest:
    at = AppTest.from_string(f"from formcheck.ui import {name}\n{name}.render()", default_timeout=TIMEOUT)
    at.session_state["model_variant"] = VARIANT
    return at


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return values[0]


def fault_counts_shown(at: AppTest) -> dict[str, int]:
    """The fault table (fault → times) of the page, {} when it says there are none."""
    for frame in at.dataframe:
        df = frame.value
        if "fault" in df.columns and "times" in df.columns:
            return dict(zip(df["fault"], (int(n) for n in df["times"]), strict=True))
    return {}


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def forbid_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, running the pose model fails the test (the page must use its cache)."""
    def fail(*args, **kwargs):
        raise AssertionError("the pose model was run again")

    monkeypatch.setattr(common, "track_video", fail)


@needs_samples
@pytest.mark.model
def test_review_upload_shows_engine_result_and_reuses_track(app_env, bridge_track, monkeypatch):
    at = page("review")
    at.run()
    no_errors(at)
    at.selectbox(key="exercise").set_value("glute_bridge")
    at.file_uploader(key="review_upload").upload(BRIDGE.name, BRIDGE.read_bytes(), "video/mp4")
    at.run()
    no_errors(at)
    rule = load_rule("glute_bridge")
    expected = analyze_track(bridge_track, rule)
    assert metric(at, "Reps") == str(expected.rep_count)
    assert expected.rep_count in (3, 4)  # labels: 3 complete reps + 1 partial
    assert fault_counts_shown(at) == expected.fault_counts()
    assert len(at.get("video")) == 1
    reps_table = next(d.value for d in at.dataframe if "rise_s" in d.value.columns)
    assert len(reps_table) == expected.rep_count
    assert {"range_of_motion", "rise_s", "hold_s", "fall_s", "faults"} <= set(reps_table.columns)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Annotated video (MP4)", "Result (JSON)", "Reps (CSV)", "Report (HTML)"]
    assert len(at.image) == 1  # the angle plot
    assert list(at.session_state["tracks"]) == [(common.clip_from_path(BRIDGE).digest, VARIANT)]

    # A different exercise re-runs only the rules: the cached track is used.
    forbid_model(monkeypatch)
    at.session_state["review_make_video"] = False
    at.selectbox(key="exercise").set_value("rock_back")
    at.run()
    no_errors(at)
    other = load_rule("rock_back")
    assert metric(at, "Reps") == str(run_rules(compute_series(bridge_track, other), other).rep_count)


@pytest.mark.parametrize(("content", "message"), [
    (b"this is not a video at all" * 20, "not a readable video"),
    (b"\x00" * 4096, "not a readable video"),
])
def test_review_bad_upload_is_one_line_error(app_env, content, message):
    at = page("review")
    at.run()
    at.session_state["review_make_video"] = False
    at.file_uploader(key="review_upload").upload("clip.mp4", content, "video/mp4")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and message in errors[0], errors
    assert "Traceback" not in errors[0]


@needs_samples
@pytest.mark.model
def test_tune_threshold_change_matches_run_rules(app_env, bridge_track, monkeypatch):
    at = page("tune")
    at.run()
    at.selectbox(key="exercise").set_value("glute_bridge")
    at.selectbox(key="sample").set_value(BRIDGE.name)
    at.run()
    no_errors(at)
    rule = load_rule("glute_bridge")
    series = compute_series(bridge_track, rule)
    default = run_rules(series, rule)
    assert metric(at, "Reps") == str(default.rep_count)
    for name, t in rule.thresholds.items():  # every threshold has a slider with its range
        slider = at.slider(key=slider_key(rule.id, name))
        assert (slider.min, slider.max, slider.value) == (t.low, t.high, t.value)
        assert t.unit in slider.label

    forbid_model(monkeypatch)
    # The highest "up" angle drops the lowest rep; the highest target angle flags the rest as "not high".
    changes = {"up_angle": rule.thresholds["up_angle"].high, "target_angle": rule.thresholds["target_angle"].high}
    for name, value in changes.items():
        at.slider(key=slider_key(rule.id, name)).set_value(value)
    at.run()
    no_errors(at)
    expected = run_rules(series, rule.with_thresholds(changes))
    assert metric(at, "Reps") == str(expected.rep_count)
    assert fault_counts_shown(at) == expected.fault_counts()
    assert (expected.rep_count, expected.fault_counts()) != (default.rep_count, default.fault_counts())

    # Conflicting values are explained, not crashed on.
    at.slider(key=slider_key(rule.id, "up_angle")).set_value(rule.thresholds["up_angle"].low)
    at.run()
    assert not at.exception
    assert any("don't work together" in e.value for e in at.error)


@needs_samples
@pytest.mark.model
def test_tune_profile_save_load_reset(app_env, bridge_track):
    at = page("tune")
    at.run()
    at.selectbox(key="exercise").set_value("glute_bridge")
    at.selectbox(key="sample").set_value(BRIDGE.name)
    at.run()
    rule = load_rule("glute_bridge")
    at.slider(key=slider_key(rule.id, "up_angle")).set_value(170.0)
    at.text_input(key="tune_profile_name").set_value("Patient A, week 2")
    at.run()
    at.button(key="tune_save").click()
    at.run()
    no_errors(at)
    saved = [p for p in list_profiles("glute_bridge") if p.name == "Patient A, week 2"]
    assert len(saved) == 1
    loaded = read_rule_file(saved[0].path)
    assert loaded.thresholds["up_angle"].value == 170.0
    assert loaded.raw["profile"]["based_on"] == "glute_bridge"
    assert at.selectbox(key="profile").value == str(saved[0].path)  # the new profile is now selected
    assert at.slider(key=slider_key(rule.id, "up_angle")).value == 170.0

    at.button(key="tune_reset").click()
    at.run()
    assert at.slider(key=slider_key(rule.id, "up_angle")).value == rule.thresholds["up_angle"].value

    # Picking the profile again (e.g. on another visit) loads its values.
    at.selectbox(key="profile").set_value("")
    at.run()
    at.selectbox(key="profile").set_value(str(saved[0].path))
    at.run()
    assert at.slider(key=slider_key(rule.id, "up_angle")).value == 170.0


def test_app_opens_on_live_page_with_safety_notice(app_env):
    """The camera page itself needs a real server (streamlit-webrtc): see test_browser_live.py."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Live coaching"]
    notice = " ".join(w.value for w in at.warning)
    for words in ("Stop if it hurts", "GP or physiotherapist", "numbness", "not a diagnosis"):
        assert words in notice
    assert at.button(key="safety_ok").label.startswith("I have read this")
