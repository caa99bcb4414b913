"""Paths and markers shared by the app tests (their fixtures are in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "sample_videos"
MODELS = SHARED / "models"
BRIDGE = SAMPLES / "bridge_01.mp4"
VARIANT = "lite"

needs_samples = pytest.mark.skipif(not BRIDGE.is_file() or not MODELS.is_dir(),
                                   reason="needs ../shared/sample_videos and ../shared/models beside the repo")
