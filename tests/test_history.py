"""The history database: created, migrated, crash-safe, shared by two writers, exported, deleted; progress tables."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.errors import FormcheckError
from formcheck.history import HistoryStore, PainReport, SafetyAnswers, SessionRow, SessionSets, SetRecord
from formcheck.history.db import default_path
from formcheck.history.export import from_csv, import_csv, to_csv
from formcheck.history.migrations import LATEST, MIGRATIONS, statements
from formcheck.history.progress import adherence, as_rows, exercise_progress, session_adherence, weekly

REPO = Path(__file__).resolve().parents[1]
DAY0 = datetime(2024, 3, 4, 9, 0).timestamp()  # a Monday, local time


def a_set(exercise: str = "knee_rolls", index: int = 0, reps: int = 10, **kw) -> SetRecord:
    start = kw.pop("started_at", DAY0 + 60 * index)
    return SetRecord(exercise=exercise, side=kw.pop("side", "left"), set_index=index, started_at=start,
                     ended_at=start + 45.5, reps=reps, **kw)


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore.open(tmp_path / "data" / "history.sqlite3")


def count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


# -- creating, opening, migrating --------------------------------------------------------------------
def test_created_from_nothing(tmp_path):
    path = tmp_path / "new" / "folder" / "history.sqlite3"
    store = HistoryStore.open(path)
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST == 2
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert {"people", "sessions", "sets", "set_faults", "set_view_problems", "pain_reports", "safety_checks",
            "programmes"} <= tables
    assert store.people() == ["me"] and store.sessions() == []
    assert path.stat().st_mode & 0o777 == 0o600
    HistoryStore.open(path)  # opening again changes nothing
    assert store.people() == ["me"]


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.delenv("FORMCHECK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "formcheck" / "history.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_path() == Path.home() / ".local" / "share" / "formcheck" / "history.sqlite3"
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "mine.db"))
    assert HistoryStore.open().path == tmp_path / "mine.db"


def v1_database(path: Path) -> None:
    """A database as the first version of formcheck's history wrote it, with one session in it."""
    con = sqlite3.connect(path, isolation_level=None)
    for sql in statements(MIGRATIONS[0]):
        con.execute(sql)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO sessions (person_id, programme_id, source, started_at) VALUES (1, 'nhs_five', 'live', ?)",
                (DAY0,))
    con.execute("INSERT INTO sets (session_id, exercise, side, set_index, started_at, ended_at, reps, pain_stop)"
                " VALUES (1, 'knee_rolls', 'left', 0, ?, ?, 7, 1)", (DAY0, DAY0 + 30))
    con.execute("INSERT INTO set_faults VALUES (1, 'too_fast', 2)")
    con.close()


def test_migrated_from_version_1(tmp_path):
    path = tmp_path / "old.sqlite3"
    v1_database(path)
    assert "pain_reports" not in {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    store = HistoryStore.open(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
    [session] = store.sessions()
    assert (session.programme_id, session.set_count, session.clip_name) == ("nhs_five", 1, None)
    assert session.pain_stop  # v2 marks the sessions whose sets stopped for pain
    [kept] = store.sets(session.id)
    assert (kept.reps, kept.fault_counts, kept.view_problems, kept.pain_stop) == (7, {"too_fast": 2}, [], True)
    store.record_pain(session.id, PainReport("lower back", 4, DAY0 + 40))
    assert store.pain_reports(session.id) == [PainReport("lower back", 4, DAY0 + 40)]


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    HistoryStore.open(path)
    sqlite3.connect(path).execute("PRAGMA user_version = 7").connection.close()
    with pytest.raises(FormcheckError, match=r"newer formcheck \(schema version 7, this one reads up to 2\)"):
        HistoryStore.open(path)


def test_not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not SQLite " * 100)
    with pytest.raises(FormcheckError, match="cannot use .*notes.txt as the history database"):
        HistoryStore.open(path)


# -- writing and reading -----------------------------------------------------------------------------
def test_sets_read_back_as_written(store):
    sid = store.start_session("ana", "nhs_five", "NHS five", source="programme", week=3, started_at=DAY0)
    first = a_set(fault_counts={"too_fast": 2, "hips_lift": 1}, view_problems=["wrong_view", "out_of_frame"],
                  range_of_motion=42.25, target_reps=10)
    second = a_set("plank", 1, reps=0, side=None, hold_s=27.5, target_hold_s=30.0, camera_checked=False)
    assert store.record_set(sid, first) < store.record_set(sid, second)
    assert store.sets(sid) == [first, second]
    store.end_session(sid, completed=True, ended_at=DAY0 + 600)
    row = store.session(sid)
    assert (row.person, row.programme, row.source, row.week, row.ended_at, row.completed, row.pain_stop,
            row.set_count) == ("ana", "NHS five", "programme", 3, DAY0 + 600, True, False, 2)
    assert store.people() == ["me", "ana"] and store.session(sid + 1) is None


def test_a_reviewed_video_keeps_its_clip_name_not_the_video(store):
    sid = store.start_session(source="review", clip_name="bridge_01.mp4", clip_fingerprint="0123456789abcdef")
    row = store.session(sid)
    assert (row.source, row.clip_name, row.clip_fingerprint) == ("review", "bridge_01.mp4", "0123456789abcdef")


def test_bad_writes_are_one_clear_line_and_change_nothing(store):
    with pytest.raises(FormcheckError, match="no session 99 in the history database"):
        store.record_set(99, a_set())
    with pytest.raises(FormcheckError, match="source must be one of live, programme, review"):
        store.start_session(source="camera")
    sid = store.start_session()
    with pytest.raises(FormcheckError, match="pain score must be a whole number from 0 .* to 10 .* got 11"):
        store.end_session(sid, completed=False, pain=PainReport("knee", 11, DAY0))
    row = store.session(sid)
    assert (row.ended_at, row.pain_stop, store.pain_reports(sid)) == (None, False, [])  # rolled back


def test_pain_stop_is_recorded(store):
    sid = store.start_session(started_at=DAY0)
    store.record_set(sid, a_set(pain_stop=True, reps=3))
    store.end_session(sid, completed=False, pain=PainReport("left buttock", 6, DAY0 + 100), ended_at=DAY0 + 90)
    row = store.session(sid)
    assert (row.pain_stop, row.completed) == (True, False)
    assert store.pain_reports(sid) == [PainReport("left buttock", 6, DAY0 + 100)]


def test_safety_answers_kept_with_their_date(store):
    assert store.last_safety("me") is None
    store.record_safety("me", SafetyAnswers({"fever": False, "numbness": True}, DAY0))
    store.record_safety("me", SafetyAnswers({"fever": False, "numbness": False}, DAY0 + 86400))
    store.record_safety("bo", SafetyAnswers({"fever": True}, DAY0 + 2 * 86400))
    latest = store.last_safety("me")
    assert (latest.answers, latest.answered_at, latest.passed) == ({"fever": False, "numbness": False}, DAY0 + 86400,
                                                                    True)
    assert store.last_safety("bo").passed is False


def test_programmes_saved_and_replaced(store):
    store.save_programme("nhs_five", "title: NHS five\n", saved_at=DAY0)
    store.save_programme("nhs_five", "title: NHS five v2\n", saved_at=DAY0 + 1)
    store.save_programme("from_physio", "title: Mine\n", saved_at=DAY0 + 2)
    assert [(p.id, p.yaml, p.saved_at) for p in store.programmes()] == [
        ("from_physio", "title: Mine\n", DAY0 + 2), ("nhs_five", "title: NHS five v2\n", DAY0 + 1)]


def test_session_filters(store):
    days = [store.start_session("me" if i % 2 else "bo", started_at=DAY0 + i * 86400) for i in range(5)]
    store.record_set(days[2], a_set("plank", side=None))
    assert [s.id for s in store.sessions(person="me")] == [days[1], days[3]]
    assert [s.id for s in store.sessions(since=date(2024, 3, 5), until=date(2024, 3, 7))] == days[1:4]
    assert [s.id for s in store.sessions(since=DAY0 + 3 * 86400)] == days[3:]
    assert [s.id for s in store.sessions(exercise="plank")] == [days[2]]
    assert store.sessions(person="nobody") == []
    [only] = store.history(exercise="plank")
    assert [s.exercise for s in only.sets] == ["plank"]


# -- crashes and concurrency -------------------------------------------------------------------------
KILLED_WRITER = """
import sys, time
from formcheck.history import HistoryStore, SetRecord
from formcheck.history import store as store_module

store = HistoryStore.open(sys.argv[1])
sid = store.start_session()
for i in range(3):
    if i == 2:  # the third set: stop after its rows are inserted, before the commit
        insert = store_module.insert_set
        def stalled(con, session_id, record):
            set_id = insert(con, session_id, record)
            print("inserted", set_id, flush=True)
            time.sleep(120)
        store_module.insert_set = stalled
    store.record_set(sid, SetRecord("knee_rolls", "left", i, 1.0 + i, 2.0 + i, reps=10, fault_counts={"too_fast": i}))
"""


def child(script: str, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_a_writer_killed_mid_set_leaves_earlier_sets_intact(tmp_path):
    path = tmp_path / "history.sqlite3"
    HistoryStore.open(path)
    proc = child(KILLED_WRITER, str(path))
    try:
        assert proc.stdout.readline().split() == ["inserted", "3"], proc.stderr.read()
        assert len(HistoryStore(path).sets(1)) == 2  # a reader is not blocked by the open write
    finally:
        proc.kill()  # SIGKILL: no cleanup, no commit
        proc.communicate()
    assert proc.returncode == -9
    store = HistoryStore.open(path)
    assert [(s.set_index, s.fault_counts) for s in store.sets(1)] == [(0, {"too_fast": 0}), (1, {"too_fast": 1})]
    assert count(path, "set_faults") == 2
    store.record_set(1, a_set(index=2))  # the lock died with the writer
    assert len(store.sets(1)) == 3


WRITER = """
import sys
from formcheck.history import HistoryStore, SetRecord

store = HistoryStore.open(sys.argv[1])
sid = store.start_session(person=sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
for i in range(50):
    store.record_set(sid, SetRecord("bird_dog", "left", i, float(i), i + 1.0, reps=i, fault_counts={"twist": 1}))
store.end_session(sid, completed=True)
"""


def test_two_writers_at_once(tmp_path):
    path = tmp_path / "history.sqlite3"
    HistoryStore.open(path)
    procs = [child(WRITER, str(path), name, stdin=subprocess.PIPE) for name in ("ana", "bo")]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:  # both start writing at once
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert not any("locked" in err for _, err in results)
    store = HistoryStore(path)
    assert sorted((s.person, s.set_count, s.completed) for s in store.sessions()) == [("ana", 50, True),
                                                                                       ("bo", 50, True)]
    assert count(path, "sets") == 100 and count(path, "set_faults") == 100


def test_threads_share_one_store(store):
    sids = [store.start_session() for _ in range(4)]
    errors: list[BaseException] = []

    def write(sid: int) -> None:
        try:
            for i in range(25):
                store.record_set(sid, a_set(index=i))
                store.sessions()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(sid,)) for sid in sids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and [s.set_count for s in store.sessions()] == [25] * 4


# -- CSV, deleting -----------------------------------------------------------------------------------
def filled(store: HistoryStore) -> list[int]:
    first = store.start_session("ana", "nhs_five", "NHS five, week 2", "programme", 2, DAY0)
    store.record_set(first, a_set(fault_counts={"too_fast": 2, "hips_lift": 1}, range_of_motion=41.123456789,
                                  target_reps=10, view_problems=["wrong_view", "dark"]))
    store.record_set(first, a_set("plank", 1, reps=0, side=None, hold_s=12.25, target_hold_s=20.0,
                                  camera_checked=False, pain_stop=True))
    store.end_session(first, False, PainReport("lower back", 5, DAY0 + 200), ended_at=DAY0 + 180)
    empty = store.start_session(started_at=DAY0 + 86400)
    review = store.start_session(source="review", started_at=DAY0 + 2 * 86400, clip_name="a, \"quoted\" name.mp4",
                                 clip_fingerprint="ffff0000ffff0000")
    store.record_set(review, a_set("glute_bridge", reps=8, started_at=DAY0 + 2 * 86400 + 0.0004))
    return [first, empty, review]


def test_csv_round_trip(store, tmp_path):
    ids = filled(store)
    text = to_csv(store.history())
    assert len(text.splitlines()) == 1 + 4  # header, two sets, the empty session, one set
    (tmp_path / "export.csv").write_text(text)
    fresh = HistoryStore.open(tmp_path / "fresh.sqlite3")
    assert import_csv(fresh, tmp_path / "export.csv") == ids
    assert to_csv(fresh.history()) == text
    again = import_csv(fresh, tmp_path / "export.csv")  # ids taken: new ones
    assert len(again) == 3 and not set(again) & set(ids)
    [first, *_] = from_csv(text)
    assert first.sets[0].fault_counts == {"hips_lift": 1, "too_fast": 2}
    assert first.sets[0].view_problems == ["wrong_view", "dark"] and first.sets[1].target_reps is None


def test_bad_csv_is_one_line(store):
    text = to_csv(store.history()) + "1,me,,,live,1,yesterday" + "," * 20 + "\n"
    with pytest.raises(FormcheckError, match=r"mine.csv: line 2: session_started: must be a date and time"):
        from_csv(text, "mine.csv")
    with pytest.raises(FormcheckError, match="not a formcheck history export"):
        from_csv("a,b\n1,2\n", "other.csv")


def test_delete_one_session_cascades(store):
    first, empty, review = filled(store)
    assert store.delete_session(first) and not store.delete_session(first)
    assert [s.id for s in store.sessions()] == [empty, review]
    assert count(store.path, "set_faults") == 0 and count(store.path, "set_view_problems") == 0
    assert count(store.path, "pain_reports") == 0 and count(store.path, "sets") == 1


def test_delete_all(store):
    filled(store)
    store.record_safety("ana", SafetyAnswers({"fever": False}, DAY0))
    assert store.delete_all("ana") == 1
    assert "ana" not in store.people() and store.last_safety("ana") is None and len(store.sessions()) == 2
    store.save_programme("mine", "title: mine\n")
    assert store.delete_all() == 2
    assert store.people() == ["me"] and store.programmes() == []
    assert all(count(store.path, t) == 0 for t in ("sessions", "sets", "set_faults", "pain_reports", "safety_checks"))


# -- progress tables ---------------------------------------------------------------------------------
def session(sid: int, day: int, completed: bool = True, pain: bool = False) -> SessionRow:
    return SessionRow(sid, "me", "nhs_five", "NHS five", "programme", 1, DAY0 + day * 86400, None, completed, pain)


def test_progress_on_a_handmade_history():
    history = [
        SessionSets(session(1, 0), [a_set(reps=8, target_reps=10, range_of_motion=40.0, fault_counts={"f": 2}),
                                    a_set(reps=12, target_reps=10, range_of_motion=50.0),
                                    a_set("plank", reps=0, side=None, hold_s=20.0, target_hold_s=30.0)]),
        SessionSets(session(2, 2, completed=False, pain=True),
                    [a_set(reps=4, target_reps=10, fault_counts={"f": 1, "g": 1}, pain_stop=True)]),
        SessionSets(session(3, 15), [a_set("pelvic_tilt", reps=10, target_reps=10, hold_s=40.0, target_hold_s=5.0)]),
    ]
    first = adherence(history[0].sets)
    assert (first.reps_done, first.reps_prescribed, first.reps_share) == (18, 20, 0.9)  # 12 of 10 counts as 10
    assert (first.hold_done_s, first.hold_prescribed_s, first.hold_share) == (20.0, 30.0, pytest.approx(2 / 3))
    assert [a.adherence.reps_share for a in session_adherence(history)] == [0.9, 0.4, 1.0]
    assert adherence([a_set()]).reps_share is None  # nothing prescribed
    weeks = weekly(history)
    assert [(w.week, w.sessions, w.completed, w.pain_stops, w.sets) for w in weeks] == [
        ("2024-W10", 2, 1, 1, 4), ("2024-W11", 0, 0, 0, 0), ("2024-W12", 1, 1, 0, 1)]
    assert weeks[0].adherence.reps_share == pytest.approx(22 / 30) and weeks[1].adherence.reps_share is None
    assert weeks[2].adherence.hold_share == 0.8  # 40 s held of 10 reps x 5 s
    points = [(p.exercise, p.session_id, p.reps, p.mean_range_of_motion, p.fault_rate, p.pain_stops)
              for p in exercise_progress(history)]
    assert points == [("knee_rolls", 1, 20, 45.0, 0.1, 0), ("knee_rolls", 2, 4, None, 0.5, 1),
                      ("pelvic_tilt", 3, 10, None, 0.0, 0), ("plank", 1, 0, None, None, 0)]
    assert [p.session_id for p in exercise_progress(history, "knee_rolls")] == [1, 2]
    row = as_rows(weeks[:1])[0]
    assert row["week"] == "2024-W10" and row["reps_share"] == pytest.approx(22 / 30)
    assert weekly([]) == [] and weeks[0].monday == date(2024, 3, 4) and weeks[2].monday - weeks[0].monday == \
        timedelta(days=14)


# -- the command line --------------------------------------------------------------------------------
def test_cli(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "cli.sqlite3"))
    first, empty, review = filled(HistoryStore.open())
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "Sessions per week" in out and "2024-W10" in out and "NHS five, week 2" in out
    assert "knee_rolls" in out and "glute_bridge" in out and "61% (12/20 s)" in out and "quoted" in out
    assert main(["history", "--exercise", "glute_bridge", "--since", "2024-03-06"]) == 0
    out = capsys.readouterr().out
    assert "glute_bridge" in out and "knee_rolls" not in out
    assert main(["history", "--csv", str(tmp_path / "out.csv"), "--person", "ana"]) == 0
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 3
    assert main(["history", "--delete", str(empty)]) == 0
    assert HistoryStore.open().session(empty) is None
    assert main(["history", "--delete-all", "--yes"]) == 0
    assert HistoryStore.open().sessions() == []
    assert main(["history", "--import", str(tmp_path / "out.csv")]) == 0
    assert [s.person for s in HistoryStore.open().sessions()] == ["ana"]


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "2024-02-30"], "--since: expected a date like 2024-05-31 (YYYY-MM-DD), got '2024-02-30'"),
    (["--since", "2024-03-02", "--until", "2024-03-01"], "--until 2024-03-01 is before --since 2024-03-02"),
    (["--delete-all"], "add --yes to confirm"),
    (["--delete", "41"], "no session 41 in"),
])
def test_cli_errors_are_one_line(monkeypatch, tmp_path, capsys, args, message):
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "cli.sqlite3"))
    assert main(["history", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("formcheck: error:") and message in err[0]
