"""The pose stage's parts without the model: the pose rate, decoding ahead, choosing the person."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from catalogue_poses import glute_bridge_track

from formcheck.pose.people import PersonPicker
from formcheck.pose.sampling import PoseRate, body_speed
from formcheck.sources.prefetch import prefetch

SIZE = (640, 360)


def _pose(track, i: int) -> np.ndarray:
    return track.landmarks[i].copy()


def test_the_pose_is_held_between_model_runs_at_25_fps():
    track = glute_bridge_track(fps=25.0)
    rate, ran = PoseRate(max_gap_s=0.1), []
    for i, t in enumerate(track.timestamps):
        if rate.needs_model(float(t)):
            ran.append(i)
            rate.observe(float(t), _pose(track, i), SIZE)
    assert ran[:4] == [0, 1, 4, 7]  # a second pose at once to know the speed, then every 3rd frame (8.3 Hz)
    assert 0.3 < len(ran) / len(track) < 0.4


def test_every_frame_when_the_gap_is_zero():
    rate = PoseRate(max_gap_s=0.0)
    track = glute_bridge_track(fps=30.0)
    for i, t in enumerate(track.timestamps[:20]):
        assert rate.needs_model(float(t))
        rate.observe(float(t), _pose(track, i), SIZE)


def test_fast_movement_and_a_lost_person_run_the_model_on_every_frame():
    track = glute_bridge_track(fps=30.0)
    rate = PoseRate(max_gap_s=0.1)
    still = _pose(track, 0)
    rate.observe(0.0, still, SIZE)
    moved = still.copy()
    moved[:, 1] += 0.2  # the whole body jumps a fifth of the picture in 0.1 s: fast
    rate.observe(0.1, moved, SIZE)
    assert rate.needs_model(0.1333)
    rate.observe(0.1333, moved, SIZE)  # still again
    assert not rate.needs_model(0.1666)
    rate.observe(0.2, np.full_like(still, np.nan), SIZE)  # nobody found
    assert rate.needs_model(0.2333)


def test_body_speed_is_in_torso_lengths_per_second():
    track = glute_bridge_track(fps=30.0)
    before = _pose(track, 0)
    after = before.copy()
    scale = np.array(SIZE, dtype=float)
    torso = np.linalg.norm((before[[11, 12], :2].mean(0) - before[[23, 24], :2].mean(0)) * scale)
    after[:, 0] += torso / SIZE[0]  # every point moves one torso length to the right
    assert body_speed(before, after, 0.5, SIZE) == pytest.approx(2.0, rel=1e-3)
    assert body_speed(before, after, 0.0, SIZE) == float("inf")


def test_prefetch_keeps_order_and_raises_the_source_error():
    assert list(prefetch(range(100), depth=3)) == list(range(100))

    def broken():
        yield 1
        raise ValueError("bad frame")

    with pytest.raises(ValueError, match="bad frame"):
        list(prefetch(broken()))


def test_prefetch_stops_reading_when_the_consumer_stops():
    read = []

    def endless():
        i = 0
        while True:
            read.append(i)
            yield i
            i += 1

    ahead = prefetch(endless(), depth=2)
    assert next(ahead) == 0
    ahead.close()
    seen = len(read)
    assert seen <= 5 and not any(t.name == "formcheck-decode" for t in threading.enumerate())


def test_the_picker_follows_the_first_person_and_counts_distinct_people():
    track = glute_bridge_track(fps=30.0)
    person = (_pose(track, 0), np.zeros((33, 3), np.float32))
    other = (person[0] + np.array([0.5, 0.0, 0.0, 0.0], np.float32), person[1])
    twin = (person[0] + np.array([0.001, 0.0, 0.0, 0.0], np.float32), person[1])
    picker = PersonPicker()
    assert picker.pick([person, twin]) == (0, 1)  # the same person detected twice
    assert picker.pick([other, person]) == (1, 2)  # the one nearest the last choice
    assert picker.pick([]) == (None, 0)
