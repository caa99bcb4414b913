"""Checks that run before any frame is decoded, so a mistake costs no analysis time.

Each check raises a :class:`~formcheck.errors.FormcheckError` whose message names the
file or option at fault; faces call them first and only then start the model.
"""

from __future__ import annotations

import os
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.pose.models import DEFAULT_VARIANT, VARIANTS, resolve_model


def check_output_path(target: str | None, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Raise unless ``target`` (``-`` is stdout) can be written: parent folder exists and is writable.

    Args:
        target: the path the user gave, or ``None`` when the output was not asked for.
        option: the command-line option that named it (for the message), e.g. ``--json``.
        suffixes: accepted file endings (e.g. ``(".mp4",)``); empty accepts any.
    """
    if target is None or target == "-":
        return
    path = Path(target).expanduser()
    if path.is_dir():
        raise FormcheckError(f"{option} {target}: is a folder; give a file name")
    if suffixes and path.suffix.lower() not in suffixes:
        raise FormcheckError(f"{option} {target}: the file name must end in {' or '.join(suffixes)}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FormcheckError(f"{option} {target}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FormcheckError(f"{option} {target}: the folder {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise FormcheckError(f"{option} {target}: the file exists and is not writable")


def check_input_file(source: str | None, option: str) -> None:
    """Raise unless ``source`` names an existing, readable file (``None``: not given)."""
    if source is None:
        return
    path = Path(source).expanduser()
    if not path.exists():
        raise FormcheckError(f"{option} {source}: no such file")
    if path.is_dir():
        raise FormcheckError(f"{option} {source}: is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise FormcheckError(f"{option} {source}: the file is not readable")


def check_model(variant: str, model: str | None = None, allow_download: bool = True) -> Path:
    """The pose model bundle that will be used; raises ModelNotFoundError when there is none."""
    return resolve_model(variant, model, allow_download=allow_download)


def check_video(path: str | Path, variant: str, model: str | None = None) -> None:
    """Raise unless ``path`` is a readable video within the limits and the model bundle is real."""
    from formcheck.sources.video import probe  # decoder library: loaded only when a video is checked

    probe(path)
    check_model(variant, model)


__all__ = ["DEFAULT_VARIANT", "VARIANTS", "check_input_file", "check_model", "check_output_path", "check_video"]
