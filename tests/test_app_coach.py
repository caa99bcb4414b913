"""The Safety check, History, Programme builder and Coach (programme choice and import) pages
under Streamlit's AppTest, each with its own history database (``FORMCHECK_DB``) and
programme folder in a temporary folder; and the coached session's history log.

The Coach page's running session needs a real server and camera: see test_browser_coach.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from app_support import BRIDGE, VARIANT, needs_samples
from streamlit.testing.v1 import AppTest

from formcheck.analysis import analyze_track
from formcheck.coach.safety import RED_FLAGS
from formcheck.coach.state import CoachEvent
from formcheck.history import HistoryStore, SetRecord
from formcheck.programmes import list_programmes, load_programme, parse_programme
from formcheck.rules import load_rule
from formcheck.ui.coach_log import SessionLog
from formcheck.ui.review_save import review_record
from formcheck.ui.safety import answer_key

TIMEOUT = 120
DAY = 86400.0


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty history database, programmes folder and profiles folder for this test."""
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "history.sqlite3"))
    monkeypatch.setenv("FORMCHECK_PROGRAMMES_DIR", str(tmp_path / "programmes"))
    monkeypatch.setenv("FORMCHECK_PROFILES_DIR", str(tmp_path / "profiles"))
    return tmp_path


def script(body: str) -> AppTest:
    return AppTest.from_string(f"import streamlit as st\n{body}", default_timeout=TIMEOUT)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def opened(page: str) -> AppTest:
    """A page (``formcheck.ui.<page>.render()``) after its first run, which raised nothing."""
    at = script(f"from formcheck.ui import {page}\n{page}.render()")
    at.run()
    no_exception(at)
    return at


def answer(at: AppTest, yes: set[str]) -> None:
    for flag in RED_FLAGS:
        at.radio(key=answer_key(flag.id)).set_value("Yes" if flag.id in yes else "No")
    at.button(key="safety_ok").click().run()
    no_exception(at)


# -- safety -----------------------------------------------------------------------------
def test_a_yes_blocks_the_session_until_a_new_check_passes(folders):
    gated = script("from formcheck.ui import safety\nif safety.gate('Coach'):\n    st.markdown('COACH PAGE')")
    gated.run()
    no_exception(gated)
    assert [t.value for t in gated.title] == ["Coach"]
    assert "not a diagnosis" in gated.warning[0].value  # the notice comes with the first check
    assert all(r.value is None for r in gated.radio) and len(gated.radio) == len(RED_FLAGS)
    assert not (folders / "history.sqlite3").exists()  # looking creates no database

    gated.button(key="safety_ok").click().run()  # nothing answered: one line, nothing saved
    assert [e.value for e in gated.error] == [f"Answer every question ({len(RED_FLAGS)} not answered yet): yes or no."]

    answer(gated, yes={"spreading"})
    assert "COACH PAGE" not in [m.value for m in gated.markdown]
    shown = " ".join(e.value for e in (*gated.error, *gated.warning))
    assert "see a GP or physiotherapist" in shown and "spreading into the legs" in shown
    last = HistoryStore.open().last_safety("me")
    assert last is not None and not last.passed and last.answers["spreading"]
    assert abs(last.answered_at - time.time()) < 60

    page = script("from formcheck.ui import safety\nsafety.render()")  # the page shows the advice, and retakes
    page.run()
    assert any("see a GP or physiotherapist" in w.value for w in page.warning)
    answer(page, yes=set())
    assert HistoryStore.open().last_safety("me").passed
    gated.run()
    assert "COACH PAGE" in [m.value for m in gated.markdown]


def test_bladder_or_bowel_change_gives_urgent_advice(folders):
    gated = script("from formcheck.ui import safety\nif safety.gate('Live coaching'):\n    st.markdown('LIVE')")
    gated.run()
    answer(gated, yes={"bladder_bowel"})
    assert any("urgent" in e.value and "111" in e.value for e in gated.error), [e.value for e in gated.error]
    assert "LIVE" not in [m.value for m in gated.markdown]


# -- history ----------------------------------------------------------------------------
def make_history(db: Path) -> list[int]:
    """Three programme sessions a week apart (the last one stopped for pain) and a reviewed video."""
    store = HistoryStore.open(db)
    ids, now = [], time.time()
    for k, days in enumerate((15, 8, 1)):
        t0 = now - days * DAY
        sid = store.start_session("me", "core_stability", "Core stability", source="programme", week=k + 1,
                                  started_at=t0)
        for i in range(2):
            store.record_set(sid, SetRecord("glute_bridge", None, i + 1, t0 + 60 * i, t0 + 60 * i + 40, reps=4 + k,
                                            target_reps=6, range_of_motion=30.0 + 5 * k,
                                            fault_counts={"hips_too_low": 1} if i else {}))
        store.end_session(sid, completed=k < 2)
        ids.append(sid)
    review = store.start_session("me", source="review", started_at=now - 3 * DAY, clip_name="clip.mp4")
    store.record_set(review, SetRecord("plank", None, 1, now - 3 * DAY, now - 3 * DAY + 30, reps=0, hold_s=25.0))
    store.end_session(review, completed=True)
    return [*ids, review]


def test_history_shows_sessions_plots_and_deletes(folders):
    ids = make_history(folders / "history.sqlite3")
    at = opened("history")
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sessions"] == "4" and metrics["Pain stops"] == "0"
    assert metrics["Adherence (reps)"] == f"{(4 + 5 + 6) * 2 / 36:.0%}"
    assert len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart")) >= 5  # weekly, per exercise
    sessions_table = next(d.value for d in at.dataframe if "adherence (reps)" in d.value.columns)
    assert list(sessions_table["session"]) == ids[::-1] or sorted(sessions_table["session"]) == sorted(ids)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Session report (HTML)", "All sets (CSV)", "Report of this period (HTML)"]

    at.selectbox(key="history_exercise").set_value("plank").run()  # a filter keeps that exercise's sessions
    assert {m.label: m.value for m in at.metric}["Sessions"] == "1"
    at.selectbox(key="history_exercise").set_value("").run()

    at.selectbox(key="history_session").set_value(ids[0]).run()
    at.button(key="history_delete").click().run()
    assert HistoryStore.open().session(ids[0]) is not None  # asked first
    at.button(key="history_delete_yes").click().run()
    no_exception(at)
    assert HistoryStore.open().session(ids[0]) is None
    assert f"Deleted session {ids[0]}." in [s.value for s in at.success]
    assert {m.label: m.value for m in at.metric}["Sessions"] == "3"

    assert at.button(key="history_delete_all").disabled  # not without the confirmation
    at.checkbox(key="history_delete_all_sure").check().run()
    at.button(key="history_delete_all").click().run()
    no_exception(at)
    assert HistoryStore.open().sessions() == []
    assert any("No sessions saved yet" in i.value for i in at.info)


def test_history_without_a_database_says_so_and_creates_nothing(folders):
    at = opened("history")
    assert any("No sessions saved yet" in i.value for i in at.info)
    assert not (folders / "history.sqlite3").exists()


# -- programme builder ------------------------------------------------------------------
def add(at: AppTest, exercise: str, **fields) -> None:
    at.selectbox(key="builder_exercise").set_value(exercise).run()
    for key, value in fields.items():
        widget = at.text_area(key=f"builder_{key}") if key in ("progression", "other_instructions") else (
            at.text_input(key=f"builder_{key}") if key == "other_name" else at.number_input(key=f"builder_{key}"))
        widget.set_value(value)
    at.button(key="builder_add").click().run()
    no_exception(at)


def test_builder_exports_a_programme_that_parses(folders):
    at = opened("programme_builder")
    at.text_input(key="builder_title").set_value("Mrs Smith back routine")
    at.text_input(key="builder_author").set_value("A. Physio")
    add(at, "glute_bridge", sets=2, reps=8, progression="1-2: 8 reps\n3+: 12 reps")
    add(at, "plank")  # a hold: the rule's own prescription (3 x 20 s)
    add(at, "__other__", other_name="Walking", other_instructions="Walk at an easy pace.", reps=0, duration=300)
    assert not at.error, [e.value for e in at.error]
    text = at.code[0].value
    programme = parse_programme(yaml.safe_load(text), "mrs_smith_back_routine.yaml")
    assert programme.title == "Mrs Smith back routine" and programme.author == "A. Physio"
    bridge, plank, walking = programme.items
    assert (bridge.exercise, bridge.sets, bridge.reps) == ("glute_bridge", 2, 8)
    assert bridge.dose_for_week(1) == (8, None) and bridge.dose_for_week(4) == (12, None)
    assert (plank.sets, plank.reps, plank.hold_s) == (3, None, 20.0)
    assert (walking.has_rule, walking.duration_s, walking.instructions) == (False, 300.0, "Walk at an easy pace.")

    at.button(key="builder_save").click().run()
    no_exception(at)
    saved = {p.id: p for p in list_programmes()}
    assert saved["mrs_smith_back_routine"].items == programme.items
    assert load_programme(folders / "programmes" / "mrs_smith_back_routine.yaml").title == programme.title


def test_builder_shows_each_problem_as_one_line(folders):
    at = opened("programme_builder")
    add(at, "glute_bridge", progression="weeks one: lots")
    assert len(at.error) == 1 and at.error[0].value.startswith("progression line 1 ('weeks one: lots'): write")
    assert not at.session_state["builder_items"]
    add(at, "glute_bridge", progression="3+: 10 reps\n1-2: 5 reps")  # steps out of order: the reader says so
    assert len(at.error) == 1 and "New exercise: progression[1].weeks" in at.error[0].value, [e.value for e in at.error]
    add(at, "glute_bridge", progression="")
    assert [e.value for e in at.error] == ["programme.yaml: title: must not be empty: the programme's name as text"]
    assert not at.get("download_button")


# -- coach: choosing and importing ------------------------------------------------------
def test_coach_imports_a_programme_file_with_clear_errors(folders):
    at = opened("coach")
    shipped = at.selectbox(key="coach_programme").options
    assert "NHS BackCare five" in shipped and len(shipped) >= 5
    bad = (b"title: X\nsource: y\nitems:\n  - {exercise: glute_brige, reps: 5}\n"
           b"  - {exercise: plank, sets: -1, hold_s: 5}\n")
    at.file_uploader(key="coach_import").upload("physio.yaml", bad, "application/x-yaml").run()
    errors = [e.value for e in at.error]
    assert len(errors) == 3, errors  # one line per problem (sets is missing too), each naming the file and field
    assert any("items[0].exercise: unknown exercise 'glute_brige'; nearest known: glute_bridge" in e for e in errors)
    assert any("items[1].sets: must be a whole number of sets from 1 to 10, got -1" in e for e in errors)
    at.file_uploader(key="coach_import").upload("notes.yaml", b"title: [unclosed", "application/x-yaml").run()
    assert [e.value for e in at.error][0].startswith("notes.yaml: not a programme file (not readable YAML")

    good = (b"title: Two steps\nsource: my physio\nitems:\n  - {exercise: glute_bridge, sets: 1, reps: 2, rest_s: 3}\n"
            b"  - {exercise: breathing, camera: false, instructions: Breathe., sets: 1, duration_s: 4, rest_s: 0}\n")
    at.file_uploader(key="coach_import").upload("two_steps.yaml", good, "application/x-yaml").run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="coach_programme").value == "two_steps"
    assert (folders / "programmes" / "two_steps.yaml").is_file()
    preview = at.dataframe[0].value
    assert list(preview["exercise"]) == ["Glute bridge", "Breathing"]
    assert list(preview["camera checks"]) == [True, False]
    assert not at.button(key="coach_start").disabled


# -- what is saved ----------------------------------------------------------------------
def test_session_log_saves_each_set_as_reported_and_ends_once(folders):
    store = HistoryStore.open()
    programme = load_programme("core_stability")
    log = SessionLog.start(store, "me", programme, week=2)
    now = time.time()
    first = SetRecord("bird_dog", "left", 1, now - 30, now - 1, reps=5, target_reps=5)
    log.take([CoachEvent("say", 1.0, "5 — last one"), CoachEvent("set_done", 2.0, "Set done.", record=first)])
    assert store.sets(log.session_id) == [first] and log.save_delays_s[0] < 60
    row = store.session(log.session_id)
    assert (row.programme_id, row.week, row.source, row.ended_at) == ("core_stability", 2, "programme", None)
    assert yaml.safe_load(store.programmes()[0].yaml)["title"] == "Core stability"
    hurt = SetRecord("bird_dog", "right", 1, now, now + 5, reps=1, target_reps=5, pain_stop=True)
    log.take([CoachEvent("pain_stop", 3.0, "Stopping now.", record=hurt)])
    log.pain("back", 6)
    log.end(completed=True)  # already ended: nothing changes
    row = store.session(log.session_id)
    assert row.ended_at is not None and not row.completed and row.pain_stop
    assert [(p.where, p.score) for p in store.pain_reports(log.session_id)] == [("back", 6)]
    assert len(store.sets(log.session_id)) == 2


def test_review_record_from_a_result():
    from catalogue_poses import glute_bridge_track

    rule = load_rule("glute_bridge")
    result = analyze_track(glute_bridge_track(), rule)
    record = review_record(result, rule.id, ended_at=1000.0)
    assert (record.exercise, record.reps, record.target_reps) == ("glute_bridge", result.rep_count, None)
    assert record.started_at == pytest.approx(1000.0 - result.duration_s)
    assert record.fault_counts == result.fault_counts()
    assert record.range_of_motion == pytest.approx(sum(r.range_of_motion for r in result.reps) / len(result.reps))


@needs_samples
@pytest.mark.model
def test_review_page_saves_the_clip_to_history(app_env, bridge_track, folders):
    at = AppTest.from_string("from formcheck.ui import review\nreview.render()", default_timeout=600)
    at.session_state["model_variant"] = VARIANT
    at.session_state["review_make_video"] = False
    at.run()
    at.selectbox(key="exercise").set_value("glute_bridge")
    at.selectbox(key="sample").set_value(BRIDGE.name)
    at.run()
    no_exception(at)
    assert "Report (HTML)" in [b.label for b in at.get("download_button")]
    at.button(key="review_save").click().run()
    no_exception(at)
    history = HistoryStore.open().history()
    assert len(history) == 1 and history[0].session.source == "review"
    assert history[0].session.clip_name == BRIDGE.name
    expected = analyze_track(bridge_track, load_rule("glute_bridge"))
    assert history[0].sets[0].reps == expected.rep_count
    assert at.button(key="review_save").disabled  # saved once
