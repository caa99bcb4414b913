"""The one analysis entry point (:mod:`formcheck.analysis`): a video and its cached track give
the same result, the result is the engine's plus the video's own warnings, re-runs reuse the
metric series, and ``should_stop`` ends a run."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from app_support import BRIDGE, VARIANT, needs_samples

import formcheck
from formcheck.analysis import (
    TRUNCATED_WARNING,
    Analysis,
    AnalysisStopped,
    PoseOptions,
    analyze,
    analyze_track,
    track_video,
)
from formcheck.engine import machine
from formcheck.metrics.stream import compute_series
from formcheck.rules import load_rule

pytestmark = needs_samples


def test_top_level_names_are_the_entry_point_and_load_lazily():
    assert formcheck.analyze is analyze and formcheck.analyze_track is analyze_track
    assert formcheck.Analysis is Analysis
    code = "import sys, formcheck; print('formcheck.analysis' in sys.modules, 'formcheck.engine' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
    with pytest.raises(AttributeError):
        formcheck.no_such_name  # noqa: B018


def test_video_and_cached_track_give_identical_results(app_env, bridge_track):
    rule = load_rule("glute_bridge")
    from_video = analyze(BRIDGE, rule, options=PoseOptions(variant=VARIANT), cache_dir=app_env["FORMCHECK_CACHE_DIR"])
    from_track = analyze(bridge_track, rule)
    assert from_video.result.to_dict() == from_track.result.to_dict()
    assert from_track.result.to_dict() == analyze_track(bridge_track, rule).to_dict()
    assert from_track.result.rep_count in (3, 4)  # labels: 3 complete reps + 1 partial


def test_result_is_the_live_engine_result(bridge_track):
    """Every face's result equals the frame-by-frame engine's (the one live runs)."""
    for exercise in ("glute_bridge", "rock_back", "bird_dog"):
        rule = load_rule(exercise)
        assert analyze_track(bridge_track, rule).to_dict() == machine.replay_track(bridge_track, rule).to_dict()


def test_input_warnings_come_first_in_every_result(bridge_track):
    cut = copy.copy(bridge_track)
    cut.warnings = [(TRUNCATED_WARNING, "the file ends early")]
    rule = load_rule("glute_bridge")
    analysis = analyze(cut, rule)
    for result in (analyze_track(cut, rule), analysis.result, analysis.with_rule(load_rule("rock_back")).result,
                   analysis.retune(rule.threshold_values()).result):
        first = result.warnings[0]
        assert (first.code, first.message, first.start_s) == (TRUNCATED_WARNING, "the file ends early", cut.duration_s)
    assert not any(w.code == TRUNCATED_WARNING for w in machine.replay_track(cut, rule).warnings)


def test_reruns_reuse_the_metric_series(bridge_track):
    rule = load_rule("glute_bridge")
    analysis = analyze(bridge_track, rule)
    changes = {"up_angle": rule.thresholds["up_angle"].high}
    tuned = analysis.retune(changes)
    expected = machine.run_rules(compute_series(bridge_track, rule), rule.with_thresholds(changes),
                                 bridge_track.fps, bridge_track.duration_s)
    assert tuned.result.to_dict() == expected.to_dict()
    assert tuned.result.rep_count < analysis.result.rep_count
    same_metrics = analysis.with_rule(rule.with_thresholds(changes))
    assert same_metrics.series is analysis.series
    assert same_metrics.result.to_dict() == tuned.result.to_dict()
    other = analysis.with_rule(load_rule("rock_back"))
    assert other.series is not analysis.series
    assert other.result.to_dict() == analyze_track(bridge_track, load_rule("rock_back")).to_dict()


@pytest.mark.model
def test_should_stop_ends_a_model_run_between_frames(app_env, tmp_path):
    asked: list[int] = []

    def stop_at_third() -> bool:
        asked.append(1)
        return len(asked) >= 3

    with pytest.raises(AnalysisStopped):
        track_video(BRIDGE, PoseOptions(variant=VARIANT), cache_dir=tmp_path, should_stop=stop_at_third)
    assert len(asked) == 3  # asked once before the model, then after each frame until it said stop
    assert list(tmp_path.iterdir()) == []  # a stopped run leaves no landmark cache


def test_should_stop_ends_a_run_from_a_cached_track(bridge_track):
    with pytest.raises(AnalysisStopped):
        analyze(bridge_track, load_rule("glute_bridge"), should_stop=lambda: True)
