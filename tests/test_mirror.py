"""A person facing the other way: the same real clips seen in a mirror give the same result.

Half of the people filming themselves side-on have their head at the other end of the picture.
The mirror image of a clip's landmarks (x flipped, left and right swapped, as the pose model
labels a mirrored person) must give the same count, the same faults and the same exercise; an
alternating exercise's sides swap. benchmarks/robustness.py checks every labelled shared clip
(formcheck eval's figures were identical on all 28); these cover each kind of rule.
"""

from __future__ import annotations

import numpy as np
import pytest
from app_support import SAMPLES, load_benchmark, needs_samples

from formcheck.analysis import PoseOptions, analyze_track, recognise_exercise, track_video
from formcheck.pose.landmarks import INDEX
from formcheck.pose.track import PoseTrack
from formcheck.rules import list_rules, load_rule

#: clip → its exercise (a rep rule, an alternating one, a hold, a rule with a fault on this clip).
CLIPS = {
    "bridge_02.mp4": "glute_bridge",
    "bird_dog_01.mp4": "bird_dog",
    "knee_to_chest_01.mp4": "knee_to_chest",
    "plank_03.mp4": "plank",
    "hip_flexor_01.mp4": "hip_flexor_stretch",
}
ROBUSTNESS = load_benchmark("robustness")
mirrored, SWAP = ROBUSTNESS.mirrored, ROBUSTNESS.SWAP


def test_the_mirror_swaps_sides_and_flips_x():
    track = PoseTrack(np.random.default_rng(0).random((2, 33, 4), np.float32), np.ones((2, 33, 3), np.float32),
                      np.array([0.0, 0.1]), np.ones(2, np.int8), (640, 480), 10.0)
    mirror = mirrored(track)
    left, right = INDEX["left_knee"], INDEX["right_knee"]
    assert mirror.landmarks[0, left, 0] == pytest.approx(1.0 - track.landmarks[0, right, 0])
    assert mirror.landmarks[0, left, 1] == track.landmarks[0, right, 1]
    assert (mirror.world[..., 0] == -1.0).all()
    assert np.array_equal(mirrored(mirror).landmarks, track.landmarks)


@needs_samples
@pytest.mark.model
@pytest.mark.parametrize("clip", list(CLIPS))
def test_a_person_facing_the_other_way_gets_the_same_result(clip, clip_landmarks):
    track = track_video(SAMPLES / clip, PoseOptions(), cache_dir=clip_landmarks)
    rule = load_rule(CLIPS[clip])
    seen, mirror = analyze_track(track, rule), analyze_track(mirrored(track), rule)
    assert mirror.rep_count == seen.rep_count
    assert [SWAP.get(rep.side, rep.side) for rep in mirror.reps] == [rep.side for rep in seen.reps]
    assert [h.duration_s for h in mirror.holds] == pytest.approx([h.duration_s for h in seen.holds], abs=0.1)
    assert sorted(f.code for f in mirror.faults) == sorted(f.code for f in seen.faults)
    rules = list_rules()
    found, found_mirrored = recognise_exercise(track, rules), recognise_exercise(mirrored(track), rules)
    assert found_mirrored.exercise_id == found.exercise_id == CLIPS[clip]
