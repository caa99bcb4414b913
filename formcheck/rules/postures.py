"""The postures, as data: ``pose_rules/postures/postures.yaml``.

The file names the postures a rule file's ``posture:`` may take (the one list of them), how
well each seen posture fits a rule that declares another, the per-frame features
recognition measures, and the ordered tests that put a frame into a posture
(:func:`formcheck.engine.recognize.posture_of_frame`), the defining movements of exercises
that look-alikes share a start position with (``movements:``) and recognition's calibration
(``calibration:``). It is read once and validated here
with the rule files' plain-words messages.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from formcheck.errors import RuleFileError
from formcheck.rules.fields import read_range
from formcheck.rules.ranges import Allowed
from formcheck.rules.reader import Reader
from formcheck.rules.schema import Condition

POSTURES_FILE = Path(__file__).resolve().parents[2] / "pose_rules" / "postures" / "postures.yaml"


@dataclass(frozen=True)
class Feature:
    """A per-frame posture feature: its unit, the range of its values and what it is."""

    name: str
    unit: str
    low: float
    high: float
    description: str


@dataclass(frozen=True)
class PostureTest:
    """A frame is in ``posture`` when every condition holds (no conditions: always)."""

    posture: str
    when: tuple[Condition, ...]


@dataclass(frozen=True)
class Movement:
    """What holds while an exercise is performed (inside its reps and holds), and why."""

    exercise: str
    when: tuple[Condition, ...]
    why: str


@dataclass(frozen=True)
class Calibration:
    """Logistic calibration of recognition: P(named exercise is right) =
    1 / (1 + exp(-(intercept + score * best + margin * (best - runner_up))))."""

    intercept: float
    score: float
    margin: float
    fitted_on: str

    def probability(self, best: float, runner_up: float) -> float:
        """P(the best-scoring rule is the exercise shown), from the best two rule scores."""
        z = self.intercept + self.score * best + self.margin * (best - runner_up)
        return float(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))))


@dataclass(frozen=True)
class PostureTable:
    """Everything recognition knows about postures (see the module docstring)."""

    features: dict[str, Feature]
    #: Features without which a frame has no posture.
    needs: tuple[str, ...]
    descriptions: dict[str, str]
    #: Seen posture → declared posture → how well it fits, 0-1 (missing: 0).
    fits: dict[str, dict[str, float]]
    tests: tuple[PostureTest, ...]
    #: Exercise id → what holds while it is performed (the defining movement), see ``movements:``.
    movements: dict[str, Movement] = field(default_factory=dict)
    #: The recognition calibration (``calibration:``), or None.
    calibration: Calibration | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The postures, in the file's order."""
        return tuple(self.descriptions)


def _features(r: Reader, data: dict) -> dict[str, Feature]:
    features = {}
    for name, item in r.mapping(r.get(data, "features", "", dict), "features").items():
        where = f"features.{name}"
        item = r.mapping(item, where)
        r.unknown_keys(item, where, {"unit", "range", "description"})
        low, high = read_range(r, item, where)
        features[name] = Feature(name, r.get(item, "unit", where, str), float(low), float(high),
                                 r.get(item, "description", where, str))
    return features


def _postures(r: Reader, data: dict) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    items = r.mapping(r.get(data, "postures", "", dict), "postures")
    descriptions, fits = {}, {}
    for name, item in items.items():
        where = f"postures.{name}"
        item = r.mapping(item, where)
        r.unknown_keys(item, where, {"description", "fits"})
        descriptions[name] = r.get(item, "description", where, str)
        given = r.mapping(r.get(item, "fits", where, dict), f"{where}.fits")
        fits[name] = {}
        for other in given:
            if other not in items:
                r.fail(f"{where}.fits.{other}", f"{other!r} is not a posture (postures: {', '.join(items)})")
            fits[name][other] = float(r.number(given, other, f"{where}.fits", Allowed(0, 1)))
    return descriptions, fits


def _condition(r: Reader, item: Any, where: str, features: dict[str, Feature]) -> Condition:
    item = r.mapping(item, where, "a condition like '{feature: trunk, above: 50}'")
    r.unknown_keys(item, where, {"feature", "above", "below"})
    feature = features[r.get(item, "feature", where, str, allowed=tuple(features))]
    ops = [k for k in ("above", "below") if k in item]
    if len(ops) != 1:
        r.fail(where, "needs exactly one of 'above' or 'below'")
    value = r.number(item, ops[0], where, Allowed(feature.low, feature.high, feature.unit))
    return Condition(metric=feature.name, op=ops[0], ref=float(value))


def _tests(r: Reader, data: dict, postures: tuple[str, ...], features: dict[str, Feature]) -> tuple[PostureTest, ...]:
    tests = []
    for i, item in enumerate(r.get(data, "classify", "", list, what="a list of posture tests")):
        where = f"classify[{i}]"
        item = r.mapping(item, where)
        r.unknown_keys(item, where, {"posture", "when"})
        when = r.get(item, "when", where, list, what="a list of conditions ([] for always)")
        tests.append(PostureTest(r.get(item, "posture", where, str, allowed=postures),
                                 tuple(_condition(r, c, f"{where}.when[{j}]", features) for j, c in enumerate(when))))
    if not tests or tests[-1].when:
        r.fail("classify", "the last test must have no conditions ('when: []'): the posture when nothing else fits")
    return tuple(tests)


def _movements(r: Reader, data: dict, features: dict[str, Feature]) -> dict[str, Movement]:
    out = {}
    for name, item in r.mapping(r.get(data, "movements", "", dict, {}), "movements").items():
        where = f"movements.{name}"
        item = r.mapping(item, where)
        r.unknown_keys(item, where, {"while_performed", "why"})
        when = r.get(item, "while_performed", where, list, what="a list of conditions on posture features")
        if not when:
            r.fail(f"{where}.while_performed", "needs at least one condition")
        conds = tuple(_condition(r, c, f"{where}.while_performed[{j}]", features) for j, c in enumerate(when))
        out[name] = Movement(name, conds, r.get(item, "why", where, str))
    return out


def _calibration(r: Reader, data: dict) -> Calibration | None:
    item = r.get(data, "calibration", "", dict, None)
    if item is None:
        return None
    item = r.mapping(item, "calibration")
    r.unknown_keys(item, "calibration", {"intercept", "score", "margin", "fitted_on"})
    num = {k: float(r.number(item, k, "calibration", Allowed(-100, 100))) for k in ("intercept", "score", "margin")}
    return Calibration(**num, fitted_on=r.get(item, "fitted_on", "calibration", str))


def parse_postures(data: Any, file: str = "<postures>") -> PostureTable:
    """Validate the postures file's parsed YAML.

    Raises:
        RuleFileError: naming the file, the field and what is allowed.
    """
    r = Reader(file)
    data = r.mapping(data, "", "a postures file: features, needs, postures and classify")
    r.unknown_keys(data, "", {"features", "needs", "postures", "classify", "movements", "calibration"})
    features = _features(r, data)
    needs = r.get(data, "needs", "", list, what="a list of feature names")
    for i, name in enumerate(needs):
        if name not in features:
            r.fail(f"needs[{i}]", f"{name!r} is not a feature (features: {', '.join(features)})")
    descriptions, fits = _postures(r, data)
    tests = _tests(r, data, tuple(descriptions), features)
    return PostureTable(features, tuple(needs), descriptions, fits, tests, _movements(r, data, features),
                        _calibration(r, data))


@functools.cache
def posture_table(path: Path = POSTURES_FILE) -> PostureTable:
    """The postures file, read and validated once."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(str(path), "", f"cannot read the postures file: {exc}") from None
    return parse_postures(data, str(path))


__all__ = ["POSTURES_FILE", "Calibration", "Feature", "Movement", "PostureTable", "PostureTest", "parse_postures",
           "posture_table"]
