"""The four core rule files on synthetic performances: a correct set counts right with no
fault, and each fault of the catalogue fires when (and only when) it is put in."""

from __future__ import annotations

import math

import numpy as np
import pytest
from catalogue_poses import all_fours, glute_bridge_track, supine, supine_feet_view
from synthetic import Limb, animate, body, cycle

from formcheck.analysis import analyze_track
from formcheck.rules import load_rule


def run(rule_id: str, track):
    return analyze_track(track, load_rule(rule_id))


def codes(result) -> set[str]:
    return set(result.fault_counts())


# -- glute bridge ---------------------------------------------------------------------------
def test_glute_bridge_correct():
    result = run("glute_bridge", glute_bridge_track())
    assert result.rep_count == 3 and codes(result) == set()


@pytest.mark.parametrize("kw, code", [
    ({"arch": 0.12}, "back_arched"),
    ({"top": 0.6}, "hips_not_high"),
    ({"drop": True}, "lowering_fast"),
    ({"shrug": True}, "shoulders_tense"),
])
def test_glute_bridge_faults(kw, code):
    result = run("glute_bridge", glute_bridge_track(**kw))
    assert result.rep_count == 3
    assert code in codes(result)
    assert codes(result) == {code}


# -- back extension -------------------------------------------------------------------------
def prone_pose(press: float, neck: float = 0.0, hip_rise: float = 0.0) -> dict:
    """Prone, head toward -x; ``press`` 0-1 lifts the trunk to 35 deg; ``neck`` tips the head
    back (deg) beyond the trunk line; ``hip_rise`` lifts the hips (m)."""
    thigh = -4.0 - math.degrees(math.asin(hip_rise / 0.45))  # the knees stay on the floor
    trunk = 180.0 - 35.0 * press + (thigh + 4.0)  # the back still extends 35 deg
    head = trunk - neck
    return body(hip=(0.0, 0.12 + hip_rise), trunk=trunk, head=head,
                near=Limb(thigh=thigh, shin=0, upper_arm=-90, forearm=180))


def press_track(reps=3, hold=6.0, neck=0.0, hips=False, period=None):
    period = period or hold + 3.0
    hold_frac = hold / period

    def pose(t):
        p = cycle(t, period, 0.0, 1.0, start_s=1.5, reps=reps, hold_frac=hold_frac)
        return prone_pose(p, neck=neck * p, hip_rise=0.13 * p if hips else 0.0)

    return animate(pose, 1.5 + period * reps + 1.0, fps=15)


def test_back_extension_correct():
    result = run("back_extension", press_track())
    assert result.rep_count == 3 and codes(result) == set()
    assert len(result.holds) == 3 and all(h.reached_target for h in result.holds)


@pytest.mark.parametrize("kw, code", [
    ({"neck": 40.0}, "neck_extended"),
    ({"hips": True}, "hips_lift"),
    ({"hold": 2.0}, "hold_short"),
])
def test_back_extension_faults(kw, code):
    result = run("back_extension", press_track(**kw))
    assert result.rep_count == 3
    assert codes(result) == {code}


def test_back_extension_does_not_count_a_bridge_on_the_back():
    # the trunk-to-thigh angle of a bridge rises as in a press-up, but lying on the back with
    # the knees up and the face to the ceiling is not the prone start position
    result = run("back_extension", glute_bridge_track())
    assert result.counting_started_s is None and result.rep_count == 0


# -- rock back -------------------------------------------------------------------------------
SOFT_ARM = Limb(upper_arm=-100, forearm=-80)


def rock_track(reps=3, tuck=False, locked=False, head=0.0, period=4.0):
    """All fours rocking the hips back (hip angle 90 -> 30 deg); ``tuck`` lets the trunk line
    tilt 30 deg (shoulders drop as the back rounds), ``head`` turns the head out of line (deg,
    + = up)."""

    def pose(t):
        e = cycle(t, period, 0.0, 1.0, start_s=1.5, reps=reps, hold_frac=0.2)
        knee_angle = 90.0 - 60.0 * e
        hip = (all_fours(knee_angle=knee_angle)["left_hip"] + all_fours(knee_angle=knee_angle)["right_hip"]) / 2
        arms = Limb(upper_arm=-90, forearm=-90) if locked else SOFT_ARM
        limb = Limb(thigh=-90.0 - (90.0 - knee_angle), shin=0.0, upper_arm=arms.upper_arm, forearm=arms.forearm)
        trunk = 180.0 + 30.0 * e if tuck else 180.0
        return body(hip=tuple(hip[:2]), trunk=trunk, head=trunk - head * e, near=limb, far=limb)

    return animate(pose, 1.5 + period * reps + 1.0, fps=20)


def test_rock_back_correct():
    result = run("rock_back", rock_track())
    assert result.rep_count == 3 and codes(result) == set()


@pytest.mark.parametrize("kw, code", [
    ({"tuck": True}, "lumbar_not_neutral"),
    ({"locked": True}, "elbows_locked"),
    ({"head": 50.0}, "head_cranked"),
    ({"head": -50.0}, "head_dropped"),
])
def test_rock_back_faults(kw, code):
    result = run("rock_back", rock_track(**kw))
    assert result.rep_count == 3
    assert code in codes(result)


# -- knee rolls -------------------------------------------------------------------------------
def rolls_track(reps=4, shoulder=False, apart=False, period=4.0):
    def pose(t):
        e = cycle(t, period, 0.0, 1.0, start_s=1.5, reps=reps, hold_frac=0.3)
        k = int((t - 1.5) // period) if t >= 1.5 else 0
        roll = 40.0 * e * (1 if k % 2 == 0 else -1)  # left first, then right
        spread = 25.0 * e if apart else 0.0
        pts = supine_feet_view(fall_left=roll + spread, fall_right=-roll + spread)
        if shoulder:  # the shoulder opposite the roll lifts
            lifted = "right_shoulder" if roll > 0 else "left_shoulder"
            pts[lifted] = pts[lifted] + np.array([0.0, 0.12 * e, 0.0])
        return pts

    return animate(pose, 1.5 + period * reps + 1.0, fps=20, yaw_deg=90.0)


def test_knee_rolls_counts_each_side():
    result = run("knee_rolls", rolls_track())
    assert result.rep_count == 4
    assert result.reps_by_side() == {"left": 2, "right": 2}
    assert [r.side for r in result.reps] == ["left", "right", "left", "right"]
    assert codes(result) == set()


@pytest.mark.parametrize("kw, expected", [
    ({"shoulder": True}, {"left_shoulder_lifts", "right_shoulder_lifts"}),
    ({"apart": True}, {"knees_apart"}),
])
def test_knee_rolls_faults(kw, expected):
    result = run("knee_rolls", rolls_track(**kw))
    assert result.rep_count == 4
    assert expected <= codes(result)


def test_supine_pose_helper_is_lying():
    pts = supine()
    assert abs(pts["left_shoulder"][1] - pts["left_hip"][1]) < 0.05
