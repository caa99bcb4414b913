"""Schema/engine additions made for the catalogue: ``pick: max|min`` metrics, a rep measured
``from_baseline``, baselines taken only in the start position, and ``recognition: signature:``."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from synthetic import Limb, body, pose_frame

from formcheck.engine.machine import run_rules
from formcheck.errors import RuleFileError
from formcheck.metrics.stream import FrameMetrics, MetricSeries, MetricStream
from formcheck.rules.validate import parse_rule

BASE = {
    "id": "probe", "name": "Probe", "summary": "s", "view": "side", "posture": "supine", "setup": "s",
    "metrics": {
        "knee_max": {"kind": "joint_angle", "points": ["hip", "knee", "ankle"], "pick": "max"},
        "knee_min": {"kind": "joint_angle", "points": ["hip", "knee", "ankle"], "pick": "min"},
        "knee_near": {"kind": "joint_angle", "points": ["hip", "knee", "ankle"]},
    },
    "hold": {"when": [{"metric": "knee_max", "above": 0}], "target_s": 1},
}


def _rule(**changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    return parse_rule(data, "probe.yaml")


def _values(frame):
    return MetricStream(_rule()).step(frame).values


def test_pick_takes_the_larger_or_smaller_side():
    # Near (left) knee bent 90 deg, far (right) knee straight.
    pts = body(trunk=180, near=Limb(thigh=90, shin=0), far=Limb(thigh=0, shin=0))
    v = _values(pose_frame(pts))
    assert v["knee_max"] == pytest.approx(180, abs=1)
    assert v["knee_min"] == pytest.approx(90, abs=1)
    assert v["knee_near"] == pytest.approx(90, abs=1)


def test_pick_skips_a_hidden_side_and_is_nan_when_both_are():
    pts = body(trunk=180, near=Limb(thigh=90, shin=0), far=Limb(thigh=0, shin=0))
    hidden_far = pose_frame(pts, visibility_overrides={"right_knee": 0.1})
    assert _values(hidden_far)["knee_max"] == pytest.approx(90, abs=1)
    both = pose_frame(pts, visibility_overrides={"right_knee": 0.1, "left_knee": 0.1})
    assert np.isnan(_values(both)["knee_max"])


def test_pick_is_validated():
    bad = copy.deepcopy(BASE["metrics"])
    bad["knee_max"]["pick"] = "mean"
    with pytest.raises(RuleFileError, match="metrics.knee_max.pick: 'mean' is not allowed"):
        _rule(metrics=bad)


def _series(values: list[dict[str, float]], fps: float = 10.0) -> MetricSeries:
    frames = [FrameMetrics(i / fps, v, "left", 1, (), 0.2, True) for i, v in enumerate(values)]
    return MetricSeries(np.array([f.t for f in frames]), frames)


TILT = {
    "id": "tilt", "name": "Tilt", "summary": "s", "view": "side", "posture": "supine", "setup": "s",
    "metrics": {"lift": {"kind": "inclination", "points": ["shoulder", "hip"]},
                "lying": {"kind": "inclination", "points": ["hip", "shoulder"]}},
    "thresholds": {"up": {"value": 1.0, "unit": "deg", "range": [0.1, 5], "description": "d"},
                   "down": {"value": 0.3, "unit": "deg", "range": [0, 5], "description": "d"},
                   "flat": {"value": 20, "unit": "deg", "range": [1, 60], "description": "d"}},
    "rep": {"metric": "lift", "from_baseline": True, "direction": "up", "enter": "up", "exit": "down",
            "start": [{"metric": "lying", "abs": True, "below": "flat"}], "start_hold_s": 0.5, "min_rep_s": 1.0},
}


def test_rep_from_baseline_counts_changes_from_rest_whatever_the_absolute_value():
    # Resting value 7.3 deg (camera tilt, body shape); three 1.5 deg tilts held 2 s.
    values = []
    for i in range(200):
        t = i / 10
        up = any(3 + 5 * k <= t < 5 + 5 * k for k in range(3))
        values.append({"lift": 7.3 + (1.5 if up else 0.0), "lying": 2.0})
    result = run_rules(_series(values), parse_rule(copy.deepcopy(TILT), "tilt.yaml"))
    assert result.rep_count == 3
    assert result.reps[0].peak_value == pytest.approx(1.5, abs=0.01)
    absolute = copy.deepcopy(TILT)
    absolute["rep"]["from_baseline"] = False
    assert run_rules(_series(values), parse_rule(absolute, "tilt.yaml")).rep_count == 0


def test_baseline_ignores_frames_outside_the_start_position():
    # A fault measured from the baseline; frames out of the start position (a bad detection:
    # "lying" 60 deg with a wild lift value) must not shift the baseline.
    data = copy.deepcopy(TILT)
    data["thresholds"]["far"] = {"value": 3.0, "unit": "deg", "range": [1, 20], "description": "d"}
    data["faults"] = [{"code": "moved", "message": "Moved", "check": "frame", "phase": "any", "debounce_s": 0.3,
                       "when": [{"metric": "lift", "from_baseline": True, "abs": True, "above": "far"}]}]
    rest, bad = {"lift": 0.0, "lying": 2.0}, {"lift": -40.0, "lying": 60.0}
    values = [rest] * 20 + [bad] * 5 + [rest] * 30
    result = run_rules(_series(values), parse_rule(data, "tilt.yaml"))
    assert [f.code for f in result.faults if f.start_s > 2.6] == []


def test_recognition_signature_is_parsed_and_checked():
    rule = _rule(thresholds={"bent": {"value": 150, "unit": "deg", "range": [90, 180], "description": "d"}},
                 recognition={"signature": [{"metric": "knee_max", "below": "bent"}]})
    assert rule.signature[0].metric == "knee_max" and rule.signature[0].op == "below"
    with pytest.raises(RuleFileError, match="recognition.signature"):
        _rule(recognition={"signature": [{"metric": "nope", "below": 1}]})
    with pytest.raises(RuleFileError, match="recognition.colour"):
        _rule(recognition={"colour": 1})
