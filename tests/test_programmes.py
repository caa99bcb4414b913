"""Programmes as data: the shipped routines, the file checks, the round trip, the user folder and the CLI."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from formcheck.cli import main
from formcheck.errors import FormcheckError, RuleFileError
from formcheck.programmes import (
    PROGRAMMES_DIR,
    Programme,
    ProgrammeItem,
    ProgressionStep,
    dump_programme,
    estimate_minutes,
    is_programme_file,
    list_programmes,
    load_programme,
    parse_programme,
    save_programme,
    scan_programmes,
    unique_id,
    validate_programme_file,
)
from formcheck.programmes.estimate import SECONDS_PER_REP, SETUP_S
from formcheck.rules import RULES_DIR, load_rule

SHIPPED = ("clinic_four", "core_stability", "mobility_five", "nhs_backcare_five", "ten_exercise_guide")


@pytest.fixture(autouse=True)
def user_folder(tmp_path, monkeypatch):
    """An empty user programmes folder, so the person's own programmes never leak into a test."""
    folder = tmp_path / "user-programmes"
    monkeypatch.setenv("FORMCHECK_PROGRAMMES_DIR", str(folder))
    return folder


def minimal(**item) -> dict:
    """A valid one-item programme's data, with ``item`` fields replaced (None removes one)."""
    base = {"exercise": "glute_bridge", "sets": 1, "reps": 10, **item}
    return {"title": "Mine", "source": "my physio", "items": [{k: v for k, v in base.items() if v is not None}]}


def problems_of(tmp_path, data) -> list[str]:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return validate_programme_file(path)


# -- the shipped programmes ---------------------------------------------------------------------------


def test_every_shipped_programme_validates_and_names_catalogue_exercises():
    files = sorted(p.stem for p in PROGRAMMES_DIR.glob("*.yaml"))
    assert tuple(files) == SHIPPED
    for stem in files:
        assert validate_programme_file(PROGRAMMES_DIR / f"{stem}.yaml") == [], stem
        programme = load_programme(stem)
        assert programme.id == stem and programme.title and programme.source and programme.description
        for item in programme.items:
            assert item.has_rule, f"{stem}: {item.exercise} is checked by camera"
            assert load_rule(item.exercise).id == item.exercise
            assert (RULES_DIR / f"{item.exercise}.yaml").is_file()


def test_the_routines_are_the_guides():
    exercises = {p.id: [i.exercise for i in p.items] for p in list_programmes()}
    assert exercises["nhs_backcare_five"] == ["rock_back", "knee_rolls", "back_extension", "abdominal_hold",
                                              "pelvic_tilt"]
    assert sorted(exercises["core_stability"]) == ["bird_dog", "dead_bug", "glute_bridge", "plank"]
    assert sorted(exercises["mobility_five"]) == ["arm_openings", "bent_knee_fall_out", "glute_bridge", "knee_rolls",
                                                  "rock_back"]
    assert len(exercises["clinic_four"]) == 4 and {"glute_bridge", "seated_rotation"} <= set(exercises["clinic_four"])
    assert len(set(exercises["ten_exercise_guide"])) == 10
    nhs = load_programme("nhs_backcare_five")
    assert [i.name for i in nhs.items][0] == "Bottom-to-heels stretch" and nhs.source == "NHS BackCare routine"


def test_shipped_holds_fit_the_rules_hold_thresholds():
    """Every prescribed hold, in every week, is a value the rule's hold target may be tuned to."""
    for programme in list_programmes():
        for item in programme.items:
            rule = load_rule(item.exercise)
            if rule.hold is None or not isinstance(rule.hold.target_s, str):
                continue
            t = rule.thresholds[rule.hold.target_s]
            holds = {item.hold_s, *(s.hold_s for s in item.progression)} - {None}
            assert holds and all(t.low <= h <= t.high for h in holds), (programme.id, item.exercise, holds)


def test_core_stability_default_progression():
    items = {i.exercise: i for i in load_programme("core_stability").items}
    assert [items["dead_bug"].dose_for_week(w)[0] for w in (1, 2, 3, 4, 5, 30)] == [5, 5, 8, 8, 10, 10]
    assert items["bird_dog"].dose_for_week(4) == (8, 2.0)  # the step changes the reps, the hold stays
    plank = [items["plank"].dose_for_week(w) for w in range(1, 9)]
    assert all(reps is None for reps, _ in plank)
    holds = [h for _, h in plank]
    assert holds[0] == 20 and holds[-1] == 60 and holds == sorted(holds)


# -- malformed files: one clear line each ---------------------------------------------------------------

MALFORMED = [
    (minimal(exercise="glute_brige"), "items[0].exercise: unknown exercise 'glute_brige'; nearest known: glute_bridge"),
    (minimal(reps=-3), "items[0].reps: must be a whole number of reps from 1 to 100, got -3"),
    (minimal(reps="ten"), "items[0].reps: must be a whole number of reps from 1 to 100, got 'ten'"),
    (minimal(reps=2.5), "items[0].reps: must be a whole number of reps from 1 to 100, got 2.5"),
    (minimal(sets=None), "items[0].sets: is required: a whole number of sets from 1 to 10"),
    (minimal(sets=11), "items[0].sets: must be a whole number of sets from 1 to 10, got 11"),
    (minimal(rest_s=601), "items[0].rest_s: must be a number of seconds from 0 to 600, got 601"),
    (minimal(exercise="plank", reps=None, hold_s=301), "items[0].hold_s: must be a number of seconds from 1 to 300"),
    (minimal(exercise=None), "items[0].exercise: is required"),
    (minimal(repz=4), "items[0].repz: unknown field; allowed fields here:"),
    (minimal(reps=None), "items[0]: needs reps, hold_s or duration_s"),
    (minimal(exercise="plank"), "items[0]: Plank is a hold (formcheck times it and counts no reps): give hold_s"),
    (minimal(per_side="yes"), "items[0].per_side: must be true or false, got 'yes'"),
    (minimal(profile="--"), "items[0].profile: '--' must name a saved threshold profile"),
    (minimal(exercise="thread_the_needle", camera=False), "items[0].instructions: is required for an exercise done "
                                                          "without camera checks"),
    (minimal(progression=[{"weeks": "1-2", "reps": 5}, {"weeks": "2-3", "reps": 8}]),
     "items[0].progression[1].weeks: weeks 2-3 must start after week 2, where the step before ends"),
    (minimal(progression=[{"weeks": "3+", "reps": 5}, {"weeks": "5-6", "reps": 8}]),
     "items[0].progression[1].weeks: comes after weeks 3+, which has no end"),
    (minimal(progression=[{"weeks": "soon", "reps": 5}]),
     "items[0].progression[0].weeks: must be a week range like '1-2', [1, 2] or '5+'"),
    (minimal(progression=[{"weeks": "4-2", "reps": 5}]), "items[0].progression[0].weeks: week 2 comes before week 4"),
    (minimal(progression=[{"weeks": 60, "reps": 5}]), "items[0].progression[0].weeks: must be a week range"),
    (minimal(progression=[{"reps": 5}]), "items[0].progression[0].weeks: is required"),
    (minimal(progression=[{"weeks": "1-2", "hold_s": 5}]),
     "items[0].progression[0].hold_s: the item gives no hold_s, so its progression cannot change it"),
    (minimal(progression=[{"weeks": "1-2"}]), "items[0].progression[0]: needs reps or hold_s"),
    (minimal(progression=[{"weeks": "1-2", "reps": 0}]),
     "items[0].progression[0].reps: must be a whole number of reps from 1 to 100, got 0"),
    ({"source": "x", "items": minimal()["items"]}, "title: is required"),
    ({**minimal(), "weeks": 6}, "weeks: unknown field; allowed fields here: author, description, items, source, title"),
    ({**minimal(), "items": []}, "items: is empty"),
    ({**minimal(), "items": ["glute_bridge"]}, "items[0]: must be an exercise"),
]


@pytest.mark.parametrize(("data", "expected"), MALFORMED, ids=[m[1].split(":")[0] + "-" + str(i)
                                                                for i, m in enumerate(MALFORMED)])
def test_a_malformed_file_gives_one_clear_line(tmp_path, data, expected):
    problems = problems_of(tmp_path, data)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'mine.yaml'}: {expected}"), problems[0]


def test_every_problem_is_reported_at_once(tmp_path):
    data = {"title": "Mine", "source": "x", "items": [
        {"exercise": "glute_brige", "sets": 1, "reps": 10},
        {"exercise": "plank", "sets": 1, "hold_s": 20},
        {"exercise": "knee_rolls", "sets": 0, "reps": -3},
    ]}  # fmt: skip
    with pytest.raises(RuleFileError) as caught:
        parse_programme(data, "mine.yaml")
    lines = str(caught.value).splitlines()
    assert lines == [
        "mine.yaml: items[0].exercise: unknown exercise 'glute_brige'; nearest known: glute_bridge (an exercise "
        "formcheck has no rule for needs 'camera: false' and 'instructions')",
        "mine.yaml: items[2].sets: must be a whole number of sets from 1 to 10, got 0",
        "mine.yaml: items[2].reps: must be a whole number of reps from 1 to 100, got -3",
    ]
    assert caught.value.problems == tuple(lines)


def test_yaml_and_file_problems_are_one_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n")
    [line] = validate_programme_file(broken)
    assert line.startswith(f"{broken}: line 2, column 1: not valid YAML")
    assert validate_programme_file(tmp_path / "gone.yaml") == [f"{tmp_path / 'gone.yaml'}: no such programme file"]
    listed = tmp_path / "list.yaml"
    listed.write_text("- glute_bridge\n")
    assert validate_programme_file(listed) == [f"{listed}: must be a programme file: title, source and items, "
                                               "got [glute_bridge]"]


# -- items: exercises without a rule, weeks, profiles ----------------------------------------------------


def test_an_exercise_without_a_rule_is_declared_and_kept():
    data = minimal(exercise="thread_the_needle", camera=False, reps=None, duration_s=60,
                   instructions="On all fours, reach one arm under the other and back.")
    [item] = parse_programme(data, "mine.yaml").items
    assert (item.has_rule, item.name, item.duration_s) == (False, "Thread the needle", 60.0)
    [checked] = parse_programme(minimal(), "mine.yaml").items
    assert checked.has_rule and checked.name == "Glute bridge" and checked.rest_s == 30.0
    [by_choice] = parse_programme(minimal(camera=False, instructions="Lift and lower slowly."), "mine.yaml").items
    assert not by_choice.has_rule  # a catalogue exercise done without camera checks, on purpose


def test_week_forms():
    data = minimal(progression=[{"weeks": "1-2", "reps": 5}, {"weeks": 3, "reps": 6}, {"weeks": [4, 6], "reps": 8},
                                {"weeks": "9+", "reps": 12}])
    [item] = parse_programme(data, "mine.yaml").items
    assert item.progression == (ProgressionStep(1, 2, 5), ProgressionStep(3, 3, 6), ProgressionStep(4, 6, 8),
                                ProgressionStep(9, None, 12))
    # Weeks 7-8 fall between steps: the item's own dose.
    assert [item.dose_for_week(w)[0] for w in (1, 3, 5, 7, 8, 9, 40)] == [5, 6, 8, 10, 10, 12, 12]


def test_a_profile_is_checked_for_its_form_only():
    """A profile saved on the physio's computer need not exist here: it is resolved when the programme runs."""
    [item] = parse_programme(minimal(profile=" Mrs Smith, week 2 "), "mine.yaml").items
    assert item.profile == "Mrs Smith, week 2"


def test_programme_id_comes_from_the_file_name():
    assert parse_programme(minimal(), "/x/Mrs Smith (2).yaml").id == "mrs_smith_2"


# -- round trip, minutes ----------------------------------------------------------------------------------


def custom_programme() -> Programme:
    items = (
        ProgrammeItem("glute_bridge", "Bridge", sets=2, reps=8, rest_s=45.0, profile="Mrs Smith",
                      progression=(ProgressionStep(1, 2, 8), ProgressionStep(3, None, 12))),
        ProgrammeItem("plank", "Plank", sets=3, hold_s=22.5, progression=(ProgressionStep(2, 2, None, 30.0),)),
        ProgrammeItem("thread_the_needle", "Thread the needle", sets=1, reps=6, per_side=True, has_rule=False,
                      instructions="On all fours, reach one arm under the other."),
        ProgrammeItem("knee_rolls", "Knee rolls", reps=10, per_side=True, instructions="Keep both shoulders down."),
    )
    return Programme("mrs_smith", "Mrs Smith's week", "her physio", items, "Daily.", "A. Physio")


def test_dump_and_parse_round_trip():
    for programme in [*list_programmes(), custom_programme()]:
        text = dump_programme(programme)
        assert text.startswith(f"# formcheck programme {programme.id!r}")
        again = parse_programme(yaml.safe_load(text), f"{programme.id}.yaml")
        assert again == programme
        assert dump_programme(again) == text


def test_minutes_estimate():
    item = ProgrammeItem("glute_bridge", "Bridge", sets=2, reps=10, rest_s=30.0,
                         progression=(ProgressionStep(3, None, 20),))
    one = Programme("p", "P", "s", (item,))
    week1 = SETUP_S + 2 * 10 * SECONDS_PER_REP + 30
    week3 = SETUP_S + 2 * 20 * SECONDS_PER_REP + 30
    assert estimate_minutes(one) == math.ceil(week1 / 60) and estimate_minutes(one, week=3) == math.ceil(week3 / 60)
    timed = Programme("t", "T", "s", (ProgrammeItem("arm_openings", "Arms", duration_s=60.0, per_side=True,
                                                    rest_s=15.0),))
    assert estimate_minutes(timed) == math.ceil((SETUP_S + 120 + 15) / 60)


# -- the user's folder -----------------------------------------------------------------------------------


def test_save_list_and_load_a_user_programme(user_folder):
    programme = custom_programme()
    path = save_programme(programme)
    assert path == user_folder / "mrs_smith.yaml" and [p.name for p in user_folder.iterdir()] == ["mrs_smith.yaml"]
    listed = list_programmes()
    assert [p.id for p in listed] == [*SHIPPED, "mrs_smith"]
    assert listed[-1] == programme and listed[-1].extra["origin"] == "user"
    assert load_programme("mrs_smith") == programme and load_programme(str(path)) == programme
    # Saving again replaces the file, whole.
    changed = Programme("mrs_smith", "Mrs Smith's week 2", "her physio", programme.items)
    save_programme(changed)
    assert load_programme("mrs_smith").title == "Mrs Smith's week 2"
    assert sorted(p.name for p in user_folder.iterdir()) == ["mrs_smith.yaml"]


def test_a_user_programme_never_shadows_a_shipped_one(user_folder):
    nhs = load_programme("nhs_backcare_five")
    with pytest.raises(FormcheckError, match="shipped programme: save it under another name, e.g. 'nhs_backcare_fi"):
        save_programme(nhs)
    user_folder.mkdir()
    (user_folder / "nhs_backcare_five.yaml").write_text(dump_programme(nhs))
    catalogue = scan_programmes()
    assert [p.id for p in catalogue.programmes] == list(SHIPPED)
    assert catalogue.programmes[SHIPPED.index("nhs_backcare_five")].extra["origin"] == "shipped"
    [problem] = catalogue.problems
    assert "nhs_backcare_five.yaml: not listed: the id 'nhs_backcare_five' is taken by the shipped programme" in problem
    assert unique_id("nhs_backcare_five") == "nhs_backcare_five_2" and unique_id("mine") == "mine"


def test_a_broken_user_file_is_reported_not_dropped_silently(user_folder):
    user_folder.mkdir()
    (user_folder / "mine.yaml").write_text(yaml.safe_dump(minimal(reps=-3)))
    catalogue = scan_programmes()
    assert len(catalogue.programmes) == len(SHIPPED)
    assert catalogue.problems == (f"{user_folder / 'mine.yaml'}: items[0].reps: must be a whole number of reps "
                                  "from 1 to 100, got -3",)


def test_an_invalid_programme_is_not_saved(user_folder):
    bad = Programme("bad", "Bad", "x", (ProgrammeItem("glute_bridge", "Bridge", reps=500),))
    with pytest.raises(RuleFileError, match="items\\[0\\].reps: must be a whole number of reps from 1 to 100"):
        save_programme(bad)
    with pytest.raises(FormcheckError, match="lower-case letters"):
        save_programme(Programme("Bad Id", "x", "x", custom_programme().items))
    assert not user_folder.exists() or not list(user_folder.iterdir())


def test_unknown_programme_names_the_nearest():
    with pytest.raises(FormcheckError, match="unknown programme 'nhs_five'; nearest: nhs_backcare_five"):
        load_programme("nhs_five")


# -- the command line --------------------------------------------------------------------------------------


def test_cli_programmes_table_and_json(capsys, user_folder):
    save_programme(Programme("mine", "My routine", "my physio", (custom_programme().items[2],)))
    assert main(["programmes"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split()[:5] == ["id", "title", "source", "exercises", "minutes"]
    assert "without camera checks" in header
    for stem in SHIPPED:
        assert any(row.startswith(stem) for row in rows)
    mine = next(row for row in rows if row.startswith("mine "))
    assert "My routine" in mine and mine.rstrip().endswith("Thread the needle")

    assert main(["programmes", "--json", "--week", "5"]) == 0
    data = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert list(data) == [*SHIPPED, "mine"]
    nhs = data["nhs_backcare_five"]
    assert (nhs["exercises"], nhs["source"], nhs["without_camera_checks"]) == (5, "NHS BackCare routine", [])
    assert nhs["minutes"] == estimate_minutes(load_programme("nhs_backcare_five"), week=5)
    assert data["mine"]["without_camera_checks"] == ["Thread the needle"] and data["mine"]["origin"] == "user"


def test_cli_validate_a_bad_programme_exits_2_with_the_message(tmp_path, capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text(yaml.safe_dump(minimal(reps=-3)))
    good_rule = RULES_DIR / "glute_bridge.yaml"
    assert main(["validate", str(bad), str(good_rule)]) == 2
    out = capsys.readouterr().out
    assert f"ERROR {bad}: items[0].reps: must be a whole number of reps from 1 to 100, got -3" in out
    assert f"ok    {good_rule} (glute_bridge:" in out

    folder = tmp_path / "programmes"  # in a programmes folder, a file is read as a programme even without items
    folder.mkdir()
    (folder / "empty.yaml").write_text("title: x\nsource: y\n")
    assert main(["validate", str(folder / "empty.yaml")]) == 2
    assert f"ERROR {folder / 'empty.yaml'}: items: is required" in capsys.readouterr().out


def test_cli_validate_without_arguments_checks_rules_and_programmes(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    for stem in SHIPPED:
        assert f"ok    {PROGRAMMES_DIR / stem}.yaml (programme {stem}:" in out
    assert f"ok    {RULES_DIR / 'plank.yaml'} (plank:" in out


def test_is_programme_file(tmp_path):
    assert not is_programme_file(RULES_DIR / "plank.yaml")
    assert is_programme_file(PROGRAMMES_DIR / "core_stability.yaml")
    anywhere = tmp_path / "x.yaml"
    anywhere.write_text(yaml.safe_dump(minimal()))
    assert is_programme_file(anywhere)
    anywhere.write_text("id: [broken\n")
    assert not is_programme_file(anywhere)  # then read as a rule file, which says what is wrong
