"""A programme as the YAML file a physio exports and a patient imports (it reads back equal)."""

from __future__ import annotations

from typing import Any

import yaml

from formcheck.programmes.progression import weeks_text
from formcheck.programmes.schema import Programme, ProgrammeItem, ProgressionStep


def _num(value: float) -> int | float:
    """``10`` rather than ``10.0`` in the file."""
    return int(value) if float(value).is_integer() else value


def _step_data(step: ProgressionStep) -> dict[str, Any]:
    data: dict[str, Any] = {"weeks": weeks_text(step)}
    for key in ("reps", "hold_s"):
        if getattr(step, key) is not None:
            data[key] = _num(getattr(step, key))
    return data


def item_data(item: ProgrammeItem) -> dict[str, Any]:
    """One item as the file writes it: defaults left out, ``camera: false`` when not checked by camera."""
    data: dict[str, Any] = {"exercise": item.exercise, "name": item.name}
    if not item.has_rule:
        data["camera"] = False
    data["sets"] = item.sets
    for key in ("reps", "hold_s", "duration_s"):
        if getattr(item, key) is not None:
            data[key] = _num(getattr(item, key))
    if item.per_side:
        data["per_side"] = True
    data["rest_s"] = _num(item.rest_s)
    if item.profile:
        data["profile"] = item.profile
    if item.progression:
        data["progression"] = [_step_data(s) for s in item.progression]
    if item.instructions:
        data["instructions"] = item.instructions
    return data


def programme_data(programme: Programme) -> dict[str, Any]:
    """The programme file's data (what :func:`~formcheck.programmes.parse.parse_programme` reads)."""
    data: dict[str, Any] = {"title": programme.title, "source": programme.source}
    if programme.description:
        data["description"] = programme.description
    if programme.author:
        data["author"] = programme.author
    data["items"] = [item_data(i) for i in programme.items]
    return data


def dump_programme(programme: Programme) -> str:
    """The programme file as YAML text; save it as ``<id>.yaml``."""
    header = (
        f"# formcheck programme {programme.id!r}: {programme.title}. Save as {programme.id}.yaml; "
        "check it with `formcheck validate FILE`.\n"
    )
    body = yaml.safe_dump(programme_data(programme), sort_keys=False, allow_unicode=True, width=100)
    return header + body


__all__ = ["dump_programme", "item_data", "programme_data"]
