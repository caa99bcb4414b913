"""LiveSession (no Streamlit, no camera): non-blocking frames, set-up gating, the engine's
counts, events, statistics, darkness; LiveCues; quality checks."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
from app_support import BRIDGE, VARIANT, needs_samples

from formcheck.engine.machine import Engine
from formcheck.engine.status import Event
from formcheck.live import SETUP_HOLD_S, LiveCues, LiveSession
from formcheck.outputs.cue_schedule import CueScheduler
from formcheck.pose.estimator import PoseOptions
from formcheck.rules import load_rule
from formcheck.sources.lighting import is_too_dark, luminance_stats
from formcheck.sources.video import read_frames

GREY = np.full((120, 160, 3), 128, np.uint8)


class Replay:
    """A fake estimator: the track's poses in order, re-stamped with the frame's time."""

    def __init__(self, track, delay_s: float = 0.0) -> None:
        self.track, self.delay_s, self.i, self.seen = track, delay_s, 0, []

    def detect(self, rgb, t):
        time.sleep(self.delay_s)
        self.seen.append(t)
        frame = self.track.frame(min(self.i, len(self.track) - 1))
        self.i += 1
        return replace(frame, timestamp_s=t)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def rule():
    return load_rule("glute_bridge")


def run_clip(session: LiveSession, track) -> list[Event]:
    """Feed every frame of the track (grey pictures), waiting for each result."""
    events = []
    for t in track.timestamps:
        session.process(GREY, float(t))
        assert session.wait_idle(5)
        events += session.events()
    return events


@needs_samples
@pytest.mark.model
def test_counting_starts_after_good_setup_and_counts_like_the_engine(app_env, bridge_track, rule):
    replay = Replay(bridge_track)
    session = LiveSession(rule, estimator_factory=lambda: replay, draw=False)
    assert not session.setup().counting_enabled
    events = run_clip(session, bridge_track)
    kinds = [e.kind for e in events]
    assert kinds.count("setup_ok") == 1
    setup_t = next(e.t for e in events if e.kind == "setup_ok")
    assert setup_t >= SETUP_HOLD_S
    # The counting engine sees exactly the frames from the set-up-good frame on.
    first = int(np.searchsorted(bridge_track.timestamps, setup_t))
    engine = Engine(rule)
    for i in range(first, len(bridge_track)):
        engine.step(bridge_track.frame(i))
    expected = engine.result()
    result = session.summary()
    assert result.rep_count == expected.rep_count == kinds.count("rep")
    assert [r.end_s for r in result.reps] == pytest.approx([r.end_s for r in expected.reps])
    assert result.rep_count >= 2  # 3 reps in the clip; the first may happen while setting up
    assert session.status().rep_count == result.rep_count
    assert all(item.ok for item in session.setup().items)
    assert session.summary() is result  # idempotent
    stats = session.stats()
    assert stats.frames_processed == stats.frames_in == len(bridge_track)


@needs_samples
@pytest.mark.model
def test_process_never_waits_for_a_slow_model(app_env, bridge_track, rule):
    replay = Replay(bridge_track, delay_s=0.2)
    session = LiveSession(rule, estimator_factory=lambda: replay)
    times = []
    for i in range(40):
        started = time.perf_counter()
        out = session.process(GREY, i / 30)
        times.append(time.perf_counter() - started)
        assert out.shape == GREY.shape
        time.sleep(1 / 30)
    assert session.wait_idle(5)
    session.close()
    assert max(times[1:]) < 0.1  # a 200 ms model never holds up a frame
    stats = session.stats()
    assert stats.frames_in == 40 and stats.frames_processed < 20 and stats.frames_dropped > 20
    assert replay.seen[-1] == pytest.approx(39 / 30)  # the newest frame is the one processed
    assert stats.latency_ms_mean >= 200


def test_too_dark_blocks_counting_and_is_reported(rule):
    class Nobody:
        def detect(self, rgb, t):
            from formcheck.pose.estimator import _empty_frame
            return _empty_frame(t, (rgb.shape[1], rgb.shape[0]))

        def close(self):
            pass

    session = LiveSession(rule, estimator_factory=Nobody, draw=False)
    dark = np.full((120, 160, 3), 12, np.uint8)
    events = []
    for i in range(20):
        session.process(dark, i / 10)
        assert session.wait_idle(5)
        events += session.events()
    items = {item.code: item for item in session.setup().items}
    assert not items["light"].ok and "Too dark" in items["light"].message
    assert not items["person"].ok
    assert not session.setup().counting_enabled
    assert any(e.data.get("code") == "too_dark" for e in events)
    assert any(w.code == "too_dark" for w in session.status().active_warnings)


def test_stop_for_pain_is_recorded_even_before_counting(rule):
    session = LiveSession(rule, estimator_factory=lambda: None)
    result = session.stop_for_pain()
    assert result.stopped_for_pain and result.rep_count == 0
    assert any(e.kind == "stopped_for_pain" for e in session.events())


def test_model_failure_is_an_error_not_a_crash(rule):
    def broken():
        raise RuntimeError("no such model")

    session = LiveSession(rule, estimator_factory=broken)
    out = session.process(GREY, 0.0)
    assert out.shape == GREY.shape
    session.wait_idle(5)
    assert session.error is not None and "no such model" in str(session.error)


@needs_samples
@pytest.mark.model
def test_live_holder_makes_one_session_per_set(app_env, rule):
    """The page's glue: a session starts on the first frame once armed; finishing disarms at once,
    so a frame arriving while the set is being closed cannot start another set."""
    import av

    from formcheck.ui.live import LiveHolder

    holder = LiveHolder()
    frame = av.VideoFrame.from_ndarray(GREY, format="rgb24")
    assert holder.process_av(frame) is frame and holder.session is None  # not armed: passed through
    holder.arm(rule, PoseOptions(variant=VARIANT))
    out = holder.process_av(frame)
    assert out is not frame and out.to_ndarray(format="rgb24").shape == GREY.shape
    assert holder.session is not None
    holder.session.wait_idle(30)
    result = holder.finish(pain=True)
    assert result is not None and result.stopped_for_pain
    assert holder.process_av(frame) is frame and holder.session is None
    assert holder.finish() is None


@needs_samples
@pytest.mark.model
def test_real_model_through_live_session(app_env, rule):
    """The real PoseEstimator (VIDEO mode) in the worker finds the person in real frames."""
    session = LiveSession(rule, PoseOptions(variant=VARIANT))
    for i, (t, rgb) in enumerate(read_frames(BRIDGE, max_side=640)):
        session.process(rgb, t)
        session.wait_idle(30)
        if i == 30:
            break
    session.close()
    assert session.error is None
    assert session.stats().frames_processed == 31
    assert np.isfinite(session.status().values["hip_angle"])  # the person was found and measured
    assert session.setup().items[0].ok  # one person, whole body in the picture
    assert 0 < session.stats().model_ms_mean < 1000


# -- spoken cues ------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_live_cues_one_at_a_time_by_priority_on_the_pages_clock():
    """The live page says the engine's events through the coach's cue policy: the fault before the
    count, one cue per gap, the same fault not again soon, nothing for events not worth saying,
    and a count that waited too long is dropped."""
    clock = Clock()
    cues = LiveCues(CueScheduler(min_gap_s=3.0, repeat_gap_s=10.0), clock=clock)
    cues.offer([Event("rep", 1.0, "1", {"index": 1, "side": None}),
                Event("fault", 1.0, "Lower back down with control", {"severity": "warning", "code": "lowering_fast"})])
    assert cues.next_cue().text == "Lower back down with control"  # the fault outranks the count
    assert cues.next_cue() is None  # the gap
    clock.t = 1.0
    cues.offer([Event("rep", 2.0, "2", {"index": 2, "side": "left"})])
    assert cues.next_cue() is None
    clock.t = 2.5
    assert cues.next_cue() is None  # still within the gap after the fault
    clock.t = 3.0
    assert cues.next_cue().text == "2 (left)"  # the count, 2 s after it came: just in time
    clock.t = 6.5
    cues.offer([Event("fault", 6.5, "Lower back down with control", {"severity": "warning", "code": "lowering_fast"})])
    assert cues.next_cue() is None  # the same fault within the repeat gap
    clock.t = 20.0
    cues.offer([Event("hold_started", 20.0), Event("warning_cleared", 20.0), Event("fault_cleared", 20.0)])
    assert cues.next_cue() is None  # nothing worth saying
    cues.offer([Event("rep", 20.0, "5", {"index": 5})])
    clock.t = 23.0
    assert cues.next_cue() is None  # a count that waited longer than its 2 s: dropped
    cues.offer([Event("stopped_for_pain", 23.5, "Stopping: rest now")])
    clock.t = 23.5
    cue = cues.next_cue()
    assert cue.text == "Stopping: rest now" and cue.interrupts  # safety: at once, cutting off speech


# -- quality ----------------------------------------------------------------------------
def test_darkness_uses_mean_and_bright_parts():
    assert is_too_dark(*luminance_stats(np.full((90, 160, 3), 20, np.uint8)))
    assert not is_too_dark(*luminance_stats(GREY))
    studio = np.full((360, 640, 3), 5, np.uint8)  # black wall, a well-lit person (cf. sample plank_05)
    studio[150:250, 100:500] = 200
    mean, bright = luminance_stats(studio)
    assert mean < 45 and bright > 100 and not is_too_dark(mean, bright)
    assert luminance_stats(np.full((8, 8, 3), (255, 0, 0), np.uint8))[0] == pytest.approx(0.299 * 255, rel=1e-4)
    with pytest.raises(ValueError):
        luminance_stats(np.zeros((10, 10), np.uint8))


def test_checklist_view_line_says_when_the_skeleton_cannot_be_trusted(rule):
    """A person is found but the skeleton jumps about every frame (as from the feet, badly lit):
    the view line turns red with the camera advice within 3 s, and counting never starts."""
    from formcheck.live.checklist import SetupChecklist
    from formcheck.pose.track import PoseFrame

    rng = np.random.default_rng(1)
    checklist = SetupChecklist(rule)
    first_bad = None
    for i in range(60):
        t = i / 15
        lm = np.concatenate([rng.uniform(0.1, 0.9, (33, 2)), np.zeros((33, 1)), np.full((33, 1), 0.9)], axis=1)
        pose = PoseFrame(t, lm.astype(np.float32), rng.normal(0, 0.4, (33, 3)).astype(np.float32), 1, (640, 480))
        _, ready = checklist.step(pose, t)
        assert not ready
        view = {item.code: item for item in checklist.check.items}["view"]
        if "can't see you clearly" in view.message and first_bad is None:
            first_bad = t
        assert view.ok == (t < 1.0)  # judged once a second of frames is in
    assert first_bad is not None and first_bad <= 3.0
