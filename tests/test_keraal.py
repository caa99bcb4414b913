"""Real BlazePose landmarks of correct performances of exercises outside the catalogue.

``../shared/landmarks/keraal`` holds three standing low-back-pain exercises from the KERAAL
clinical dataset, filmed from the front: raising both arms over the head (CTK), a side bend
with one arm over the head (ELK) and a trunk rotation with the arms out (RTK). None is a floor
exercise of the catalogue, so no floor rule may count a rep, time a hold or report a fault on
them, and recognition must not name one.

The files carry no 3-D (world) landmarks, which the pose model always gives and some rules
measure on: the trunk rotation is the movement of the catalogue's seated rotation, whose turn is
the shoulder line's turn on the hip line seen from above. The picture's depth is no stand-in
(against the model's own 3-D turn its slope was 0.16-4.0 on the shared clips), so that rule
cannot count it here: the result says so instead of a silent 0.

The files give no frame size or rate; both a 4:3 and a 16:9 frame are tried at 30 fps.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from app_support import SHARED

from formcheck.analysis import NO_DEPTH_WARNING, analyze_track
from formcheck.engine.recognize import recognize
from formcheck.pose.landmarks import COUNT, INDEX
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.rules import list_rules, load_rule

KERAAL = SHARED / "landmarks" / "keraal"
FRAME_SIZES = ((640, 480), (1920, 1080))

pytestmark = pytest.mark.skipif(not KERAAL.is_dir(), reason="../shared/landmarks/keraal not available")


def keraal_track(code: str, image_size: tuple[int, int], fps: float = 30.0) -> PoseTrack:
    """The KERAAL sequence whose name holds ``-code-`` (CTK, ELK, RTK), every landmark visible."""
    (path,) = KERAAL.glob(f"*-{code}-*.json")
    positions = json.loads(path.read_text(encoding="utf-8"))["positions"]
    frames = []
    for i, key in enumerate(sorted(positions, key=float)):
        lm = np.zeros((COUNT, 4), np.float32)
        for name, xyz in positions[key].items():
            lm[INDEX[name.lower()]] = [*xyz, 1.0]
        frames.append(PoseFrame(i / fps, lm, np.zeros((COUNT, 3), np.float32), 1, image_size))
    return PoseTrack.from_frames(frames, fps, source=path.name)


@pytest.fixture(scope="module")
def rules():
    return list_rules()


@pytest.mark.parametrize("image_size", FRAME_SIZES)
@pytest.mark.parametrize("code", ["CTK", "ELK", "RTK"])
def test_no_floor_rule_counts_on_a_standing_exercise(rules, code, image_size):
    track = keraal_track(code, image_size)
    for rule in rules:
        result = analyze_track(track, rule)
        assert result.rep_count == 0 and result.holds == [], rule.id
        assert result.faults == [], rule.id


@pytest.mark.parametrize("image_size", FRAME_SIZES)
@pytest.mark.parametrize("code", ["CTK", "ELK"])
def test_recognition_names_no_catalogue_exercise(rules, code, image_size):
    assert recognize(keraal_track(code, image_size), rules).exercise_id is None


@pytest.mark.parametrize("code", ["CTK", "ELK", "RTK"])
def test_a_rule_measuring_in_3d_says_these_landmarks_cannot_be_measured(rules, code):
    track = keraal_track(code, FRAME_SIZES[0])
    assert not track.has_depth
    for rule in rules:
        codes = [w.code for w in analyze_track(track, rule).warnings]
        assert codes.count(NO_DEPTH_WARNING) == (1 if rule.depth_metrics else 0), rule.id
    assert load_rule("seated_rotation").depth_metrics == ("shoulder_turn",)
    (warning,) = [w for w in analyze_track(track, load_rule("seated_rotation")).warnings if w.code == NO_DEPTH_WARNING]
    assert "no 3-D pose estimate" in warning.message and "shoulder turn" in warning.message
