"""The output stage: H.264 writing, frame overlay, annotated video, plots and reports.

Everything here is synthetic (no pose model, no landmark cache); one test also reads a
real clip from ``../shared`` when it is there.
"""

from __future__ import annotations

import csv
import io
import json
import math
import struct
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.engine.recognize import Recognition
from formcheck.engine.status import EngineStatus
from formcheck.outputs.annotate import annotate_video
from formcheck.outputs.cue_choice import current_cue
from formcheck.outputs.drawers import (
    AngleDrawer,
    BannerDrawer,
    CounterDrawer,
    HoldTimerDrawer,
    OverlayState,
    SkeletonDrawer,
)
from formcheck.outputs.drawing import DEGREE, format_value, outline_width, put_text
from formcheck.outputs.overlay import DEFAULT_DRAWERS, annotate_frame
from formcheck.outputs.plots import figure_png, metric_figure, threshold_lines
from formcheck.outputs.report import rep_table, summary_text, to_csv, to_json
from formcheck.outputs.video_sink import VideoSink
from formcheck.pose.landmarks import COUNT, INDEX
from formcheck.pose.track import PoseFrame, PoseTrack
from formcheck.results import FaultEvent, Hold, Rep, SessionResult, SetupWarning
from formcheck.rules import load_rule

REAL_CLIP = Path(__file__).resolve().parents[1].parent / "shared" / "sample_videos" / "bridge_01.mp4"


@pytest.fixture(scope="module")
def rule():
    return load_rule("glute_bridge")


# -- helpers -------------------------------------------------------------------------------
def gradient_frames(n: int, width: int, height: int) -> list[np.ndarray]:
    """Frames that change over time, so the encoder has real work to do."""
    yy, xx = np.mgrid[0:height, 0:width]
    xx, yy = xx * 255 // max(width - 1, 1), yy * 255 // max(height - 1, 1)
    return [
        np.stack([(xx + 10 * i) % 256, yy, np.full_like(xx, 8 * i % 256)], axis=-1).astype(np.uint8) for i in range(n)
    ]


def write_clip(path: Path, n: int, size: tuple[int, int], fps: float = 25.0) -> Path:
    with VideoSink(path, fps, size) as sink:
        for frame in gradient_frames(n, *size):
            sink.write(frame)
    return path


def read_back(path: Path) -> dict:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        return {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "width": stream.width,
            "height": stream.height,
            "frames": len(frames),
            "rate": stream.average_rate,
            "first": frames[0].to_ndarray(format="rgb24"),
        }


def top_level_boxes(path: Path) -> list[str]:
    """Types of an MP4 file's top-level boxes, in file order."""
    data, boxes, pos = path.read_bytes(), [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif size == 0:
            size = len(data) - pos
        boxes.append(kind.decode("latin-1"))
        pos += size
    return boxes


def lying_pose(t: float = 0.0, lift: float = 0.0) -> PoseFrame:
    """A person lying side-on, left side to the camera, head to the right; ``lift`` raises the hips."""
    lm = np.full((COUNT, 4), np.nan, dtype=np.float32)
    points = {
        "ear": (0.80, 0.62),
        "shoulder": (0.70, 0.66),
        "elbow": (0.62, 0.72),
        "wrist": (0.52, 0.74),
        "hip": (0.50, 0.66 - lift),
        "knee": (0.36, 0.50),
        "ankle": (0.28, 0.70),
        "heel": (0.26, 0.72),
        "foot_index": (0.22, 0.72),
        "pinky": (0.50, 0.75),
        "index": (0.49, 0.75),
        "thumb": (0.50, 0.74),
    }
    for part, (x, y) in points.items():
        lm[INDEX[f"left_{part}"]] = (x, y, -0.1, 0.95)
        lm[INDEX[f"right_{part}"]] = (x + 0.01, y - 0.01, 0.1, 0.7)
    lm[INDEX["nose"]] = (0.84, 0.60, -0.1, 0.95)
    for name in (
        "left_eye_inner",
        "left_eye",
        "left_eye_outer",
        "right_eye_inner",
        "right_eye",
        "right_eye_outer",
        "mouth_left",
        "mouth_right",
    ):
        lm[INDEX[name]] = (0.83, 0.61, -0.1, 0.9)
    world = np.zeros((COUNT, 3), dtype=np.float32)
    return PoseFrame(t, lm, world, 1, (320, 180))


def synthetic_track(n: int, fps: float = 25.0) -> PoseTrack:
    frames = [lying_pose(i / fps, 0.12 * max(0.0, math.sin(i / fps * 2.0))) for i in range(n)]
    return PoseTrack.from_frames(frames, fps=fps, source="synthetic")


def make_status(**changes) -> EngineStatus:
    status = EngineStatus(
        t=1.0,
        phase="top",
        rep_count=2,
        reps_by_side={},
        hold_s=0.0,
        hold_target_s=0.0,
        active_faults=[],
        active_warnings=[],
        values={"hip_angle": 172.0},
        near_side="left",
        counting=True,
    )
    return replace(status, **changes)


def make_result(rule, reps: int = 3) -> SessionResult:
    t = np.arange(0, 6, 0.04)
    hip = 140 + 30 * np.clip(np.sin(t * 2), 0, None)
    series = {"t": t, **{name: np.full(len(t), 0.1) for name in rule.metrics}}
    series[rule.rep.metric] = hip
    rep_list = [
        Rep(
            index=i + 1,
            start_s=2.0 * i,
            peak_s=2.0 * i + 0.8,
            end_s=2.0 * i + 1.6,
            side=None,
            peak_value=170.0,
            range_of_motion=30.0 + i,
            rise_s=0.5,
            hold_s=0.6,
            fall_s=0.5,
            faults=["back_arched"] if i == 1 else [],
        )
        for i in range(reps)
    ]
    if reps:
        rep_list[0].range_of_motion = float("nan")
    faults = [
        FaultEvent("back_arched", 2.5, 2.9, "Don't arch", "warning"),
        FaultEvent("lowering_fast", 2.0, 3.6, "Lower with control", "warning", rep_index=2),
    ]
    return SessionResult(
        exercise=rule.id,
        exercise_name=rule.name,
        rep_metric=rule.rep.metric if rule.rep else None,
        duration_s=6.0,
        fps=25.0,
        frames=len(t),
        counting_started_s=0.3,
        reps=rep_list,
        holds=[Hold(0.5, 3.5, 5.0)],
        faults=faults,
        warnings=[SetupWarning("wrong_view", 4.0, 5.0, "Turn side-on")],
        metric_units={name: m.unit for name, m in rule.metrics.items()},
        thresholds=rule.threshold_values(),
        prescription=dict(rule.prescription),
        series=series,
    )


# -- VideoSink ----------------------------------------------------------------------------------
def test_video_sink_writes_browser_playable_h264(tmp_path):
    path = write_clip(tmp_path / "clip.mp4", 12, (64, 48))
    info = read_back(path)
    assert (info["codec"], info["pix_fmt"]) == ("h264", "yuv420p")
    assert (info["width"], info["height"], info["frames"]) == (64, 48, 12)
    assert info["rate"] == 25
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # +faststart


def test_video_sink_odd_size_and_fractional_fps(tmp_path):
    path = write_clip(tmp_path / "odd.mp4", 10, (65, 47), fps=30000 / 1001)
    info = read_back(path)
    assert (info["width"], info["height"], info["frames"]) == (66, 48, 10)
    assert abs(float(info["rate"]) - 29.97) < 0.01
    original = gradient_frames(1, 65, 47)[0]
    assert np.abs(info["first"][:47, :65].astype(int) - original).mean() < 12  # same picture, lossy


def test_video_sink_rejects_wrong_frame_size(tmp_path):
    with VideoSink(tmp_path / "x.mp4", 25, (32, 32)) as sink, pytest.raises(ValueError):
        sink.write(np.zeros((16, 32, 3), np.uint8))


# -- overlay --------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(432, 768), (1080, 1920), (48, 64)])
def test_annotate_frame_draws_a_fault(rule, size):
    rgb = np.full((*size, 3), 90, np.uint8)
    fault = FaultEvent("back_arched", 0.5, 1.0, "Don't let your lower back arch", "warning")
    out = annotate_frame(rgb, lying_pose(), make_status(active_faults=[fault]), rule)
    assert out.shape == rgb.shape and out.dtype == np.uint8
    assert (rgb == 90).all(), "the input frame must not be drawn on"
    changed = (out != rgb).any(axis=2)
    assert changed.mean() > 0.02
    assert changed[: size[0] // 10].mean() > 0.5  # the banner across the top


def test_annotate_frame_without_pose_or_values(rule):
    rgb = np.zeros((180, 320, 3), np.uint8)
    out = annotate_frame(rgb, None, make_status(values={}, counting=False, phase="setup"), rule)
    assert out.shape == rgb.shape and out.any()


def test_skeleton_skips_invisible_landmarks(rule):
    pose = lying_pose()
    pose.landmarks[:, 3] = 0.1
    frame = np.zeros((90, 160, 3), np.uint8)
    assert not SkeletonDrawer().draw(frame, OverlayState(pose, make_status(), rule)).any()
    assert SkeletonDrawer().draw(frame, OverlayState(lying_pose(), make_status(), rule)).any()


def test_banner_priority(rule):
    fault = FaultEvent("a", 0, 1, "fault cue", "info")
    worse = FaultEvent("b", 0.5, 1, "worse cue", "warning")
    warning = SetupWarning("wrong_view", 0, 1, "turn side-on")
    assert current_cue(make_status(), rule) is None
    assert current_cue(make_status(active_faults=[fault, worse]), rule)[0] == "worse cue"
    assert current_cue(make_status(active_faults=[fault], counting=False), rule)[2] == "guidance"
    assert current_cue(make_status(active_faults=[fault], active_warnings=[warning]), rule)[0] == "turn side-on"


ALL_DRAWERS = [SkeletonDrawer(), AngleDrawer(), CounterDrawer(), HoldTimerDrawer(), BannerDrawer()]


@pytest.mark.parametrize("drawer", ALL_DRAWERS, ids=lambda d: type(d).__name__)
def test_every_drawer_draws_the_state_in_place(rule, drawer):
    """One signature for all: ``draw(frame, state)`` draws on the frame it is given and returns it."""
    frame = np.full((360, 640, 3), 90, np.uint8)
    fault = FaultEvent("back_arched", 0.5, 1.0, "Don't let your lower back arch", "warning")
    state = OverlayState(lying_pose(), make_status(active_faults=[fault], hold_target_s=5.0, hold_s=2.0), rule)
    assert drawer.draw(frame, state) is frame
    assert (frame != 90).any()


def test_annotate_frame_applies_the_drawers_given_in_order(rule):
    """The overlay is its list of drawers: the default list drawn by hand, in order, is the same
    picture; a caller's own list (here reversed, or just the skeleton) is drawn instead."""
    rgb = np.full((360, 640, 3), 90, np.uint8)
    pose, status = lying_pose(), make_status(hold_target_s=5.0, hold_s=2.0)
    by_hand = rgb.copy()
    for drawer in DEFAULT_DRAWERS:
        drawer.draw(by_hand, OverlayState(pose, status, rule))
    assert np.array_equal(annotate_frame(rgb, pose, status, rule), by_hand)
    reversed_order = annotate_frame(rgb, pose, status, rule, drawers=DEFAULT_DRAWERS[::-1])
    assert reversed_order.shape == rgb.shape and not np.array_equal(reversed_order, by_hand)
    skeleton_only = annotate_frame(rgb, pose, status, rule, drawers=[SkeletonDrawer()])
    assert np.array_equal(skeleton_only, SkeletonDrawer().draw(rgb.copy(), OverlayState(pose, status, rule)))
    assert np.array_equal(annotate_frame(rgb, pose, status, rule, drawers=[]), rgb)


def test_counter_shows_both_sides_of_an_alternating_rule(rule):
    """Left and right counts replace the single count (the two pictures differ with the counts)."""
    frame = np.zeros((360, 640, 3), np.uint8)
    state = OverlayState(None, make_status(reps_by_side={"left": 1, "right": 0}), rule)
    other = OverlayState(None, make_status(reps_by_side={"left": 1, "right": 7}), rule)
    assert not np.array_equal(CounterDrawer().draw(frame.copy(), state), CounterDrawer().draw(frame.copy(), other))


@pytest.mark.parametrize("height", [8, 10, 12, 14, 18, 24, 30])
def test_label_outline_hugs_the_text(height):
    """The dark outline ends within its own width of the last letter: no blob after the text
    (OpenCV 5 lays a thicker stroke out wider, which left one on small labels)."""
    frame = np.full((3 * height, 12 * height, 3), 128, np.uint8)
    x0 = 2 * height
    width = put_text(frame, "Hip angle 152" + DEGREE, (x0, 2 * height), height, (255, 255, 255))
    gray = frame.astype(int).min(axis=2)
    text_cols = np.flatnonzero((gray > 200).any(axis=0))
    dark_cols = np.flatnonzero((gray < 100).any(axis=0))
    assert len(text_cols) and len(dark_cols), "text and its outline are drawn"
    reach = outline_width(height) + 1  # + one pixel of anti-aliasing
    assert dark_cols.max() <= text_cols.max() + reach, (dark_cols.max(), text_cols.max(), reach)
    assert dark_cols.min() >= text_cols.min() - reach
    assert abs(text_cols.max() + 1 - (x0 + width)) <= max(2, height // 6), "the returned width is the text's"


def test_format_value():
    assert format_value(float("nan"), "deg") == "--"
    assert format_value(1.26, "s") == "1.3 s"
    assert format_value(0.123, "torso") == "0.12 torso"


# -- annotated video ---------------------------------------------------------------------------------
def test_annotate_video_stops_at_the_shorter(tmp_path, rule):
    clip = write_clip(tmp_path / "in.mp4", 20, (96, 64))
    seen: list[float] = []
    out = annotate_video(clip, synthetic_track(14), rule, tmp_path / "out.mp4", progress=seen.append)
    info = read_back(out)
    assert (info["codec"], info["frames"], info["width"], info["height"]) == ("h264", 14, 96, 64)
    assert seen[-1] == 1.0 and all(0 <= p <= 1 for p in seen)


@pytest.mark.skipif(not REAL_CLIP.is_file(), reason="../shared/sample_videos is not beside the repository")
def test_annotate_video_real_clip(tmp_path, rule):
    out = annotate_video(REAL_CLIP, synthetic_track(8), rule, tmp_path / "real.mp4", max_side=640)
    info = read_back(out)
    assert info["frames"] == 8 and max(info["width"], info["height"]) == 640


# -- plots ----------------------------------------------------------------------------------------
def test_metric_figure_has_threshold_lines(rule):
    result = make_result(rule)
    fig = metric_figure(result, rule, [rule.rep.metric])
    ax = fig.axes[0]
    levels = {
        round(line.get_ydata()[0], 6) for line in ax.get_lines() if (line.get_gid() or "").startswith("threshold:")
    }
    assert {round(rule.value(rule.rep.enter), 6), round(rule.value(rule.rep.exit), 6)} <= levels
    texts = " ".join(t.get_text() for t in ax.texts)
    assert str(rule.rep.enter) in texts and str(rule.rep.exit) in texts
    assert sum((p.get_gid() or "").startswith("rep:") for p in ax.patches) == 3
    assert any((p.get_gid() or "").startswith("fault:") for p in ax.patches)
    assert figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_threshold_lines_skip_baseline_conditions(rule):
    for name in rule.metrics:
        for line in threshold_lines(rule, name):
            assert math.isfinite(line.value) and line.label


# -- reports --------------------------------------------------------------------------------------
def test_csv_has_one_row_per_rep(rule):
    result = make_result(rule, reps=3)
    rows = list(csv.DictReader(io.StringIO(to_csv(result, rule))))
    assert [int(r["index"]) for r in rows] == [1, 2, 3]
    assert rows[1]["faults"] == "back_arched" and rows[0]["range_of_motion"] == ""
    assert rows[0]["unit"] == rule.metrics[rule.rep.metric].unit
    assert to_csv(make_result(rule, reps=0)).count("\n") == 1  # header only
    assert set(rep_table(result)[0]) >= {
        "index",
        "side",
        "start_s",
        "end_s",
        "duration_s",
        "range_of_motion",
        "rise_s",
        "hold_s",
        "fall_s",
        "faults",
    }


def test_json_is_valid_without_nan(rule):
    data = json.loads(to_json(make_result(rule)))
    assert data["rep_count"] == 3 and data["reps"][0]["range_of_motion"] is None


def test_json_records_how_the_exercise_was_chosen(rule):
    result = make_result(rule)
    ranking = [(rule.id, 0.9), ("pelvic_tilt", 0.41), ("plank", 0.2), ("bird_dog", 0.1)]
    recognition = Recognition(rule.id, 0.8234, ranking)
    data = json.loads(to_json(result, recognition))
    assert data["exercise"] == rule.id  # the id stays where readers of the contract find it
    choice = data["exercise_choice"]
    assert choice["id"] == rule.id and choice["chosen_by"] == "recognition" and choice["confidence"] == 0.823
    assert choice["ranking"] == [{"id": rule.id, "score": 0.9}, {"id": "pelvic_tilt", "score": 0.41},
                                 {"id": "plank", "score": 0.2}]  # fmt: skip
    named = json.loads(to_json(result))["exercise_choice"]
    assert named == {"id": rule.id, "chosen_by": "user", "confidence": None, "ranking": None}
    text = summary_text(result, rule, recognition)
    assert "recognised, confidence 82%" in text and "pelvic_tilt" in text
    assert "recognised" not in summary_text(result, rule)


def test_rep_unit_without_the_rule(rule):
    result = make_result(rule)
    assert rep_table(result)[0]["unit"] == rule.metrics[rule.rep.metric].unit
    assert rep_table(replace(result, rep_metric=None))[0]["unit"] == ""


def test_summary_text(rule):
    text = summary_text(make_result(rule), rule)
    assert rule.name in text and "Reps:      3" in text
    assert "back_arched x1" in text and "wrong_view" in text
