"""A second "person" that is a picture (a caption render, a poster) is neither counted nor followed.

Unit tests drive :class:`formcheck.pose.people.PersonPicker` with made-up detections at the 10 Hz
pose rate; the real tests run the pose stage on the shared clips: the caption render at the top
of knee_rolls_01 is never followed and never lasts long enough as a "second person" to warn,
while the two real people of two_people_pushups_01 stay two people.
"""

from __future__ import annotations

import numpy as np
import pytest
from app_support import SAMPLES, needs_samples

from formcheck.engine.setup import WARNING_DEBOUNCE_S
from formcheck.pose.landmarks import COUNT, INDEX
from formcheck.pose.people import STILL_WINDOW_S, PersonPicker

RATE_S = 0.1


def body(cx: float, cy: float, size: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """A detection: 33 landmarks spread over a box of ``size`` around (cx, cy), torso in the middle."""
    rng = np.random.default_rng(0)
    lm = np.zeros((COUNT, 4), np.float32)
    lm[:, 0] = cx + rng.uniform(-size / 2, size / 2, COUNT)
    lm[:, 1] = cy + rng.uniform(-size / 2, size / 2, COUNT)
    for name, (dx, dy) in {"left_shoulder": (-0.1, -0.2), "right_shoulder": (0.1, -0.2),
                           "left_hip": (-0.08, 0.2), "right_hip": (0.08, 0.2)}.items():  # fmt: skip
        lm[INDEX[name], :2] = cx + dx * size, cy + dy * size
    lm[:, 3] = 1.0
    return lm, np.zeros((COUNT, 3), np.float32)


def moving(t: float, x0: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """A person exercising: the body swings 0.15 image widths either way every 2 s."""
    return body(x0 + 0.15 * np.sin(np.pi * t), 0.65)


def run(picker: PersonPicker, frames: list[list[tuple[np.ndarray, np.ndarray]]]) -> list[tuple[int | None, int]]:
    return [picker.pick(poses, i * RATE_S) for i, poses in enumerate(frames)]


def test_a_still_picture_beside_a_moving_person_is_neither_counted_nor_followed():
    render = body(0.6, 0.15, 0.25)
    frames = [[render, moving(i * RATE_S)] for i in range(60)]
    picks = run(PersonPicker(), frames)
    settled = picks[int(STILL_WINDOW_S / RATE_S) + 2 :]
    assert all(chosen == 1 and persons == 1 for chosen, persons in settled)
    assert all(chosen == 1 for chosen, _ in picks)  # the larger, moving person from the start


def test_the_picture_alone_is_not_followed_once_known():
    picker = PersonPicker()
    render = body(0.6, 0.15, 0.25)
    run(picker, [[render, moving(i * RATE_S)] for i in range(30)])
    assert picker.pick([render], 3.0) == (None, 0)  # the person is missed: not the render instead
    assert picker.pick([render, moving(3.1)], 3.1) == (1, 1)


def test_a_person_holding_still_alone_is_followed():
    still = body(0.5, 0.5)
    picks = run(PersonPicker(), [[still] for _ in range(60)])
    assert all(p == (0, 1) for p in picks)


def test_a_still_person_and_a_poster_both_still_stay_two_people():
    # Stillness alone never makes a picture: with nobody moving, both are counted (and warned of).
    picks = run(PersonPicker(), [[body(0.3, 0.6), body(0.75, 0.3, 0.2)] for _ in range(40)])
    assert all(persons == 2 for _, persons in picks)


def test_two_people_moving_stay_two_people():
    frames = [[moving(i * RATE_S, 0.25), moving(i * RATE_S + 0.5, 0.7)] for i in range(60)]
    picks = run(PersonPicker(), frames)
    assert all(persons == 2 for _, persons in picks)
    assert len({chosen for chosen, _ in picks}) == 1  # one of them followed throughout


def test_a_detection_of_implausible_size_is_not_a_second_person():
    picker = PersonPicker()
    person, tiny = body(0.4, 0.6, 0.5), body(0.85, 0.1, 0.05)
    assert picker.pick([person], 0.0) == (0, 1)
    assert picker.pick([tiny, person], 0.1) == (1, 1)


def test_a_known_other_person_is_not_followed_when_the_followed_one_is_missed():
    picker = PersonPicker()
    run(picker, [[moving(i * RATE_S, 0.25), moving(i * RATE_S + 0.5, 0.7)] for i in range(5)])
    chosen, _ = picker.pick([moving(0.5, 0.25), moving(1.0, 0.7)], 0.5)
    other = moving(1.1, 0.7)
    assert picker.pick([other], 0.6) == (None, 1)  # counted, not followed in the person's place
    assert chosen == 0


def test_one_person_found_again_after_a_jump_is_still_followed():
    # A fast move can break the box overlap between two poses: the person found again overlaps
    # where they were, so they are not taken for a still newcomer (a picture) and dropped.
    picker = PersonPicker()
    run(picker, [[moving(i * RATE_S)] for i in range(20)])
    jumped = body(0.3 + 0.15 * np.sin(np.pi * 2.0) + 0.2, 0.65)
    assert all(picker.pick([jumped], 2.0 + i * RATE_S) == (0, 1) for i in range(10))


# -- the real clips -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tracks(clip_landmarks):
    from formcheck.analysis import PoseOptions, track_video

    return lambda name: track_video(SAMPLES / name, PoseOptions(variant="full"), cache_dir=clip_landmarks)


def _seconds(track, mask: np.ndarray) -> float:
    """The longest run of frames where ``mask`` holds, in seconds."""
    best, start = 0.0, None
    for t, m in zip(track.timestamps, mask, strict=True):
        start = (t if start is None else start) if m else None
        if start is not None:
            best = max(best, t - start)
    return best


@needs_samples
@pytest.mark.model
def test_knee_rolls_caption_render_is_not_followed_nor_a_lasting_second_person(tracks):
    track = tracks("knee_rolls_01.mp4")
    knees_y = track.landmarks[:, [INDEX["left_knee"], INDEX["right_knee"]], 1].mean(axis=1)
    render_time = track.timestamps < 4.6  # the render is in the top third until the cut
    assert not np.any(render_time & (knees_y < 1 / 3)), "the caption render was followed"
    assert _seconds(track, track.persons >= 2) < WARNING_DEBOUNCE_S  # no "two people" warning


@needs_samples
@pytest.mark.model
def test_two_real_people_are_still_two(tracks):
    track = tracks("two_people_pushups_01.mp4")
    assert (track.persons == 2).mean() > 0.7
