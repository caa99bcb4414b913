"""A fault the camera view cannot judge is said once instead of flagged (``judged_if`` /
``not_judged`` in a rule file): a glute bridge arched past straight, filmed side-on and from
60 deg round; the bird dog's hip drop; the validator's messages; the cue and the reports."""

from __future__ import annotations

import copy

import catalogue_poses as poses
import pytest
from synthetic import animate

from formcheck.analysis import analyze_track
from formcheck.engine.machine import Engine, replay_track
from formcheck.engine.status import Event
from formcheck.errors import RuleFileError
from formcheck.outputs.cue_schedule import engine_cue
from formcheck.outputs.report import summary_text
from formcheck.rules import load_rule, parse_rule

BRIDGE = load_rule("glute_bridge")


def arched_bridges(yaw_deg: float, reps: int = 3):
    """Bridges pushed 0.12 m past the shoulder-knee line at the top, seen from ``yaw_deg``
    (0 = side-on)."""

    def pose(t: float) -> dict:
        lift = poses.cycle(t, 4.0, 0.0, 1.0, start_s=1.5, reps=reps, hold_frac=0.3)
        return poses.bridge_pose(lift, arch=0.12 * lift)

    return animate(pose, 1.5 + 4.0 * reps + 1.0, fps=25, yaw_deg=yaw_deg)


def test_side_on_the_arch_is_flagged_and_nothing_is_said_about_the_view():
    result = replay_track(arched_bridges(0.0), BRIDGE)
    assert result.rep_count == 3
    assert result.fault_counts() == {"back_arched": 3}
    assert result.not_judged == []


def test_from_sixty_degrees_round_the_arch_is_not_flagged_but_said_once():
    track = arched_bridges(60.0)
    events: list[Event] = []
    engine = Engine(BRIDGE)
    for frame in track.frames():
        events += engine.step(frame)
    result = engine.result(fps=track.fps, duration_s=track.duration_s)
    assert result.rep_count == 3
    assert "back_arched" not in result.fault_counts()
    said = [e for e in events if e.kind == "fault_not_judged"]
    assert len(said) == 1 and said[0].data == {"code": "back_arched"}
    (note,) = result.not_judged
    assert note.code == "back_arched" and "film side-on" in note.message
    # said once the top of the first rep has been seen for a second (it starts at ~2.5 s)
    assert 2.5 < note.at_s < result.reps[0].end_s
    assert result.to_dict()["not_judged"] == [{"code": "back_arched", "at_s": round(note.at_s, 3),
                                               "message": note.message}]


def test_review_and_live_say_the_same():
    track = arched_bridges(60.0)
    review = analyze_track(track, BRIDGE).to_dict()
    assert review["not_judged"] and review == replay_track(track, BRIDGE).to_dict()


def test_the_note_reaches_the_spoken_cues_and_the_reports():
    result = replay_track(arched_bridges(60.0), BRIDGE)
    event = Event("fault_not_judged", 3.0, result.not_judged[0].message, {"code": "back_arched"})
    text, _, key = engine_cue(event)
    assert text == result.not_judged[0].message and key == "not_judged:back_arched"
    summary = summary_text(result, BRIDGE)
    assert "Not judged from this camera angle:" in summary and "back_arched: From this angle" in summary


def test_off_angle_without_the_phase_the_fault_needs_says_nothing():
    """Seen from 60 deg while the hips stay down (the fault is judged only at the top): nothing is said."""
    result = replay_track(arched_bridges(60.0, reps=0), BRIDGE)
    assert result.not_judged == []


def _fault_data(**fields) -> dict:
    data = copy.deepcopy(BRIDGE.raw)
    fault = next(f for f in data["faults"] if f["code"] == "back_arched")
    for key, value in fields.items():
        if value is None:
            fault.pop(key, None)
        else:
            fault[key] = value
    return data


@pytest.mark.parametrize(("fields", "where", "words"), [
    ({"not_judged": None}, "faults[1] (back_arched)", "give both or neither"),
    ({"judged_if": None}, "faults[1] (back_arched)", "give both or neither"),
    ({"judged_if": [{"metric": "shoulder_spread", "from_baseline": True, "below": "side_on"}]},
     "faults[1] (back_arched).judged_if", "not with its resting baseline"),
    ({"not_judged": "  "}, "faults[1] (back_arched).not_judged", "must not be empty"),
    ({"judged_if": [{"metric": "no_such_metric", "below": "side_on"}]}, "judged_if", "no_such_metric"),
])  # fmt: skip
def test_the_validator_names_the_file_the_field_and_what_is_allowed(fields, where, words):
    with pytest.raises(RuleFileError) as err:
        parse_rule(_fault_data(**fields), "glute_bridge.yaml")
    message = str(err.value)
    assert "glute_bridge.yaml" in message and where in message and words in message


def test_a_rep_check_may_not_name_a_view():
    data = copy.deepcopy(BRIDGE.raw)
    fault = next(f for f in data["faults"] if f["code"] == "hips_not_high")
    fault.update(judged_if=[{"metric": "shoulder_spread", "below": "side_on"}], not_judged="x")
    with pytest.raises(RuleFileError, match="judged_if"):
        parse_rule(data, "glute_bridge.yaml")


def test_bird_dog_hip_drop_is_judged_only_side_on():
    rule = load_rule("bird_dog")
    (spec,) = [f for f in rule.faults if f.code == "hip_drops"]
    assert [c.metric for c in spec.judged_if] == ["shoulder_spread"]
    assert spec.when[-1] == spec.judged_if[0]  # never flagged off side-on
    assert "film side-on" in spec.not_judged


# -- formcheck eval ------------------------------------------------------------------------------
def test_eval_shows_what_was_not_judged_and_the_clips_told_their_pose_was_unreliable():
    from dataclasses import replace

    from formcheck.evaluation.evaluate import format_report, score_clip, summary
    from formcheck.evaluation.labels import ClipLabel
    from formcheck.results import SetupWarning

    side, angled = replay_track(arched_bridges(0.0), BRIDGE), replay_track(arched_bridges(60.0), BRIDGE)
    poor = replace(side, reps=[], warnings=[SetupWarning("unreliable_pose", 0.0, 14.0, "only 20% ...")])

    def label(name: str) -> ClipLabel:
        return ClipLabel(f"{name}.mp4", "glute_bridge", 3, 0, (3.5, 7.5, 11.5))

    scores = [score_clip(label("side"), side), score_clip(label("angled"), angled), score_clip(label("poor"), poor)]
    assert scores[1].not_judged == ["back_arched"] and scores[0].not_judged == []
    assert [s.unreliable for s in scores] == [False, False, True]
    m = summary(scores)
    assert m["with_reps_within_one"] == 2 and m["with_reps_reliable_within_one"] == 2 == m["with_reps_reliable"]
    text = format_report(scores)
    assert next(x for x in text.splitlines() if x.startswith("angled.mp4")).endswith("(back_arched?)")
    assert "within one 66.7% (2/3)" in text  # the headline figure still counts every clip
    assert "clips with a reliable pose: within one 100.0% (2/2)" in text and "unreliable on: poor.mp4" in text
    assert "could not judge (said once, shown as (code?) above): on 1 of 3 clips" in text
