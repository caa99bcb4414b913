"""The rule-free per-frame work (pose quality gate, near side, visibility) done once and shared by
every rule's stream gives exactly what each stream gives on its own, frame by frame as live runs
it: the same :class:`FrameMetrics` and the same results, on real cached clips (gaps, frames with
nobody, a side switch) and on synthetic ones. Speed is measured in ``benchmarks/``, never here."""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path

import catalogue_poses as cp
import numpy as np
import pytest

import formcheck.metrics.frame_prep as frame_prep
from formcheck.engine.machine import Engine, replay_track
from formcheck.engine.recognize import replay_rules
from formcheck.metrics.frame_prep import SharedFrames
from formcheck.metrics.stream import MetricStream, compute_series
from formcheck.pose.track import PoseTrack
from formcheck.results import SessionResult
from formcheck.rules import load_rule
from formcheck.rules.catalog import list_rules

REPO = Path(__file__).resolve().parents[1]
LMCACHE = Path(os.environ.get("FORMCHECK_LANDMARK_CACHE", REPO.parent / "lmcache"))
RULES = list_rules()
#: Real clips with what the shared work must get right: nobody in view, unusable and poor stretches
#: (knee rolls), the near side switching and gaps (torso twist), a few gaps (back extension).
REAL = ("knee_rolls_01.mp4", "torso_twist_01.mp4", "back_extension_01.mp4")


@functools.cache
def cached_tracks() -> dict[str, PoseTrack]:
    """The cached tracks of :data:`REAL`'s clips, by clip name."""
    tracks = (PoseTrack.load(path) for path in sorted(LMCACHE.glob("*.npz"))) if LMCACHE.is_dir() else ()
    return {track.source: track for track in tracks if track.source in REAL}


needs_tracks = pytest.mark.skipif(not cached_tracks(), reason="no cached landmark tracks (../lmcache)")


def with_gaps(track: PoseTrack) -> PoseTrack:
    """A synthetic bridge with nobody in view for a second and a glitched skeleton for a few frames."""
    lm, world = track.landmarks.copy(), track.world.copy()
    lm[40:65] = np.nan
    lm[100:104, 25:29, :2] += 0.3
    world[100:104, 25:29, :2] += 0.7
    return replace(track, landmarks=lm, world=world)


def alone(track: PoseTrack, rule) -> tuple[list, SessionResult]:
    """The reference: the rule's own engine (its own gate) stepped frame by frame, as live runs it."""
    engine = Engine(rule)
    for frame in track.frames():
        engine.step(frame)
    return engine.history, engine.result(fps=track.fps, duration_s=track.duration_s)


def assert_same_frames(shared: list, reference: list, what: str) -> None:
    """Byte-identical frames: every field's ``repr`` (exact for floats, NaN equal to NaN)."""
    assert len(shared) == len(reference), what
    for i, (a, b) in enumerate(zip(shared, reference, strict=True)):
        assert repr(a) == repr(b), f"{what}: frame {i}"


def assert_same_result(shared: SessionResult, reference: SessionResult, what: str) -> None:
    assert shared.to_dict() == reference.to_dict(), what
    assert shared.series.keys() == reference.series.keys(), what
    for name, values in reference.series.items():
        np.testing.assert_array_equal(shared.series[name], values, err_msg=f"{what}: series {name}")


def check_every_rule(track: PoseTrack, what: str) -> None:
    """Every catalogue rule: series sharing one :class:`SharedFrames`, and recognition's replays,
    equal each rule's engine run alone."""
    shared = SharedFrames()
    results = dict((rule.id, result) for rule, result in replay_rules(track, RULES))
    for rule in RULES:
        frames, result = alone(track, rule)
        assert_same_frames(compute_series(track, rule, shared).frames, frames, f"{what} / {rule.id}")
        assert_same_result(results[rule.id], result, f"{what} / {rule.id}")
    assert len(shared) == len(track)


@needs_tracks
@pytest.mark.parametrize("clip", REAL)
def test_every_rule_sharing_the_frame_work_equals_each_alone_on_real_clips(clip):
    if clip not in cached_tracks():
        pytest.skip(f"{clip} is not cached")
    check_every_rule(cached_tracks()[clip], clip)


def test_every_rule_sharing_the_frame_work_equals_each_alone_on_a_synthetic_clip_with_gaps():
    track = with_gaps(cp.glute_bridge_track(reps=3, arch=15.0))
    assert not all(f.has_person for f in track.frames())
    check_every_rule(track, "synthetic bridge")


def test_streams_stepped_side_by_side_share_one_gate_step_a_frame(monkeypatch):
    """Live-style lockstep: three rules' streams over one :class:`SharedFrames` give what each
    gives alone, and the quality gate is stepped once a frame, not once a rule."""
    track = with_gaps(cp.glute_bridge_track(reps=2))
    rules = [load_rule(r) for r in ("glute_bridge", "pelvic_tilt", "knee_rolls")]
    reference: dict[str, list] = {}
    for rule in rules:
        stream = MetricStream(rule)
        reference[rule.id] = [stream.step(frame) for frame in track.frames()]
    steps = []
    step = frame_prep.PoseQualityGate.step
    monkeypatch.setattr(frame_prep.PoseQualityGate, "step", lambda gate, *a: steps.append(1) or step(gate, *a))
    shared = SharedFrames()
    streams = {rule.id: MetricStream(rule, shared) for rule in rules}
    got: dict[str, list] = {rule.id: [] for rule in rules}
    for frame in track.frames():
        for rule_id, stream in streams.items():
            got[rule_id].append(stream.step(frame))
    for rule_id, frames in got.items():
        assert_same_frames(frames, reference[rule_id], rule_id)
    assert len(steps) == len(track)


def test_a_stream_fed_other_frames_than_the_shared_sequence_is_refused():
    track = cp.glute_bridge_track(reps=1)
    frames = list(track.frames())
    shared = SharedFrames()
    first = MetricStream(load_rule("glute_bridge"), shared)
    for frame in frames[:3]:
        first.step(frame)
    second = MetricStream(load_rule("pelvic_tilt"), shared)
    with pytest.raises(ValueError, match="not the shared sequence"):
        second.step(frames[1])
    late = MetricStream(load_rule("pelvic_tilt"), shared)
    late.step(frames[0])
    with pytest.raises(ValueError, match="feed every frame in order"):
        shared.at(5, frames[5])


def test_prepared_arrays_are_read_only():
    """Every stream reads the same arrays: none may change them."""
    prepared = SharedFrames().at(0, next(cp.glute_bridge_track(reps=1).frames()))
    assert prepared.xy is not None and prepared.vis is not None
    with pytest.raises(ValueError):
        prepared.xy[0, 0] = 0.0
    with pytest.raises(ValueError):
        prepared.vis[0] = 0.0


def test_replay_rules_of_one_rule_is_replay_track():
    track = cp.glute_bridge_track(reps=3)
    rule = load_rule("glute_bridge")
    [(_, result)] = replay_rules(track, [rule])
    assert_same_result(result, replay_track(track, rule), "glute_bridge")


def test_each_prepared_frame_knows_the_time_since_the_previous_frame_with_or_without_a_person():
    """``dt`` (the near side's smoothing step) runs from the previous frame, through frames with nobody."""
    track = with_gaps(cp.glute_bridge_track(reps=1))
    shared = SharedFrames()
    prepared = [shared.at(i, frame) for i, frame in enumerate(track.frames())]
    assert prepared[0].dt == 0.0
    np.testing.assert_array_equal([p.dt for p in prepared[1:]], np.diff(track.timestamps))
    assert [p.xy is None for p in prepared] == [not f.has_person for f in track.frames()]
