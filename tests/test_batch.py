"""``formcheck batch``: each clip's record is what ``formcheck analyze --json`` gives, the summary
has a row per clip, finished clips are skipped, a killed run leaves no half file, one bad clip
never stops the rest, and local processes and a local Ray instance give the same results."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from app_support import BRIDGE, MODELS, SAMPLES, needs_samples
from bad_media import have_ffmpeg, make_slice, make_truncated

from formcheck.analysis import file_fingerprint
from formcheck.batch import local as batch_local
from formcheck.batch import outputs as batch_outputs
from formcheck.batch.jobs import ClipJob, ClipOutcome, list_clips
from formcheck.batch.local import CRASH_MESSAGE, run_in_processes
from formcheck.batch.outputs import OutputFolder, write_atomic
from formcheck.batch.request import BatchRequest
from formcheck.batch.resume import is_finished
from formcheck.batch.run import run_batch
from formcheck.batch.settings import ReviewSettings
from formcheck.batch.summary import SUMMARY_COLUMNS, summary_csv
from formcheck.cli import main

REPO = Path(__file__).resolve().parents[1]
#: The clips of the model tests: two short planks (holds) and a 4-second glute bridge slice (reps).
PLANKS = ("plank_02.mp4", "plank_05.mp4")
CORRUPT = "corrupt.mp4"


def _env() -> dict[str, str]:
    return {**os.environ, "FORMCHECK_MODEL_DIR": str(MODELS), "FORMCHECK_OFFLINE": "1"}


def _fake_job(clip: str, settings: ReviewSettings | None = None, path: Path | None = None) -> ClipJob:
    stat = path.stat() if path is not None else None
    return ClipJob(clip, str(path or clip), stat.st_size if stat else 0, stat.st_mtime_ns if stat else 0,
                   settings or ReviewSettings(model_fingerprint="m"))


def _fake_task(job: ClipJob) -> ClipOutcome:
    """A per-clip task without the model: its worker process dies on ``crash*`` clips."""
    if job.clip.startswith("crash"):
        os._exit(3)
    return ClipOutcome(job.clip, {"batch": {"clip": job.clip, "error": None}})


# -- outputs, listing, summary and resume rules (no model) ----------------------------------
def test_write_atomic_replaces_the_whole_file(tmp_path):
    target = tmp_path / "a.json"
    write_atomic(target, "old")
    write_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"new" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_failed_write_leaves_the_old_file_and_no_tmp(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    write_atomic(target, "old")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(batch_outputs.os, "replace", refuse)
    with pytest.raises(OSError):
        write_atomic(target, "new" * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_prepare_removes_the_tmp_files_a_killed_run_left(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.mp4.json.tmp", "sub/b.mp4.annotated.mp4.tmp", "keep.json"):
        (tmp_path / name).write_text("x")
    assert OutputFolder(tmp_path).prepare() == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["keep.json", "sub"]


def test_list_clips_takes_videos_sorted_and_skips_the_output_folder(tmp_path):
    for name in ("b.mp4", "a.MOV", "notes.txt", ".hidden.mp4", "sub/c.webm", "out/a.mp4.annotated.mp4"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    names = lambda paths: [p.relative_to(tmp_path).as_posix() for p in paths]  # noqa: E731
    assert names(list_clips(tmp_path)) == ["a.MOV", "b.mp4"]
    assert names(list_clips(tmp_path, recursive=True, skip=tmp_path / "out")) == ["a.MOV", "b.mp4", "sub/c.webm"]


def test_summary_rows_of_a_result_and_of_an_error():
    ok = {
        "exercise": "bird_dog", "exercise_choice": {"chosen_by": "user", "confidence": None}, "duration_s": 9.5,
        "rep_count": 3, "reps_by_side": {"right": 1, "left": 2}, "fault_counts": {"b_fault": 2, "a_fault": 1},
        "holds": [{"reached_target": True}, {"reached_target": False}],
        "warnings": [{"code": "person_lost"}, {"code": "person_lost"}, {"code": "video_dark"}],
        "batch": {"clip": "a.mp4", "error": None, "usable_frame_share": 0.9, "seconds": 1.5},
    }
    bad = {"batch": {"clip": "b.mp4", "error": "b.mp4: not a readable video", "seconds": 0.1}}
    rows = list(csv.DictReader(io.StringIO(summary_csv([ok, bad]))))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert rows[0] == {
        "clip": "a.mp4", "exercise": "bird_dog", "chosen_by": "user", "confidence": "", "duration_s": "9.5",
        "reps": "3", "reps_by_side": "left:2;right:1", "holds": "2", "holds_reaching_target": "1",
        "faults": "a_fault:1;b_fault:2", "usable_frame_share": "0.9", "warnings": "person_lost:2;video_dark:1",
        "error": "", "seconds": "1.5",
    }
    assert rows[1]["clip"] == "b.mp4" and rows[1]["error"] == "b.mp4: not a readable video"
    assert rows[1]["exercise"] == "" and rows[1]["reps"] == ""


def test_resume_skips_only_an_unchanged_file_under_the_same_settings(tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"video" * 100)
    out = OutputFolder(tmp_path / "out")
    job = _fake_job("a.mp4", path=clip)
    block = {"clip": "a.mp4", "size": job.size, "mtime_ns": job.mtime_ns, "fingerprint": file_fingerprint(clip),
             "settings": job.settings.key(), "error": None}
    record = {"batch": block}
    assert is_finished(record, job, out)
    assert not is_finished(record, _fake_job("a.mp4", ReviewSettings(exercise="plank", model_fingerprint="m"), clip),
                           out)
    assert not is_finished(record, _fake_job("a.mp4", ReviewSettings(annotate=True, model_fingerprint="m"), clip),
                           out)  # the annotated video is missing
    os.utime(clip, ns=(job.mtime_ns + 10**9, job.mtime_ns + 10**9))  # touched (copied), same content
    assert is_finished(record, _fake_job("a.mp4", path=clip), out)
    clip.write_bytes(b"other" * 100)  # same size, new content
    assert not is_finished(record, _fake_job("a.mp4", path=clip), out)


def test_resume_retries_only_the_errors_that_may_pass(tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"not a video")
    out = OutputFolder(tmp_path / "out")
    job = _fake_job("a.mp4", path=clip)
    block = {"clip": "a.mp4", "size": job.size, "mtime_ns": job.mtime_ns, "fingerprint": file_fingerprint(clip),
             "settings": job.settings.key(), "error": "a.mp4: not a readable video", "retry": False}
    assert is_finished({"batch": block}, job, out)
    assert not is_finished({"batch": block}, job, out, retry_errors=True)
    assert not is_finished({"batch": {**block, "retry": True}}, job, out)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--workers", "0"], "--workers 0: give a number of processes from 1 to"),
        (["--workers", "2", "--ray", "auto"], "not both"),
        (["--exercise", "moonwalk"], "unknown exercise 'moonwalk'"),
    ],
)
def test_bad_requests_get_one_line(tmp_path, capsys, extra, fragment):
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "out"), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("formcheck: error:") and fragment in err[0], err
    assert not (tmp_path / "out").exists()  # nothing is made before the request is known to be right


def test_bad_folders_get_one_line(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    assert "nope: no such folder" in capsys.readouterr().err
    assert main(["batch", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "give a folder other than the videos' own" in capsys.readouterr().err


def test_ray_missing_gives_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if it were not installed
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--ray", "auto"]) == 2
    assert capsys.readouterr().err == 'formcheck: error: --ray needs Ray: pip install "formcheck[cluster]"\n'


def test_a_crashing_clip_does_not_stop_the_others():
    jobs = [_fake_job(name) for name in ("a.mp4", "crash.mp4", "b.mp4", "c.mp4")]
    outcomes = {o.clip: o for o in run_in_processes(jobs, 2, task=_fake_task)}
    assert sorted(outcomes) == ["a.mp4", "b.mp4", "c.mp4", "crash.mp4"]
    assert [c for c, o in outcomes.items() if o.error] == ["crash.mp4"]
    assert outcomes["crash.mp4"].error == CRASH_MESSAGE and outcomes["crash.mp4"].record["batch"]["retry"]


# -- real clips through the real model ----------------------------------------------------
@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Three short clips (links to two sample planks, a 4 s bridge slice) and a corrupt file."""
    if not BRIDGE.is_file() or not MODELS.is_dir() or not have_ffmpeg():
        pytest.skip("needs ../shared (sample clips, models) and ffmpeg")
    made = tmp_path_factory.mktemp("batch-media")
    videos = tmp_path_factory.mktemp("batch-videos")
    for name in PLANKS:
        (videos / name).symlink_to(SAMPLES / name)
    shutil.copy(make_slice(BRIDGE, made, 0, 4), videos / "bridge_slice.mp4")
    shutil.copy(make_truncated(BRIDGE, made, keep=0.5, moov_first=False), videos / CORRUPT)
    return videos


@pytest.fixture(scope="module")
def model_env():
    saved = os.environ.get("FORMCHECK_MODEL_DIR")
    os.environ["FORMCHECK_MODEL_DIR"] = str(MODELS)
    yield
    if saved is None:
        os.environ.pop("FORMCHECK_MODEL_DIR", None)
    else:
        os.environ["FORMCHECK_MODEL_DIR"] = saved


@pytest.fixture(scope="module")
def analyzed(folder, model_env, tmp_path_factory) -> dict[str, dict]:
    """``formcheck analyze CLIP --json`` of each good clip."""
    out = tmp_path_factory.mktemp("analyze")
    docs = {}
    for clip in sorted(p.name for p in folder.iterdir() if p.name != CORRUPT):
        assert main(["analyze", str(folder / clip), "--json", str(out / f"{clip}.json")]) == 0
        docs[clip] = json.loads((out / f"{clip}.json").read_text())
    return docs


@pytest.fixture(scope="module")
def first_run(folder, model_env, tmp_path_factory):
    """One batch over the folder in this process: (output folder, report, progress lines)."""
    out = tmp_path_factory.mktemp("batch-out")
    lines: list[str] = []
    report = run_batch(BatchRequest(folder, out), lines.append)
    return out, report, lines


def _records(out: Path) -> dict[str, dict]:
    """The per-clip results of an output folder, without their ``batch`` blocks."""
    docs = {}
    for path in out.glob(f"*{batch_outputs.RESULT_SUFFIX}"):
        if not path.name.endswith(batch_outputs.ERROR_SUFFIX):
            doc = json.loads(path.read_text())
            doc.pop("batch")
            docs[path.name.removesuffix(batch_outputs.RESULT_SUFFIX)] = doc
    return docs


def _summary(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / batch_outputs.SUMMARY_NAME).read_text())))


@pytest.mark.model
@needs_samples
def test_each_record_is_what_analyze_json_gives(first_run, analyzed):
    out, report, _ = first_run
    records = _records(out)
    assert sorted(records) == sorted(analyzed)
    for clip, doc in analyzed.items():
        got = records[clip]
        assert (got["exercise"], got["rep_count"], got["fault_counts"]) == (
            doc["exercise"], doc["rep_count"], doc["fault_counts"]), clip
        assert got["holds"] == doc["holds"] and got["reps"] == doc["reps"], clip
        assert got == doc, clip
    assert {records[c]["exercise"] for c in PLANKS} == {"plank"}
    assert records["bridge_slice.mp4"]["exercise"] == "glute_bridge"


@pytest.mark.model
@needs_samples
def test_summary_has_a_row_per_clip_and_the_bad_clip_has_its_error(first_run, analyzed):
    out, report, lines = first_run
    rows = _summary(out)
    assert [r["clip"] for r in rows] == ["bridge_slice.mp4", CORRUPT, *PLANKS]
    for row in rows:
        if row["clip"] == CORRUPT:
            assert row["error"] and row["exercise"] == "" and CORRUPT in row["error"]
            continue
        doc = analyzed[row["clip"]]
        assert row["error"] == "" and row["exercise"] == doc["exercise"]
        assert int(row["reps"]) == doc["rep_count"] and int(row["holds"]) == len(doc["holds"])
        assert 0.5 < float(row["usable_frame_share"]) <= 1 and float(row["seconds"]) > 0
    error = json.loads((out / f"{CORRUPT}{batch_outputs.ERROR_SUFFIX}").read_text())["batch"]
    assert error["error_type"] == "InputError" and error["retry"] is False
    assert (report.clips, report.reviewed, report.skipped, report.errors) == (4, 4, 0, 1)
    assert lines[0].startswith("4 clips: 0 done before") and len(lines) == 5
    assert any(line.startswith("[") and CORRUPT in line and "ERROR" in line for line in lines[1:])


@pytest.mark.model
@needs_samples
def test_a_second_run_skips_every_finished_clip(first_run, folder, monkeypatch):
    out, _, _ = first_run
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    ran = []
    monkeypatch.setattr(batch_local, "run_clip", lambda job: ran.append(job))
    report = run_batch(BatchRequest(folder, out))
    assert ran == [] and (report.reviewed, report.skipped, report.errors) == (0, 4, 1)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == before
    assert [r["clip"] for r in _summary(out)] == ["bridge_slice.mp4", CORRUPT, *PLANKS]


@pytest.mark.model
@needs_samples
def test_two_workers_give_the_same_results_with_annotated_videos(first_run, folder, tmp_path):
    report = run_batch(BatchRequest(folder, tmp_path, workers=2, annotate=True))
    assert (report.reviewed, report.errors) == (4, 1)
    assert _records(tmp_path) == _records(first_run[0])
    from formcheck.sources.video import probe

    for clip, doc in _records(tmp_path).items():
        video = tmp_path / f"{clip}{batch_outputs.VIDEO_SUFFIX}"
        assert abs(probe(video).frame_count - doc["frames"]) <= 1, clip
    assert not list(tmp_path.glob(f"{CORRUPT}*.mp4"))


@pytest.mark.model
@needs_samples
def test_a_killed_run_leaves_no_half_file_and_the_next_run_finishes(first_run, folder, tmp_path):
    cmd = [sys.executable, "-m", "formcheck", "batch", str(folder), "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not list(tmp_path.glob("*.mp4.json")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch's own process group
        proc.wait()
    for path in tmp_path.glob("*.json"):
        assert json.loads(path.read_text())["batch"]["clip"]  # every file under its final name is whole
    assert len(_summary(tmp_path)) <= 4
    report = run_batch(BatchRequest(folder, tmp_path))
    assert report.skipped >= 1 and report.reviewed + report.skipped == 4
    assert not list(tmp_path.rglob("*.tmp"))  # a .tmp that kill -9 caught mid-write is gone too
    assert _records(tmp_path) == _records(first_run[0])


#: A local Ray instance with 2 CPUs: prints its address, and stops when its standard input closes.
RAY_HEAD = """
import logging, sys, ray
context = ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
print(context.address_info["gcs_address"], flush=True)
sys.stdin.read()
ray.shutdown()
"""


@pytest.fixture
def ray_cluster():
    """A local Ray instance (2 CPUs, token authentication) in its own process; yields (address, env)."""
    pytest.importorskip("ray")
    env = {**_env(), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    head = subprocess.Popen([sys.executable, "-c", RAY_HEAD], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = head.stdout.readline().strip()
        if not address:
            pytest.fail("the local Ray instance did not start")
        yield address, env
    finally:
        head.stdin.close()
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.terminate()
            head.wait(timeout=30)


@pytest.mark.model
@needs_samples
def test_ray_gives_the_same_results(first_run, folder, tmp_path, ray_cluster):
    address, env = ray_cluster
    cmd = [sys.executable, "-m", "formcheck", "batch", str(folder), "--out", str(tmp_path), "--ray", address]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 3, proc.stderr[-3000:]  # finished, and the corrupt clip failed
    assert f"on the Ray cluster at {address}" in proc.stderr
    assert _records(tmp_path) == _records(first_run[0])
    rows = {r["clip"]: r for r in _summary(tmp_path)}
    assert rows[CORRUPT]["error"] == {r["clip"]: r for r in _summary(first_run[0])}[CORRUPT]["error"]
