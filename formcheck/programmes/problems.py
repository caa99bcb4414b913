"""Collecting every problem of a programme file, so one run of ``formcheck validate`` lists them all.

Rule files stop at their first problem (:class:`~formcheck.rules.reader.Reader` raises); a
programme is a list of independent items, so each field is read on its own and its problem
kept, one line each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from formcheck.errors import RuleFileError
from formcheck.rules.reader import Reader

T = TypeVar("T")


class ProgrammeFileError(RuleFileError):
    """A programme file with one or more problems; ``str()`` is one line per problem."""

    def __init__(self, problems: list[RuleFileError]) -> None:
        first = problems[0]
        super().__init__(first.file, first.field, first.problem)
        self.problems: tuple[str, ...] = tuple(str(p) for p in problems)
        self.args = ("\n".join(self.problems),)


class Problems:
    """Runs each field's reader, keeping its :class:`RuleFileError` instead of stopping."""

    def __init__(self, file: str) -> None:
        self.reader = Reader(file)
        self.found: list[RuleFileError] = []

    def check(self, read: Callable[[], T]) -> T | None:
        """``read()``, or None after noting its problem."""
        try:
            return read()
        except RuleFileError as exc:
            self.found.append(exc)
            return None

    def add(self, where: str, problem: str) -> None:
        self.found.append(RuleFileError(self.reader.file, where, problem))

    def raise_any(self) -> None:
        """Raise :class:`ProgrammeFileError` listing every problem found, if any."""
        if self.found:
            raise ProgrammeFileError(self.found)


__all__ = ["ProgrammeFileError", "Problems"]
