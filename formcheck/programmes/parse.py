"""Validating a programme file's data and building its :class:`~formcheck.programmes.schema.Programme`.

A file has ``title``, ``source`` (the guide it comes from), optional ``description`` and
``author``, and ``items`` (read by :mod:`formcheck.programmes.items`). Every problem is one
line naming the file and the field, all of them at once (:class:`ProgrammeFileError`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from formcheck.programmes.exercises import known_exercises
from formcheck.programmes.items import read_item
from formcheck.programmes.problems import Problems
from formcheck.programmes.schema import Programme
from formcheck.rules.reader import Reader

TOP_KEYS = {"title", "source", "description", "author", "items"}
ITEMS_WHAT = "a list of exercises, each like '- {exercise: glute_bridge, sets: 1, reps: 10}'"


def programme_id(source: str) -> str:
    """The id of a programme read from ``source``: its file name without ``.yaml``, as lower-case
    letters, digits and underscores (``"Mrs Smith (2).yaml"`` → ``mrs_smith_2``)."""
    return re.sub(r"[^a-z0-9]+", "_", Path(source).stem.lower()).strip("_") or "programme"


def _text(p: Problems, data: dict, key: str, what: str, required: bool = True) -> str:
    r: Reader = p.reader
    value = p.check(lambda: r.get(data, key, "", str, ... if required else "", what=what))
    if required and value is not None and not value.strip():
        p.add(key, f"must not be empty: {what}")
    return (value or "").strip()


def _items(p: Problems, data: dict, rules_dir: Path | None) -> tuple:
    raw = p.check(lambda: p.reader.get(data, "items", "", list, what=ITEMS_WHAT))
    if raw is None:
        return ()
    if not raw:
        p.add("items", f"is empty: give {ITEMS_WHAT}")
    known = known_exercises(rules_dir)
    return tuple(read_item(p, i, item, known) for i, item in enumerate(raw))


def parse_programme(data: Any, source: str = "<programme>", *, rules_dir: Path | None = None) -> Programme:
    """Validate a programme file's parsed YAML and build the :class:`Programme` (id: ``source``'s file name).

    Raises:
        ProgrammeFileError: (a :class:`~formcheck.errors.RuleFileError`) one line per problem,
            each naming the file, the field and what is allowed.
    """
    p = Problems(source)
    data = p.check(lambda: p.reader.mapping(data, "", "a programme file: title, source and items"))
    p.raise_any()
    p.check(lambda: p.reader.unknown_keys(data, "", TOP_KEYS))
    title = _text(p, data, "title", "the programme's name as text")
    guide = _text(p, data, "source", "the guide the programme comes from, as text")
    description = _text(p, data, "description", "a description as text", required=False)
    author = _text(p, data, "author", "who wrote the programme, as text", required=False)
    items = _items(p, data, rules_dir)
    p.raise_any()
    return Programme(programme_id(source), title, guide, items, description, author)


__all__ = ["TOP_KEYS", "parse_programme", "programme_id"]
