"""End to end in a real headless Chromium: the app's server, the browser's fake camera
playing a real sample clip, WebRTC to the server, the pose model, the engine and the page.

Chromium's fake camera loops the file, so the rep count is read once about one pass of
the clip (bridge_01: 18.8 s, 3 complete reps + 1 partial) has played. Screenshots of each
page go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import BRIDGE, MODELS, REPO, SAMPLES, needs_samples, streamlit_server

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
#: Seconds of camera video to let play before reading the count (one pass of bridge_01 is 18.8 s).
PLAY_S = 20.0
LABELLED_REPS = 3

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    needs_samples,
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is needed to make the fake camera's .y4m"),
]




def make_y4m(clip: Path, out: Path, width: int = 640, fps: int = 15) -> Path:
    """The clip as raw YUV4MPEG2 for ``--use-file-for-fake-video-capture`` (Chromium rejects
    the ``C420mpeg2`` colour-space token that ffmpeg writes; ``C420`` is the same layout)."""
    raw = out.with_suffix(".raw.y4m")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-vf", f"scale={width}:-2,fps={fps}",
                    "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", str(raw)], check=True, timeout=120)
    with open(raw, "rb") as src, open(out, "wb") as dst:
        header = src.readline().replace(b" C420mpeg2", b" C420")
        dst.write(header)
        shutil.copyfileobj(src, dst, 1 << 20)
    raw.unlink()
    return out


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_y4m(BRIDGE, tmp_path_factory.mktemp("camera") / "bridge_01.y4m")


@pytest.fixture(scope="module")
def live_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Live page's history database, holding a passed safety check (the page asks for it first)."""
    from formcheck.coach.safety import RED_FLAGS, assess
    from formcheck.history import HistoryStore

    db = tmp_path_factory.mktemp("history") / "history.sqlite3"
    HistoryStore.open(db).record_safety("me", assess({flag.id: False for flag in RED_FLAGS}))
    return db


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, live_db: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free localhost port with the history ``live_db``; yields its URL."""
    db = live_db
    env = dict(os.environ, FORMCHECK_MODEL_DIR=os.environ.get("FORMCHECK_MODEL_DIR") or str(MODELS),
               FORMCHECK_PROFILES_DIR=str(tmp_path_factory.mktemp("profiles")), FORMCHECK_SAMPLES_DIR=str(SAMPLES),
               FORMCHECK_DB=str(db))
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with streamlit_server(env, log) as (url, _):
        yield url


@pytest.fixture
def browser_page(fake_camera: Path) -> Iterator[Page]:
    args = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_camera}", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            yield page
        finally:
            browser.close()


def shot(page: Page, name: str, height: int | None = None) -> Path:
    """Save a screenshot; ``height`` enlarges the window first (Streamlit scrolls inside the page,
    so a full-page shot is only as tall as the window)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if height:
        page.set_viewport_size({"width": 1400, "height": height})
        page.wait_for_timeout(1500)
    page.screenshot(path=str(path), full_page=True)
    return path


def metric_value(page: Page, label: str) -> str | None:
    """The value of the ``st.metric`` whose label is exactly ``label`` (None if not shown)."""
    for text in page.locator('[data-testid="stMetric"]').all_inner_texts():
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and lines[0] == label:
            return lines[-1]
    return None


def test_live_page_counts_reps_from_the_camera(server: str, browser_page: Page, live_db: Path):
    page = browser_page
    page.goto(f"{server}/?exercise=glute_bridge")
    page.get_by_role("button", name="I have read this").wait_for(timeout=60_000)
    assert "Stop if it hurts" in page.inner_text("body")
    shot(page, "live_safety_notice.png")
    page.get_by_role("button", name="I have read this").click()
    camera = page.frame_locator("iframe[title='streamlit_webrtc.component.webrtc_streamer']")
    camera.get_by_role("button", name="START").click(timeout=60_000)
    started = time.monotonic()  # the fake camera starts playing the clip from its first frame now

    seen: list[tuple[float, str | None]] = []
    while time.monotonic() - started < PLAY_S:
        page.wait_for_timeout(500)
        seen.append((round(time.monotonic() - started, 1), metric_value(page, "Reps")))
    count = metric_value(page, "Reps")
    stats = page.get_by_text(re.compile(r"Pose model: .* frames/s")).inner_text()
    shot(page, "live_streaming.png")
    print(f"\nlive counts over time: {seen}\n{stats}")
    assert count is not None, f"no rep counter on the page; seen {seen}"
    assert abs(int(count) - LABELLED_REPS) <= 1, f"count {count} after {PLAY_S} s; over time: {seen}"
    assert int(seen[-1][1] or 0) >= 1 and any(v == "0" for _, v in seen), "the counter must update while streaming"
    assert page.get_by_text("Set-up good: counting is on.").is_visible()
    cues = page.evaluate("window.__formcheckCues || []")
    assert any(c["text"].strip() in {"1", "2", "3"} for c in cues), cues  # rep numbers were spoken

    page.get_by_role("button", name="Stop — it hurts").click()
    try:
        page.get_by_text("This set was stopped because it hurt").wait_for(timeout=30_000)
    except Exception:
        shot(page, "live_summary_failure.png")
        raise
    assert page.get_by_role("heading", name="Set summary").is_visible()
    assert abs(int(metric_value(page, "Reps") or -9) - int(count)) <= 1
    shot(page, "live_summary.png")
    from formcheck.history import HistoryStore

    saved = [s for s in HistoryStore.open(live_db).sessions() if s.source == "live"]  # kept after the tab closes
    assert len(saved) == 1 and saved[0].set_count == 1, saved


def test_review_and_tune_pages_in_the_browser(server: str, browser_page: Page):
    page = browser_page
    page.goto(f"{server}/review?exercise=glute_bridge&model_variant=lite&sample={BRIDGE.name}")
    page.get_by_role("heading", name="Downloads").wait_for(timeout=240_000)
    shot(page, "review.png", height=3400)
    assert metric_value(page, "Reps") is not None
    assert page.locator("video").count() == 1
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.get_by_role("link", name="Tune").click()
    page.get_by_text("Rules re-run in").wait_for(timeout=120_000)
    shot(page, "tune.png", height=2600)
    assert page.get_by_text("Reset to defaults").is_visible()
    assert page.locator('[data-testid="stSlider"]').count() >= 5
