"""Model resolution order and the download's integrity checks (no network: a local file URL)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from formcheck.errors import ModelNotFoundError
from formcheck.pose import models


def fake_bundle(path: Path, size: int = 5_000_000) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("pose_detector.tflite", b"d" * 100)
        z.writestr("pose_landmarks_detector.tflite", b"x" * size)
    return path


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("FORMCHECK_MODEL_DIR", raising=False)
    monkeypatch.delenv("FORMCHECK_MODEL_SHA256", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_explicit_path_wins(clean_env, monkeypatch):
    explicit = fake_bundle(clean_env / "mine.task")
    monkeypatch.setenv("FORMCHECK_MODEL_DIR", str(clean_env))
    assert models.resolve_model("full", explicit) == explicit


def test_env_dir_then_cache(clean_env, monkeypatch):
    folder = clean_env / "models"
    folder.mkdir()
    fake_bundle(folder / "pose_landmarker_full.task")
    monkeypatch.setenv("FORMCHECK_MODEL_DIR", str(folder))
    assert models.resolve_model("full") == folder / "pose_landmarker_full.task"
    monkeypatch.delenv("FORMCHECK_MODEL_DIR")
    models.cache_dir().mkdir(parents=True)
    cached = fake_bundle(models.cache_dir() / "pose_landmarker_full.task")
    assert models.resolve_model("full", allow_download=False) == cached
    # the first use recorded its digest; a changed file is refused
    fake_bundle(cached, size=5_000_001)
    with pytest.raises(ModelNotFoundError, match="differs from the recorded"):
        models.resolve_model("full", allow_download=False)


def test_nothing_found_names_every_place(clean_env):
    with pytest.raises(ModelNotFoundError) as err:
        models.resolve_model("lite", allow_download=False)
    text = str(err.value)
    assert "user cache" in text and "--model" in text and "FORMCHECK_MODEL_DIR" in text


def test_download_is_checked_before_it_is_kept(clean_env, monkeypatch):
    good = fake_bundle(clean_env / "served.task")
    target = clean_env / "dl" / "pose_landmarker_full.task"
    assert models.download("full", target, url=good.as_uri()) == target
    assert (target.parent / "pose_landmarker_full.task.sha256").read_text().split()[0] == models.sha256_of(target)
    junk = clean_env / "junk.task"
    junk.write_bytes(b"<html>not a model</html>" * 300_000)
    with pytest.raises(ModelNotFoundError, match="integrity check"):
        models.download("full", clean_env / "dl2" / "m.task", url=junk.as_uri())
    assert not (clean_env / "dl2" / "m.task").exists()
    monkeypatch.setenv("FORMCHECK_MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelNotFoundError, match="FORMCHECK_MODEL_SHA256"):
        models.download("full", clean_env / "dl3" / "m.task", url=good.as_uri())


def test_shared_models_pass_the_bundle_check():
    shared = Path(__file__).resolve().parents[2] / "shared" / "models"
    if not shared.is_dir():
        pytest.skip("../shared/models not beside the repo")
    for variant in models.VARIANTS:
        path = shared / models.file_name(variant)
        assert models.check_bundle(path, variant) is None
        assert models.sha256_of(path) in models.KNOWN_SHA256[variant]
