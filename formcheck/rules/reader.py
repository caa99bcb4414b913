"""Reading fields of a parsed YAML file with messages a physio can act on.

Every error names the file, the field (``thresholds.up_angle.value``) and what is allowed,
in words ("a number of seconds from 0 to 10", "a list of conditions"), never a programming type.
"""

from __future__ import annotations

from typing import Any

import yaml

from formcheck.errors import RuleFileError
from formcheck.rules.ranges import Allowed, fmt, span

#: Expected kinds of value, in words (never a programming type).
WORDS: dict[type, str] = {
    str: "text",
    float: "a number",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a section of named fields ('name: value' lines)",
}


def show(value: Any) -> str:
    """A value as the rule file spells it (YAML), for "got ..." in messages."""
    if value is None:
        return "nothing (the field is empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)):
        return fmt(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()
    return text if len(text) <= 60 else text[:57] + "..."


def is_number(value: Any) -> bool:
    """A number as YAML gives it (``true``/``false`` are not numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_range(file: str, where: str, value: float, low: float, high: float, unit: str) -> None:
    """Raise :class:`RuleFileError` when ``value`` is outside ``low``-``high``."""
    if not low <= value <= high:
        raise RuleFileError(file, where, f"{fmt(value)} is outside the allowed range {span(low, high, unit)}")


class Reader:
    """Reads fields from a mapping, raising :class:`RuleFileError` with the field's path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, problem: str) -> None:
        raise RuleFileError(self.file, where, problem)

    def default(self, path: str, default: Any, problem: str) -> Any:
        """The value of a missing field: ``default``, or ``problem`` when it is ``...`` (required)."""
        if default is ...:
            self.fail(path, problem)
        return default

    def mapping(self, value: Any, where: str, what: str = WORDS[dict]) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"must be {what}, got {show(value)}")
        return value

    def get(
        self,
        data: dict,
        key: str,
        where: str,
        kind: type | tuple,
        default: Any = ...,
        allowed: tuple = (),
        what: str = "",
    ) -> Any:
        """``data[key]`` of the given type(s); ``what`` says in words what is expected."""
        path = f"{where}.{key}" if where else key
        if key not in data:
            return self.default(path, default, f"is required{f': {what}' if what else ''}")
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and is_number(value):
            value = float(value)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            self.fail(path, f"must be {what or ' or '.join(WORDS.get(k, 'text') for k in kinds)}, got {show(value)}")
        if allowed and value not in allowed:
            self.fail(path, f"{value!r} is not allowed; choose one of: {', '.join(allowed)}")
        return value

    def number(self, data: dict, key: str, where: str, allowed: Allowed, default: Any = ...) -> Any:
        """A plain number within ``allowed`` (a whole number if it says so), as written."""
        path = f"{where}.{key}" if where else key
        if key not in data:
            return self.default(path, default, f"is required: {allowed.describe()}")
        value = data[key]
        if not is_number(value) or (allowed.whole and value != int(value)):
            self.fail(path, f"must be {allowed.describe()}, got {show(value)}")
        check_range(self.file, path, float(value), allowed.low, allowed.high, allowed.unit or allowed.noun)
        return int(value) if allowed.whole else value

    def unknown_keys(self, data: dict, where: str, known: set[str]) -> None:
        extra = sorted(set(data) - known, key=str)
        if extra:
            self.fail(
                f"{where}.{extra[0]}" if where else str(extra[0]),
                f"unknown field; allowed fields here: {', '.join(sorted(known))}",
            )

    def not_here(self, data: dict, where: str, keys: tuple[str, ...], applies_to: str, here: str) -> None:
        """Fields in ``keys`` do not apply here: name what they apply to."""
        for key in keys:
            if key in data:
                self.fail(f"{where}.{key}", f"applies only to {applies_to}, not to {here}: remove it")

    def texts(self, data: dict, key: str, what: str) -> tuple[str, ...]:
        """An optional list of text items (``sources``, ``key_metrics``)."""
        items = self.get(data, key, "", list, [], what=f"a list of {what}")
        for i, item in enumerate(items):
            if not isinstance(item, str):
                self.fail(f"{key}[{i}]", f"must be text ({what}), got {show(item)}")
        return tuple(items)


__all__ = ["WORDS", "Reader", "check_range", "is_number", "show"]
