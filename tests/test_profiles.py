"""Saved threshold profiles and the tuning helpers (no Streamlit, no model)."""

from __future__ import annotations

import pytest
import yaml

from formcheck.engine.tuning import rule_key, series_key, threshold_uses, tuned_rule
from formcheck.errors import FormcheckError, RuleFileError
from formcheck.rules import load_rule, profiles
from formcheck.rules.catalog import read_rule_file
from formcheck.rules.profiles import list_profiles, load_profile, profile_yaml, save_profile


@pytest.fixture
def rule():
    return load_rule("glute_bridge")


def test_save_list_load_round_trip(tmp_path, rule):
    path = save_profile(rule, {"up_angle": 168, "shrug": 0.1}, "Mrs Smith, week 2", folder=tmp_path)
    assert path == tmp_path / "glute_bridge--mrs-smith-week-2.yaml"
    loaded = read_rule_file(path)  # a valid rule file
    assert loaded.thresholds["up_angle"].value == 168 and loaded.thresholds["shrug"].value == 0.1
    assert loaded.thresholds["down_angle"].value == rule.thresholds["down_angle"].value
    meta = loaded.raw["profile"]
    assert meta["name"] == "Mrs Smith, week 2" and meta["based_on"] == "glute_bridge" and meta["saved_at"]
    assert (loaded.id, loaded.metrics, loaded.faults) == (rule.id, rule.metrics, rule.faults)
    assert load_profile(path).thresholds == loaded.thresholds
    assert profiles.profile_name(loaded) == "Mrs Smith, week 2" and profiles.profile_name(rule) is None

    [info] = list_profiles("glute_bridge", folder=tmp_path)
    assert (info.name, info.exercise, info.based_on, info.path) == ("Mrs Smith, week 2", "glute_bridge",
                                                                      "glute_bridge", path)
    assert list_profiles("plank", folder=tmp_path) == []

    # Saving again under the same name replaces it; a re-saved profile keeps its origin.
    again = save_profile(loaded, {"up_angle": 170}, "Mrs Smith, week 2", folder=tmp_path)
    assert again == path and len(list_profiles(folder=tmp_path)) == 1
    assert read_rule_file(path).thresholds["up_angle"].value == 170
    assert read_rule_file(path).raw["profile"]["based_on"] == "glute_bridge"


def test_invalid_values_are_refused_with_the_reason(tmp_path, rule):
    with pytest.raises(RuleFileError, match="outside the allowed range 130-178"):
        save_profile(rule, {"up_angle": 200}, "x", folder=tmp_path)
    with pytest.raises(RuleFileError, match="must be above the exit value"):
        save_profile(rule, {"up_angle": 135, "down_angle": 150}, "x", folder=tmp_path)
    with pytest.raises(RuleFileError, match="no such threshold"):
        save_profile(rule, {"nope": 1}, "x", folder=tmp_path)
    with pytest.raises(FormcheckError, match="name"):
        save_profile(rule, {}, "  ", folder=tmp_path)
    with pytest.raises(FormcheckError, match="letter or digit"):
        profiles.slug("---")
    assert list(tmp_path.iterdir()) == []


def test_listing_skips_files_that_are_not_profiles(tmp_path, rule):
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    (tmp_path / "plain.yaml").write_text(yaml.safe_dump(rule.raw))
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    save_profile(rule, {}, "ok", folder=tmp_path)
    assert [p.name for p in list_profiles(folder=tmp_path)] == ["ok"]
    with pytest.raises(RuleFileError, match="not a formcheck profile"):
        load_profile(tmp_path / "plain.yaml")
    with pytest.raises(RuleFileError, match="no such rule file"):
        load_profile(tmp_path / "missing.yaml")


def test_profiles_folder_from_environment(tmp_path, monkeypatch, rule):
    monkeypatch.setenv(profiles.PROFILES_ENV, str(tmp_path / "p"))
    assert profiles.profiles_dir() == tmp_path / "p"
    path = save_profile(rule, {}, "Default copy")
    assert path.parent == tmp_path / "p" and list_profiles()[0].path == path
    monkeypatch.delenv(profiles.PROFILES_ENV)
    assert profiles.profiles_dir().parts[-2:] == (".formcheck", "profiles")


def test_profile_yaml_is_the_saved_text(tmp_path, rule):
    text = profile_yaml(rule, {"up_angle": 165}, "A", saved_at="2026-01-01T00:00:00+00:00")
    assert text.startswith("# formcheck profile 'A'")
    data = yaml.safe_load(text)
    assert data["thresholds"]["up_angle"]["value"] == 165
    assert data["profile"] == {"name": "A", "based_on": "glute_bridge", "saved_at": "2026-01-01T00:00:00+00:00"}


def test_tuning_helpers(rule):
    uses = threshold_uses(rule)
    assert set(uses) == set(rule.thresholds)
    assert any("top" in u for u in uses["up_angle"])
    assert any("Lift your hips higher" in u for u in uses["target_angle"])
    assert any("Relax your shoulders" in u for u in uses["shrug"])  # referenced as "-shrug"
    assert all(uses.values()), {k: v for k, v in uses.items() if not v}
    tuned = tuned_rule(rule, {"up_angle": 170})
    assert tuned.thresholds["up_angle"].value == 170
    assert series_key(tuned) == series_key(rule) and rule_key(tuned) != rule_key(rule)
    with pytest.raises(RuleFileError, match="must be above the exit value"):
        tuned_rule(rule, {"up_angle": 135})
