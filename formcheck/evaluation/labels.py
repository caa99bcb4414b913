"""Reading ``labels.toml``: hand-labelled ground truth for sample clips."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.errors import InputError


@dataclass(frozen=True)
class ClipLabel:
    """One ``[[clip]]`` table (see shared/README.md for the keys)."""

    file: str
    exercise: str
    reps: int
    partial_reps: int
    rep_peaks_s: tuple[float, ...]
    view: str = ""
    persons: int = 1
    alternating: bool = False
    faults: tuple[dict[str, Any], ...] = ()
    holds: tuple[dict[str, Any], ...] = ()
    duration_s: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def count_is_right(self, count: int) -> bool:
        """A count between ``reps`` and ``reps + partial_reps`` is right."""
        return self.reps <= count <= self.reps + self.partial_reps

    def count_error(self, count: int) -> int:
        """Distance from the allowed interval (0 when right)."""
        if count < self.reps:
            return self.reps - count
        return max(0, count - (self.reps + self.partial_reps))


def read_labels(path: str | Path) -> list[ClipLabel]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such labels file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid labels file ({exc})") from None
    out = []
    for i, clip in enumerate(data.get("clip", [])):
        try:
            out.append(
                ClipLabel(
                    file=clip["file"],
                    exercise=clip["exercise"],
                    reps=int(clip.get("reps", 0)),
                    partial_reps=int(clip.get("partial_reps", 0)),
                    rep_peaks_s=tuple(clip.get("rep_peaks_s", ())),
                    view=clip.get("view", ""),
                    persons=int(clip.get("persons", 1)),
                    alternating=bool(clip.get("alternating", False)),
                    faults=tuple(clip.get("faults", ())),
                    holds=tuple(clip.get("holds", ())),
                    duration_s=float(clip.get("duration_s", 0.0)),
                    raw=clip,
                )
            )
        except KeyError as exc:
            raise InputError(f"{path}: clip {i + 1} lacks the key {exc}") from None
    return out
