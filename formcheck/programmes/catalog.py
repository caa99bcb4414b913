"""Finding and loading programme files: the shipped ones (``pose_rules/programmes/``) and the
user's (``$FORMCHECK_PROGRAMMES_DIR``, default ``~/.formcheck/programmes``: imported or built ones).

The catalogue lists shipped programmes first, then the user's; a file that cannot be read, or
whose id is already taken (a user programme named like a shipped one), is reported in
:attr:`ProgrammeCatalogue.problems`, never silently dropped or shadowing another.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from formcheck.errors import FormcheckError, RuleFileError
from formcheck.programmes.exercises import nearest
from formcheck.programmes.parse import parse_programme
from formcheck.programmes.problems import ProgrammeFileError
from formcheck.programmes.schema import Programme
from formcheck.rules.catalog import RULES_DIR

PROGRAMMES_DIR = RULES_DIR / "programmes"
PROGRAMMES_ENV = "FORMCHECK_PROGRAMMES_DIR"
log = logging.getLogger(__name__)


def programmes_dir() -> Path:
    """The user's programmes folder (it may not exist yet)."""
    env = os.environ.get(PROGRAMMES_ENV)
    return Path(env).expanduser() if env else Path.home() / ".formcheck" / "programmes"


def read_yaml(path: Path) -> Any:
    """The parsed YAML of ``path``, or :class:`RuleFileError` saying why it cannot be read."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RuleFileError(str(path), "", "not a text file") from None
    except OSError as exc:
        raise RuleFileError(str(path), "", f"cannot be read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        field = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RuleFileError(str(path), field, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def is_programme_file(path: str | Path) -> bool:
    """A file in a ``programmes`` folder, or one whose YAML has a top-level ``items:`` (not a rule file)."""
    path = Path(path)
    if path.parent.name == "programmes":
        return True
    try:
        data = read_yaml(path)
    except RuleFileError:
        return False
    return isinstance(data, dict) and "items" in data


def read_programme_file(path: str | Path, origin: str = "file") -> Programme:
    """Parse and validate one programme file (``extra`` holds its ``path`` and ``origin``).

    Raises:
        RuleFileError: the file is missing or not YAML; :class:`ProgrammeFileError` (one line per
            problem) when it is not a valid programme.
    """
    path = Path(path)
    if not path.is_file():
        raise RuleFileError(str(path), "", "no such programme file")
    programme = parse_programme(read_yaml(path), str(path))
    return dataclasses.replace(programme, extra={"path": str(path), "origin": origin})


def validate_programme_file(path: str | Path) -> list[str]:
    """The problems of a programme file, one line each (empty: the file is fine)."""
    try:
        read_programme_file(path)
    except ProgrammeFileError as exc:
        return list(exc.problems)
    except RuleFileError as exc:
        return [str(exc)]
    return []


@dataclass(frozen=True)
class ProgrammeCatalogue:
    """The programmes found, and one line for each file left out (unreadable, or its id taken)."""

    programmes: tuple[Programme, ...]
    problems: tuple[str, ...]


def _folders(folder: Path | None) -> list[tuple[Path, str]]:
    if folder is not None:
        return [(Path(folder), "user")]
    user = programmes_dir()
    same = user.resolve() == PROGRAMMES_DIR.resolve()
    return [(PROGRAMMES_DIR, "shipped"), *([] if same else [(user, "user")])]


def scan_programmes(folder: Path | None = None) -> ProgrammeCatalogue:
    """Shipped then user programmes (or only those in ``folder``), each id once, with the problems."""
    found: dict[str, Programme] = {}
    problems: list[str] = []
    for where, origin in _folders(folder):
        for path in sorted(where.glob("*.yaml")) if where.is_dir() else []:
            try:
                programme = read_programme_file(path, origin)
            except RuleFileError as exc:
                problems.extend(str(exc).splitlines())
                continue
            taken = found.get(programme.id)
            if taken is not None:
                problems.append(f"{path}: not listed: the id {programme.id!r} is taken by the {taken.extra['origin']} "
                                f"programme {taken.extra['path']}; rename the file")
                continue
            found[programme.id] = programme
    return ProgrammeCatalogue(tuple(found.values()), tuple(problems))


def list_programmes(folder: Path | None = None) -> list[Programme]:
    """The shipped programmes then the user's (or only those in ``folder``); problems are logged."""
    catalogue = scan_programmes(folder)
    for line in catalogue.problems:
        log.warning("%s", line)
    return list(catalogue.programmes)


def load_programme(id_or_path: str | Path) -> Programme:
    """A programme by id (shipped first, then the user's folder) or by file path.

    Raises:
        FormcheckError: no programme has that id (the message lists the nearest ones);
            :class:`RuleFileError` when the file is not a valid programme.
    """
    text = str(id_or_path)
    if text.endswith((".yaml", ".yml")) or os.sep in text:
        return read_programme_file(text)
    for where, origin in _folders(None):
        if (where / f"{text}.yaml").is_file():
            return read_programme_file(where / f"{text}.yaml", origin)
    ids = sorted({p.stem for where, _ in _folders(None) if where.is_dir() for p in where.glob("*.yaml")})
    close = nearest(text, ids)
    hint = f"nearest: {', '.join(close)}" if close else f"programmes: {', '.join(ids) or 'none'}"
    raise FormcheckError(f"unknown programme {text!r}; {hint}")


__all__ = [
    "PROGRAMMES_DIR", "PROGRAMMES_ENV", "ProgrammeCatalogue", "is_programme_file", "list_programmes",
    "load_programme", "programmes_dir", "read_programme_file", "read_yaml", "scan_programmes",
    "validate_programme_file",
]  # fmt: skip
