"""Form faults and dosage cues: a fault's ``category`` (``form`` by default, or ``dosage`` for a
hold, tempo or rep speed off the prescription) is validated, carried to every result, and
``formcheck eval`` counts only form faults against labels that list visible form faults."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import catalogue_poses as cp
import pytest
import yaml

from formcheck.analysis import analyze_track
from formcheck.errors import RuleFileError
from formcheck.evaluation.evaluate import ClipScore, format_report, score_clip, summary
from formcheck.evaluation.labels import ClipLabel
from formcheck.outputs.report import summary_text, to_json
from formcheck.results import FaultEvent, Rep, SessionResult
from formcheck.rules import list_rules, load_rule
from formcheck.rules.catalog import read_rule_file
from formcheck.rules.schema import CATEGORIES, TIME_MEASURES

RULES_DIR = Path(__file__).resolve().parents[1] / "pose_rules"
GOOD = RULES_DIR / "glute_bridge.yaml"
#: The dosage cues of the shipped rule files (hold length and tempo against the prescription).
DOSAGE = {("back_extension", "hold_short"), ("hip_flexor_stretch", "hold_too_short"), ("cat_cow", "too_fast")}


def edited(tmp_path: Path, edit, base: Path = GOOD) -> Path:
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# -- the rule-file field ------------------------------------------------------------------------
def test_category_defaults_to_form():
    rule = read_rule_file(GOOD)
    assert {f.category for f in rule.faults} == {"form"}
    assert FaultEvent("x", 0.0, 1.0, "cue", "info").category == "form"


def test_category_dosage_is_read(tmp_path):
    rule = read_rule_file(edited(tmp_path, lambda d: d["faults"][2].update(category="dosage")))
    assert [f.category for f in rule.faults] == ["form", "form", "dosage", "form"]
    assert rule.faults[2].code == "lowering_fast"


@pytest.mark.parametrize("value", ["timing", "Dosage", 3, True])
def test_a_wrong_category_names_file_field_and_the_allowed_values(tmp_path, value):
    path = edited(tmp_path, lambda d: d["faults"][0].update(category=value))
    with pytest.raises(RuleFileError) as err:
        read_rule_file(path)
    text = str(err.value)
    assert text.startswith(str(path))
    assert "faults[0] (hips_not_high).category:" in text
    for allowed in CATEGORIES:
        assert allowed in text
    assert "prescription" in text  # says in words what a dosage cue is
    assert "str" not in text.split("category:")[1]  # no programming words


def test_category_is_a_known_fault_field_not_a_typo(tmp_path):
    path = edited(tmp_path, lambda d: d["faults"][0].update(categroy="dosage"))
    with pytest.raises(RuleFileError, match=r"faults\[0\]\.categroy: unknown field.*category"):
        read_rule_file(path)


# -- the shipped rule files ---------------------------------------------------------------------
def test_the_shipped_dosage_cues():
    marked = {(r.id, f.code) for r in list_rules() for f in r.faults if f.category == "dosage"}
    assert marked == DOSAGE


@pytest.mark.parametrize("rule", list_rules(), ids=lambda r: r.id)
def test_every_dosage_cue_judges_time_and_every_short_hold_is_a_dosage_cue(rule):
    """A dosage cue judges a finished rep's timing (its length, its hold, its rise or fall time)
    against a threshold in seconds: never a body position or a frame's posture."""
    for f in rule.faults:
        if f.category == "dosage":
            assert f.check == "rep" and not f.when, f"{rule.id}.{f.code}: a dosage cue judges a finished rep"
            assert f.measure in TIME_MEASURES, f"{rule.id}.{f.code}: measures {f.measure}, not a time"
            if isinstance(f.ref, str):
                assert rule.thresholds[f.ref.removeprefix("-")].unit == "s", f"{rule.id}.{f.code}"
        if f.check == "rep" and f.measure == "hold_s" and f.op == "below":
            assert f.category == "dosage", f"{rule.id}.{f.code}: a hold shorter than asked is a dosage cue"


def test_every_dosage_cue_carries_a_comment_saying_why():
    for rule_id, code in DOSAGE:
        lines = (RULES_DIR / f"{rule_id}.yaml").read_text(encoding="utf-8").splitlines()
        start = lines.index(f"  - code: {code}")
        line = next(x for x in lines[start:] if x.strip().startswith("category:"))
        assert line.split("#", 1)[1].strip(), (rule_id, code)


# -- results ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule_id", "make", "code"), [
    ("cat_cow", lambda: cp.cat_cow_track(period_s=2.0), "too_fast"),
    ("hip_flexor_stretch", lambda: cp.hip_flexor_track(hold_s=8.0), "hold_too_short"),
])
def test_a_dosage_cue_is_reported_with_its_category(rule_id, make, code):
    rule = load_rule(rule_id)
    result = analyze_track(make(), rule)
    assert code in result.fault_counts("dosage")
    assert code not in result.fault_counts("form")
    assert result.fault_counts() == {**result.fault_counts("form"), **result.fault_counts("dosage")}
    doc = json.loads(to_json(result))
    assert {f["category"] for f in doc["faults"] if f["code"] == code} == {"dosage"}
    assert all(f["category"] == "form" for f in doc["faults"] if f["code"] != code)
    assert f"{code} x" in summary_text(result, rule) and "dosage]" in summary_text(result, rule)


# -- evaluation ---------------------------------------------------------------------------------
def a_result(*faults: FaultEvent) -> SessionResult:
    rep = Rep(1, 1.0, 2.0, 3.0, None, 10.0, 10.0, 1.0, 0.5, 0.5)
    return SessionResult("back_extension", "Back extension", "back_extension", 5.0, 10.0, 50, 0.5, [rep], [],
                         list(faults), [], {}, {}, {})


def a_label(name: str, faults: tuple = ()) -> ClipLabel:
    return ClipLabel(f"{name}.mp4", "back_extension", 1, 0, (2.0,), faults=faults)


HOLD = FaultEvent("hold_short", 1.0, 3.0, "Hold the top position longer", "info", 1, "dosage")
HIPS = FaultEvent("hips_lift", 1.5, 2.0, "Keep your hips grounded", "warning")


def test_eval_counts_only_form_faults_on_no_fault_clips_and_reports_dosage_cues_apart():
    scores = [
        score_clip(a_label("silent"), a_result()),
        score_clip(a_label("dosage_only"), a_result(HOLD)),
        score_clip(a_label("form_fault"), a_result(HIPS, HOLD)),
        score_clip(a_label("labelled", ({"kind": "hips_lift", "start_s": 1.0, "end_s": 3.0},)), a_result(HIPS)),
    ]
    dosage_only = scores[1]
    assert dosage_only.faults == ["hold_short"] and dosage_only.dosage_faults == ["hold_short"]
    assert dosage_only.form_faults == []
    assert scores[2].faults == ["hips_lift", "hold_short"] and scores[2].form_faults == ["hips_lift"]
    m = summary(scores)
    assert m["no_fault_clips"] == 3
    assert m["no_fault_clips_silent"] == 2  # the dosage cue does not count against the labels
    assert m["no_fault_clips_dosage_cues"] == 2
    text = format_report(scores)
    assert "no-fault clips silent:  66.7% (2/3)" in text
    assert "dosage cues on no-fault clips: 2 of 3 clips" in text
    row = next(line for line in text.splitlines() if line.startswith("form_fault.mp4"))
    assert row.endswith("hips_lift, [hold_short]")
    row = next(line for line in text.splitlines() if line.startswith("dosage_only.mp4"))
    assert row.endswith("[hold_short]")


def test_eval_of_a_clip_with_no_category_information_counts_every_fault():
    # A ClipScore built without dosage codes (older callers) counts every fault as a form fault.
    score = ClipScore(a_label("old"), counted=1, faults=["hips_lift"])
    assert score.form_faults == ["hips_lift"]
    assert summary([score])["no_fault_clips_silent"] == 0
    assert summary([replace(score, faults=[])])["no_fault_clips_silent"] == 1


def test_the_html_cue_table_marks_a_dosage_cue():
    from formcheck.outputs.html_report import _cue_table

    table = str(_cue_table(a_result(HIPS, HOLD), load_rule("back_extension")))
    assert "info (dosage)" in table and "warning (form)" not in table
