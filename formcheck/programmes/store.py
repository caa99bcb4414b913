"""Saving a programme in the user's folder (``$FORMCHECK_PROGRAMMES_DIR``, default
``~/.formcheck/programmes``): an imported file, or one built in the app.

The file is ``<id>.yaml``, written whole or not at all (a temporary file renamed over it), and
is refused when its id is a shipped programme's (it would never be listed under that id).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from formcheck.errors import FormcheckError
from formcheck.programmes.catalog import PROGRAMMES_DIR, programmes_dir, read_programme_file
from formcheck.programmes.dump import dump_programme
from formcheck.programmes.parse import parse_programme
from formcheck.programmes.schema import Programme

_ID = re.compile(r"[a-z0-9_]+")


def _taken(programme_id: str, folder: Path) -> bool:
    return (PROGRAMMES_DIR / f"{programme_id}.yaml").is_file() or (folder / f"{programme_id}.yaml").is_file()


def unique_id(wanted: str, folder: Path | None = None) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3``... : the first id neither shipped nor saved in ``folder``."""
    folder = folder or programmes_dir()
    candidate, n = wanted, 1
    while _taken(candidate, folder):
        n += 1
        candidate = f"{wanted}_{n}"
    return candidate


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_programme(programme: Programme, folder: Path | None = None) -> Path:
    """Write the programme as ``<folder>/<id>.yaml`` (replacing a saved one of that id) and return the path.

    Raises:
        FormcheckError: the id is not lower-case letters, digits and underscores, or is a shipped
            programme's (see :func:`unique_id`), or the folder cannot be written;
            :class:`~formcheck.errors.RuleFileError` when the programme is not valid.
    """
    folder = Path(folder) if folder is not None else programmes_dir()
    if not _ID.fullmatch(programme.id):
        raise FormcheckError(f"programme id {programme.id!r} must be lower-case letters, digits and underscores")
    path = folder / f"{programme.id}.yaml"
    shipped = PROGRAMMES_DIR / path.name
    if shipped.is_file() and shipped.resolve() != path.resolve():
        raise FormcheckError(f"{programme.id!r} is the id of a shipped programme: save it under another name, "
                             f"e.g. {unique_id(programme.id, folder)!r}")
    text = dump_programme(programme)
    parse_programme(yaml.safe_load(text), str(path))  # refuse what would not load back
    try:
        _write_atomically(path, text)
    except OSError as exc:
        raise FormcheckError(f"could not save the programme to {path}: {exc.strerror or exc}") from None
    read_programme_file(path, "user")
    return path


__all__ = ["save_programme", "unique_id"]
