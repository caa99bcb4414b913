"""Finding and loading rule files: ``pose_rules/<id>.yaml`` or any file a user names."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from formcheck.errors import RuleFileError, UnknownExerciseError
from formcheck.rules.schema import Rule
from formcheck.rules.validate import parse_rule

RULES_DIR = Path(os.environ.get("FORMCHECK_RULES_DIR", Path(__file__).resolve().parents[2] / "pose_rules"))


def rule_path(exercise_id: str, rules_dir: Path | None = None) -> Path:
    """The file of a catalogue exercise, or :class:`UnknownExerciseError` listing the ids."""
    folder = rules_dir or RULES_DIR
    path = folder / f"{exercise_id}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(folder.glob("*.yaml")))
        raise UnknownExerciseError(f"unknown exercise {exercise_id!r}; known exercises: {known}")
    return path


def read_rule_file(path: str | Path) -> Rule:
    """Parse and validate one rule file."""
    path = Path(path)
    if not path.is_file():
        raise RuleFileError(str(path), "", "no such rule file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleFileError(str(path), where, f"not valid YAML: {problem}") from None
    except UnicodeDecodeError:
        raise RuleFileError(str(path), "", "not a text file") from None
    return parse_rule(data, str(path), complete=True)


def load_rule(exercise_or_path: str | Path, rules_dir: Path | None = None) -> Rule:
    """Load a rule by exercise id (``glute_bridge``) or by file path."""
    text = str(exercise_or_path)
    if text.endswith((".yaml", ".yml")) or os.sep in text:
        return read_rule_file(text)
    return read_rule_file(rule_path(text, rules_dir))


def list_rules(rules_dir: Path | None = None) -> list[Rule]:
    """Every rule file of the catalogue, sorted by id."""
    folder = rules_dir or RULES_DIR
    return [read_rule_file(p) for p in sorted(folder.glob("*.yaml"))]
