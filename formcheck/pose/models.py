"""Finding the MediaPipe pose model bundle: ``--model``, ``FORMCHECK_MODEL_DIR``, the
user cache, then a checked download from MediaPipe's model storage.

The download is verified before it is used: it must be a zip bundle holding the two
TFLite models, of a plausible size, and its SHA-256 must match ``FORMCHECK_MODEL_SHA256``
when that is set, or a digest pinned in :data:`KNOWN_SHA256`. A digest seen for the first
time is written beside the file and every later load is checked against it, so a file
that changes on disk is refused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from formcheck.errors import ModelNotFoundError

VARIANTS = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"
MODEL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{variant}/float16/1/pose_landmarker_{variant}.task"
)
#: Digests of bundles known to be good (the offline copies this project is tested with).
KNOWN_SHA256: dict[str, set[str]] = {
    "lite": {"829ed1b5dcd4bcfb9f687de1da98a38ffbab5ecce57fa42976cfe60567da6d1a"},
    "full": {"9510e99fb4ee3a19d957b8817fda0b86ff9823231ecfaa4a8da6cfb1e29583e8"},
    "heavy": {"6642af8324be2b0e00ec6d0b64d5151f25d79bb728b3f9f1014e8928482dd1a2"},
}
SIZE_RANGE_BYTES = {"lite": (2e6, 2e7), "full": (4e6, 4e7), "heavy": (1e7, 1e8)}
BUNDLE_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def file_name(variant: str) -> str:
    return f"pose_landmarker_{variant}.task"


def cache_dir() -> Path:
    """Per-user model cache (``$XDG_CACHE_HOME/formcheck/models``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "formcheck" / "models"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_bundle(path: Path, variant: str | None = None) -> str | None:
    """Return what is wrong with a bundle file, or ``None`` when it looks right.

    With no ``variant`` (a file the user named), any variant's size range is accepted.
    """
    size = path.stat().st_size
    ranges = [SIZE_RANGE_BYTES[variant]] if variant else list(SIZE_RANGE_BYTES.values())
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    if not low <= size <= high:
        return f"not a pose model bundle: {size} bytes, expected {int(low)}-{int(high)}"
    try:
        with zipfile.ZipFile(path) as bundle:
            missing = BUNDLE_MEMBERS - set(bundle.namelist())
    except (zipfile.BadZipFile, OSError):
        return "not a MediaPipe .task bundle (not a zip archive)"
    if missing:
        return f"not a pose model bundle: it lacks {', '.join(sorted(missing))}"
    return None


def verify_digest(path: Path, variant: str) -> str | None:
    """Check the file's SHA-256 against the pin, the known list or its recorded digest."""
    digest = sha256_of(path)
    pinned = os.environ.get("FORMCHECK_MODEL_SHA256", "").strip().lower()
    if pinned:
        return None if digest == pinned else f"SHA-256 {digest} differs from FORMCHECK_MODEL_SHA256"
    if digest in KNOWN_SHA256.get(variant, set()):
        return None
    record = path.with_name(path.name + ".sha256")
    if record.exists():
        expected = record.read_text().split()[0]
        return None if digest == expected else f"SHA-256 {digest} differs from the recorded {expected}"
    record.write_text(f"{digest}  {path.name}\n")
    return None


def download(variant: str, target: Path, url: str | None = None, timeout_s: float = 60.0) -> Path:
    """Download a bundle to ``target`` atomically, verifying it before it is kept."""
    url = url or MODEL_URL.format(variant=variant)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
                shutil.copyfileobj(response, tmp)
        except Exception as exc:
            tmp.close()
            tmp_path.unlink(missing_ok=True)
            raise ModelNotFoundError(f"could not download {url}: {exc}") from None
    problem = check_bundle(tmp_path, variant)
    if problem is None:
        expected = os.environ.get("FORMCHECK_MODEL_SHA256", "").strip().lower()
        digest = sha256_of(tmp_path)
        if expected and digest != expected:
            problem = f"SHA-256 {digest} differs from FORMCHECK_MODEL_SHA256"
    if problem:
        tmp_path.unlink(missing_ok=True)
        raise ModelNotFoundError(f"downloaded model from {url} failed its integrity check: {problem}")
    tmp_path.replace(target)
    target.with_name(target.name + ".sha256").write_text(f"{sha256_of(target)}  {target.name}\n")
    return target


def _explicit_model(model_path: str | Path, variant: str) -> Path:
    """The bundle named by ``--model`` (a file, or a folder holding the variant's file)."""
    path = Path(model_path).expanduser()
    if path.is_dir():
        inside = path / file_name(variant)
        if not inside.is_file():
            found = sorted(p.name for p in path.glob("*.task"))
            holds = f"it holds {', '.join(found)}" if found else "it holds no .task file"
            raise ModelNotFoundError(f"--model {model_path}: the folder has no {file_name(variant)} ({holds})")
        path = inside
    elif not path.exists():
        raise ModelNotFoundError(f"--model {model_path}: no such file or folder")
    problem = check_bundle(path)
    if problem:
        raise ModelNotFoundError(f"--model {model_path}: {problem}")
    return path


def _folder_state(folder: Path, name: str) -> str:
    if not folder.is_dir():
        return "the folder does not exist"
    return f"no {name} in it"


def _download_refusal(allow_download: bool) -> str | None:
    if os.environ.get("FORMCHECK_OFFLINE") == "1":
        return "download (not tried: FORMCHECK_OFFLINE=1 forbids it)"
    if not allow_download:
        return "download (not tried: --no-download)"
    return None


def resolve_model(
    variant: str = DEFAULT_VARIANT, model_path: str | Path | None = None, allow_download: bool = True
) -> Path:
    """Find the pose model bundle to use, in the documented order.

    Raises:
        ModelNotFoundError: naming every place that was tried and why it did not serve.
    """
    if variant not in VARIANTS:
        raise ModelNotFoundError(f"unknown model variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if model_path:
        return _explicit_model(model_path, variant)
    name = file_name(variant)
    tried: list[str] = []
    env_dir = os.environ.get("FORMCHECK_MODEL_DIR")
    if env_dir:
        path = Path(env_dir).expanduser() / name
        if path.is_file():
            problem = check_bundle(path, variant)
            if problem is None:
                return path
            tried.append(f"FORMCHECK_MODEL_DIR {path}: {problem}")
        else:
            tried.append(f"FORMCHECK_MODEL_DIR={env_dir} ({_folder_state(Path(env_dir).expanduser(), name)})")
    cached = cache_dir() / name
    if cached.is_file():
        problem = check_bundle(cached, variant) or verify_digest(cached, variant)
        if problem is None:
            return cached
        tried.append(f"user cache {cached} ({problem})")
    else:
        tried.append(f"user cache {cached.parent} ({_folder_state(cached.parent, name)})")
    refusal = _download_refusal(allow_download)
    if refusal:
        tried.append(refusal)
    else:
        try:
            return download(variant, cached)
        except ModelNotFoundError as exc:
            tried.append(str(exc))
    raise ModelNotFoundError(
        f"no pose model '{variant}' found. Tried: {'; '.join(tried)}. "
        f"Pass --model PATH or set FORMCHECK_MODEL_DIR to a folder with {name}."
    )
