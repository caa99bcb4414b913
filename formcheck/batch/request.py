"""A batch request (what ``formcheck batch`` was asked) and its checks before any clip is read."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from formcheck.analysis import DEFAULT_VARIANT, file_fingerprint
from formcheck.batch.settings import AUTO, ReviewSettings
from formcheck.errors import FormcheckError
from formcheck.preflight import check_model

#: Most local worker processes accepted (each holds a model and one decoded clip at a time).
MAX_WORKERS = 64


@dataclass(frozen=True)
class BatchRequest:
    """Review every video of ``folder`` into ``out``.

    ``ray`` is a Ray cluster address (``auto``: the cluster this machine belongs to); without it
    ``workers`` local processes share the clips (1: this process does the work).
    """

    folder: Path
    out: Path
    exercise: str = AUTO
    recursive: bool = False
    annotate: bool = False
    workers: int = 1
    ray: str | None = None
    variant: str = DEFAULT_VARIANT
    model: str | None = None
    max_people: int = 2
    every_frame: bool = False
    retry_errors: bool = False

    def check(self) -> ReviewSettings:
        """Check the request, resolve the pose model once and create ``out``; the settings every task gets.

        Raises:
            FormcheckError: one line naming the folder, option or exercise at fault.
        """
        self._check_folders()
        self._check_options()
        bundle = check_model(self.variant, self.model)
        # a cluster node finds its own copy (FORMCHECK_MODEL_DIR), checked against this one's fingerprint
        model = self.model if self.ray is not None else str(bundle)
        settings = ReviewSettings(self.exercise, self.variant, model, file_fingerprint(bundle), self.max_people,
                                  self.every_frame, self.annotate)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FormcheckError(f"--out {self.out}: cannot create the folder ({exc.strerror})") from None
        return settings

    def _check_options(self) -> None:
        if not 1 <= self.workers <= MAX_WORKERS:
            raise FormcheckError(f"--workers {self.workers}: give a number of processes from 1 to {MAX_WORKERS}")
        if self.ray is not None and self.workers != 1:
            raise FormcheckError("give --workers (processes on this machine) or --ray (a cluster), not both")
        if self.ray is not None:
            from formcheck.batch.ray_runner import import_ray

            import_ray()
        if self.exercise != AUTO:
            from formcheck.rules import load_rule

            load_rule(self.exercise)

    def _check_folders(self) -> None:
        if not self.folder.is_dir():
            raise FormcheckError(f"{self.folder}: no such folder" if not self.folder.exists()
                                 else f"{self.folder}: is a file; give the folder of videos")
        if self.out.resolve() == self.folder.resolve():
            raise FormcheckError(f"--out {self.out}: give a folder other than the videos' own")
        if self.out.exists() and not self.out.is_dir():
            raise FormcheckError(f"--out {self.out}: is a file; give a folder for the results")
        if self.out.is_dir() and not os.access(self.out, os.W_OK | os.X_OK):
            raise FormcheckError(f"--out {self.out}: the folder is not writable")


__all__ = ["MAX_WORKERS", "BatchRequest"]
