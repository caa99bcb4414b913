"""Coached sessions: planning a programme into sets, the hands-free runner over landmark tracks
(synthetic ones, and real clips' landmarks joined end to end with "nobody" gaps for rests),
the cue scheduler, CoachSession from camera frames, and the red-flag check."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from app_support import MODELS, REPO, SAMPLES, needs_samples
from catalogue_poses import glute_bridge_track, knee_to_chest_track, plank_track

from formcheck.coach import CoachEvent, CueScheduler, Priority, ProgrammeRunner, plan_sets
from formcheck.coach.live import CoachSession
from formcheck.coach.safety import RED_FLAGS, SEE_CLINICIAN, URGENT, advice, assess, urgent
from formcheck.coach.words import announce_text, seconds_left_text
from formcheck.errors import FormcheckError
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.programmes.schema import Programme, ProgrammeItem, ProgressionStep
from formcheck.rules import load_rule
from formcheck.rules.profiles import save_profile

#: Announcements last this long in the tests (in use: as long as they take to say).
ANNOUNCE_S = 3.0
#: A start-position lead-in long enough for the announcement, the set-up hold and the start hold.
LEAD_S = 6.0
WALL = 1_700_000_000.0
GREY = np.full((120, 160, 3), 128, np.uint8)


def programme(*items: ProgrammeItem) -> Programme:
    return Programme("test", "Test programme", "tests", tuple(items))


def bridge_item(**kw) -> ProgrammeItem:
    return ProgrammeItem(**{"exercise": "glute_bridge", "name": "Glute bridge", "sets": 1, "reps": 3, "rest_s": 20,
                            **kw})


def runner_for(*items: ProgrammeItem, **kw) -> ProgrammeRunner:
    return ProgrammeRunner(programme(*items), announce_s=ANNOUNCE_S, wall_clock=lambda: WALL, **kw)


def nobody(t: float = 0.0) -> PoseFrame:
    return PoseFrame(t, np.full((33, 4), np.nan, np.float32), np.full((33, 3), np.nan, np.float32), 0, (1280, 720))


class Feed:
    """Plays poses into a runner on one continuous clock (tracks joined end to end)."""

    def __init__(self, runner: ProgrammeRunner, fps: float = 25.0) -> None:
        self.runner, self.dt, self.t = runner, 1.0 / fps, 0.0
        self.events: list[CoachEvent] = []

    def poses(self, frames: Iterable[PoseFrame], rgb: np.ndarray | None = None) -> Feed:
        for frame in frames:
            self.events += self.runner.step(replace(frame, timestamp_s=self.t), rgb)
            self.t += self.dt
        return self

    def track(self, track: PoseTrack, lead_s: float = LEAD_S) -> Feed:
        """The track, after holding its first pose (the start position) for ``lead_s``."""
        return self.still(track.frame(0), lead_s).poses(track.frames())

    def still(self, frame: PoseFrame, seconds: float) -> Feed:
        return self.poses(frame for _ in range(round(seconds / self.dt)))

    def nobody(self, seconds: float) -> Feed:
        return self.still(nobody(), seconds)

    def ticks(self, seconds: float, step_s: float = 0.5) -> Feed:
        for _ in range(round(seconds / step_s)):
            self.t += step_s
            self.events += self.runner.tick(self.t)
        return self

    def control(self, name: str) -> list[CoachEvent]:
        events = getattr(self.runner, name)(self.t)
        self.events += events
        return events

    def of(self, kind: str) -> list[CoachEvent]:
        return [e for e in self.events if e.kind == kind]

    def said(self) -> list[str]:
        return [e.text for e in self.of("say")]


# -- plan ---------------------------------------------------------------------------------
def test_plan_alternates_sides_within_each_set_and_follows_the_progression():
    item = ProgrammeItem("knee_to_chest", "Knee to chest", sets=2, reps=3, hold_s=5.0, per_side=True, rest_s=15,
                         progression=(ProgressionStep(1, 2, reps=3), ProgressionStep(3, None, reps=6, hold_s=8.0)))
    plan = plan_sets(programme(bridge_item(), item), week=1)
    assert [(p.exercise, p.set_index, p.side) for p in plan] == [
        ("glute_bridge", 1, None), ("knee_to_chest", 1, "left"), ("knee_to_chest", 1, "right"),
        ("knee_to_chest", 2, "left"), ("knee_to_chest", 2, "right")]
    assert plan[1].target_reps == 3 and plan[1].target_hold_s == 5.0 and plan[1].counts_side == "left"
    assert plan[1].rule.thresholds["target_s"].value == 5.0  # the engine times the prescribed hold
    assert plan[1].rule.prescription["reps"] == 3  # the overlay's counter shows the dose
    later = plan_sets(programme(item), week=3)
    assert later[0].target_reps == 6 and later[0].target_hold_s == 8.0
    assert later[0].rule.thresholds["target_s"].value == 8.0
    assert plan[0].view == "side" and plan[0].setup and plan[0].instructions and plan[0].camera_checked


def test_every_shipped_programme_plans_for_its_weeks():
    from formcheck.programmes import list_programmes

    programmes, rules = list_programmes(), functools.cache(load_rule)
    assert programmes
    for shipped in programmes:
        for week in (1, 4, 12):
            plan = plan_sets(shipped, week, rules=rules)
            assert {p.item_index for p in plan} == set(range(len(shipped.items)))  # nothing dropped
            assert all(p.target_reps or p.target_hold_s or p.duration_s for p in plan)


def test_plan_times_exercises_without_camera_checks():
    plan = plan_sets(programme(
        ProgrammeItem("clamshell", "Clamshell", sets=2, reps=10, has_rule=False, per_side=True),
        ProgrammeItem("walk", "Walk", duration_s=300, has_rule=False),
        ProgrammeItem("cat_cow", "Cat-cow", duration_s=60)))
    assert [p.duration_s for p in plan] == [40.0, 40.0, 40.0, 40.0, 300.0, 60.0]
    assert plan[0].rule is None and not plan[0].camera_checked and plan[0].view is None
    assert plan[-1].rule is not None and plan[-1].target_reps is None  # checked, on the clock


def test_plan_errors_are_one_clear_line(tmp_path):
    with pytest.raises(FormcheckError, match="no saved threshold profile named 'Mrs S' for glute_bridge"):
        plan_sets(programme(bridge_item(profile="Mrs S")), profiles_folder=tmp_path)
    with pytest.raises(FormcheckError, match="week must be a whole number from 1"):
        plan_sets(programme(bridge_item()), week=0)
    with pytest.raises(FormcheckError, match="Plank: a hold of 900 s cannot be checked"):
        plan_sets(programme(ProgrammeItem("plank", "Plank", hold_s=900)))
    with pytest.raises(FormcheckError, match="Glute bridge: the glute bridge has no hold to time; prescribe reps"):
        plan_sets(programme(bridge_item(reps=None, hold_s=30)))
    with pytest.raises(FormcheckError, match="programme test: Toe taps: unknown exercise 'toe_taps'"):
        plan_sets(programme(ProgrammeItem("toe_taps", "Toe taps", reps=5)))


def test_plan_uses_a_saved_profile(tmp_path):
    rule = load_rule("glute_bridge")
    save_profile(rule, {"up_angle": 165.0}, "Mrs S", folder=tmp_path)
    plan = plan_sets(programme(bridge_item(profile="mrs s")), profiles_folder=tmp_path)
    assert plan[0].rule.thresholds["up_angle"].value == 165.0


def test_announcement_says_what_to_move_when_the_view_changes():
    """Every catalogue rule can be checked side-on; a physio's rule file for the camera in front
    only (here the seated rotation's, narrowed to its front view) needs the camera moved."""
    rotation = load_rule("seated_rotation")
    front_only = rotation.with_thresholds({}, views=["front"], view_limits={"front": rotation.view_limits["front"]})

    def rules(exercise: str):
        return front_only if exercise == "seated_rotation" else load_rule(exercise)

    plan = plan_sets(programme(bridge_item(), ProgrammeItem("seated_rotation", "Seated rotation", reps=5),
                               ProgrammeItem("pelvic_tilt", "Pelvic tilt", reps=5)), rules=rules)
    first, front, side = (announce_text(p, prev) for p, prev in zip(plan, [None, *plan[:-1]], strict=True))
    assert [p.view for p in plan] == ["side", "front", "side"]
    assert first.startswith("Glute bridge: 3 reps.") and plan[0].setup in first and "different" not in first
    assert "needs a different camera view" in front and plan[1].setup in front
    assert "needs a different camera view" in side


def test_the_camera_stays_put_for_an_exercise_that_supports_its_view():
    """Seated rotation and knee rolls prefer a camera in front but are checked side-on too: after
    side-on exercises the person is not asked to move the laptop mid-routine."""
    plan = plan_sets(programme(bridge_item(), ProgrammeItem("seated_rotation", "Seated rotation", reps=5),
                               ProgrammeItem("knee_rolls", "Knee rolls", reps=5)))
    assert [p.view for p in plan] == ["side", "side", "side"]
    rotation, rolls = announce_text(plan[1], plan[0]), announce_text(plan[2], plan[1])
    for words in (rotation, rolls):
        assert "Keep the camera where it is: this one is checked side-on too." in words
        assert "different camera view" not in words
    # a routine opening with an exercise that prefers the feet end starts in the view the most
    # exercises in a row support; one with only such exercises keeps their preferred view
    opening = plan_sets(programme(ProgrammeItem("knee_rolls", "Knee rolls", reps=5), bridge_item()))
    assert [p.view for p in opening] == ["side", "side"]
    assert "different camera view" not in announce_text(opening[1], opening[0])
    front = plan_sets(programme(ProgrammeItem("knee_rolls", "Knee rolls", reps=5),
                                ProgrammeItem("bent_knee_fall_out", "Fall-outs", reps=5)))
    assert [p.view for p in front] == ["front", "front"]


# -- the runner over synthetic tracks ------------------------------------------------------
def test_two_sets_with_a_timed_rest_then_done():
    runner = runner_for(bridge_item(sets=2, rest_s=20))
    feed = Feed(runner).track(glute_bridge_track(reps=3)).nobody(22).track(glute_bridge_track(reps=3)).nobody(2)
    assert [(r.set_index, r.reps, r.target_reps) for r in runner.records] == [(1, 3, 3), (2, 3, 3)]
    done = feed.of("set_done")
    assert [e.record for e in done] == runner.records
    rest = feed.of("rest")[0]
    assert rest.t == pytest.approx(done[0].t) and "Next: Glute bridge, set 2 of 2" in rest.text
    restarted = next(e for e in feed.of("say") if e.text.startswith("Set 2 of 2"))
    assert restarted.t - rest.t == pytest.approx(20.0, abs=0.05)  # the rest is timed on the poses' clock
    said = feed.said()
    assert said.index("1") < said.index("2 — last one") < said.index("Set done: 3 of 3 reps.")
    assert said.index(rest.text) < said.index("10 seconds. Next: Glute bridge, set 2 of 2.")
    assert runner.state().phase == "done" and feed.of("session_done")[0].text.startswith("Session done: 1 exercise")
    first = runner.records[0]
    assert first.started_at == pytest.approx(WALL + ANNOUNCE_S, abs=0.05)  # set-up came good while announcing
    assert first.ended_at == pytest.approx(WALL + done[0].t) and first.camera_checked and not first.pain_stop
    assert first.range_of_motion is not None and first.range_of_motion > 20


def test_sides_switch_and_only_the_sets_side_counts():
    item = ProgrammeItem("knee_to_chest", "Knee to chest", reps=2, per_side=True, rest_s=10)
    runner = runner_for(item)
    track = knee_to_chest_track(reps=4)  # right, left, right, left
    feed = Feed(runner, fps=track.fps).track(track).nobody(12).track(track).nobody(2)
    assert [(r.side, r.reps) for r in runner.records] == [("left", 2), ("right", 2)]
    said = feed.said()
    assert "That was the right side: now the left side" in said
    assert "Right side." in said and "Rest 10 seconds. Next: Knee to chest, right side." in said
    summary = feed.of("session_done")[0].text.splitlines()
    assert summary == ["Session done: 1 exercise, 2 sets, 4 of 4 reps.", "Knee to chest: 2 sets, 4 of 4 reps"]


def test_a_hold_ends_on_its_target_with_a_countdown():
    runner = runner_for(ProgrammeItem("plank", "Plank", hold_s=12.0, rest_s=0))
    track = plank_track(duration_s=20.0)
    feed = Feed(runner, fps=track.fps).track(track)
    (record,) = runner.records
    assert record.hold_s == pytest.approx(12.0, abs=0.2) and record.target_hold_s == 12.0 and record.reps == 0
    said = feed.said()
    assert said.index("5 seconds left") < said.index("Set done: 12 of 12 seconds.")
    assert runner.state().phase == "done"


def test_nothing_counts_in_the_wrong_start_position_and_the_set_times_out():
    """The knee-to-chest poses while the programme expects glute bridges: no rep counted."""
    runner = runner_for(bridge_item(), no_progress_s=10.0)
    track = knee_to_chest_track(reps=4)
    Feed(runner, fps=track.fps).track(track)
    (record,) = runner.records
    assert record.exercise == "glute_bridge" and record.reps == 0 and runner.state().phase == "done"


def test_timed_exercise_without_camera_runs_on_ticks():
    runner = runner_for(ProgrammeItem("clamshell", "Clamshell", sets=2, reps=5, has_rule=False, rest_s=5))
    feed = Feed(runner).ticks(ANNOUNCE_S + 10.0)
    assert runner.state().phase == "active" and runner.state().time_left_s == pytest.approx(10.0, abs=0.6)
    feed.ticks(10.0 + 5.0 + ANNOUNCE_S + 20.0 + 1.0)
    assert [(r.reps, r.camera_checked, r.fault_counts) for r in runner.records] == [(5, False, {}), (5, False, {})]
    assert feed.said().count("Start now: 20 seconds.") == 2 and "10 seconds left" in feed.said()
    assert runner.state().phase == "done"
    assert "done without camera checks" in feed.of("exercise_start")[0].text


def test_skip_ends_the_rest_or_the_exercise():
    runner = runner_for(bridge_item(sets=2, rest_s=30), ProgrammeItem("plank", "Plank", hold_s=10.0))
    feed = Feed(runner).track(glute_bridge_track(reps=3))
    assert runner.state().phase == "rest"
    feed.control("skip")
    assert runner.state().phase == "announce" and runner.state().current.set_index == 2
    feed.track(glute_bridge_track(reps=1))  # one rep of set 2, then skip the rest of the exercise
    assert runner.state().reps == 1
    feed.control("skip")
    assert [(r.set_index, r.reps) for r in runner.records] == [(1, 3), (2, 1)]  # the set under way is kept
    assert runner.state().current.exercise == "plank" and runner.state().phase == "announce"
    feed.nobody(3.0)
    assert feed.said()[-2:] == ["Skipping Glute bridge.", feed.of("exercise_start")[-1].text]


def test_repeat_redoes_the_set_and_pause_stops_the_clock():
    runner = runner_for(bridge_item(reps=2, rest_s=20))
    feed = Feed(runner).track(glute_bridge_track(reps=1))
    assert runner.state().reps == 1
    feed.control("repeat")  # the half-done set is dropped, not recorded
    assert runner.records == [] and runner.state().phase == "announce"
    feed.nobody(2.0)
    assert feed.said()[-1] == "Again: Glute bridge."
    feed.track(glute_bridge_track(reps=2))
    assert [r.reps for r in runner.records] == [2] and runner.state().phase == "done"

    runner = runner_for(bridge_item(sets=2, reps=1, rest_s=20))
    feed = Feed(runner).track(glute_bridge_track(reps=1)).nobody(5)
    left = runner.state().time_left_s
    feed.control("pause")
    feed.nobody(60)
    assert runner.state().paused and runner.state().time_left_s == pytest.approx(left, abs=0.05)
    assert runner.state().message.startswith("Paused")
    feed.control("resume")
    feed.nobody(left - 1.0)
    assert runner.state().phase == "rest"
    feed.nobody(1.5)
    assert runner.state().phase == "announce" and runner.state().current.set_index == 2
    runner = runner_for(bridge_item(sets=2, reps=1, rest_s=20))
    feed = Feed(runner).track(glute_bridge_track(reps=1))
    assert runner.state().phase == "rest" and runner.state().current.set_index == 2
    feed.control("repeat")  # in a rest: the set just done, again
    assert runner.state().phase == "announce" and runner.state().current.set_index == 1
    assert runner.state().message == "Again: Glute bridge, set 1 of 2."


def test_stop_for_pain_ends_the_session_and_is_recorded():
    runner = runner_for(bridge_item(reps=5), ProgrammeItem("plank", "Plank", hold_s=10.0))
    feed = Feed(runner).track(glute_bridge_track(reps=2))
    events = feed.control("stop_for_pain")
    (record,) = runner.records
    assert record.pain_stop and record.reps == 2 and record.exercise == "glute_bridge"
    assert [e.kind for e in events] == ["pain_stop", "say"] and events[0].record is record
    assert events[1].priority == Priority.SAFETY and "GP or physiotherapist" in events[1].text
    assert runner.state().phase == "stopped" and runner.finished
    assert feed.nobody(5).track(glute_bridge_track(reps=1)).events[-1] is events[-1]  # nothing more happens
    assert feed.control("skip") == [] and runner.records == [record]


def test_stop_for_pain_before_any_frame():
    runner = runner_for(bridge_item())
    events = runner.stop_for_pain(0.0)
    assert [r.pain_stop for r in runner.records] == [True] and runner.records[0].reps == 0
    assert events[-1].priority == Priority.SAFETY


def test_muted_says_nothing_but_shows_the_cue():
    runner = runner_for(bridge_item())
    runner.muted = True
    feed = Feed(runner).track(glute_bridge_track(reps=3))
    assert feed.of("say") == [] and [r.reps for r in runner.records] == [3]
    assert runner.state().cue and runner.state().muted


def test_state_reports_the_set_up_checklist_and_what_to_do():
    runner = runner_for(bridge_item())
    feed = Feed(runner).nobody(ANNOUNCE_S + 2.0)
    state = runner.state()
    assert state.phase == "setup" and state.index == 0 and state.total == 1
    items = {i.code: i for i in state.setup.items}
    assert not items["person"].ok and not items["start"].ok and state.message == items["person"].message
    assert any("whole body" in text for text in feed.said())
    feed.track(glute_bridge_track(reps=1), lead_s=LEAD_S - ANNOUNCE_S)
    state = runner.state()
    assert state.phase == "active" and all(i.ok for i in state.setup.items)
    assert state.message == "Glute bridge: 1 of 3 reps" and state.status.rep_count == 1


def test_too_dark_holds_the_set_up_and_is_said():
    runner = runner_for(bridge_item())
    track = glute_bridge_track(reps=3)
    dark = np.full((120, 160, 3), 12, np.uint8)
    feed = Feed(runner).poses((track.frame(0) for _ in range(250)), dark)
    state = runner.state()
    assert state.phase == "setup" and not {i.code: i for i in state.setup.items}["light"].ok
    assert any(w.code == "too_dark" for w in state.status.active_warnings)
    assert any(text.startswith("Too dark") for text in feed.said())
    feed.poses(track.frames(), GREY)
    assert [r.reps for r in runner.records] == [3]


# -- cue scheduler ------------------------------------------------------------------------
def test_cue_scheduler_rate_limit_and_priority():
    cues = CueScheduler(min_gap_s=2.0, repeat_gap_s=10.0)
    cues.push("3", Priority.COUNT, "count", t=0.0)
    cues.push("Lower with control", Priority.FAULT, "fault:drop", t=0.0)
    cues.push("Next: plank", Priority.INFO, t=0.0)
    assert cues.next_cue(0.0).text == "Lower with control"  # the fault beats the count
    assert cues.next_cue(1.0) is None  # one cue per min gap
    assert cues.next_cue(2.0).text == "3"
    assert cues.next_cue(4.0).text == "Next: plank"
    cues.push("Lower with control", Priority.FAULT, "fault:drop", t=5.0)
    assert cues.next_cue(6.0) is None  # the same advice within the repeat gap
    cues.push("Lower with control", Priority.FAULT, "fault:drop", t=11.0)
    assert cues.next_cue(11.0).text == "Lower with control"


def test_cue_scheduler_safety_preempts_and_stale_counts_are_dropped():
    cues = CueScheduler(min_gap_s=2.0)
    cues.push("Set-up is good", Priority.SETUP, t=0.0)
    assert cues.next_cue(0.0).text == "Set-up is good"
    cues.push("4", Priority.COUNT, t=0.5)
    cues.push("5 — last one", Priority.COUNT, t=1.0)  # a newer count replaces the waiting one
    assert [c.text for c in cues.waiting()] == ["5 — last one"]
    stop = "Stopping now"
    cues.push(stop, Priority.SAFETY, t=1.0)
    cue = cues.next_cue(1.0)  # within the gap, but safety does not wait
    assert cue.text == stop and cue.interrupts
    assert cues.next_cue(3.0).text == "5 — last one"
    cues.push("6", Priority.COUNT, t=4.0)
    assert cues.next_cue(4.5) is None and cues.next_cue(6.5) is None  # waited too long: stale
    cues.push("Pain: stop", Priority.SAFETY, t=7.0)
    assert cues.next_cue(1000.0).text == "Pain: stop"  # safety is never dropped


def test_cue_scheduler_mute_keeps_the_screen_text():
    cues = CueScheduler()
    cues.muted = True
    cues.push("Camera view: turn side-on", Priority.SETUP, "setup:wrong_view", t=0.0)
    assert cues.next_cue(0.0) is None and cues.latest.text == "Camera view: turn side-on"
    cues.muted = False
    assert cues.next_cue(0.5) is None  # advice from while muted is not said late
    cues.push("1", Priority.COUNT, t=1.0)
    assert cues.next_cue(1.0).text == "1"


# -- CoachSession: camera frames through the same runner ------------------------------------
class Replay:
    """A fake estimator: the given poses in order (then nobody), re-stamped with the frame's time."""

    def __init__(self, frames: list[PoseFrame]) -> None:
        self.frames, self.i = frames, 0

    def detect(self, rgb, t):
        frame = self.frames[self.i] if self.i < len(self.frames) else nobody()
        self.i += 1
        return replace(frame, timestamp_s=t)

    def close(self) -> None:
        pass


def timeline(*parts: tuple[PoseFrame, float] | PoseTrack, fps: float = 25.0) -> list[PoseFrame]:
    """Poses joined end to end: tracks, and (pose, seconds) stills."""
    out: list[PoseFrame] = []
    for part in parts:
        out += list(part.frames()) if isinstance(part, PoseTrack) else [part[0]] * round(part[1] * fps)
    return out


def test_coach_session_runs_the_same_runner_from_camera_frames():
    bridge = glute_bridge_track(reps=3)
    poses = timeline((bridge.frame(0), LEAD_S), bridge, (nobody(), 12.0), (bridge.frame(0), LEAD_S), bridge,
                     (nobody(), 2.0))
    item = bridge_item(sets=2, rest_s=10)
    direct = runner_for(item)
    for i, pose in enumerate(poses):
        direct.step(replace(pose, timestamp_s=i / 25))

    session = CoachSession(programme(item), estimator_factory=lambda: Replay(poses), announce_s=ANNOUNCE_S,
                           wall_clock=lambda: WALL)
    events = []
    for i in range(len(poses)):
        out = session.process(GREY, i / 25)
        assert out.shape == GREY.shape
        if not session.state().finished:
            assert session.wait_idle(5)
        events += session.events()
    assert session.state().phase == "done" and session.records == direct.records
    assert [r.reps for r in session.records] == [3, 3]
    assert [e.record for e in events if e.kind == "set_done"] == direct.records
    assert any(e.kind == "say" for e in events)
    session.close()


def test_coach_session_controls_and_pain_stop():
    bridge = glute_bridge_track(reps=1)
    session = CoachSession(programme(bridge_item()), estimator_factory=lambda: Replay(list(bridge.frames())),
                           announce_s=ANNOUNCE_S, wall_clock=lambda: WALL, draw=False)
    for i in range(10):
        session.process(GREY, i / 25)
        assert session.wait_idle(5)
    session.pause()
    assert session.state().paused
    session.resume()
    session.muted = True
    assert session.runner.muted
    record = session.stop_for_pain()
    assert record is not None and record.pain_stop and session.state().phase == "stopped"
    assert [e.kind for e in session.events()][-1] == "pain_stop"  # muted: the safety words are on screen only
    assert session.state().cue.startswith("Stopping now")


def test_coach_session_time_passes_without_frames():
    """A timed exercise with no camera frames: the page's ticks run the timer on the session clock."""
    now = [100.0]
    session = CoachSession(programme(ProgrammeItem("walk", "Walk on the spot", duration_s=20, has_rule=False)),
                           estimator_factory=lambda: Replay([]), announce_s=ANNOUNCE_S, wall_clock=lambda: WALL,
                           clock=lambda: now[0])
    for _ in range(30):
        session.tick()
        now[0] += 1.0
    (record,) = session.records
    assert session.state().phase == "done" and not record.camera_checked
    assert record.hold_s == pytest.approx(20.0, abs=1.0) and record.ended_at - record.started_at == pytest.approx(
        20.0, abs=1.0)
    assert [e.kind for e in session.events()].count("session_done") == 1


# -- safety check -------------------------------------------------------------------------
def test_red_flags_cover_the_guides_questions():
    assert [f.id for f in RED_FLAGS] == ["new_episode", "spreading", "bladder_bowel", "fever_weight", "fall_injury",
                                         "undiagnosed"]
    assert all(f.question.endswith("?") and f.advice for f in RED_FLAGS)


def test_assess_any_yes_means_see_a_clinician_first():
    no = {f.id: False for f in RED_FLAGS}
    clear = assess(no, clock=lambda: WALL)
    assert clear.passed and clear.answered_at == WALL and not urgent(clear)
    assert len(advice(clear)) == 1
    spreading = assess({**no, "spreading": True}, clock=lambda: WALL)
    assert not spreading.passed and advice(spreading)[-1] == SEE_CLINICIAN and not urgent(spreading)
    bladder = assess({**no, "spreading": True, "bladder_bowel": True}, clock=lambda: WALL)
    assert urgent(bladder) and advice(bladder)[0] == URGENT
    with pytest.raises(FormcheckError, match="not answered: fall_injury"):
        assess({k: v for k, v in no.items() if k != "fall_injury"})
    with pytest.raises(FormcheckError, match="no safety question 'fever'"):
        assess({**no, "fever": True})


# -- real clips' landmarks joined end to end -------------------------------------------------
LMCACHE = Path(os.environ.get("FORMCHECK_LANDMARK_CACHE", REPO.parent / "lmcache"))


@pytest.fixture(scope="session")
def clip_tracks(tmp_path_factory) -> dict[str, PoseTrack]:
    """Full-model landmark tracks of the clips the runner is driven with, from the landmark cache
    ``$FORMCHECK_LANDMARK_CACHE`` (default ``../lmcache``) when there is one; else the model runs
    once per test session."""
    from formcheck.analysis import track_video
    from formcheck.pose.estimator import PoseOptions

    os.environ.setdefault("FORMCHECK_MODEL_DIR", str(MODELS))
    cache = LMCACHE if LMCACHE.is_dir() else tmp_path_factory.mktemp("coach-landmarks")
    clips = ("bridge_01", "rock_back_01", "knee_to_chest_01")
    return {c: track_video(SAMPLES / f"{c}.mp4", PoseOptions(variant="full"), cache_dir=cache) for c in clips}


@needs_samples
@pytest.mark.model
def test_real_clips_exercises_advance_with_a_timed_rest(clip_tracks):
    bridge, rock = clip_tracks["bridge_01"], clip_tracks["rock_back_01"]
    runner = runner_for(bridge_item(reps=3, rest_s=20), ProgrammeItem("rock_back", "Rock back", reps=5, rest_s=0))
    feed = Feed(runner, fps=bridge.fps).track(bridge).nobody(22)
    assert [(r.exercise, r.reps) for r in runner.records] == [("glute_bridge", 3)]
    feed.track(rock).nobody(2)
    assert [(r.exercise, r.reps, r.target_reps) for r in runner.records] == [("glute_bridge", 3, 3),
                                                                           ("rock_back", 5, 5)]
    starts = feed.of("exercise_start")
    assert [e.text.split(":")[0] for e in starts] == ["Glute bridge", "Rock back"]
    assert starts[1].t - feed.of("rest")[0].t == pytest.approx(20.0, abs=0.05)
    assert runner.state().phase == "done" and "2 exercises, 2 sets, 8 of 8 reps" in feed.of("session_done")[0].text


@needs_samples
@pytest.mark.model
def test_real_clips_wrong_start_position_is_not_counted(clip_tracks):
    """The bridge clip while the programme expects rock backs: no reps; the same frames count as bridges."""
    bridge = clip_tracks["bridge_01"]
    runner = runner_for(ProgrammeItem("rock_back", "Rock back", reps=5, rest_s=5), bridge_item(reps=3),
                        no_progress_s=12.0)
    feed = Feed(runner, fps=bridge.fps).track(bridge).nobody(8)
    assert [(r.exercise, r.reps) for r in runner.records] == [("rock_back", 0)]
    assert not any(e.text.isdigit() or "last one" in e.text for e in feed.of("say"))  # no count was said
    feed.track(bridge)
    assert [(r.exercise, r.reps) for r in runner.records] == [("rock_back", 0), ("glute_bridge", 3)]


@needs_samples
@pytest.mark.model
def test_real_clips_sides_switch(clip_tracks):
    track = clip_tracks["knee_to_chest_01"]
    runner = runner_for(ProgrammeItem("knee_to_chest", "Knee to chest", reps=2, per_side=True, rest_s=10))
    Feed(runner, fps=track.fps).track(track).nobody(12).track(track).nobody(1)
    assert [(r.side, r.reps) for r in runner.records] == [("left", 2), ("right", 2)]
    assert runner.state().phase == "done"


@needs_samples
@pytest.mark.model
def test_real_clips_pain_stop_is_recorded(clip_tracks):
    bridge = clip_tracks["bridge_01"]
    runner = runner_for(bridge_item(sets=2, reps=3))
    feed = Feed(runner, fps=bridge.fps).still(bridge.frame(0), LEAD_S)
    frames = bridge.frames()
    while runner.state().reps < 1:
        feed.poses([next(frames)])
    feed.control("stop_for_pain")
    assert [(r.reps, r.pain_stop, r.set_index) for r in runner.records] == [(1, True, 1)]
    assert feed.of("pain_stop")[0].record is runner.records[0] and runner.state().phase == "stopped"



def test_seconds_left_is_said_in_whole_seconds_with_the_right_plural():
    assert [seconds_left_text(s) for s in (10, 5.0, 1.2, 0.4)] == [
        "10 seconds left", "5 seconds left", "1 second left", "0 seconds left"]
