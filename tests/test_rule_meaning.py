"""Rule meaning in one place: the walk over a rule's numbers, the metric-kind registry, the rule's
data as its one source, and the postures file."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from formcheck.engine.recognize import posture_features, posture_of_frame
from formcheck.engine.tuning import threshold_uses
from formcheck.errors import RuleFileError
from formcheck.metrics.measures import MEASURES, Points, measure
from formcheck.outputs.plots import threshold_lines
from formcheck.rules import list_rules, load_rule
from formcheck.rules.docs_gen import render_rule
from formcheck.rules.kinds import METRIC_KINDS
from formcheck.rules.postures import POSTURES_FILE, parse_postures, posture_table
from formcheck.rules.validate import parse_rule
from formcheck.rules.walk import references, threshold_places, used_thresholds


@pytest.fixture(scope="module")
def bridge():
    return load_rule("glute_bridge")


# -- the walk ----------------------------------------------------------------------------------
def test_walk_names_every_place_a_threshold_is_used(bridge):
    places = {(p.section, p.field, p.ref) for p in references(bridge)}
    assert ("rep", "enter", "up_angle") in places and ("rep", "exit", "down_angle") in places
    wheres = [p.where for p in threshold_places(bridge)["shrug"]]
    assert wheres and all(w.startswith("fault ") and w.endswith(" when") for w in wheres), wheres  # as "-shrug"
    assert used_thresholds(bridge) == set(bridge.thresholds)


def test_walk_gives_the_metric_a_number_is_a_value_of(bridge):
    for p in references(bridge):
        if p.condition is not None:
            assert p.metric == p.condition.metric
        elif p.field in ("enter", "exit", "return_by", "rest", "peak", "range", "fall_speed"):
            assert p.metric == bridge.rep.metric
        else:
            assert p.metric is None, p


def test_signature_thresholds_are_used_but_drive_no_counting():
    rule = load_rule("figure_four_stretch")
    [sig] = [p for p in references(rule) if p.section == "signature"]
    assert sig.ref in used_thresholds(rule) and sig.where == "recognition signature"
    assert "recognition signature" not in " ".join(sum(threshold_uses(rule).values(), []))


def test_tune_page_plots_and_docs_read_the_same_places(bridge):
    uses = threshold_uses(bridge)
    places = threshold_places(bridge)
    assert set(uses) == set(places) == set(bridge.thresholds)
    section = render_rule(bridge)
    for name, where in places.items():
        assert where, name
        row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` |"))
        assert row.rstrip(" |").endswith(where[-1].where), row
    labels = " ".join(line.label for line in threshold_lines(bridge, bridge.rep.metric))
    assert "enter: up_angle" in labels and "exit: down_angle" in labels


def test_an_unused_threshold_is_refused_by_name(bridge):
    data = dict(bridge.raw, thresholds={**bridge.raw["thresholds"], "spare": {
        "value": 1.0, "unit": "s", "range": [0.5, 2], "description": "Spare.", "why": "A spare number."}})
    with pytest.raises(RuleFileError, match="threshold 'spare' is not used"):
        parse_rule(data, "x.yaml", complete=True)
    assert "spare" not in used_thresholds(parse_rule(data, "x.yaml"))


# -- metric kinds ------------------------------------------------------------------------------
def test_every_metric_kind_has_one_computation():
    assert set(MEASURES) == set(METRIC_KINDS)


def test_kinds_compute_from_their_points():
    p = Points([np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([1.0, 0.0])], [], None, 2.0, 1.0, 0.1)
    assert measure("joint_angle", p) == pytest.approx(90.0)
    assert measure("distance", p) == pytest.approx(0.5)  # 1 unit over a scale of 2
    assert np.isnan(measure("speed", p))  # no earlier frame
    moved = Points(p.points[:1], [], [np.array([0.0, 0.0])], 2.0, 1.0, 0.5)
    assert measure("speed", moved) == pytest.approx(1.0)  # 1 unit / 2 / 0.5 s


def test_schema_kind_list_and_ranges_come_from_the_registry(bridge, tmp_path):
    data = yaml.safe_load(yaml.safe_dump(bridge.raw))
    data["metrics"]["hip_angle"]["kind"] = "wobble"
    with pytest.raises(RuleFileError, match=f"choose one of: {', '.join(METRIC_KINDS)}"):
        parse_rule(data, "x.yaml")


# -- one representation ------------------------------------------------------------------------
def test_a_tuned_rule_is_its_data_with_new_values_parsed_again(bridge):
    tuned = bridge.with_thresholds({"up_angle": 170})
    assert tuned.raw["thresholds"]["up_angle"]["value"] == 170.0
    assert bridge.raw["thresholds"]["up_angle"]["value"] == 160
    assert tuned == parse_rule(tuned.raw, bridge.source_file, complete=True)
    assert tuned.complete and tuned.with_thresholds({}) == tuned


# -- postures ----------------------------------------------------------------------------------
def test_posture_list_is_written_once(tmp_path):
    names = posture_table().names
    assert {r.posture for r in list_rules()} <= {*names, "any"}
    data = yaml.safe_load(POSTURES_FILE.read_text(encoding="utf-8"))
    data["postures"]["crouching"] = {"description": "crouching", "fits": {"crouching": 1.0}}
    assert "crouching" in parse_postures(data).names
    rule = yaml.safe_load((POSTURES_FILE.parents[1] / "plank.yaml").read_text(encoding="utf-8"))
    rule["posture"] = "crouching"
    with pytest.raises(RuleFileError, match=f"choose one of: {', '.join(names)}, any"):
        parse_rule(rule, "x.yaml")


def test_posture_file_declares_the_features_recognition_measures():
    from synthetic import body, make_track, pose_frame

    feats = posture_features(make_track([pose_frame(body(hip=(0.0, 0.5)))] * 2))
    assert set(feats) == set(posture_table().features)
    nobody = dict.fromkeys(feats, float("nan"))
    assert posture_of_frame(nobody) is None


@pytest.mark.parametrize(("edit", "field", "allowed"), [
    (lambda d: d["classify"][0]["when"][0].update(feature="elbow"), "classify[0].when[0].feature",
     "'elbow' is not allowed; choose one of: trunk"),
    (lambda d: d["classify"][2]["when"][0].update(above=400), "classify[2].when[0].above",
     "400 is outside the allowed range -90 to 90 deg"),
    (lambda d: d["classify"].pop(), "classify", "the last test must have no conditions"),
    (lambda d: d["postures"]["supine"]["fits"].update(floating=1.0), "postures.supine.fits.floating",
     "'floating' is not a posture"),
    (lambda d: d["classify"][0].update(posture="upside_down"), "classify[0].posture", "is not allowed"),
])
def test_a_broken_postures_file_names_the_field(edit, field, allowed):
    data = yaml.safe_load(POSTURES_FILE.read_text(encoding="utf-8"))
    edit(data)
    with pytest.raises(RuleFileError) as err:
        parse_postures(data, "postures.yaml")
    assert str(err.value).startswith(f"postures.yaml: {field}: ") and allowed in str(err.value), str(err.value)
