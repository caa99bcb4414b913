"""The self-contained HTML reports: a reviewed video (real clip, real model), a saved session and
a period (real history database in a temporary file), the key-frame decoder (a synthetic clip
whose frames carry their own index) and ``formcheck report``."""

from __future__ import annotations

import base64
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np
import pytest
from app_support import SAMPLES, VARIANT, needs_samples

from formcheck.analysis import Analysis, PoseOptions, analyze, analyze_track
from formcheck.cli import main
from formcheck.errors import FormcheckError
from formcheck.history.records import PainReport, SetRecord
from formcheck.history.store import HistoryStore
from formcheck.outputs.html_history import cue_text
from formcheck.outputs.html_keyframes import key_time
from formcheck.outputs.html_parts import esc, page, table
from formcheck.outputs.html_report import period_report, session_report, video_report
from formcheck.outputs.video_sink import VideoSink
from formcheck.results import FaultEvent, Rep
from formcheck.rules import load_rule
from formcheck.sources.seek import SEEK_GAP_S, frames_at

VOID = {"meta", "img", "br", "hr", "link", "input"}
BACK_EXTENSION = SAMPLES / "back_extension_01.mp4"
BRIDGE_CLIP = SAMPLES / "bridge_01.mp4"


class Page(HTMLParser):
    """What a report holds: tables (header cells and body rows), images, figure captions, and
    whether every element that was opened was closed in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.unbalanced: list[str] = []
        self.tables: list[dict] = []
        self.images: list[dict[str, str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.unbalanced.append(tag)
        else:
            self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            table_ = self.tables[-1]
            (table_["head"] if tag == "th" else table_["rows"][-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table_with(self, header: str) -> dict:
        """The first table with a column ``header``; its ``rows`` are the body rows only."""
        for t in self.tables:
            if header in t["head"]:
                return {"head": t["head"], "rows": [r for r in t["rows"] if r]}
        raise AssertionError(f"no table with a {header!r} column; tables: {[t['head'] for t in self.tables]}")


def assert_self_contained(html: str) -> Page:
    """The page parses with every element closed, references nothing outside itself and prints on A4."""
    parsed = Page(html)
    assert not parsed.unbalanced and not parsed.stack, (parsed.unbalanced, parsed.stack)
    for external in ("http://", "https://", 'src="/', "href=", "<script", "@import", "url("):
        assert external not in html, external
    assert all(img["src"].startswith(("data:image/png;base64,", "data:image/jpeg;base64,")) for img in parsed.images)
    assert "@page { size: A4; margin: 15mm }" in html
    assert "break-inside: avoid" in html and "max-width: 100%" in html
    assert "It is not a diagnosis" in html
    return parsed


def decoded(img: dict[str, str]) -> np.ndarray:
    """The picture of an inlined image (BGR)."""
    data = base64.b64decode(img["src"].split(",", 1)[1])
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


# -- the parts --------------------------------------------------------------------------------------
def test_every_text_is_escaped_and_numbers_right_aligned():
    html = table(["<th>"], [["<td>&"], [3.5]])
    assert "&lt;th&gt;" in html and "&lt;td&gt;&amp;" in html and '<td class="n">3.5</td>' in html
    doc = page('<script>alert("x")</script>', [esc("<b>")])
    assert "<script>" not in doc and "&lt;script&gt;alert(&quot;x&quot;)" in doc and "&lt;b&gt;" in doc
    assert_self_contained(doc)


def test_a_rep_fault_is_shown_at_its_reps_peak_and_a_frame_fault_where_it_starts():
    reps = [Rep(1, 1.0, 2.0, 3.0, None, 50, 40, 1, 0.2, 0.8), Rep(2, 4.0, 5.5, 7.0, None, 50, 40, 1, 0.2, 0.8)]
    assert key_time(FaultEvent("hold_short", 4.0, 7.0, "Hold", "info", rep_index=2), reps) == 5.5
    assert key_time(FaultEvent("neck", 4.2, 4.9, "Head", "warning"), reps) == 4.2


# -- key frames: only the frames asked for, the right ones, across seeks ---------------------------------
BITS, FPS, SECONDS = 9, 25, 12


def indexed_clip(path: Path) -> Path:
    """A clip whose frame ``i`` shows ``i`` in binary as black/white blocks across the top."""
    with VideoSink(path, FPS, (16 * BITS, 64), crf=18) as sink:
        for i in range(FPS * SECONDS):
            frame = np.zeros((64, 16 * BITS, 3), np.uint8)
            for bit in range(BITS):
                frame[:32, 16 * bit:16 * (bit + 1)] = 255 if (i >> bit) & 1 else 0
            sink.write(frame)
    return path


def frame_number(rgb: np.ndarray) -> int:
    return sum(1 << bit for bit in range(BITS) if rgb[4:28, 16 * bit + 4:16 * bit + 12].mean() > 128)


def test_frames_at_finds_each_wanted_frame_seeking_over_long_gaps(tmp_path):
    clip = indexed_clip(tmp_path / "indexed.mp4")
    wanted = {0.0: 0, 0.4: 10, 0.44: 11, 5.0: 125, 5.0 + SEEK_GAP_S + 1: 125 + 25 * (SEEK_GAP_S + 1), 11.96: 299}
    found = frames_at(clip, list(wanted) + [SECONDS + 5.0], max_side=None)
    assert {t: frame_number(rgb) for t, rgb in found.items()} == wanted  # a time past the end is left out


# -- the video report (real clip, real model) ---------------------------------------------------------
@pytest.fixture(scope="module")
def back_extension(app_env):
    """back_extension_01 under its rule: four reps, each with a neck_extended and a hold_short fault."""
    return analyze(BACK_EXTENSION, load_rule("back_extension"), options=PoseOptions(variant=VARIANT),
                   cache_dir=app_env["FORMCHECK_CACHE_DIR"])


@needs_samples
@pytest.mark.model
def test_video_report_has_a_row_per_rep_and_a_key_frame_per_fault(back_extension):
    started = time.perf_counter()
    html = video_report(back_extension, BACK_EXTENSION)
    print(f"\nvideo report of back_extension_01: {time.perf_counter() - started:.2f} s, {len(html) / 1024:.0f} kB")
    parsed = assert_self_contained(html)
    result = back_extension.result
    assert {f.code for f in result.faults} >= {"hold_short", "neck_extended"}
    reps = parsed.table_with("range of motion")["rows"]
    assert [row[0] for row in reps] == [str(r.index) for r in result.reps]
    frames = [img for img in parsed.images if img["alt"].split(" ")[0] in {f.code for f in result.faults}]
    assert len(frames) == len(result.faults)
    pictures = [decoded(img) for img in frames]
    assert all(p.shape[1] == 480 for p in pictures)
    assert len({p.tobytes() for p in pictures}) > 1  # different moments, not one frame repeated
    cues = parsed.table_with("cue given")["rows"]
    assert {row[0]: row[3] for row in cues} == {f.code: f.message for f in result.faults}
    assert [img for img in parsed.images if img["alt"].startswith("metric over time")]  # the angle plot
    assert ("Limitations of this check" in html) == bool(back_extension.rule.limitations)


@needs_samples
@pytest.mark.model
def test_video_report_escapes_the_rules_texts(back_extension):
    rule = back_extension.rule
    hostile = replace(rule, name="<script>alert(1)</script>", limitations="Sees <i>one</i> side only.",
                      faults=tuple(replace(f, message=f"{f.message} <img src=x>") for f in rule.faults))
    html = video_report(Analysis.of(back_extension.track, hostile), title="Report & <b>notes</b>")
    assert "<script>" not in html and "<img src=x>" not in html and "<b>notes" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "Report &amp; &lt;b&gt;notes" in html
    assert "Limitations of this check" in html and "Sees &lt;i&gt;one&lt;/i&gt; side only." in html
    parsed = assert_self_contained(html)
    assert "without the video" in "".join(parsed.text)  # no video: no key frames, and it says so


# -- session and period reports (real history database) ------------------------------------------------
def _set(exercise, reps, target, hold=0.0, target_hold=None, rom=None, faults=None, side=None, checked=True):
    return SetRecord(exercise, side, 1, 0.0, 50.0, reps, target, hold, target_hold, rom, dict(faults or {}),
                     camera_checked=checked)


def fill(store: HistoryStore, start: datetime, sessions: int) -> list[int]:
    """``sessions`` programme sessions, one every other day from ``start``; the fourth stops for pain."""
    ids = []
    for k in range(sessions):
        t = (start + timedelta(days=2 * k)).timestamp()
        sid = store.start_session("pat", "nhs_five", "NHS <five>", source="programme", week=1 + k // 4, started_at=t)
        for record in (_set("back_extension", 8 - k % 2, 8, 4.0 * 8, 5.0, 60 + k, {"neck_extended": 2, "x_<odd>": 1}),
                       _set("knee_rolls", 10, 10, rom=40.0, side="left"),
                       _set("deep_abdominal", 0, None, 30.0, 30.0, checked=False)):
            store.record_set(sid, replace(record, started_at=t, ended_at=t + 60))
        store.end_session(sid, completed=k != 3, pain=PainReport("left <hip>", 6, t + 90) if k == 3 else None,
                          ended_at=t + 600)
        ids.append(sid)
    return ids


@pytest.fixture
def store(tmp_path):
    return HistoryStore.open(tmp_path / "history.sqlite3")


def test_session_report_lists_each_set_with_its_cues_adherence_and_pain(store):
    ids = fill(store, datetime(2024, 3, 4, 9, 0), 4)
    html = session_report(store, ids[3])
    parsed = assert_self_contained(html)
    sets = parsed.table_with("held / prescribed")["rows"]
    assert [row[1] for row in sets] == ["Back extension (prone press-up)", "Knee rolls (lumbar rotation stretch)",
                                       "Deep abdominal"]
    assert sets[0][4] == "7 / 8" and sets[0][5] == "32 s / 40 s" and sets[2][8] == "no camera checks"
    cues = {row[1]: row[3] for row in parsed.table_with("cue")["rows"]}
    assert cues["neck_extended"] == cue_text("back_extension", "neck_extended") != ""
    assert cues["x_<odd>"] == "-"  # a code the rule does not know: shown, escaped, without a cue
    text = "".join(parsed.text)
    assert "17 of 18 (94%)" in text and "62 s of 70 s (89%)" in text  # 7 + 10 reps of 8 + 10; 32 + 30 s of 40 + 30
    assert parsed.table_with("how bad (0-10)")["rows"] == [["left <hip>", "6", "2024-03-10 09:01"]]
    assert "NHS <five>" in text and "NHS <five>" not in html
    with pytest.raises(FormcheckError, match="no session 999"):
        session_report(store, 999)


def test_period_report_has_weeks_exercises_plots_and_pain_stops(store):
    fill(store, datetime(2024, 3, 4, 9, 0), 10)
    store.start_session("other", None, started_at=datetime(2024, 3, 5).timestamp())
    html = period_report(store, date(2024, 3, 1), date(2024, 3, 31), person="pat")
    parsed = assert_self_contained(html)
    weeks = parsed.table_with("week")["rows"]
    assert [row[2] for row in weeks] == ["4", "3", "3"]  # 10 sessions every other day from Monday 4 March
    exercises = parsed.table_with("range of motion (first → last)")["rows"]
    assert [row[0] for row in exercises][:1] == ["Back extension (prone press-up)"]
    assert exercises[0][5] == "60 → 69 deg"
    assert len(parsed.table_with("pain stop")["rows"]) == 10
    assert len(parsed.table_with("how bad (0-10)")["rows"]) == 1
    pngs = [decoded(img) for img in parsed.images]
    assert len(pngs) == 2 and all(p is not None and p.shape[1] > 400 for p in pngs)
    empty = period_report(store, date(2023, 1, 1), date(2023, 1, 31))
    assert "No session was saved in this period" in empty and "<img" not in empty


# -- formcheck report ---------------------------------------------------------------------------------
def test_cli_writes_the_session_and_period_reports(store, tmp_path, monkeypatch, capsys):
    ids = fill(store, datetime(2024, 3, 4, 9, 0), 2)
    monkeypatch.setenv("FORMCHECK_DB", str(store.path))
    out = tmp_path / "session.html"
    assert main(["report", "--session", str(ids[0]), "-o", str(out)]) == 0
    assert "Session" in out.read_text() and str(out) in capsys.readouterr().out
    period = tmp_path / "period.html"
    assert main(["report", "--since", "2024-03-01", "--until", "2024-03-31", "-o", str(period)]) == 0
    assert_self_contained(period.read_text())
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # written atomically


@pytest.mark.parametrize(("args", "message"), [
    ([], "give one of: a VIDEO, --session ID, or --since DATE"),
    (["--session", "1", "--since", "2024-01-01"], "(got --session and --since)"),
    (["--since", "2024-02-30"], "--since 2024-02-30: not a date"),
    (["--since", "2024-03-02", "--until", "2024-03-01"], "--until 2024-03-01 is before --since 2024-03-02"),
    (["--until", "2024-03-01"], "--until needs --since DATE"),
    (["--session", "1", "--exercise", "plank"], "are for a VIDEO report"),
    (["--session", "12345"], "no session 12345 in the history database"),
])
def test_cli_refuses_bad_requests_in_one_line(args, message, store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FORMCHECK_DB", str(store.path))
    out = tmp_path / "r.html"
    assert main(["report", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not out.exists()


def test_cli_refuses_a_missing_database_and_a_wrong_file_name(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "none.sqlite3"))
    assert main(["report", "--since", "2024-01-01", "-o", str(tmp_path / "r.html")]) == 2
    assert main(["report", "--since", "2024-01-01", "-o", str(tmp_path / "r.pdf")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "no history database at" in err[0] and "must end in .html or .htm" in err[1]
    assert not (tmp_path / "none.sqlite3").exists()  # a report never creates a database


@needs_samples
@pytest.mark.model
def test_cli_writes_a_video_report(bridge_track, app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_LANDMARK_CACHE", app_env["FORMCHECK_CACHE_DIR"])  # the fixture's landmarks
    out = tmp_path / "bridge.html"
    out.write_text("an older report")
    assert main(["report", str(BRIDGE_CLIP), "--exercise", "glute_bridge", "--variant", VARIANT, "-o", str(out)]) == 0
    parsed = assert_self_contained(out.read_text())
    reps = analyze_track(bridge_track, load_rule("glute_bridge")).reps
    assert reps and len(parsed.table_with("range of motion")["rows"]) == len(reps)
    assert [p.name for p in tmp_path.iterdir()] == ["bridge.html"]  # replaced in place, no temporary file left
