"""The rule state machine on hand-made metric sequences: counting, hysteresis, start gating,
debounce, holds, alternation, gaps, frame-timestamp timing, and one engine for both clocks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from catalogue_poses import glute_bridge_track

from formcheck.engine.machine import RuleMachine, replay_track, run_rules
from formcheck.errors import RuleFileError
from formcheck.live import LiveSession
from formcheck.metrics.stream import FrameMetrics, compute_series
from formcheck.rules import load_rule, parse_rule

RULE = {
    "id": "test_rule",
    "name": "Test",
    "summary": "s",
    "view": "side",
    "posture": "supine",
    "setup": "side-on",
    "metrics": {
        "angle": {"kind": "joint_angle", "points": ["shoulder", "hip", "knee"]},
        "other": {"kind": "joint_angle", "points": ["hip", "knee", "ankle"]},
        "side": {"kind": "distance", "points": ["hip", "knee"]},
    },
    "thresholds": {
        "up": {"value": 150, "unit": "deg", "range": [100, 180], "description": "up"},
        "down": {"value": 130, "unit": "deg", "range": [90, 170], "description": "down"},
        "limit": {"value": 100, "unit": "deg", "range": [0, 180], "description": "fault when other above"},
        "hold_target": {"value": 2, "unit": "s", "range": [0, 60], "description": "hold"},
    },
    "rep": {
        "metric": "angle",
        "direction": "up",
        "enter": "up",
        "exit": "down",
        "start": [{"metric": "angle", "below": "down"}],
        "start_hold_s": 0.5,
        "min_rep_s": 0.5,
    },
    "hold": {"when": "top", "target_s": "hold_target", "min_s": 0.1},
    "faults": [
        {
            "code": "other_high",
            "message": "Other too high",
            "check": "frame",
            "phase": "any",
            "when": [{"metric": "other", "above": "limit"}],
            "debounce_s": 0.3,
        },
        {"code": "low_peak", "message": "Go higher", "check": "rep", "measure": "peak", "below": 170},
    ],
}


def rule(**changes):
    data = {**RULE, **changes}
    return parse_rule(data, "test_rule.yaml")


def feed(
    machine: RuleMachine, values: list[float], fps: float = 30.0, other: float = 0.0, t0: float = 0.0, side: float = 0.0
):
    events = []
    for i, v in enumerate(values):
        fm = FrameMetrics(t0 + i / fps, {"angle": v, "other": other, "side": side}, "left", 1, (), 0.2, True)
        events += machine.step(fm)
    return events


def wave(low: float, high: float, n_reps: int, period_frames: int = 60, lead: int = 30) -> list[float]:
    out = [low] * lead
    for _ in range(n_reps):
        out += [
            low + (high - low) * 0.5 * (1 - math.cos(2 * math.pi * k / period_frames)) for k in range(period_frames)
        ]
    return out + [low] * lead


def test_counts_full_reps_with_peaks_in_the_middle():
    m = RuleMachine(rule())
    feed(m, wave(120, 175, 3))
    assert len(m.reps) == 3
    assert [round(r.peak_s, 1) for r in m.reps] == [2.0, 4.0, 6.0]
    assert all(r.range_of_motion == pytest.approx(55, abs=0.5) for r in m.reps)


def test_no_counting_before_the_start_position():
    m = RuleMachine(rule())
    # starts at the top (getting into position): the first descent is not a rep
    values = [175] * 30 + [120] * 30 + wave(120, 175, 2, lead=0)
    feed(m, values)
    assert len(m.reps) == 2
    assert m.counting_started == pytest.approx(1.0 + 0.5, abs=0.05)


def test_hysteresis_ignores_jitter_around_one_threshold():
    m = RuleMachine(rule())
    rng = np.random.default_rng(1)
    jitter = list(140 + rng.normal(0, 6, 600))  # crosses 130 and 150 now and then, never both in order
    jitter = [min(max(v, 131), 149) for v in jitter]
    feed(m, [120] * 30 + jitter)
    assert m.reps == []


def test_min_rep_duration_rejects_a_blip():
    m = RuleMachine(rule())
    events = feed(m, [120] * 30 + [160, 160, 120] + [120] * 30)
    assert m.reps == [] and any(e.kind == "rep_rejected" for e in events)


def test_rep_check_fault_and_hold_at_the_top():
    m = RuleMachine(rule())
    feed(m, [120] * 30 + [160] * 90 + [120] * 30)  # up for 3 s, peak 160 < 170
    assert len(m.reps) == 1
    assert "low_peak" in m.reps[0].faults
    assert len(m.holds) == 1 and m.holds[0].duration_s == pytest.approx(3.0, abs=0.1)
    assert m.holds[0].reached_target


def test_frame_fault_needs_debounce():
    short = RuleMachine(rule())
    feed(short, [120] * 30, other=0)
    feed(short, [120] * 5, other=120, t0=1.0)  # 0.17 s: shorter than the 0.3 s debounce
    feed(short, [120] * 30, other=0, t0=1.2)
    assert short.faults == []
    long = RuleMachine(rule())
    feed(long, [120] * 30, other=0)
    feed(long, [120] * 30, other=120, t0=1.0)
    feed(long, [120] * 30, other=0, t0=2.0)
    assert [f.code for f in long.faults] == ["other_high"]
    assert long.faults[0].start_s == pytest.approx(1.0, abs=0.05)
    assert long.faults[0].end_s == pytest.approx(2.0, abs=0.1)


def test_nan_frames_are_gaps_not_angles():
    m = RuleMachine(rule())
    values = wave(120, 175, 1)
    values[40:50] = [float("nan")] * 10  # a short gap mid-rep is bridged
    feed(m, values)
    assert len(m.reps) == 1
    m2 = RuleMachine(rule())
    values = wave(120, 175, 1)
    values[50:125] = [float("nan")] * 75  # 2.5 s without the hips mid-rep: that rep is abandoned
    events = feed(m2, values)
    assert m2.reps == [] and any(e.kind == "rep_abandoned" for e in events)


def _from_baseline_rule():
    thresholds = {
        "rise": {"value": 10, "unit": "deg", "range": [1, 50], "description": "rise from rest = top"},
        "settle": {"value": 4, "unit": "deg", "range": [0, 50], "description": "back within this = rest"},
    }
    rep = {**RULE["rep"], "from_baseline": True, "enter": "rise", "exit": "settle",
           "start": [{"metric": "angle", "below": 170}]}
    data = {**RULE, "thresholds": {**RULE["thresholds"], **thresholds}, "rep": rep, "faults": []}
    del data["hold"]
    return parse_rule(data, "test_rule.yaml")


def test_a_held_move_away_from_the_rep_does_not_become_the_rest():
    # a from-baseline rep (pelvic tilt, seated rotation): holding a movement the other way for
    # 2 s (a side bend in a rotation) and coming back is not a rep; a real one after it is
    m = RuleMachine(_from_baseline_rule())
    feed(m, [120.0] * 60 + [100.0] * 60 + [120.0] * 60)
    assert m.reps == []
    feed(m, wave(120, 135, 1, lead=0) + [120.0] * 30, t0=6.0)
    assert len(m.reps) == 1


def test_a_lasting_change_of_rest_is_followed():
    m = RuleMachine(_from_baseline_rule())
    feed(m, [120.0] * 60 + [100.0] * 1200)  # settled lower for 40 s (shifted on the mat)
    feed(m, wave(100, 115, 2, lead=0), t0=42.0)
    assert len(m.reps) == 2


def test_alternating_sides_from_the_side_metric():
    r = rule(rep={**RULE["rep"], "alternating": True, "side_metric": "side", "positive_side": "right"})
    m = RuleMachine(r)
    feed(m, [120] * 30, side=0.0)
    feed(m, wave(120, 175, 1, lead=0), side=1.0, t0=1.0)
    feed(m, wave(120, 175, 1, lead=0), side=-1.0, t0=3.0)
    assert [rep.side for rep in m.reps] == ["right", "left"]
    assert m.status().reps_by_side == {"left": 1, "right": 1}


def test_timing_comes_from_frame_timestamps_not_the_wall_clock():
    """The same movement at 15 and 60 fps gives the same rep times and hold."""
    out = []
    for fps in (15.0, 60.0):
        m = RuleMachine(rule())
        n = int(fps)
        feed(m, [120] * n + [160] * (3 * n) + [120] * n, fps=fps)
        out.append((m.reps[0].start_s, m.reps[0].end_s, m.holds[0].duration_s))
    assert out[0] == pytest.approx(out[1], abs=1 / 15 + 1e-6)


def test_validation_rejects_reversed_hysteresis():
    bad = {**RULE, "thresholds": {**RULE["thresholds"], "down": {**RULE["thresholds"]["down"], "value": 160}}}
    with pytest.raises(RuleFileError, match="enter value"):
        parse_rule(bad, "x.yaml")


# -- one engine, two clocks ----------------------------------------------------------------
def test_live_review_and_tuning_paths_give_identical_results():
    """The live clock (LiveSession: frame mailbox, pose worker thread, set-up gate, engine) fed
    the track's frames one camera frame at a time counts exactly what review and tuning count."""
    r = load_rule("glute_bridge")
    track = glute_bridge_track(top=0.85, fps=30.0, noise_m=0.004)  # hips to just short of straight
    review = replay_track(track, r)
    tuned = run_rules(compute_series(track, r), r, fps=track.fps, duration_s=track.duration_s)
    poses = track.frames()

    class Replay:  # the pose stage: the track's poses, in order
        def detect(self, rgb, t):
            return next(poses)

        def close(self):
            pass

    # set-up is good from the first frame (one person, no warnings yet): counting starts there
    session = LiveSession(r, estimator_factory=Replay, setup_hold_s=0.0, draw=False)
    camera = np.full((48, 64, 3), 128, np.uint8)
    events = []
    for t in track.timestamps:
        session.process(camera, float(t))
        assert session.wait_idle(5)
        events += session.events()
    live = session.summary()
    assert [e.t for e in events if e.kind == "setup_ok"] == [track.timestamps[0]]
    assert session.stats().frames_processed == len(track)
    assert review.rep_count == 3 and [e.kind for e in events].count("rep") == 3
    assert review.to_dict() == tuned.to_dict()
    clock = ("fps", "duration_s")  # from the live clock's own timestamps, not the file's frame rate
    assert {k: v for k, v in live.to_dict().items() if k not in clock} == {
        k: v for k, v in review.to_dict().items() if k not in clock}


def test_threshold_change_reruns_only_the_rules():
    r = load_rule("glute_bridge")
    track = glute_bridge_track(top=0.85, fps=30.0, noise_m=0.004)  # hips to just short of straight
    series = compute_series(track, r)
    strict = r.with_thresholds({"target_angle": 178})
    default_result, strict_result = run_rules(series, r), run_rules(series, strict)
    assert "hips_not_high" not in default_result.fault_counts()
    assert strict_result.fault_counts()["hips_not_high"] == 3
    too_high = r.with_thresholds({"up_angle": 178})
    assert run_rules(series, too_high).rep_count == 0 < default_result.rep_count
    assert run_rules(series, strict).to_dict() == replay_track(track, strict).to_dict()
