"""Rule files validate, and a malformed one gets a message naming file, field and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from formcheck.errors import RuleFileError, UnknownExerciseError
from formcheck.rules import list_rules, load_rule
from formcheck.rules.catalog import read_rule_file

GOOD = Path(__file__).resolve().parents[1] / "pose_rules" / "glute_bridge.yaml"


def test_every_rule_file_validates():
    rules = list_rules()
    assert {"back_extension", "rock_back", "knee_rolls", "glute_bridge"} <= {r.id for r in rules}
    for rule in rules:
        for t in rule.thresholds.values():
            assert t.low <= t.value <= t.high and t.description


def broken(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(GOOD.read_text())
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
