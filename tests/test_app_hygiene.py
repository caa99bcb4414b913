"""App hygiene (issue 8): separate state per browser tab, per-session temporary files that go
when the session ends, work that stops with it, no upload names in the logs, size limits
and bad uploads shown as one line.

The first tests use Streamlit's AppTest (each ``AppTest`` is its own session); the last
one runs ``streamlit run app.py`` and two pages in a real headless Chromium.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import bad_media
import pytest
from app_support import BRIDGE, MODELS, REPO, SAMPLES, VARIANT, needs_samples, streamlit_server
from streamlit.testing.v1 import AppTest

from formcheck.live.session import LiveSession
from formcheck.pose.track import PoseTrack
from formcheck.results import SessionResult
from formcheck.sources import video as source
from formcheck.ui import common, sessions
from formcheck.ui.common import ClipRef
from formcheck.ui.live import LiveHolder
from formcheck.ui.sessions import STATE_KEY, SessionFiles

TIMEOUT = 600
#: An upload name that must never reach a log line.
PRIVATE_NAME = "Jane-Doe_physio-2024-05-01_private.mp4"


def page(name: str) -> AppTest:
    at = AppTest.from_string(f"from formcheck.ui import {name}\n{name}.render()", default_timeout=TIMEOUT)
    at.session_state["model_variant"] = VARIANT
    return at


def files_of(at: AppTest) -> SessionFiles | None:
    return at.session_state.get(STATE_KEY)


def uploads_in(at: AppTest) -> list[Path]:
    files = files_of(at)
    return sorted(files.folder.iterdir()) if files is not None and files.has_folder() else []


def shown_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.info, *at.warning)]
    return "\n".join(str(p) for p in parts)


def user_data_in_globals(needles: list[str]) -> list[str]:
    """Module globals of formcheck (one level into containers) that hold a clip, a track, a
    result, a live session, an upload's bytes or one of ``needles``."""
    kinds = (ClipRef, PoseTrack, SessionResult, LiveSession, LiveHolder)
    found = []
    for mod_name, module in list(sys.modules.items()):
        if not mod_name.startswith("formcheck") or not isinstance(module, types.ModuleType):
            continue
        for name, value in vars(module).items():
            values = [value]
            if isinstance(value, dict):
                values += [*value.keys(), *value.values()]
            elif isinstance(value, (list, tuple, set, frozenset)):
                values += list(value)
            for v in values:
                if isinstance(v, kinds) or (isinstance(v, bytes) and len(v) > 10_000) or (
                        isinstance(v, str) and any(n in v for n in needles)):
                    found.append(f"{mod_name}.{name}")
    return found


# -- separate state per browser session -------------------------------------------------
@needs_samples
@pytest.mark.model
def test_two_sessions_keep_separate_state(app_env, bridge_track):
    first, second = page("review"), page("review")
    first.run()
    second.run()
    first.session_state["review_make_video"] = False
    first.selectbox(key="exercise").set_value("glute_bridge")
    first.file_uploader(key="review_upload").upload(PRIVATE_NAME, BRIDGE.read_bytes(), "video/mp4")
    first.run()
    assert not first.exception, [e.value for e in first.exception]
    assert any(m.label == "Reps" for m in first.metric)
    assert PRIVATE_NAME in shown_text(first)

    second.run()  # the other tab: nothing of the first one's upload or result
    assert not second.exception
    assert PRIVATE_NAME not in shown_text(second)
    assert not second.metric
    assert "clip" not in second.session_state and "tracks" not in second.session_state
    assert [i.value for i in second.info] == [
        "Upload a video of one exercise set (or pick a sample clip) to analyse it."]
    assert uploads_in(second) == []
    assert len(uploads_in(first)) == 1

    # A bad upload in the second tab does not touch the first tab's clip, folder or result.
    second.file_uploader(key="review_upload").upload("other.mp4", b"not a video" * 100, "video/mp4")
    second.run()
    assert len(second.error) == 1
    assert files_of(second).folder != files_of(first).folder
    first.run()
    assert not first.error and any(m.label == "Reps" for m in first.metric)
    assert first.session_state["clip"].name == PRIVATE_NAME

    # Nothing user-specific is kept in module globals (st.cache_* is not used for user data).
    assert user_data_in_globals([PRIVATE_NAME, "other.mp4"]) == []


def test_no_streamlit_cache_holds_user_data():
    """``st.cache_data``/``st.cache_resource`` are shared by every session: the UI uses neither."""
    for path in sorted((REPO / "formcheck" / "ui").glob("*.py")):
        text = path.read_text()
        assert "cache_data" not in text and "cache_resource" not in text, path.name


# -- temporary files and the end of a session -------------------------------------------
class FakeRuntime:
    """Enough of Streamlit's runtime for :func:`sessions.reap`: which sessions are connected."""

    def __init__(self, active: set[str]) -> None:
        self.active = active

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.active


def test_session_end_deletes_its_folder_and_closes_its_work(app_env):
    at = page("review")
    at.run()
    at.session_state["review_make_video"] = False
    at.file_uploader(key="review_upload").upload(PRIVATE_NAME, b"not a video, but an upload" * 50, "video/mp4")
    at.run()
    files = files_of(at)
    assert files is not None
    [upload] = uploads_in(at)
    assert PRIVATE_NAME not in upload.name and upload.parent == files.folder
    assert oct(files.folder.stat().st_mode & 0o777) == "0o700"
    closed = []
    files.on_end(lambda: closed.append(True))
    sid = files.session_id

    # Connected: kept. Disconnected for less than the TTL (a tab that may reconnect): kept.
    assert sessions.reap(FakeRuntime({sid}), now=100.0, ttl=30.0) == []
    assert files not in sessions.reap(FakeRuntime(set()), now=200.0, ttl=30.0)
    assert files not in sessions.reap(FakeRuntime(set()), now=229.0, ttl=30.0)
    assert upload.is_file() and not closed
    # It reconnected: the clock starts again.
    sessions.reap(FakeRuntime({sid}), now=230.0, ttl=30.0)
    assert files not in sessions.reap(FakeRuntime(set()), now=231.0, ttl=30.0)
    assert files not in sessions.reap(FakeRuntime(set()), now=260.0, ttl=30.0)
    # Gone for the whole TTL: closers run, folder deleted, and every frame check now stops the run.
    assert files in sessions.reap(FakeRuntime(set()), now=261.0, ttl=30.0)
    assert closed == [True]
    assert not files.folder.exists()
    with pytest.raises(sessions.SessionEnded):
        files.check()


def test_removing_the_upload_deletes_it_at_once(app_env):
    at = page("review")
    at.run()
    first = b"\x00" * 4096
    at.file_uploader(key="review_upload").upload(PRIVATE_NAME, first, "video/mp4")
    at.run()
    [upload] = uploads_in(at)
    assert any(k[0] == hashlib.sha256(first).hexdigest()[:16] for k in at.session_state["track_errors"])
    replacement = b"\x01" * 4096
    at.file_uploader(key="review_upload").set_value(("second.mp4", replacement, "video/mp4"))
    at.run()
    assert not upload.exists(), "the replaced upload must be deleted"
    assert [p.read_bytes() for p in uploads_in(at)] == [replacement]
    at.file_uploader(key="review_upload").clear()
    at.run()
    assert not at.exception
    assert uploads_in(at) == []
    assert "clip" not in at.session_state
    assert at.session_state["track_errors"] == {}, "what was computed from the removed uploads goes too"


class FakeLiveSession:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_live_camera_work_is_closed_when_the_session_ends(app_env):
    at = AppTest.from_string("from formcheck.ui import live\nlive._holder()\n", default_timeout=60)
    at.run()
    holder: LiveHolder = at.session_state["live_holder"]
    running = holder.session = FakeLiveSession()  # type: ignore[assignment]
    files = files_of(at)
    assert files is not None and not files.has_folder()  # the camera writes nothing to disk
    files.end()
    assert running.closed and holder.session is None


# -- logs ---------------------------------------------------------------------------------
@needs_samples
@pytest.mark.model
def test_upload_names_never_reach_the_logs(app_env, bridge_track, caplog, capfd, monkeypatch):
    caplog.set_level(logging.DEBUG)
    at = page("review")
    at.run()
    at.selectbox(key="exercise").set_value("glute_bridge")
    at.file_uploader(key="review_upload").upload(PRIVATE_NAME, BRIDGE.read_bytes(), "video/mp4")
    at.run()  # the whole path: track, rules, annotated video, downloads
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    assert len(at.get("video")) == 1

    # A bad upload, and a bug deep in the analysis (logged with its traceback).
    broken = PRIVATE_NAME.replace(".mp4", "_broken.mp4")
    at.file_uploader(key="review_upload").set_value((broken, b"no video here" * 100, "video/mp4"))
    at.run()
    assert len(at.error) == 1 and broken in at.error[0].value, [e.value for e in at.error]

    def bug(path, *args, **kwargs):
        raise RuntimeError(f"decoder crashed on {path}")

    monkeypatch.setattr(common, "track_video", bug)
    crashing = PRIVATE_NAME.replace(".mp4", "_crash.mp4")
    at.file_uploader(key="review_upload").set_value((crashing, b"another upload" * 100, "video/mp4"))
    at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert crashing in error and "server log" in error
    assert "session-" not in error and "/tmp" not in error, "the page names the clip, not the server's path"
    assert any(r.levelno >= logging.ERROR and r.exc_info for r in caplog.records), "the bug was logged"

    out, err = capfd.readouterr()
    for text in (caplog.text, out, err):
        assert "Jane-Doe" not in text


# -- size limit and bad uploads -------------------------------------------------------------
def test_upload_over_the_size_limit_is_one_line(app_env, monkeypatch):
    monkeypatch.setenv("FORMCHECK_MAX_FILE_MB", "1")
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 1024 * 1024)
    at = page("review")
    at.run()
    assert at.file_uploader(key="review_upload").proto.max_upload_size_mb == 1  # the browser refuses it first
    at.file_uploader(key="review_upload").upload("big.mp4", b"\x00" * (2 * 1024 * 1024), "video/mp4")
    at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "big.mp4 is 2 MB" in error and "1 MB" in error and "\n" not in error
    assert "clip" not in at.session_state and uploads_in(at) == []


def _bad(make, expected: str, warning: str = "", **kwargs):
    name = make.__name__.removeprefix("make_") + "".join(f"-{v}" for v in kwargs.values())
    return pytest.param(make, kwargs, expected, warning, id=name)


#: How each file is made, what the page must show ("error", "result" or "either") and, for
#: a result, words one of its warnings must hold.
BAD_INPUTS = [
    _bad(bad_media.make_empty, "error"),
    _bad(bad_media.make_text_as_mp4, "error"),
    _bad(bad_media.make_image_as_mp4, "error"),
    _bad(bad_media.make_audio_only, "error"),
    _bad(bad_media.make_unsupported_codec, "error"),
    _bad(bad_media.make_corrupt_codec_header, "error"),
    _bad(bad_media.make_truncated, "error", keep=0.5, moov_first=False),
    _bad(bad_media.make_truncated, "result", "the results cover", keep=0.5),
    _bad(bad_media.make_nobody, "error"),
    _bad(bad_media.make_blurred, "either"),
    _bad(bad_media.make_dark, "result", "very dark"),
]


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-media")


@needs_samples
@pytest.mark.model
@pytest.mark.skipif(not bad_media.have_ffmpeg(), reason="ffmpeg makes the bad inputs")
@pytest.mark.parametrize(("make", "kwargs", "expected", "warning"), BAD_INPUTS)
def test_review_bad_inputs_show_one_line_or_a_result(app_env, bad_dir, make, kwargs, expected, warning):
    clip = make(BRIDGE, bad_dir, **kwargs)
    at = page("review")
    at.run()
    at.session_state["review_make_video"] = expected == "result"  # a damaged file through the drawing too
    at.selectbox(key="exercise").set_value("glute_bridge")
    at.file_uploader(key="review_upload").upload(clip.name, clip.read_bytes(), "video/mp4")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    shown = "error" if errors else ("result" if at.metric else "nothing")
    assert shown in (("error", "result") if expected == "either" else (expected,)), (shown, errors)
    assert len(errors) <= 1, errors
    for error in errors:
        assert "\n" not in error.strip() and "Traceback" not in error, error
        assert clip.name in error and "session-" not in error, error
    warnings = [w.value for w in at.warning]
    assert all("\n" not in w.strip() and "session-" not in w for w in warnings), warnings
    if warning:
        assert any(warning in w for w in warnings), warnings


# -- a real server: two tabs, a tab closed mid-analysis --------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
#: Disconnected sessions are forgotten after this many seconds (Streamlit's default: 120).
TEST_TTL_S = 2
UPLOAD_LIMIT_MB = 20

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def browser_test(fn):
    """The marks of a test that needs Chromium, Playwright and ffmpeg."""
    for mark in (
        pytest.mark.browser, pytest.mark.model, needs_samples,
        pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
        pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
        pytest.mark.skipif(not bad_media.have_ffmpeg(), reason="ffmpeg makes the long clip"),
    ):
        fn = mark(fn)
    return fn




@pytest.fixture
def hygiene_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen, Path, Path]]:
    """``streamlit run app.py`` with its temporary folder in ``tmp_path``: (url, process, log, tmp)."""
    tmp = tmp_path / "server-tmp"
    env = dict(os.environ, FORMCHECK_MODEL_DIR=os.environ.get("FORMCHECK_MODEL_DIR") or str(MODELS),
               FORMCHECK_PROFILES_DIR=str(tmp_path / "profiles"), FORMCHECK_SAMPLES_DIR=str(SAMPLES),
               FORMCHECK_TMP_DIR=str(tmp), FORMCHECK_DB=str(tmp_path / "history.sqlite3"))
    env.pop("FORMCHECK_CACHE_DIR", None)
    log = tmp_path / "streamlit.log"
    flags = ("--server.disconnectedSessionTTL", str(TEST_TTL_S), "--server.maxUploadSize", str(UPLOAD_LIMIT_MB))
    with streamlit_server(env, log, *flags) as (url, proc):
        yield url, proc, log, tmp


def _session_folders(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("formcheck-app-*/session-*"))


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


@browser_test
def test_closed_tab_mid_analysis_stops_work_and_deletes_its_files(hygiene_server, tmp_path):
    url, proc, log, tmp = hygiene_server
    # A clip long enough that the model is still running when the tab closes, under a private name.
    long_clip = bad_media.make_long(BRIDGE, tmp_path / "media", duration_s=240.0, fps=10.0, width=320)
    assert long_clip.stat().st_size < UPLOAD_LIMIT_MB * 1024**2
    upload = tmp_path / PRIVATE_NAME
    shutil.copy(long_clip, upload)
    too_big = tmp_path / "too_big.mp4"
    with open(too_big, "wb") as fh:
        fh.truncate((UPLOAD_LIMIT_MB + 1) * 1024 * 1024)

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        try:
            tab_b = browser.new_page()  # a second tab, open all along
            tab_b.goto(f"{url}/review")
            tab_b.get_by_text("Upload a video of one exercise set").wait_for(timeout=60_000)

            tab_a = browser.new_page()
            tab_a.goto(f"{url}/review?exercise=glute_bridge&model_variant=lite")
            tab_a.locator("input[type=file]").set_input_files(str(upload), timeout=60_000)
            tab_a.get_by_text("Finding the pose in").wait_for(timeout=120_000)
            folders = _session_folders(tmp)
            assert len(folders) == 1, folders
            stored = [f.name for f in folders[0].iterdir()]
            assert len(stored) == 1 and "Jane" not in stored[0], stored
            tab_a.close()  # mid-analysis (240 s of video)

            # The other tab is its own session: no clip, no result, no upload.
            tab_b.wait_for_timeout(1000)
            assert PRIVATE_NAME not in tab_b.inner_text("body")
            assert "Finding the pose" not in tab_b.inner_text("body")
            # Over the size limit: refused with one line, nothing reaches the server.
            tab_b.locator("input[type=file]").set_input_files(str(too_big))
            tab_b.get_by_text(f"File must be {UPLOAD_LIMIT_MB:.1f}MB or smaller").wait_for(timeout=30_000)
            assert tab_b.locator('[data-testid="stException"]').count() == 0

            _wait_for(lambda: not _session_folders(tmp), 90, "the closed tab's folder to be deleted")
            _wait_for(lambda: "ended 1 browser session" in log.read_text(), 30, "the janitor's log line")
            text = log.read_text()
            assert "stopped an analysis: its browser session ended" in text, text[-3000:]
            assert "Jane-Doe" not in text
            # No work left: the server is idle (a running pose model takes about a CPU second per second).
            before = _cpu_seconds(proc.pid)
            time.sleep(4)
            assert _cpu_seconds(proc.pid) - before < 1.0
            # The other tab is untouched and still works.
            assert tab_b.get_by_text("Upload a video of one exercise set").is_visible()
        finally:
            browser.close()
