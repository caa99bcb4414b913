"""The command line: bad input gets one line and a non-zero exit; the JSON contract holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from app_support import MODELS, SAMPLES, needs_samples

from formcheck.outputs.video_sink import VideoSink

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "FORMCHECK_MODEL_DIR": str(MODELS), "FORMCHECK_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "formcheck", *args], capture_output=True, text=True, cwd=REPO, env=full_env, timeout=600
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, fragment: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("formcheck: error:"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert fragment in lines[0]


def test_missing_file():
    assert_one_line_error(run("analyze", "nope.mp4", "--exercise", "glute_bridge"), "no such file")


def test_not_a_video(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 50)
    assert_one_line_error(run("analyze", str(fake), "--exercise", "glute_bridge"), "not a readable video")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()
    assert_one_line_error(run("analyze", str(empty), "--exercise", "glute_bridge"), "empty (0 bytes)")


def test_video_without_frames(tmp_path):
    """A container whose header promises video but holds no frame data (cut before mdat)."""
    path = tmp_path / "noframes.mp4"
    with VideoSink(path, 25, (64, 48)) as sink:
        for _ in range(10):
            sink.write(np.zeros((48, 64, 3), np.uint8))
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"mdat") + 4])
    proc = run("analyze", str(path), "--exercise", "glute_bridge")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "no frames" in proc.stderr or "cannot be decoded" in proc.stderr


def test_unknown_exercise():
    assert_one_line_error(run("analyze", "x.mp4", "--exercise", "moonwalk"), "unknown exercise 'moonwalk'")


def test_malformed_rule_file(tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("id: mine\nname: x\n")
    proc = run("analyze", "--landmarks", str(tmp_path / "x.npz"), "--rules", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = run("validate", str(bad), str(REPO / "pose_rules" / "glute_bridge.yaml"))
    assert proc.returncode == 2
    assert f"ERROR {bad}: metrics: is required" in proc.stdout
    assert "ok    " in proc.stdout


def test_not_a_landmark_file(tmp_path):
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"garbage")
    assert_one_line_error(
        run("analyze", "--landmarks", str(bad), "--exercise", "plank"), "not a formcheck landmark file"
    )


def test_exercises_lists_the_catalogue():
    proc = run("exercises")
    assert proc.returncode == 0
    ids = [line.split()[0] for line in proc.stdout.splitlines()]
    assert {"back_extension", "rock_back", "knee_rolls", "glute_bridge"} <= set(ids)


@needs_samples
@pytest.mark.model
def test_no_person_in_the_video(tmp_path):
    path = tmp_path / "empty_room.mp4"
    rng = np.random.default_rng(0)
    with VideoSink(path, 10, (160, 120)) as sink:
        for _ in range(20):
            sink.write((rng.random((120, 160, 3)) * 40 + 100).astype(np.uint8))
    assert_one_line_error(
        run("analyze", str(path), "--exercise", "glute_bridge", "--variant", "lite"), "no person found"
    )


@needs_samples
@pytest.mark.model
def test_landmarks_then_analyze_json_contract(tmp_path):
    clip = SAMPLES / "plank_02.mp4"
    cache = tmp_path / "plank.npz"
    proc = run("landmarks", str(clip), "-o", str(cache), "--variant", "lite")
    assert proc.returncode == 0, proc.stderr
    proc = run("analyze", "--landmarks", str(cache), "--exercise", "plank", "--json", "-")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for key in ("exercise", "duration_s", "fps", "rep_count", "reps", "holds", "faults", "warnings"):
        assert key in result
    assert result["exercise"] == "plank" and result["duration_s"] == pytest.approx(2.57, abs=0.05)
    assert result["holds"], "a plank held for the whole clip gives a hold"
    for hold in result["holds"]:
        assert set(hold) >= {"start_s", "end_s", "duration_s"}


@needs_samples
@pytest.mark.model
def test_analyze_writes_browser_playable_annotated_video(tmp_path):
    out = tmp_path / "annotated.mp4"
    proc = run(
        "analyze",
        str(SAMPLES / "plank_02.mp4"),
        "--exercise",
        "plank",
        "--variant",
        "lite",
        "--annotate",
        str(out),
        "--json",
        str(tmp_path / "r.json"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Plank" in proc.stdout
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        assert sum(1 for _ in container.decode(stream)) == 77
    assert json.loads((tmp_path / "r.json").read_text())["exercise"] == "plank"


# -- checks that run before any frame is decoded ------------------------------------------


def test_missing_rule_file_fails_before_the_model(tmp_path):
    # A video that would fail if it were opened: the rule file must be reported first.
    assert_one_line_error(run("analyze", str(tmp_path / "x.mp4"), "--rules", str(tmp_path / "no.yaml")),
                          f"--rules {tmp_path / 'no.yaml'}: no such file")


def test_broken_rule_file_fails_before_the_model(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed\n")
    assert_one_line_error(run("analyze", str(tmp_path / "x.mp4"), "--rules", str(bad)), "not valid YAML")


@pytest.mark.parametrize("option", ["--json", "--csv", "--annotate"])
def test_output_into_a_missing_folder_fails_first(tmp_path, option):
    target = tmp_path / "no-such-folder" / "out.mp4"
    proc = run("analyze", str(tmp_path / "x.mp4"), "--exercise", "glute_bridge", option, str(target))
    assert_one_line_error(proc, f"{option} {target}: the folder {target.parent} does not exist")


def test_annotate_must_be_an_mp4(tmp_path):
    proc = run("analyze", str(tmp_path / "x.mp4"), "--exercise", "glute_bridge", "--annotate", str(tmp_path / "a.avi"))
    assert_one_line_error(proc, "must end in .mp4")


def test_model_that_is_not_a_bundle(tmp_path):
    fake = tmp_path / "model.task"
    fake.write_text("not a model")
    clip = SAMPLES / "plank_02.mp4"
    assert_one_line_error(run("analyze", str(clip), "--exercise", "plank", "--model", str(fake)),
                          "not a pose model bundle")


def test_model_folder_without_the_variant(tmp_path):
    (tmp_path / "other.task").write_text("x")
    clip = SAMPLES / "plank_02.mp4"
    proc = run("analyze", str(clip), "--exercise", "plank", "--model", str(tmp_path))
    assert_one_line_error(proc, "the folder has no pose_landmarker_full.task (it holds other.task)")


def test_zip_that_is_not_a_model_is_one_line(tmp_path):
    import zipfile

    fake = tmp_path / "fake.task"
    with zipfile.ZipFile(fake, "w", compression=zipfile.ZIP_STORED) as bundle:
        bundle.writestr("pose_detector.tflite", b"d" * 100)
        bundle.writestr("pose_landmarks_detector.tflite", b"x" * 3_000_000)
    proc = run("analyze", str(SAMPLES / "plank_02.mp4"), "--exercise", "plank", "--model", str(fake))
    assert_one_line_error(proc, "the pose model could not be loaded")


def test_offline_without_a_model_says_why(tmp_path):
    proc = run("model", env={"FORMCHECK_MODEL_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert_one_line_error(proc, "FORMCHECK_OFFLINE=1 forbids it")
    assert "(the folder does not exist)" in proc.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_is_accepted_before_or_after_the_subcommand(where):
    args = ["--debug", "exercises"] if where == "before" else ["exercises", "--debug"]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert "glute_bridge" in proc.stdout


@needs_samples
@pytest.mark.model
def test_a_model_run_prints_nothing_native_and_debug_shows_it():
    clip = str(SAMPLES / "plank_02.mp4")
    quiet = run("analyze", clip, "--exercise", "plank", "--variant", "lite")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    loud = run("analyze", clip, "--exercise", "plank", "--variant", "lite", "--debug")
    assert loud.returncode == 0
    assert "formcheck.native:" in loud.stderr and "LiteRT" in loud.stderr
