"""Rule files validate, and a malformed one gets a message naming file, field and what is allowed."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from formcheck import cli
from formcheck.errors import RuleFileError, UnknownExerciseError
from formcheck.rules import list_rules, load_rule, profiles
from formcheck.rules.catalog import RULES_DIR, read_rule_file
from formcheck.rules.walk import used_thresholds

GOOD = Path(__file__).resolve().parents[1] / "pose_rules" / "glute_bridge.yaml"
PLANK = GOOD.with_name("plank.yaml")  # a condition-timed hold, a timing threshold
#: Programming words a physio should never read ("a list of ..." is plain English).
PYTHON_WORDS = re.compile(r"\b(dict|str|float|int|bool|tuple|NoneType|None)\b|\blist\b(?! of)")


def test_every_rule_file_validates():
    rules = list_rules()
    assert len(rules) == len(list(RULES_DIR.glob("*.yaml"))) == 20
    assert {"back_extension", "rock_back", "knee_rolls", "glute_bridge"} <= {r.id for r in rules}
    for rule in rules:
        assert set(rule.thresholds) <= used_thresholds(rule), rule.id
        for t in rule.thresholds.values():
            assert t.low <= t.value <= t.high and t.description and t.why.strip(), (rule.id, t.name)


def test_validate_command_says_ok_for_every_shipped_file(capsys):
    assert cli.main(["validate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith("ok ") for line in lines), lines
    assert sum("programme " not in line for line in lines) == 20  # the rule files
    assert sum("programme " in line for line in lines) == 5  # pose_rules/programmes/


def broken(tmp_path: Path, edit, base: Path = GOOD) -> Path:
    data = yaml.safe_load(base.read_text())
    edit(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["thresholds"]["up_angle"].update(value=200),
     "thresholds.up_angle.value: 200 is outside the allowed range 130-178 deg"),
    (lambda d: d["rep"].update(metric="hip_angel"), "rep.metric: 'hip_angel' is not a metric of this file"),
    (lambda d: d["metrics"]["hip_angle"].update(points=["shoulder", "hip", "kneee"]),
     "metrics.hip_angle.points[2]: 'kneee' is not a landmark name"),
    (lambda d: d.update(view="top"), "view: 'top' is not allowed; choose one of: side, front, any"),
    (lambda d: d["faults"][0].update(severity="loud"), "faults[0] (hips_not_high).severity: 'loud' is not allowed"),
    (lambda d: d["faults"][1]["when"][0].update(above="no_such"), "'no_such' is not a threshold of this file"),
    (lambda d: d.pop("setup"), "setup: is required"),
    (lambda d: d.update(colour="red"), "colour: unknown field"),
])
def test_malformed_rule_file_names_file_field_and_range(tmp_path, edit, expected):
    path = broken(tmp_path, edit)
    with pytest.raises(RuleFileError) as err:
        read_rule_file(path)
    assert str(err.value).startswith(str(path))
    assert expected in str(err.value)


def test_not_yaml_at_all(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(RuleFileError, match="not valid YAML"):
        read_rule_file(path)


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(UnknownExerciseError, match="known exercises: .*glute_bridge"):
        load_rule("moonwalk")


def test_threshold_override_is_range_checked():
    rule = load_rule("glute_bridge")
    with pytest.raises(RuleFileError, match="outside the allowed range"):
        rule.with_thresholds({"up_angle": 10})
    assert rule.with_thresholds({"up_angle": 170}).thresholds["up_angle"].value == 170
    assert rule.thresholds["up_angle"].value == 160


def _set(section: str, **values):
    """An edit setting fields of one top-level section (``rep``, ``hold``, ``prescription``)."""
    return lambda d: d[section].update(values)


def _set_fault(i: int, **values):
    return lambda d: d["faults"][i].update(values)


def _set_threshold(name: str, **values):
    return lambda d: d["thresholds"][name].update(values)


def _add_threshold(name: str, **values):
    fields = {"value": 1.0, "unit": "s", "range": [0.5, 2], "description": "Spare.", "why": "A spare number.", **values}
    return lambda d: d["thresholds"].update({name: fields})


#: error class -> (base file, edit, field named, what is allowed (in the message)).
CASES = {
    # prescription: every field's type and range
    "prescription text for a number": (GOOD, _set("prescription", reps="ten"),
                                       "prescription.reps", "must be a whole number of reps from 1 to 100, got 'ten'"),
    "prescription fraction of a rep": (GOOD, _set("prescription", reps=2.5),
                                       "prescription.reps", "must be a whole number of reps from 1 to 100"),
    "prescription sets out of range": (GOOD, _set("prescription", sets=0),
                                       "prescription.sets", "0 is outside the allowed range 1-10"),
    "prescription negative hold": (GOOD, _set("prescription", hold_s=-3),
                                   "prescription.hold_s", "-3 is outside the allowed range 1-600 s"),
    "prescription per_side yes/no": (GOOD, _set("prescription", per_side="both"),
                                     "prescription.per_side", "must be true or false, got 'both'"),
    "prescription empty note": (GOOD, _set("prescription", note=None),
                                "prescription.note", "must be text, got nothing"),
    # timing fields: unit and range
    "negative start hold": (GOOD, _set("rep", start_hold_s=-0.5),
                            "rep.start_hold_s", "-0.5 is outside the allowed range 0-10 s"),
    "negative debounce": (GOOD, _set_fault(1, debounce_s=-1),
                          "faults[1] (back_arched).debounce_s", "-1 is outside the allowed range 0-10 s"),
    "negative hold minimum": (PLANK, _set("hold", min_s=-1), "hold.min_s", "-1 is outside the allowed range 0-60 s"),
    "release too long": (PLANK, _set("hold", release_s=99), "hold.release_s", "99 is outside the allowed range 0-10 s"),
    "time given as words": (GOOD, _set_fault(1, debounce_s="half a second"), "faults[1] (back_arched).debounce_s",
                            "give a number of seconds from 0 to 10, or the name of a threshold in s"),
    "time from an angle threshold": (GOOD, _set_fault(1, debounce_s="up_angle"), "faults[1] (back_arched).debounce_s",
                                     "threshold 'up_angle' is in deg, but this field is a time: name a threshold in s"),
    "negated time threshold": (GOOD, _set("rep", min_rep_s="-min_rep_s"), "rep.min_rep_s",
                               "a time cannot be negative"),
    "time threshold range too wide": (PLANK, _set_threshold("debounce_s", range=[-1, 5]),
                                      "faults[0] (hips_sag).debounce_s",
                                      "may be tuned over -1 to 5 s, but this field allows 0-10 s"),
    # other numbers: each has a range
    "condition value beyond the metric": (GOOD, lambda d: d["faults"][1]["when"][0].update(above=400),
                                          "faults[1] (back_arched).when[0].above",
                                          "400 is outside the allowed range 0-360 deg"),
    "rep limit beyond the metric": (GOOD, _set("rep", enter=-5), "rep.enter",
                                    "-5 is outside the allowed range 0-360 deg"),
    "negative return": (GOOD, _set("rep", return_by=-5), "rep.return_by", "-5 is outside the allowed range 0-360 deg"),
    "smoothing cut-off of 0": (PLANK, lambda d: d["smoothing"].update(min_cutoff_hz=0), "smoothing.min_cutoff_hz",
                               "0 is outside the allowed range 0.01-10 Hz"),
    "visibility above 1": (GOOD, lambda d: d["metrics"]["hip_angle"].update(min_visibility=2),
                           "metrics.hip_angle.min_visibility", "2 is outside the allowed range 0-1"),
    "threshold step of 0": (GOOD, _set_threshold("up_angle", step=0), "thresholds.up_angle.step", "must be above 0"),
    # every threshold is used, and says why
    "unused threshold": (GOOD, _add_threshold("spare"), "thresholds.spare",
                         "threshold 'spare' is not used by any condition, rep, hold or fault: remove it or use it"),
    "threshold without why": (GOOD, lambda d: d["thresholds"]["shrug"].pop("why"), "thresholds.shrug.why",
                               "is required: the reason for the default"),
    "threshold with empty why": (GOOD, _set_threshold("shrug", why=" "), "thresholds.shrug.why", "is required"),
    # fields that do not apply to the check type
    "when on a rep check": (GOOD, _set_fault(0, when=[{"metric": "hip_angle", "above": "arch_angle"}]),
                            "faults[0] (hips_not_high).when", "applies only to faults with 'check: frame'"),
    "debounce on a rep check": (GOOD, _set_fault(0, debounce_s=0.3),
                                "faults[0] (hips_not_high).debounce_s", "applies only to faults with 'check: frame'"),
    "measure on a frame check": (GOOD, _set_fault(1, measure="peak"),
                                 "faults[1] (back_arched).measure", "applies only to faults with 'check: rep'"),
    "release_s on a top hold": (GOOD, lambda d: d.update(hold={"when": "top", "target_s": 5, "release_s": 1}),
                                "hold.release_s", "applies only to holds timed by conditions"),
    "positive_side on a one-sided rep": (GOOD, _set("rep", positive_side="left"), "rep.positive_side",
                                         "applies only to alternating reps"),
    # wrong types, in plain language
    "section given as a word": (GOOD, lambda d: d.update(metrics="hip"),
                                "metrics", "must be a section of named fields ('name: value' lines), got 'hip'"),
    "points given as one word": (GOOD, lambda d: d["metrics"]["hip_angle"].update(points="hip"),
                                 "metrics.hip_angle.points", "must be a list of landmark names"),
    "start given as a word": (GOOD, _set("rep", start="hip"),
                              "rep.start", "must be a list of conditions like '{metric: hip_angle, above: up_angle}'"),
    "condition given as a word": (GOOD, _set("rep", start=["hip"]), "rep.start[0]", "must be a condition like"),
    "frame check without conditions": (GOOD, _set_fault(1, when=None), "faults[1] (back_arched).when",
                                       "is required: a list of conditions"),
    "yes/no given as a word": (GOOD, _set("rep", alternating="sometimes"), "rep.alternating",
                               "must be true or false, got 'sometimes'"),
    "text given as a number": (GOOD, lambda d: d.update(name=3), "name", "must be the exercise's name as text, got 3"),
    "threshold value in words": (GOOD, _set_threshold("up_angle", value="high"), "thresholds.up_angle.value",
                                 "must be a number from 130 to 178 deg, got 'high'"),
    "faults given as a section": (GOOD, lambda d: d.update(faults={"a": 1}), "faults",
                                  "must be a list of faults"),
    "profile without a name": (GOOD, lambda d: d.update(profile={"name": " ", "based_on": "glute_bridge"}),
                               "profile.name", "must not be empty"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_error_names_file_field_and_what_is_allowed_in_plain_words(tmp_path, case):
    base, edit, field, allowed = CASES[case]
    path = broken(tmp_path, edit, base)
    with pytest.raises(RuleFileError) as err:
        read_rule_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}: {field}: "), message
    assert allowed in message, message
    assert not PYTHON_WORDS.search(message), message
    assert "\n" not in message


@pytest.mark.parametrize("case", ["prescription text for a number", "unused threshold", "when on a rep check"])
def test_saved_profiles_are_validated_with_the_same_messages(tmp_path, case):
    base, edit, field, allowed = CASES[case]
    rule = load_rule(base)
    path = profiles.save_profile(rule, {}, "Mrs Smith", folder=tmp_path)
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(RuleFileError) as err:
        profiles.load_profile(path)
    assert str(err.value).startswith(f"{path}: {field}: ") and allowed in str(err.value)
    with pytest.raises(RuleFileError, match=re.escape(f"{field}: ")):  # and a profile is never saved so
        profiles.profile_data(dataclasses.replace(rule, raw=data), {}, "Mrs Smith")


def test_messages_show_values_as_the_file_spells_them(tmp_path):
    path = broken(tmp_path, _set("rep", start={"metric": ["hip"], "above": 1}))
    with pytest.raises(RuleFileError) as err:
        read_rule_file(path)
    assert "got ['hip']" not in str(err.value) and "got [hip]" in str(err.value)
