"""Bent-knee fall-outs and arm openings from the feet end and from the side, on real motion.

The sequences start from a real supine clip (pelvic_tilt_01: filmed side-on, knees bent, feet
flat, lying still for its first 18 s apart from small pelvic tilts). Its world landmarks are
changed frame by frame by known angles (:mod:`twist_projection`) and seen by an orthographic
camera side-on (the clip's own camera) or at the feet, raised and looking down along the body:

* fall-outs: one knee at a time turned outward about its hip-ankle line (the foot stays
  planted), alternating sides;
* arm openings: the whole body rolled onto its side about its long axis, both arms laid
  straight forward (keeping the clip's own arm jitter), then the top arm turned up and behind
  about the body's long axis through its shoulder.

The real clip's jitter stays in every point. Seen side-on, the fall-out keeps the clip's own
visibilities (the far leg half hidden); the side-lying body and the feet camera get a uniform
visibility, since the clip's visibilities belong to another view of the body.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from app_support import SAMPLES, needs_samples
from twist_projection import UP, alternating, feet_camera, long_axis, mid, points, project, turn_about, window

from formcheck.analysis import PoseOptions, analyze_track, track_video
from formcheck.engine.machine import replay_track
from formcheck.pose.landmarks import INDEX
from formcheck.pose.track import PoseTrack
from formcheck.results import SessionResult
from formcheck.rules import load_rule

BASE_CLIP = "pelvic_tilt_01.mp4"
FRAMES = 450
STILL_S = 2.0
SETUP_WARNINGS = {"wrong_view", "body_out_of_frame", "unclear_pose"}
#: Fall-outs: 8 of 2 s, left knee first; 45 deg is a comfortable fall-out.
FALL_S, FALLS, FALL_DEG = 2.0, 8, 45.0
#: Arm openings: 5 of 3 s; 150 deg is the top arm reaching well behind.
OPEN_S, OPENS, OPEN_DEG = 3.0, 5, 150.0
ARM = ("elbow", "wrist", "pinky", "index", "thumb")


@pytest.fixture(scope="module")
def supine(clip_landmarks) -> PoseTrack:
    if not (SAMPLES / BASE_CLIP).exists():
        pytest.skip("shared sample clips not available")
    track = track_video(SAMPLES / BASE_CLIP, PoseOptions(), cache_dir=clip_landmarks)
    assert np.isfinite(track.world[:FRAMES]).all(), "the base stretch must have a person in every frame"
    return track


def other(side: str) -> str:
    return "right" if side == "left" else "left"


def codes(result: SessionResult) -> set[str]:
    return {f.code for f in result.faults}


def faults_within(result: SessionResult, code: str, start: float, end: float) -> bool:
    """``code`` was flagged, and only between ``start`` and ``end`` (give or take a debounce)."""
    found = [f for f in result.faults if f.code == code]
    return bool(found) and all(start - 0.5 <= f.start_s <= end + 1.0 for f in found)


# -- bent-knee fall-out ----------------------------------------------------------------------
def fall_out(pose: np.ndarray, side: str, angle: float) -> None:
    """Turn ``side``'s knee of one pose (33, 3) in place by ``angle`` (radians, positive = outward,
    away from the other hip) about its hip-ankle line."""
    hip, knee, ankle = (INDEX[f"{side}_{p}"] for p in ("hip", "knee", "ankle"))
    outward = pose[hip] - pose[INDEX[f"{other(side)}_hip"]]
    axis = pose[ankle] - pose[hip]
    trial = pose.copy()
    turn_about(trial, [knee], pose[hip], axis, 0.1)
    sign = 1.0 if (trial[knee] - pose[knee]) @ outward > 0 else -1.0
    turn_about(pose, [knee], pose[hip], axis, sign * angle)


def fallen_world(track: PoseTrack, degrees: float = FALL_DEG, follow: tuple[float, float, float] | None = None,
                 pelvis: tuple[float, float, float] | None = None) -> np.ndarray:
    """World landmarks with the knees falling out ``degrees`` in turn (left first); ``follow`` =
    (from_s, to_s, deg): meanwhile the other knee turns along, toward the falling side, up to that far;
    ``pelvis`` = (from_s, to_s, deg): meanwhile the hips roll along, up to that far, about the body's long axis."""
    world = track.world[:FRAMES].astype(np.float64).copy()
    t = track.timestamps[:FRAMES]
    angles = alternating(t, degrees, STILL_S, FALL_S, FALLS)
    axis = long_axis(world)
    for i, angle in enumerate(angles):
        side = "left" if angle >= 0 else "right"
        fall_out(world[i], side, abs(angle))
        if follow is not None:  # in step with the falling knee
            share = abs(angle) / math.radians(degrees)
            fall_out(world[i], other(side), -math.radians(follow[2]) * share * window(t[i], *follow[:2]))
        if pelvis is not None:  # in step with the falling knee
            hips = points("left_hip", "right_hip")
            share = abs(angle) / math.radians(degrees)
            turn_about(world[i], hips, world[i, hips].mean(axis=0), axis,
                       math.radians(pelvis[2]) * share * window(t[i], *pelvis[:2]))
    return world


def fall_side(track: PoseTrack, **kw) -> PoseTrack:
    return project(track, fallen_world(track, **kw))


def fall_feet(track: PoseTrack, **kw) -> PoseTrack:
    return project(track, feet_camera(fallen_world(track, **kw)), 0.95)


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [fall_side, fall_feet], ids=["side", "feet"])
def test_fall_outs_count_each_side_from_either_view(supine, view):
    """8 fall-outs, 4 with each knee, counted from the side and from the feet; no set-up warning
    and no fault when the pelvis and the other knee stay still."""
    result = analyze_track(view(supine), load_rule("bent_knee_fall_out"))
    assert result.rep_count == FALLS
    assert [rep.side for rep in result.reps] == ["left", "right"] * (FALLS // 2)  # the left knee first
    assert not {w.code for w in result.warnings} & SETUP_WARNINGS
    assert result.faults == []


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [fall_side, fall_feet], ids=["side", "feet"])
@pytest.mark.parametrize(("degrees", "count"), [(30.0, FALLS), (12.0, 0)])
def test_a_fall_out_counts_and_a_sway_does_not(supine, view, degrees, count):
    """30 deg fall-outs (the out distance is 26-33 deg) count; 12 deg sways do not."""
    assert analyze_track(view(supine, degrees=degrees), load_rule("bent_knee_fall_out")).rep_count == count


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [fall_side, fall_feet], ids=["side", "feet"])
def test_the_other_knee_following_is_flagged(supine, view):
    """During the 5th and 6th fall-outs the other knee turns 25 deg along: flagged there only."""
    start = STILL_S + 4 * FALL_S
    result = analyze_track(view(supine, follow=(start, start + 2 * FALL_S, 25.0)), load_rule("bent_knee_fall_out"))
    assert faults_within(result, "other_knee_moves", start, start + 2 * FALL_S)
    assert "pelvis_rotates" not in codes(result)
    assert result.rep_count == FALLS


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [fall_side, fall_feet], ids=["side", "feet"])
def test_a_pelvis_roll_is_flagged(supine, view):
    """During the 3rd and 4th fall-outs the pelvis rolls 15 deg: flagged there only."""
    start = STILL_S + 2 * FALL_S
    result = analyze_track(view(supine, pelvis=(start, start + 2 * FALL_S, 15.0)), load_rule("bent_knee_fall_out"))
    assert faults_within(result, "pelvis_rotates", start, start + 2 * FALL_S)
    assert "other_knee_moves" not in codes(result)
    assert result.rep_count == FALLS


# -- arm openings ----------------------------------------------------------------------------
def on_side(track: PoseTrack, lying_on: str) -> tuple[np.ndarray, float]:
    """The supine clip's world landmarks rolled a quarter turn about the long axis onto
    ``lying_on`` side, both arms laid straight forward (the clip's own arm jitter kept); also the
    roll's sign (the top arm opens by turning the other way)."""
    world = track.world[:FRAMES].astype(np.float64)
    axis = long_axis(world)
    for sign in (1.0, -1.0):
        turned = world.copy()
        for frame in turned:
            turn_about(frame, list(range(33)), mid(frame, "hip"), axis, sign * math.pi / 2)
        left, right = np.nanmedian(turned[:, points("left_shoulder", "right_shoulder"), 1], axis=0)
        if (left > right) == (lying_on == "left"):  # world y points down: the lower shoulder
            break
    forward = np.vstack([UP, np.zeros((32, 3))])
    turn_about(forward, [0], np.zeros(3), axis, sign * math.pi / 2)  # the way the chest faced, turned
    length = np.nanmedian(np.linalg.norm(world[:, INDEX["left_wrist"]] - world[:, INDEX["left_shoulder"]], axis=-1))
    for side in ("left", "right"):
        shoulder = turned[:, INDEX[f"{side}_shoulder"]]
        for part, reach in zip(ARM, (0.55, 1.0, 1.12, 1.12, 1.08), strict=True):
            rel = turned[:, INDEX[f"{side}_{part}"]] - shoulder
            jitter = rel - np.nanmedian(rel, axis=0)
            turned[:, INDEX[f"{side}_{part}"]] = shoulder + reach * length * forward[0] + jitter
    return turned, sign


def opening_world(track: PoseTrack, lying_on: str = "left", degrees: float = OPEN_DEG,
                  hips: tuple[float, float, float] | None = None,
                  knee: tuple[float, float, float] | None = None) -> np.ndarray:
    """Side-lying world landmarks whose top arm opens ``degrees`` (0 = forward, 90 = up, 180 =
    behind) and back, :data:`OPENS` times; ``hips`` = (from_s, to_s, deg): meanwhile the pelvis
    rolls back with the arm, up to that far, about the long axis (the knees stay stacked);
    ``knee`` = (from_s, to_s, metres): meanwhile the top knee lifts with the arm, up to that far."""
    world, sign = on_side(track, lying_on)
    t = track.timestamps[:FRAMES]
    top = other(lying_on)
    arm = points(*(f"{top}_{p}" for p in ARM))
    pelvis = points("left_hip", "right_hip")
    axis = long_axis(world)
    angles = np.abs(alternating(t, degrees, STILL_S, OPEN_S, OPENS))
    for i, angle in enumerate(angles):
        turn_about(world[i], arm, world[i, INDEX[f"{top}_shoulder"]], axis, -sign * angle)
        share = angle / math.radians(degrees)  # a fault comes in step with the arm
        if hips is not None:
            turn_about(world[i], pelvis, mid(world[i], "hip"), axis,
                       -sign * math.radians(hips[2]) * share * window(t[i], *hips[:2]))
        if knee is not None:
            world[i, INDEX[f"{top}_knee"]] += knee[2] * share * window(t[i], *knee[:2]) * UP
    return world


def open_side(track: PoseTrack, **kw) -> PoseTrack:
    return project(track, opening_world(track, **kw), 0.9)


def open_feet(track: PoseTrack, **kw) -> PoseTrack:
    return project(track, feet_camera(opening_world(track, **kw)), 0.95)


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [open_side, open_feet], ids=["side", "feet"])
@pytest.mark.parametrize("lying_on", ["left", "right"])
def test_arm_openings_count_the_top_arm_from_either_view(supine, view, lying_on):
    """5 openings of the top arm, counted for that side from the side and from the feet; no
    set-up warning and no fault when the hips and knees stay still."""
    result = analyze_track(view(supine, lying_on=lying_on), load_rule("arm_openings"))
    assert result.rep_count == OPENS
    assert result.reps_by_side() == {other(lying_on): OPENS}
    assert not {w.code for w in result.warnings} & SETUP_WARNINGS
    assert result.faults == []


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [open_side, open_feet], ids=["side", "feet"])
@pytest.mark.parametrize(("degrees", "count"), [(120.0, OPENS), (80.0, 0)])
def test_opening_past_vertical_counts_and_raising_the_arm_does_not(supine, view, degrees, count):
    """Opening to 120 deg (up and behind) counts; raising the arm to 80 deg (not yet up) does not."""
    assert analyze_track(view(supine, degrees=degrees), load_rule("arm_openings")).rep_count == count


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [open_side, open_feet], ids=["side", "feet"])
@pytest.mark.parametrize("lying_on", ["left", "right"])
@pytest.mark.parametrize(("fault", "change"), [("hips_roll", {"hips": 25.0}), ("knees_roll", {"knee": 0.12})])
def test_hips_or_knees_rolling_is_flagged(supine, view, lying_on, fault, change):
    """During the 3rd and 4th openings the pelvis rolls back 25 deg, or the top knee lifts
    12 cm: that fault is flagged there only, and the openings still count."""
    start = STILL_S + 2 * OPEN_S
    (key, amount), = change.items()
    changed = view(supine, lying_on=lying_on, **{key: (start, start + 2 * OPEN_S, amount)})
    result = analyze_track(changed, load_rule("arm_openings"))
    assert faults_within(result, fault, start, start + 2 * OPEN_S)
    assert codes(result) == {fault}
    assert result.rep_count == OPENS


# -- review and live -------------------------------------------------------------------------
@needs_samples
@pytest.mark.model
@pytest.mark.parametrize(("rule_id", "make"), [
    ("bent_knee_fall_out", lambda tr: fall_side(tr, pelvis=(6.0, 10.0, 15.0), follow=(10.0, 14.0, 25.0))),
    ("bent_knee_fall_out", lambda tr: fall_feet(tr, pelvis=(6.0, 10.0, 15.0), follow=(10.0, 14.0, 25.0))),
    ("arm_openings", lambda tr: open_side(tr, hips=(8.0, 14.0, 25.0))),
    ("arm_openings", lambda tr: open_feet(tr, lying_on="right", knee=(8.0, 14.0, 0.12))),
], ids=["fall-out-side", "fall-out-feet", "openings-side", "openings-feet"])  # fmt: skip
def test_review_gives_what_live_gives(supine, rule_id, make):
    """The vectorised review of each world-landmark rule equals the engine stepped frame by frame."""
    track, rule = make(supine), load_rule(rule_id)
    fast, reference = analyze_track(track, rule), replay_track(track, rule)
    assert fast.to_dict() == reference.to_dict()
    assert fast.rep_count > 0 and fast.faults


# -- the rule files' views -------------------------------------------------------------------
@pytest.mark.parametrize("rule_id", ["bent_knee_fall_out", "arm_openings"])
def test_rotation_rules_support_the_feet_end_and_side_on(rule_id):
    rule = load_rule(rule_id)
    assert rule.view == "front" and rule.supported_views == ("front", "side")
    assert set(rule.view_limits) == {"front", "side"}
    assert all(m.space == "world" for m in rule.metrics.values())


def test_seated_rotation_is_filmed_from_the_front_or_side_on():
    """Its turn is measured in 3-D (tests/test_seated_rotation_views.py); its pelvis check needs
    the camera in front and says so once from the side."""
    rule = load_rule("seated_rotation")
    assert rule.view == "front" and rule.supported_views == ("front", "side")
    assert set(rule.view_limits) == {"front", "side"}
    assert rule.metrics[rule.rep.metric].space == "world"
    (pelvis,) = rule.faults
    assert pelvis.judged_if and pelvis.not_judged
