"""Shared pytest set-up: markers, and the fixtures of the app tests.

The real pose model runs at most once per test session per clip: landmark tracks are
cached in a session temporary folder (``FORMCHECK_CACHE_DIR``), which the app also uses.
A test that uses a fixture of :data:`MODEL_FIXTURES` runs the model, so it is marked
``model`` here (``-m "not model"`` leaves it out) even if its own marker was forgotten.
The synthetic glute bridge (no model) is ``catalogue_poses.glute_bridge_track``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from app_support import BRIDGE, MODELS, SAMPLES, VARIANT

#: Fixtures that run the real pose model.
MODEL_FIXTURES = frozenset({"bridge_track"})


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end test in a real headless Chromium (Playwright)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``model`` every test that uses a :data:`MODEL_FIXTURES` fixture (before ``-m`` selects)."""
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def clip_landmarks(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The one landmark cache folder of the real-clip tests: ``$FORMCHECK_LANDMARK_CACHE`` (as
    ``formcheck eval``), else a session folder, so each shared clip goes through the model once."""
    os.environ.setdefault("FORMCHECK_MODEL_DIR", str(MODELS))
    return os.environ.get("FORMCHECK_LANDMARK_CACHE") or str(tmp_path_factory.mktemp("clip-landmarks"))


@pytest.fixture(scope="session")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Model folder, landmark cache, empty profiles and programmes folders and a fresh history
    database for the app under test (never the home folder's)."""
    values = {
        "FORMCHECK_MODEL_DIR": os.environ.get("FORMCHECK_MODEL_DIR") or str(MODELS),
        "FORMCHECK_CACHE_DIR": str(tmp_path_factory.mktemp("landmark-cache")),
        "FORMCHECK_PROFILES_DIR": str(tmp_path_factory.mktemp("profiles")),
        "FORMCHECK_SAMPLES_DIR": str(SAMPLES),
        "FORMCHECK_DB": str(tmp_path_factory.mktemp("history") / "history.sqlite3"),
        "FORMCHECK_PROGRAMMES_DIR": str(tmp_path_factory.mktemp("programmes")),
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    yield values
    for key, old in saved.items():
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


@pytest.fixture(scope="session")
def bridge_track(app_env: dict[str, str]):
    """bridge_01's pose track from the real model (lite), computed once and cached on disk: the
    one real bridge track of the suite."""
    from formcheck.analysis import track_video
    from formcheck.pose.estimator import PoseOptions

    return track_video(BRIDGE, PoseOptions(variant=VARIANT), cache_dir=app_env["FORMCHECK_CACHE_DIR"])
