"""A rep's range of motion is the movement's range in its metric's meaning.

Synthetic side-on back extensions (no pose model): a press-up from lying flat reports the
tens of degrees it rose; one that starts folded in child's pose must not add the ~160 deg of
hip flexion below "lying flat" (back_extension_01 printed "range 249 deg").
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.pose.landmarks import COUNT, INDEX
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.rules import load_rule

FPS = 30.0
#: Key poses, side-on, head toward the right of a 640x360 picture (normalised x, y down).
POSES = {
    # lying flat on the stomach: back extension about 0 deg
    "prone": {"ankle": (0.15, 0.82), "knee": (0.28, 0.81), "hip": (0.43, 0.80), "shoulder": (0.62, 0.79),
              "elbow": (0.60, 0.82), "wrist": (0.70, 0.83), "ear": (0.70, 0.79), "nose": (0.73, 0.81)},
    # pressed up on straight arms: back extension about 38 deg
    "cobra": {"ankle": (0.15, 0.83), "knee": (0.28, 0.82), "hip": (0.43, 0.80), "shoulder": (0.58, 0.56),
              "elbow": (0.58, 0.68), "wrist": (0.58, 0.82), "ear": (0.63, 0.48), "nose": (0.66, 0.47)},
    # child's pose: hips back on the heels, trunk folded over the thighs (about -157 deg)
    "child": {"ankle": (0.40, 0.82), "knee": (0.55, 0.82), "hip": (0.43, 0.70), "shoulder": (0.62, 0.74),
              "elbow": (0.75, 0.84), "wrist": (0.85, 0.86), "ear": (0.70, 0.78), "nose": (0.72, 0.80)},
}  # fmt: skip


def pose_frame(t: float, points: dict[str, tuple[float, float]]) -> PoseFrame:
    lm = np.full((COUNT, 4), np.nan, dtype=np.float32)
    for part, (x, y) in points.items():
        if part == "nose":
            lm[INDEX["nose"]] = (x, y, -0.1, 0.95)
            continue
        lm[INDEX[f"left_{part}"]] = (x, y, -0.1, 0.95)
        lm[INDEX[f"right_{part}"]] = (x + 0.005, y - 0.005, 0.1, 0.6)
    for part in ("heel", "foot_index"):
        lm[INDEX[f"left_{part}"]] = lm[INDEX[f"right_{part}"]] = lm[INDEX["left_ankle"]]
    for part in ("pinky", "index", "thumb"):
        lm[INDEX[f"left_{part}"]] = lm[INDEX[f"right_{part}"]] = lm[INDEX["left_wrist"]]
    for name in ("left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
                 "mouth_left", "mouth_right"):  # fmt: skip
        lm[INDEX[name]] = lm[INDEX["nose"]]
    return PoseFrame(t, lm, np.zeros((COUNT, 3), np.float32), 1, (640, 360))


def sequence(*steps: tuple[str, float]) -> PoseTrack:
    """Hold each key pose for its seconds, moving between consecutive poses over 0.3 s."""
    frames: list[PoseFrame] = []
    t = 0.0
    for i, (name, seconds) in enumerate(steps):
        if i:
            before, after = POSES[steps[i - 1][0]], POSES[name]
            for k in range(1, int(0.3 * FPS)):
                w = k / (0.3 * FPS)
                mixed = {p: tuple((1 - w) * np.array(before[p]) + w * np.array(after[p])) for p in after}
                frames.append(pose_frame(t, mixed))
                t += 1 / FPS
        for _ in range(int(seconds * FPS)):
            frames.append(pose_frame(t, POSES[name]))
            t += 1 / FPS
    return PoseTrack.from_frames(frames, fps=FPS, source="synthetic")


@pytest.fixture(scope="module")
def rule():
    return load_rule("back_extension")


def test_press_up_from_lying_flat_reports_its_rise(rule):
    result = analyze_track(sequence(("prone", 1.0), ("cobra", 1.5), ("prone", 1.5)), rule)
    assert result.rep_count == 1
    rep = result.reps[0]
    assert 30 < rep.peak_value < 45
    assert 30 < rep.range_of_motion < 50, rep.range_of_motion


def test_press_up_from_childs_pose_reports_the_extension_only(rule):
    """The start position accepts child's pose (back extension far below "back down"), so the
    rep counts; its range is the extension above lying flat, not the hip flexion below it."""
    result = analyze_track(sequence(("child", 1.0), ("cobra", 1.5), ("child", 1.5)), rule)
    assert result.rep_count == 1
    rep = result.reps[0]
    assert 30 < rep.peak_value < 45
    assert rep.range_of_motion <= rep.peak_value + 10, rep.range_of_motion
