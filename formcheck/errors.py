"""Errors a person can act on. Every face (CLI, app) shows ``str(error)`` as one line."""

from __future__ import annotations


class FormcheckError(Exception):
    """Base class: the message is meant for the user, not a developer."""


class InputError(FormcheckError):
    """The video or landmark file cannot be used (missing, corrupt, empty, too large)."""


class NoPersonError(FormcheckError):
    """The model found nobody in the clip."""


class ModelNotFoundError(FormcheckError):
    """No pose model bundle could be found or downloaded."""


class UnknownExerciseError(FormcheckError):
    """The exercise id names no rule file."""


class RuleFileError(FormcheckError):
    """A rule file is malformed. Carries the file, the field and what is allowed."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file, self.field, self.problem = file, field, problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")
