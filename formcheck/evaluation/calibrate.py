"""Recognition's calibration, and its leave-one-clip-out evaluation.

Recognition scores every rule (:func:`formcheck.engine.recognize.score_rules`, fixed by hand
from anatomy, nothing fitted). The one fitted part is a three-number logistic calibration of
the best score and its margin over the runner-up into P(the best rule is the exercise shown)
(:class:`~formcheck.rules.postures.Calibration`); recognition declines below
:data:`~formcheck.engine.recognize.MIN_PROBABILITY`. A clip outside the catalogue
(``exercise = "other"``) is an example where naming is wrong, as is a catalogue clip whose best
rule is another exercise.

:func:`leave_one_out` scores each clip with a calibration fitted on the other clips only, the
figure ``formcheck eval`` reports as "leave-one-clip-out".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.engine.recognize import Recognition, decide
from formcheck.rules.postures import Calibration

#: L2 penalty on the two slopes (not the intercept): keeps the fit finite and smooth when the
#: clips separate perfectly, so one clip cannot pull the decline threshold onto itself.
L2 = 0.1
OTHER = "other"


@dataclass(frozen=True)
class Example:
    """One clip for calibration: its label and recognition's ranking of the rules."""

    label: str
    ranking: tuple[tuple[str, float], ...]

    @property
    def best(self) -> float:
        return self.ranking[0][1] if self.ranking else 0.0

    @property
    def margin(self) -> float:
        return self.best - (self.ranking[1][1] if len(self.ranking) > 1 else 0.0)

    @property
    def top_is_right(self) -> bool:
        """The best-scoring rule is the labelled exercise (never for a non-catalogue clip)."""
        return bool(self.ranking) and self.ranking[0][0] == self.label

    def right(self, found: Recognition) -> bool:
        """``found`` names the labelled exercise, or declines a non-catalogue clip."""
        return found.exercise_id == (None if self.label == OTHER else self.label)


def fit_calibration(examples: list[Example], l2: float = L2, fitted_on: str = "") -> Calibration:
    """L2-regularised logistic regression of ``top_is_right`` on (best, margin), by Newton steps."""
    x = np.array([[1.0, e.best, e.margin] for e in examples])
    y = np.array([float(e.top_is_right) for e in examples])
    w = np.zeros(3)
    penalty = np.diag([0.0, l2, l2])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (p - y) + penalty @ w
        hess = x.T @ (x * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(3)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return Calibration(float(w[0]), float(w[1]), float(w[2]), fitted_on or f"{len(examples)} clips")


def leave_one_out(examples: list[Example], l2: float = L2) -> list[Recognition]:
    """Each clip's recognition with the calibration fitted on all the other clips."""
    out = []
    for i, example in enumerate(examples):
        calibration = fit_calibration(examples[:i] + examples[i + 1:], l2)
        out.append(decide(list(example.ranking), calibration))
    return out


def loco_summary(examples: list[Example], found: list[Recognition]) -> dict[str, int]:
    """Right / checked over all clips, and declined / total over the non-catalogue clips."""
    other = [f for e, f in zip(examples, found, strict=True) if e.label == OTHER]
    return {
        "checked": len(examples),
        "right": sum(e.right(f) for e, f in zip(examples, found, strict=True)),
        "non_catalogue": len(other),
        "non_catalogue_declined": sum(f.exercise_id is None for f in other),
    }


__all__ = ["L2", "Example", "fit_calibration", "leave_one_out", "loco_summary"]
