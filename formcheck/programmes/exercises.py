"""The exercises a programme may name: the catalogue's rule files (an item's ``has_rule``).

A threshold profile named by an item is not looked up here: a profile saved on the physio's
computer may not exist on the patient's, so it is resolved when the programme runs
(``formcheck.coach.plan``), with a clear error if it is missing.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

from formcheck.rules.catalog import RULES_DIR, read_rule_file
from formcheck.rules.schema import Rule


def known_exercises(rules_dir: Path | None = None) -> dict[str, Path]:
    """Exercise id → rule file, for every rule file of the catalogue."""
    return {p.stem: p for p in sorted((rules_dir or RULES_DIR).glob("*.yaml"))}


@functools.lru_cache(maxsize=64)
def _read_cached(path: str, mtime_ns: int) -> Rule:
    return read_rule_file(path)


def catalogue_rule(path: Path) -> Rule:
    """The rule in ``path``, read once per version of the file."""
    return _read_cached(str(path), path.stat().st_mtime_ns)


def nearest(wrong: str, known: list[str], n: int = 3) -> list[str]:
    """The known ids closest to a misspelt one (none if nothing is close)."""
    return difflib.get_close_matches(wrong, known, n=n, cutoff=0.6)


def unknown_exercise(wrong: str, known: list[str]) -> str:
    """``unknown exercise 'glute_brige'; nearest known: glute_bridge ...``."""
    close = nearest(wrong, known)
    listed = f"nearest known: {', '.join(close)}" if close else f"known exercises: {', '.join(known)}"
    return (
        f"unknown exercise {wrong!r}; {listed} (an exercise formcheck has no rule for needs "
        "'camera: false' and 'instructions')"
    )


__all__ = ["catalogue_rule", "known_exercises", "nearest", "unknown_exercise"]
