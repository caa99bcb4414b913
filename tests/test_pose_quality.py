"""The pose quality gate: frames whose skeleton cannot be trusted become gaps, poor quality that
lasts is a set-up problem with words, and the result reports how much of a set was usable.

Unit tests run on synthetic landmark sequences (a clean side-on glute bridge, damaged on
purpose); the real-clip tests run the gate over every shared clip (landmarks cached in
``$FORMCHECK_LANDMARK_CACHE`` when set, else computed once per session).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import catalogue_poses as cp
import numpy as np
import pytest
from app_support import MODELS, SAMPLES, needs_samples

from formcheck.analysis import PoseOptions, analyze_track, track_video
from formcheck.engine.machine import Engine, replay_track
from formcheck.engine.series_inputs import SeriesInputs
from formcheck.engine.setup import setup_problems
from formcheck.engine.summary import UNRELIABLE_WARNING
from formcheck.evaluation.labels import read_labels
from formcheck.metrics.stream import compute_series
from formcheck.pose.landmarks import INDEX
from formcheck.pose.quality import MIN_USABLE_SHARE, PoseQualityGate
from formcheck.pose.track import PoseTrack
from formcheck.rules import load_rule
from formcheck.rules.catalog import list_rules
from formcheck.texts import UNCLEAR_POSE

REPO = Path(__file__).resolve().parents[1]
LIMB_JOINTS = [INDEX[f"{s}_{j}"] for s in ("left", "right") for j in ("elbow", "wrist", "knee", "ankle")]
BRIDGE = load_rule("glute_bridge")


def bridge(**kw) -> PoseTrack:
    """A clean side-on glute bridge set (25 fps): 3 reps, the first lift from 1.5 s."""
    return cp.glute_bridge_track(**kw)


KNEES = [INDEX["left_knee"], INDEX["right_knee"]]


def damaged(track: PoseTrack, frames, shift=(0.25, -0.2), in_3d: bool = True) -> PoseTrack:
    """``track`` with both knees moved by ``shift`` (image fractions) in ``frames``, in the image
    and (``in_3d``) in the world landmarks, as a model that put them in the wrong place would."""
    lm, world = track.landmarks.copy(), track.world.copy()
    for i in np.atleast_1d(frames):
        lm[i, KNEES, 0] += shift[0]
        lm[i, KNEES, 1] += shift[1]
        if in_3d:
            world[i, KNEES, 0] += shift[0] * 1280 / 300  # the image is 1280 px wide at 300 px/m
            world[i, KNEES, 1] -= shift[1] * 720 / 300
    return replace(track, landmarks=lm, world=world)


def scrambled(track: PoseTrack, start_s: float, end_s: float = np.inf, seed: int = 0) -> PoseTrack:
    """``track`` with a skeleton that is wrong in every frame from ``start_s`` to ``end_s``: the
    limbs' joints thrown about by up to a third of the picture, as on a bad clip."""
    rng = np.random.default_rng(seed)
    lm, world = track.landmarks.copy(), track.world.copy()
    bad = np.flatnonzero((track.timestamps >= start_s) & (track.timestamps < end_s))
    for i in bad:
        offset = rng.uniform(-0.33, 0.33, (len(LIMB_JOINTS), 2))
        lm[i, LIMB_JOINTS, :2] += offset
        world[i, LIMB_JOINTS, :2] += offset * 2.4
    return replace(track, landmarks=lm, world=world)


def verdicts(track: PoseTrack) -> list:
    gate = PoseQualityGate()
    return [gate.step(frame) for frame in track.frames()]


def warning_times(track: PoseTrack, rule=BRIDGE, code: str = "unclear_pose") -> list[float]:
    """When the live engine raised the set-up warning ``code``, frame by frame."""
    engine = Engine(rule)
    return [e.t for f in track.frames() for e in engine.step(f) if e.kind == "warning" and e.data.get("code") == code]


# -- the gate on landmark sequences -----------------------------------------------------------
@pytest.mark.parametrize("make", [bridge, cp.dead_bug_track, cp.bird_dog_track, cp.knee_to_chest_track,
                                  cp.fall_out_track, cp.plank_track], ids=lambda f: f.__name__)
def test_clean_movement_is_all_usable(make):
    """Whole sets of real exercise speed, side-on and from the feet: no frame fails."""
    assert all(v.usable for v in verdicts(make()))


def test_a_glitch_frame_becomes_a_gap_and_only_it():
    track = damaged(bridge(), 100)
    v = verdicts(track)
    assert not v[100].usable and "jump" in v[100].reasons
    assert v[99].usable and v[101].usable  # the pose after the glitch is judged against the one before it
    series = compute_series(track, BRIDGE)
    assert all(np.isnan(x) for x in series.frames[100].values.values())  # a gap, never an angle
    assert all(np.isfinite(x) for x in series.frames[101].values.values())


def test_a_limb_jump_fails_but_the_same_move_at_a_human_speed_does_not():
    """Both knees thrown a body size sideways in one frame (1/25 s) fail until the jump is old
    enough to be a real move; the same move over a second passes throughout."""
    track = bridge()
    size = 0.5 * 300 / 1280  # the torso (0.5 m at 300 px/m) as a fraction of the image width
    v = verdicts(damaged(track, range(100, len(track)), shift=(size, 0.0), in_3d=False))
    assert v[99].usable and not v[100].usable and "jump" in v[100].reasons
    assert all(x.usable for x in v[110:])  # a lasting change is taken for a real one
    lm = track.landmarks.copy()
    lm[75:100, KNEES, 0] += np.linspace(0, size, 25)[:, None]
    lm[100:, KNEES, 0] += size
    assert all(x.usable for x in verdicts(replace(track, landmarks=lm)))


def test_a_bone_far_off_its_own_length_fails():
    """One thigh twice its length in 3-D (the knee placed far down the leg): bone length and
    left/right symmetry both say no."""
    track = bridge()
    world = track.world.copy()
    knee, hip = INDEX["left_knee"], INDEX["left_hip"]
    world[60, knee] = world[60, hip] + 2.0 * (world[60, knee] - world[60, hip])
    v = verdicts(replace(track, world=world))
    assert not v[60].usable and {"bone_length", "asymmetry"} <= set(v[60].reasons)
    assert v[59].usable and v[61].usable


def test_too_few_visible_joints_is_a_gap():
    track = bridge()
    lm = track.landmarks.copy()
    lm[50, :, 3] = 0.1
    v = verdicts(replace(track, landmarks=lm))
    assert v[50].reasons == ("hidden",) and v[51].usable


def test_a_held_pose_gets_the_verdict_of_the_pose_it_holds():
    """At the pose rate the model runs on some frames only; the frames between hold its latest
    pose and share its verdict."""
    track = damaged(bridge(), [100, 101, 102])
    ran = np.ones(len(track), bool)
    ran[101:103] = False
    v = verdicts(replace(track, model_ran=ran))
    assert [x.usable for x in v[99:104]] == [True, False, False, False, True]


# -- the set-up problem -----------------------------------------------------------------------
def test_unclear_pose_is_reported_after_about_two_seconds_of_bad_pose_and_not_before():
    bad_from = 4.0
    times = warning_times(scrambled(bridge(), bad_from))
    assert len(times) == 1
    assert bad_from + 1.5 <= times[0] <= bad_from + 2.5


def test_a_short_stretch_of_bad_pose_is_not_reported():
    assert warning_times(scrambled(bridge(), 4.0, 5.2)) == []


def test_bad_pose_from_the_start_is_reported_within_three_seconds_in_the_rules_view():
    track = scrambled(bridge(), 0.0)
    (t,) = warning_times(track)
    assert 1.5 <= t <= 3.0
    result = analyze_track(track, BRIDGE)
    (w,) = [w for w in result.warnings if w.code == "unclear_pose"]
    assert w.message.startswith(UNCLEAR_POSE) and "side-on" in w.message
    # a rule that also supports side-on advises it for a body on the floor (the view the model
    # sees a lying body best from); a seated rule keeps its camera in front, at chest height
    floor = load_rule("bent_knee_fall_out")
    (w,) = [w for w in analyze_track(scrambled(cp.fall_out_track(), 0.0), floor).warnings if w.code == "unclear_pose"]
    assert "side-on at floor level" in w.message
    seated = load_rule("seated_rotation")
    track = scrambled(cp.seated_rotation_track(), 0.0)
    (w,) = [w for w in analyze_track(track, seated).warnings if w.code == "unclear_pose"]
    assert "in front of you at chest height" in w.message and "feet" not in w.message


def test_live_and_review_agree_on_gaps_problems_and_shares():
    """The review path (metric series, then the rules over its columns) gives what the live
    engine gives frame by frame, on a set with glitches, a bad stretch and held poses."""
    track = scrambled(damaged(bridge(), [40, 41, 200]), 6.0, 8.5)
    ran = np.ones(len(track), bool)
    ran[1::3] = False
    track = replace(track, model_ran=ran)
    live = replay_track(track, BRIDGE)
    review = analyze_track(track, BRIDGE)
    assert live.to_dict() == review.to_dict()
    assert any(w.code == "unclear_pose" for w in live.warnings)
    assert 0.5 < review.usable_share < 1.0 and any(r.usable_share < 1.0 for r in review.reps)
    series = compute_series(track, BRIDGE)
    per_frame = [setup_problems(fm, BRIDGE.view)["unclear_pose"] for fm in series.frames]
    assert SeriesInputs(series, BRIDGE).setup_problems(BRIDGE.view)["unclear_pose"].tolist() == per_frame


# -- reporting --------------------------------------------------------------------------------
def test_the_json_reports_usable_shares_per_set_and_per_rep():
    clean = analyze_track(bridge(), BRIDGE).to_dict()
    assert clean["usable_share"] == 1.0 and all(r["usable_share"] == 1.0 for r in clean["reps"])
    assert not any(w["code"] == UNRELIABLE_WARNING for w in clean["warnings"])
    glitchy = analyze_track(damaged(bridge(), range(150, 175)), BRIDGE)  # one second bad, inside rep 2
    n = len(bridge())  # the bad second, and at most the pose after it (checked for a jump from the last bad one)
    assert 1 - 26 / n - 1e-9 <= glitchy.usable_share <= 1 - 25 / n + 1e-9
    assert [r.usable_share < 1 for r in glitchy.reps] == [False, True, False]


def test_a_set_without_enough_reliable_pose_says_so_and_the_cli_exits_0(tmp_path):
    track = scrambled(bridge(), 1.0)
    result = analyze_track(track, BRIDGE)
    (w,) = [w for w in result.warnings if w.code == UNRELIABLE_WARNING]
    share = result.usable_share
    assert share < MIN_USABLE_SHARE and w.message.startswith(f"only {share:.0%} of frames had a reliable pose")
    saved = track.save(tmp_path / "bad.npz")
    env = {**os.environ, "FORMCHECK_MODEL_DIR": str(MODELS), "FORMCHECK_OFFLINE": "1"}
    command = ["analyze", "--landmarks", str(saved), "--exercise", "glute_bridge", "--json", "-"]
    proc = subprocess.run([sys.executable, "-m", "formcheck", *command], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["usable_share"] == pytest.approx(share, abs=1e-3)
    assert UNRELIABLE_WARNING in [w["code"] for w in out["warnings"]]


# -- the shared clips -------------------------------------------------------------------------
LABELS = SAMPLES / "labels.toml"
CLIPS = read_labels(LABELS) if LABELS.is_file() else []
RULES = {r.id for r in list_rules()}


def _clip_result(label, cache):
    track = track_video(SAMPLES / label.file, PoseOptions(), cache_dir=cache)
    if label.exercise in RULES:
        rule = load_rule(label.exercise)
        return track, rule, analyze_track(track, rule)
    share = float(np.mean([v.usable for v in verdicts(track)]))
    return track, None, share


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("label", CLIPS, ids=lambda c: c.file)
def test_usable_share_of_each_shared_clip(label, clip_landmarks):
    """Side-on clips keep (nearly) all their frames and raise no pose-quality warning; every
    clip's share is reported (run with ``-s`` to read them)."""
    track, rule, result = _clip_result(label, clip_landmarks)
    share = result if rule is None else result.usable_share
    print(f"\n{label.file}: {share:.1%} of frames usable")
    if rule is None or label.view != "side":
        return
    assert share >= MIN_USABLE_SHARE
    assert not [w.code for w in result.warnings if w.code in ("unclear_pose", UNRELIABLE_WARNING)]


@needs_samples
@pytest.mark.model
def test_knee_rolls_from_the_feet_is_never_a_silent_zero(clip_landmarks):
    """knee_rolls_01's skeleton is wrong in most frames: unless it counts within one of its
    label, the person is told within 3 s of the start and the result says how little was usable."""
    (label,) = [c for c in CLIPS if c.file == "knee_rolls_01.mp4"]
    track, rule, result = _clip_result(label, clip_landmarks)
    print(f"\nknee_rolls_01: {result.usable_share:.1%} of frames usable, {result.rep_count} reps")
    if label.count_error(result.rep_count) <= 1:
        return
    assert warning_times(track, rule)[0] <= 3.0
    assert result.usable_share < MIN_USABLE_SHARE
    (w,) = [w for w in result.warnings if w.code == UNRELIABLE_WARNING]
    assert f"{result.usable_share:.0%}" in w.message
    # the rule also supports a side-on camera, where the model sees a body on the floor best
    told = [w.message for w in result.warnings if w.code in ("unclear_pose", UNRELIABLE_WARNING)]
    assert told and all("side-on at floor level" in m for m in told)


@pytest.mark.parametrize(("exercise", "view"), [
    ("knee_rolls", "side"), ("bent_knee_fall_out", "side"), ("arm_openings", "side"),
    ("glute_bridge", "side"), ("seated_rotation", "front"),
])  # fmt: skip
def test_an_unclear_pose_is_told_the_view_the_model_sees_best(exercise, view):
    """Side-on for a body on the floor whenever the rule supports it (every side-on floor clip:
    99-100% of frames found; the foot end: 23%); a seated rule keeps its preferred view."""
    assert load_rule(exercise).clear_view == view
