"""Saved threshold profiles (e.g. one per patient): rule files with tuned values.

A profile is a complete, valid rule file: the exercise's raw rule with the tuned threshold
values and a top-level ``profile: {name, based_on, saved_at}`` key. It loads like any rule
file (:func:`formcheck.rules.catalog.read_rule_file`). Profiles live in one folder:
``$FORMCHECK_PROFILES_DIR``, default ``~/.formcheck/profiles``; file names are
``<exercise>--<slug of the name>.yaml``.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from formcheck.errors import FormcheckError, RuleFileError
from formcheck.rules.catalog import read_rule_file
from formcheck.rules.schema import Rule

PROFILES_ENV = "FORMCHECK_PROFILES_DIR"
MAX_NAME = 80


@dataclass(frozen=True)
class ProfileInfo:
    """A saved profile as listed (the file is validated only when loaded)."""

    name: str
    exercise: str
    based_on: str
    saved_at: str
    path: Path


def profiles_dir() -> Path:
    """The profiles folder (it may not exist yet)."""
    env = os.environ.get(PROFILES_ENV)
    return Path(env).expanduser() if env else Path.home() / ".formcheck" / "profiles"


def slug(name: str) -> str:
    """A file-name-safe form of a profile name: ``"Mrs Smith, week 2"`` → ``"mrs-smith-week-2"``."""
    text = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")
    if not text:
        raise FormcheckError(f"profile name {name!r} needs at least one letter or digit")
    return text[:MAX_NAME]


def profile_path(exercise: str, name: str, folder: Path | None = None) -> Path:
    return (folder or profiles_dir()) / f"{exercise}--{slug(name)}.yaml"


def profile_data(rule: Rule, values: dict[str, float], name: str, saved_at: str | None = None) -> dict:
    """The profile's rule data: the rule's data with ``values`` applied and the ``profile`` key,
    validated as a published rule file.

    Raises:
        RuleFileError: a value is outside its allowed range, or the values break the rule
            (e.g. the "up" angle below the "down" angle).
    """
    if not name.strip():
        raise FormcheckError("give the profile a name (e.g. the patient's initials)")
    based_on = (rule.raw.get("profile") or {}).get("based_on") or rule.id
    meta = {
        "name": name.strip()[:MAX_NAME], "based_on": based_on,
        "saved_at": saved_at or datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return copy.deepcopy(rule.with_thresholds(values, complete=True, profile=meta).raw)


def profile_yaml(rule: Rule, values: dict[str, float], name: str, saved_at: str | None = None) -> str:
    """The profile as rule-file YAML text (what :func:`save_profile` writes; for downloads)."""
    data = profile_data(rule, values, name, saved_at)
    header = f"# formcheck profile {data['profile']['name']!r}: {rule.name} with tuned thresholds.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def save_profile(rule: Rule, values: dict[str, float], name: str, folder: Path | None = None) -> Path:
    """Write the profile (replacing one of the same exercise and name) and return its path."""
    text = profile_yaml(rule, values, name)
    path = profile_path(rule.id, name, folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as fh:
            fh.write(text)
        Path(fh.name).replace(path)
    except OSError as exc:
        raise FormcheckError(f"could not save the profile to {path}: {exc.strerror or exc}") from None
    read_rule_file(path)  # what was written loads back
    return path


def list_profiles(exercise: str | None = None, folder: Path | None = None) -> list[ProfileInfo]:
    """Saved profiles (of one exercise, if given), sorted by name. Unreadable files are skipped."""
    folder = folder or profiles_dir()
    out = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        meta = data.get("profile") if isinstance(data, dict) else None
        if not isinstance(meta, dict) or not isinstance(data.get("id"), str):
            continue
        if exercise is not None and data["id"] != exercise:
            continue
        out.append(ProfileInfo(str(meta.get("name", path.stem)), data["id"], str(meta.get("based_on", data["id"])),
                               str(meta.get("saved_at", "")), path))
    return sorted(out, key=lambda p: (p.exercise, p.name.lower()))


def load_profile(path: str | Path) -> Rule:
    """Load and validate a saved profile.

    Raises:
        RuleFileError: the file is missing, not YAML, or not a valid rule file.
    """
    rule = read_rule_file(path)
    if not isinstance(rule.raw.get("profile"), dict):
        raise RuleFileError(str(path), "profile", "not a formcheck profile (no 'profile:' section)")
    return rule


def profile_name(rule: Rule) -> str | None:
    """The profile name of a rule loaded from a profile, else None."""
    meta = rule.raw.get("profile")
    return str(meta.get("name")) if isinstance(meta, dict) and meta.get("name") else None


__all__ = [
    "PROFILES_ENV", "ProfileInfo", "list_profiles", "load_profile", "profile_data", "profile_name", "profile_path",
    "profile_yaml", "profiles_dir", "save_profile", "slug",
]  # fmt: skip
