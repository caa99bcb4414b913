"""Knee rolls from the feet and from the side, on real motion; the rule files' ``views``.

The twist sequences are built from a real supine clip (pelvic_tilt_01, filmed side-on, knees
bent, feet flat): its world landmarks, frame by frame, with the thighs and shins (knees, ankles,
heels, toes) turned about the body's long axis through the hips by an alternating angle, then
seen by an orthographic camera side-on (the clip's own camera) or at the feet, raised and
looking down along the body. The picture landmarks are the projection of the world ones, so
both agree as the pose model's would; the real clip's jitter stays in every point.
"""

from __future__ import annotations

import numpy as np
import pytest
from app_support import SAMPLES, needs_samples
from twist_projection import UP, alternating, feet_camera, long_axis, project, rotate, window

from formcheck.analysis import PoseOptions, analyze_track, track_video
from formcheck.engine.machine import replay_track
from formcheck.engine.setup import SetupChecker, problems, wrong_view
from formcheck.errors import RuleFileError
from formcheck.live.checklist import view_label
from formcheck.pose.landmarks import INDEX
from formcheck.pose.track import PoseTrack
from formcheck.rules import load_rule, parse_rule
from formcheck.rules.docs_gen import render_rule

#: The supine clip the sequences start from, and the stretch of it that is used (its first
#: 18 s: the person lies still, knees bent, doing small pelvic tilts).
BASE_CLIP = "pelvic_tilt_01.mp4"
FRAMES = 450
LEG_POINTS = [INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("knee", "ankle", "heel", "foot_index")]
#: Still at the start (counting starts, baseline), then 8 rolls of 2 s, alternating sides.
STILL_S, ROLL_S, ROLLS = 2.0, 2.0, 8
#: The knees' roll each way (a comfortable roll is 30-60 deg).
ROLL_DEG = 40.0


def roll_angles(t: np.ndarray, degrees: float = ROLL_DEG) -> np.ndarray:
    """The knees' roll at each time (radians): 0 while still, then half a sine per roll, alternating."""
    return alternating(t, degrees, STILL_S, ROLL_S, ROLLS)


def rolled_world(track: PoseTrack, lift: tuple[str, float, float, float] | None = None,
                 degrees: float = ROLL_DEG) -> np.ndarray:
    """The track's world landmarks with the legs rolled ``degrees`` each way about the long axis
    through the hips; ``lift`` = (side, metres, from_s, to_s) raises that shoulder (and its arm)
    off the floor."""
    world = track.world[:FRAMES].astype(np.float64).copy()
    axis = long_axis(world)
    angles = roll_angles(track.timestamps[:FRAMES], degrees)
    for i, angle in enumerate(angles):
        hips = world[i, [INDEX["left_hip"], INDEX["right_hip"]]].mean(axis=0)
        world[i, LEG_POINTS] = rotate(world[i, LEG_POINTS] - hips, axis, angle) + hips
    if lift is not None:
        side, metres, start, end = lift
        arm = [INDEX[f"{side}_{p}"] for p in ("shoulder", "elbow", "wrist", "pinky", "index", "thumb")]
        t = track.timestamps[:FRAMES]
        ramp = window(t, start, end)[:, None, None]
        world[:, arm] += ramp * metres * UP
    return world


@pytest.fixture(scope="module")
def supine(clip_landmarks) -> PoseTrack:
    if not (SAMPLES / BASE_CLIP).exists():
        pytest.skip("shared sample clips not available")
    track = track_video(SAMPLES / BASE_CLIP, PoseOptions(), cache_dir=clip_landmarks)
    assert np.isfinite(track.world[:FRAMES]).all(), "the base stretch must have a person in every frame"
    return track


def side_view(track: PoseTrack, lift=None, degrees: float = ROLL_DEG) -> PoseTrack:
    return project(track, rolled_world(track, lift, degrees))


def feet_view(track: PoseTrack, lift=None, degrees: float = ROLL_DEG) -> PoseTrack:
    world = feet_camera(rolled_world(track, lift, degrees))
    return project(track, world, np.full((FRAMES, 33), 0.95, np.float32))


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [side_view, feet_view], ids=["side", "feet"])
def test_knee_rolls_count_each_side_from_either_view(supine, view):
    """8 rolls, 4 to each side, counted from the side and from the feet; no set-up warning,
    no shoulder lift flagged when the shoulders stay down."""
    rule = load_rule("knee_rolls")
    result = analyze_track(view(supine), rule)
    assert result.rep_count == ROLLS
    assert result.reps_by_side() == {"left": ROLLS // 2, "right": ROLLS // 2}
    assert not {w.code for w in result.warnings} & {"wrong_view", "body_out_of_frame", "unclear_pose"}
    assert not {f.code for f in result.faults} & {"left_shoulder_lifts", "right_shoulder_lifts"}


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [side_view, feet_view], ids=["side", "feet"])
@pytest.mark.parametrize(("degrees", "count"), [(30.0, ROLLS), (12.0, 0)])
def test_a_comfortable_roll_counts_and_a_sway_does_not(supine, view, degrees, count):
    """30 deg rolls (the low end of comfortable) count; 12 deg sways do not."""
    assert analyze_track(view(supine, degrees=degrees), load_rule("knee_rolls")).rep_count == count


@needs_samples
@pytest.mark.model
def test_a_figure_four_stretch_side_on_is_not_knee_rolls(clip_landmarks):
    """figure_four_01 (supine, side-on, one ankle over the other knee, that knee dropping out)
    moves the knees sideways too, but not together and not a roll's distance: no rep."""
    if not (SAMPLES / "figure_four_01.mp4").exists():
        pytest.skip("shared sample clips not available")
    track = track_video(SAMPLES / "figure_four_01.mp4", PoseOptions(), cache_dir=clip_landmarks)
    assert analyze_track(track, load_rule("knee_rolls")).rep_count == 0


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [side_view, feet_view], ids=["side", "feet"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_shoulder_lifting_mid_roll_is_flagged(supine, view, side):
    """A shoulder raised 12 cm off the floor during the 5th and 6th rolls is flagged, that side
    only; the rolls are still counted."""
    start = STILL_S + 4 * ROLL_S
    result = analyze_track(view(supine, (side, 0.12, start, start + 2 * ROLL_S)), load_rule("knee_rolls"))
    codes = {f.code for f in result.faults}
    assert f"{side}_shoulder_lifts" in codes
    other = "right" if side == "left" else "left"
    assert f"{other}_shoulder_lifts" not in codes
    lifted = [f for f in result.faults if f.code == f"{side}_shoulder_lifts"]
    assert all(start - 0.5 <= f.start_s <= start + 2 * ROLL_S + 1.0 for f in lifted)
    assert result.rep_count == ROLLS


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("view", [side_view, feet_view], ids=["side", "feet"])
def test_world_metrics_give_review_what_live_gives(supine, view):
    """The vectorised review of the world-landmark rule equals the engine stepped frame by frame."""
    track = view(supine, ("left", 0.12, 10.0, 14.0))
    rule = load_rule("knee_rolls")
    fast, reference = analyze_track(track, rule), replay_track(track, rule)
    assert fast.to_dict() == reference.to_dict()


# -- the rule files' views -------------------------------------------------------------------
def knee_rolls_data(**changes) -> dict:
    """knee_rolls' rule file data with top-level fields replaced (None: removed)."""
    data = dict(load_rule("knee_rolls").raw)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_knee_rolls_supports_the_feet_end_and_side_on():
    rule = load_rule("knee_rolls")
    assert rule.view == "front" and rule.supported_views == ("front", "side")
    assert set(rule.view_limits) == {"front", "side"}
    assert all(m.space == "world" for m in rule.metrics.values())
    text = render_rule(rule)
    assert "front / end-on (looking along the body) (preferred), or side-on" in text
    assert rule.view_limits["side"] in text


def test_a_rule_without_views_supports_its_one_view():
    rule = parse_rule(knee_rolls_data(views=None, view_limits=None))
    assert rule.views == () and rule.supported_views == ("front",) and rule.view_limits == {}


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"views": ["front", "top"]}, "views[1]", "choose from: side, front"),
    ({"views": ["front", "any"]}, "views[1]", "list the views the rule supports"),
    ({"views": ["front", "front"]}, "views", "lists a view twice"),
    ({"views": ["side"]}, "views", "must include the preferred view ('front'"),
    ({"views": ["side", "front"]}, "views", "must start with the preferred view"),
    ({"views": "front"}, "views", "a list of camera views"),
    ({"view_limits": {"front": "x"}}, "view_limits.side", "is required for each supported view"),
    ({"view_limits": {"front": "x", "side": "y", "top": "z"}}, "view_limits.top", "not a supported view"),
    ({"view_limits": {"front": "x", "side": 3}}, "view_limits.side", "must be text"),
])  # fmt: skip
def test_views_errors_name_the_field_and_what_is_allowed(changes, field, words):
    with pytest.raises(RuleFileError) as err:
        parse_rule(knee_rolls_data(**changes), "knee_rolls.yaml")
    assert err.value.field == field
    assert words in str(err.value) and "knee_rolls.yaml" in str(err.value)


@pytest.mark.parametrize(("metric", "field", "words"), [
    ({"kind": "joint_angle", "space": "world", "points": ["hip", "knee", "ankle"]}, "space", "applies only to"),
    ({"kind": "distance", "space": "moon", "points": ["hip", "knee"]}, "space", "choose one of: image, world"),
    ({"kind": "axis_offset", "level": True, "points": ["mid_hip", "mid_knee"], "axis": ["right_hip", "left_hip"]},
     "level", "'space: world'"),
])  # fmt: skip
def test_world_metric_errors(metric, field, words):
    data = knee_rolls_data()
    data["metrics"] = {**data["metrics"], "extra": metric}
    with pytest.raises(RuleFileError) as err:
        parse_rule(data, "knee_rolls.yaml")
    assert err.value.field == f"metrics.extra.{field}" and words in str(err.value)


def test_the_setup_check_accepts_every_supported_view():
    side_on, facing = 0.05, 1.5
    assert wrong_view(side_on, "front") and wrong_view(facing, "side")
    assert not wrong_view(side_on, ("front", "side")) and not wrong_view(facing, ("front", "side"))
    ratios = np.array([side_on, facing, np.nan])
    series = problems(np.ones(3), np.zeros(3, bool), ratios, ("front", "side"))["wrong_view"]
    assert series.tolist() == [wrong_view(r, ("front", "side")) for r in ratios]
    assert problems(np.ones(3), np.zeros(3, bool), ratios, "front")["wrong_view"].tolist() == [True, False, False]


def test_set_up_words_advise_the_preferred_view():
    rule = load_rule("knee_rolls")
    checker = SetupChecker(rule.view, rule.supported_views)
    assert checker.views == ("front", "side")
    assert view_label(rule) == "Camera at your feet or side-on"
    assert view_label(load_rule("seated_rotation")) == "Camera in front of you or side-on"
