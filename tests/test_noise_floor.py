"""The noise-floor measurement (benchmarks/noise_floor.py) and the subtle rules' thresholds above its floor."""

from __future__ import annotations

import numpy as np
import pytest
from app_support import load_benchmark

from formcheck.rules import load_rule

nf = load_benchmark("noise_floor")

#: Measured with benchmarks/noise_floor.py on still stretches of pelvic_tilt_01 in the start
#: position (docs/noise-floor.md): the worst segment's 95th percentile.
PELVIS_LIFT_WANDER_DEG = 0.48
PELVIS_LIFT_JITTER_DEG = 0.17
STILL_SPEED_CLEAN = 0.21  # torso lengths per second, shoulders/elbows/knees/ankles, side-on
HEAD_BEND_WANDER_DEG = 1.4


def test_jitter_of_white_noise_is_its_spread_and_a_slow_ramp_is_not_jitter():
    rng = np.random.default_rng(1)
    t = np.arange(300) / 30.0
    noise = rng.normal(0.0, 0.2, len(t))
    n, sd, p95, drift = nf.noise_stats(noise + 0.5 * t, 30.0)
    assert n == 300
    assert 0.15 < sd < 0.25 and 0.25 < p95 < 0.5  # the ramp (0.5/s) is removed by the running median
    assert drift > 1.0  # but it shows as wander from the segment's median


def test_nan_frames_are_skipped_and_too_few_frames_give_nan():
    x = np.array([1.0, np.nan, 1.0, 1.0, np.nan, 1.0])
    assert nf.noise_stats(x, 30.0)[:2] == (4, 0.0)
    assert np.isnan(nf.noise_stats(np.array([1.0, np.nan]), 30.0)[1])


def test_a_speed_is_measured_by_its_own_size():
    n, sd, p95, top = nf.noise_stats(np.array([0.0, 0.1, 0.2, 0.3, 0.4]), 30.0, is_speed=True)
    assert top == pytest.approx(0.4) and p95 == pytest.approx(0.38)


def test_still_segments_need_the_minimum_length():
    t = np.arange(120) / 30.0
    speed = np.where((t > 0.5) & (t < 2.5), 0.02, 1.0)
    found = nf.still_segments(speed, t, 30.0)
    assert len(found) == 1 and found[0].start_s == pytest.approx(0.5, abs=0.1)
    assert nf.still_segments(np.where(t < 1.0, 0.02, 1.0), t, 30.0) == []


def test_sustained_extreme_needs_the_whole_debounce():
    x = np.array([0.0, 5.0, 0.0, 2.0, 2.0, 2.0, 0.0])
    assert nf.sustained(x, "above", 1) == 5.0
    assert nf.sustained(x, "above", 3) == 2.0
    assert nf.sustained(-x, "below", 3) == -2.0


def test_pelvic_tilt_thresholds_clear_the_measured_floor():
    rule = load_rule("pelvic_tilt")
    enter, exit_ = rule.value(rule.rep.enter), rule.value(rule.rep.exit)
    assert enter > 1.5 * PELVIS_LIFT_WANDER_DEG
    assert enter - exit_ > 2 * PELVIS_LIFT_JITTER_DEG
    assert rule.value("still_speed") > STILL_SPEED_CLEAN
    assert "noise_floor" in rule.thresholds["tilt_angle"].why


def test_abdominal_hold_thresholds_clear_the_measured_floor():
    rule = load_rule("abdominal_hold")
    assert rule.value("still_speed") > STILL_SPEED_CLEAN
    assert rule.value("head_lift") > 10 * HEAD_BEND_WANDER_DEG
    assert "noise_floor" in rule.thresholds["still_speed"].why


@pytest.mark.parametrize(("rule_id", "fault"), [("glute_bridge", "back_arched"), ("bird_dog", "hip_drops")])
def test_view_sensitive_faults_are_judged_side_on_only(rule_id, fault):
    rule = load_rule(rule_id)
    spec = next(f for f in rule.faults if f.code == fault)
    assert any(c.metric == "shoulder_spread" and c.op == "below" for c in spec.when)
