"""Recognition's calibration and its leave-one-clip-out evaluation, on synthetic rule scores,
and the defining movements that decline look-alike exercises outside the catalogue."""

from __future__ import annotations

import math

import catalogue_poses as cp
import pytest
from synthetic import Limb, animate, cycle

from formcheck.engine.recognize import NOT_SURE, decide, posture_of_frame, recognize
from formcheck.evaluation.calibrate import Example, fit_calibration, leave_one_out, loco_summary
from formcheck.rules import list_rules
from formcheck.rules.postures import Calibration, posture_table


def _clip(label: str, best: float, runner_up: float, top: str | None = None) -> Example:
    return Example(label, ((top or label, best), ("other_rule", runner_up)))


def _catalogue(n: int = 10) -> list[Example]:
    return [_clip(f"ex{i}", 0.6 + 0.03 * i, 0.2) for i in range(n)]


def test_the_calibration_separates_named_from_declined():
    examples = _catalogue() + [_clip("other", 0.1 + 0.02 * i, 0.05, top="ex1") for i in range(6)]
    cal = fit_calibration(examples)
    assert cal.probability(0.8, 0.2) > 0.8 > 0.2 > cal.probability(0.12, 0.05)
    assert cal.score > 0 and cal.margin >= 0


def test_a_wrong_best_rule_counts_as_a_clip_to_decline():
    assert not _clip("ex1", 0.7, 0.1, top="ex2").top_is_right
    assert not _clip("other", 0.7, 0.1, top="ex2").top_is_right
    assert _clip("ex1", 0.7, 0.1).top_is_right


def test_leave_one_out_never_fits_on_the_clip_it_scores():
    # An outlier: a non-catalogue clip scoring as high as the catalogue ones. Fitted with it,
    # the calibration lowers its probability; left out, it cannot learn from it, so it is named.
    examples = _catalogue() + [_clip("other", 0.1, 0.05, top="ex1") for _ in range(5)]
    outlier = _clip("other", 0.75, 0.2, top="ex3")
    found = leave_one_out([*examples, outlier])
    with_itself = fit_calibration([*examples, outlier]).probability(0.75, 0.2)
    without = fit_calibration(examples).probability(0.75, 0.2)
    assert with_itself < without
    assert found[-1].exercise_id == "ex3" and found[-1].confidence == pytest.approx(without, abs=1e-3)


def test_loco_summary_counts_right_and_declined():
    examples = [_clip("a", 0.9, 0.1), _clip("other", 0.1, 0.0, top="a"), _clip("other", 0.9, 0.1, top="b")]
    found = [decide(list(e.ranking), Calibration(-3.0, 10.0, 0.0, "test")) for e in examples]
    assert [f.exercise_id for f in found] == ["a", None, "b"]
    assert loco_summary(examples, found) == {"checked": 3, "right": 2, "non_catalogue": 2,
                                             "non_catalogue_declined": 1}


def test_declining_says_not_sure():
    found = decide([("plank", 0.2), ("bird_dog", 0.19)], Calibration(-3.0, 10.0, 0.0, "test"))
    assert found.exercise_id is None and found.message == NOT_SURE
    assert decide([("plank", 0.9), ("bird_dog", 0.1)], Calibration(-3.0, 10.0, 0.0, "test")).message == "plank"


def test_the_postures_file_declares_movements_of_catalogue_exercises():
    ids = {r.id for r in list_rules()}
    table = posture_table()
    assert table.calibration is not None and set(table.movements) <= ids
    assert all(m.why and m.when for m in table.movements.values())


# -- look-alikes outside the catalogue --------------------------------------------------
def _reverse_crunch(reps: int = 5) -> object:
    """Supine, both knees drawn to the chest by the abdominals, hands flat on the floor."""
    def pose(t: float) -> dict:
        e = cycle(t, 3.0, 0.0, 1.0, start_s=1.0, reps=reps, hold_frac=0.1)
        leg = Limb(thigh=80 + 50 * e, shin=40 * e, upper_arm=0, forearm=0)
        return cp.supine(near=leg, far=leg)
    return animate(pose, 2.0 + 3.0 * reps, 10.0)


def _leg_lowers(reps: int = 5) -> object:
    """Supine, both straight legs lowered from vertical toward the floor and raised again."""
    def pose(t: float) -> dict:
        a = cycle(t, 4.0, 90.0, 15.0, start_s=1.0, reps=reps, hold_frac=0.1)
        leg = Limb(thigh=a, shin=a, upper_arm=0, forearm=0)
        return cp.supine(near=leg, far=leg)
    return animate(pose, 2.0 + 4.0 * reps, 10.0)


@pytest.mark.parametrize("make", [_reverse_crunch, _leg_lowers])
def test_look_alikes_outside_the_catalogue_are_declined(make):
    # Before the defining movements, a reverse crunch was a knee hug (0.80) and leg lowers a
    # glute bridge (0.96).
    found = recognize(make(), list_rules())
    assert found.exercise_id is None, found.ranking[:3]


def test_a_raised_trunk_with_the_toes_pointing_back_is_prone_not_seated():
    # A high cobra (trunk 55 deg, hips on the floor) was taken for sitting; the feet tell them
    # apart: lying face down the tops of the feet rest on the floor, sitting the toes point up.
    frame = {name: math.nan for name in posture_table().features}
    frame.update(trunk=55.0, hip_height=0.3, knee_height=0.1, ankle_height=0.25)
    assert posture_of_frame({**frame, "toes_up": -0.2}) == "prone"
    assert posture_of_frame({**frame, "toes_up": 0.3}) == "seated"
    assert posture_of_frame(frame) == "seated"  # feet not seen: as before


# -- a figure-four is not a knee hug ----------------------------------------------------
def test_a_crossed_shin_is_foreshortened_from_the_side_a_hugged_one_is_not():
    # Both are built in 3-D and projected side-on: the figure-four lays the crossed shin across
    # the other thigh (out of the body's front-to-back plane), the knee hug keeps both shins in it.
    from formcheck.engine.recognize import posture_features

    four, hug = cp.figure_four_track(reps=1, hold_s=10.0), cp.knee_to_chest_track(reps=2)
    four_held = posture_features(four)["shin_ratio"][(four.timestamps > 5.0) & (four.timestamps < 11.0)]
    hug_all = posture_features(hug)["shin_ratio"]
    threshold = next(c.ref for c in posture_table().movements["knee_to_chest"].when if c.metric == "shin_ratio")
    assert float(max(four_held)) < threshold < float(min(hug_all))


def test_a_figure_four_is_not_taken_for_a_knee_hug():
    found = recognize(cp.figure_four_track(reps=2, hold_s=10.0), list_rules())
    scores = dict(found.ranking)
    assert scores["figure_four_stretch"] > scores["knee_to_chest"], found.ranking[:3]
    assert found.exercise_id != "knee_to_chest"
    hug = recognize(cp.knee_to_chest_track(reps=4), list_rules())
    assert hug.exercise_id == "knee_to_chest", hug.ranking[:3]
