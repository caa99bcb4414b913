"""Integration: the real pose model on the real sample clips, compared with their hand labels.

Covers the clips of the four exercises of the core pipeline (back extension, rock back,
knee rolls, glute bridge). Landmarks are computed once per test session and shared with the
``formcheck eval`` test through a landmark cache.
"""

from __future__ import annotations

import pytest
from app_support import SAMPLES, needs_samples

from formcheck.analysis import PoseOptions, analyze_track, track_video
from formcheck.evaluation.evaluate import evaluate, match_peaks, summary
from formcheck.evaluation.labels import read_labels
from formcheck.rules import load_rule

CORE = {"back_extension", "rock_back", "knee_rolls", "glute_bridge"}
LABELS = SAMPLES / "labels.toml"
OPTIONS = PoseOptions(variant="full")
CORE_CLIPS = [c for c in read_labels(LABELS) if c.exercise in CORE] if LABELS.is_file() else []
#: Clips the product is known to get wrong today, with why. Each stays in every test: its
#: case is an expected failure (strict: it fails loudly once it passes), the others unchanged.
KNOWN_FAILURES = {
    "knee_rolls_01.mp4": (
        "issue 11 (trustworthy pose): filmed from the feet, slightly oblique, portrait; the pose model's "
        "skeleton is implausible in ~80% of frames (hips follow the knees, shoulders swap sides), which the "
        "quality gate now rejects: the rule counts 0 of the 7-10 rolls, but it is no longer a silent 0 - "
        "the person is told at 2.8 s and the result reports ~20-23% usable frames "
        "(test_pose_quality.py::test_knee_rolls_from_the_feet_is_never_a_silent_zero)"
    ),
}


def _case(label):
    reason = KNOWN_FAILURES.get(label.file)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(label, marks=marks, id=label.file)

pytestmark = [needs_samples, pytest.mark.model]


@pytest.fixture(scope="session")
def landmark_cache(clip_landmarks):
    return clip_landmarks  # conftest's: shared with the other real-clip tests


@pytest.mark.parametrize("label", [_case(c) for c in CORE_CLIPS])
def test_rep_count_and_timing_match_the_labels(label, landmark_cache):
    track = track_video(SAMPLES / label.file, OPTIONS, cache_dir=landmark_cache)
    result = analyze_track(track, load_rule(label.exercise))
    assert label.count_error(result.rep_count) <= 1, f"{result.rep_count} reps, labelled {label.reps}"
    assert result.counting_started_s is not None
    matched = match_peaks(label.rep_peaks_s, [r.peak_s for r in result.reps])
    assert len(matched) >= 0.8 * len(label.rep_peaks_s)
    if not label.faults:
        assert not [f for f in result.faults if f.severity != "info"], "a clip labelled without faults"
    for fault in label.faults:  # each clearly visible labelled fault is reported while it happens
        assert any(f.code == fault["kind"] and f.start_s < fault["end_s"] and f.end_s > fault["start_s"]
                   for f in result.faults), fault


def test_eval_over_the_core_clips(landmark_cache):
    scores = evaluate(LABELS, OPTIONS, only=CORE, cache_dir=landmark_cache, recognise=False)
    figures = summary(scores)
    assert figures["clips_with_rule"] == len(CORE_CLIPS) >= 8  # every core clip is scored, none dropped
    assert figures["exact"] >= 0.8 * figures["clips_with_rule"]
    off_by_more = {s.label.file for s in scores if s.has_rule and s.abs_error > 1}
    assert off_by_more <= set(KNOWN_FAILURES), f"off by more than one: {sorted(off_by_more)}"
