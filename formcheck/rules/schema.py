"""The rule-file schema's types: what a rule file says, once validated.

A :class:`Rule` is built from its data (the parsed YAML, kept as ``raw``) by
:func:`formcheck.rules.validate.parse_rule`; the data is the one source, so a tuned or
profiled rule is that data with new values, parsed again (:meth:`Rule.with_thresholds`).
The allowed values of each field are here and in :mod:`formcheck.rules.ranges`,
:mod:`formcheck.rules.kinds` and :mod:`formcheck.rules.postures`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from formcheck.errors import RuleFileError

VIEWS = ("side", "front", "any")
#: Where a metric's points come from: the picture (``image``, the default) or the pose model's
#: 3-D world landmarks (``world``: metres, hip-centred, x right, y up, z toward the camera).
SPACES = ("image", "world")
#: Metric kinds that mean the same with 3-D world points (the others are 2-D picture measures).
WORLD_KINDS = ("distance", "axis_offset", "vertical_offset", "inclination", "turn")
#: Metric kinds measured against an ``axis`` line.
AXIS_KINDS = ("axis_offset", "turn")
#: Metric kinds that need depth, so only ``space: world``.
WORLD_ONLY_KINDS = ("turn",)
SEVERITIES = ("info", "warning", "critical")
#: What a fault judges: ``form`` (how the body is placed or moves: the default) or ``dosage``
#: (hold length, tempo or rep speed against the prescription, e.g. "hold a little longer").
#: Both are cued; evaluation against labels of visible form faults counts only ``form``.
CATEGORIES = ("form", "dosage")
PHASES = ("any", "bottom", "top", "moving", "hold")
DIRECTIONS = ("up", "down")
REP_MEASURES = ("peak", "range", "duration_s", "rise_s", "fall_s", "fall_speed", "hold_s")
TIME_MEASURES = ("duration_s", "rise_s", "fall_s", "hold_s")
SCALES = ("torso", "thigh", "hip_width", "shoulder_width", "none")


@dataclass(frozen=True)
class Threshold:
    """A tunable number: default ``value`` within ``low``-``high``, in ``unit``."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    description: str
    why: str = ""
    step: float | None = None


@dataclass(frozen=True)
class MetricSpec:
    """How to compute one per-frame signal from landmarks (see :data:`formcheck.rules.kinds.METRIC_KINDS`)."""

    name: str
    kind: str
    points: tuple[str, ...]
    unit: str
    description: str = ""
    axis: tuple[str, str] | None = None
    scale: str = "torso"
    min_visibility: float = 0.5
    #: "max"/"min": evaluate on both body sides (side-free names → left, then right) and keep
    #: the larger/smaller value, e.g. the hip angle of whichever leg is raised.
    pick: str | None = None
    #: :data:`SPACES`: ``world`` measures the 3-D world landmarks, the same from any camera view.
    space: str = "image"
    #: An ``axis_offset`` in ``world`` space along the axis laid level (its rise dropped): along the
    #: floor, however far the axis points tilt (the pelvis rolling with the knees).
    level: bool = False


@dataclass(frozen=True)
class Condition:
    """``metric`` (optionally minus its baseline or a constant, optionally absolute)
    compared ``above``/``below`` a threshold name or number."""

    metric: str
    op: str
    ref: str | float
    from_baseline: bool = False
    minus: str | float | None = None
    absolute: bool = False


@dataclass(frozen=True)
class RepSpec:
    """A repetition: ``metric`` passes ``enter`` then comes back past ``exit`` (hysteresis),
    or, when ``return_by`` is set, comes back at least that far from its peak."""

    metric: str
    direction: str
    enter: str | float
    exit: str | float
    start: tuple[Condition, ...]
    start_hold_s: str | float = 0.5
    min_rep_s: str | float = 0.8
    return_by: str | float | None = None
    #: The metric's value at rest: a rep's range of motion is measured from no lower than this,
    #: so a rep started from further back (a back extension from child's pose) reports only the
    #: movement the exercise is about.
    rest: str | float | None = None
    max_gap_s: str | float = 1.0
    alternating: bool = False
    side_metric: str | None = None
    positive_side: str = "left"
    absolute: bool = False
    #: Measure the rep metric as its change from the resting baseline (the value averaged in the
    #: start position), for movements too small to have the same absolute value for everyone.
    from_baseline: bool = False


@dataclass(frozen=True)
class HoldSpec:
    """A hold: time spent in the rep's top phase (``when: top``) or while ``when`` holds."""

    when: str | tuple[Condition, ...]
    target_s: str | float
    min_s: str | float = 1.0
    release_s: str | float = 0.5


@dataclass(frozen=True)
class FaultSpec:
    """A fault and the cue it gives.

    ``check: frame`` faults fire when every ``when`` condition holds for ``debounce_s``
    during ``phase``; ``check: rep`` faults judge a finished rep's ``measure``.
    ``category`` (:data:`CATEGORIES`) says whether it is a form fault or a dosage cue.
    A frame fault the camera view may hide names the view it needs (``judged_if``) and what to
    say once when the view cannot judge it (``not_judged``).
    """

    code: str
    message: str
    severity: str
    check: str
    when: tuple[Condition, ...] = ()
    phase: str = "any"
    debounce_s: str | float = 0.3
    measure: str | None = None
    op: str | None = None
    ref: str | float | None = None
    description: str = ""
    category: str = "form"
    #: Frame faults only: conditions on the camera view under which the fault can be judged
    #: (already part of ``when``); where they fail, the fault is not flagged and
    #: ``not_judged`` is said once instead.
    judged_if: tuple[Condition, ...] = ()
    #: What to say, once per set, when the camera view cannot judge the fault.
    not_judged: str = ""

    @property
    def own_when(self) -> tuple[Condition, ...]:
        """The fault's own conditions: ``when`` without the view conditions the parser appended."""
        return self.when[: len(self.when) - len(self.judged_if)]


@dataclass(frozen=True)
class Rule:
    """One exercise, as read from ``pose_rules/<id>.yaml``."""

    id: str
    name: str
    summary: str
    description: str
    view: str
    posture: str
    setup: str
    prescription: dict[str, Any]
    metrics: dict[str, MetricSpec]
    thresholds: dict[str, Threshold]
    rep: RepSpec | None
    hold: HoldSpec | None
    faults: tuple[FaultSpec, ...]
    key_metrics: tuple[str, ...]
    smoothing: dict[str, float] = field(default_factory=dict)
    limitations: str = ""
    #: Every camera view the rule supports, the preferred one (``view``) first.
    views: tuple[str, ...] = ()
    #: What each supported view cannot see (view → text), for the physio and the docs.
    view_limits: dict[str, str] = field(default_factory=dict)
    #: Recognition hint: conditions characteristic of the exercise while it is performed (the
    #: rep's top or the hold); ``formcheck.engine.recognize`` checks how often they hold. The engine ignores it.
    signature: tuple[Condition, ...] = ()
    sources: tuple[str, ...] = ()
    source_file: str = ""
    #: The rule file's data (parsed YAML): the one source every field above is parsed from.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: Parsed as a published rule file (every threshold used and explained).
    complete: bool = field(default=False, compare=False, repr=False)

    def value(self, ref: str | float | None) -> float:
        """A threshold's current value (``-name`` negates it), or the number itself."""
        if ref is None:
            raise ValueError("no value")
        if isinstance(ref, str):
            if ref.startswith("-"):
                return -self.thresholds[ref[1:]].value
            return self.thresholds[ref].value
        return float(ref)

    def with_thresholds(self, values: dict[str, float], *, complete: bool | None = None, **sections: Any) -> Rule:
        """The rule parsed anew from its data with some threshold values (and top-level
        ``sections``, e.g. ``profile``) replaced, validated as a rule file is.

        ``complete`` (default: as this rule was parsed) also requires a published file's
        ``why`` for every threshold and no unused threshold.

        Raises:
            RuleFileError: no such threshold, a value outside its range, or values that
                contradict each other (an "up" angle not above the "down" angle).
        """
        from formcheck.rules.validate import parse_rule  # the validator builds this class

        data = copy.deepcopy(self.raw)
        for name, value in values.items():
            if name not in self.thresholds:
                raise RuleFileError(self.source_file, f"thresholds.{name}", "no such threshold")
            data["thresholds"][name]["value"] = float(value)
        data.update(sections)
        return parse_rule(data, self.source_file, complete=self.complete if complete is None else complete)

    @property
    def supported_views(self) -> tuple[str, ...]:
        """The camera views the set-up check accepts: ``views``, else the one ``view``."""
        return self.views or (self.view,)

    @property
    def clear_view(self) -> str:
        """The view to advise when the pose model cannot find a clear skeleton: side-on when the
        rule supports it for a body on the floor (the model finds a lying body in 99-100% of the
        frames of every side-on floor clip, but in 23% of the foot-end knee_rolls_01), else the
        preferred ``view``."""
        return "side" if "side" in self.supported_views and self.posture != "seated" else self.view

    @property
    def depth_metrics(self) -> tuple[str, ...]:
        """The metrics measured on the pose model's 3-D landmarks (``space: world``)."""
        return tuple(name for name, spec in self.metrics.items() if spec.space == "world")

    def threshold_values(self) -> dict[str, float]:
        return {name: t.value for name, t in self.thresholds.items()}

    @property
    def is_alternating(self) -> bool:
        return bool(self.rep and self.rep.alternating)
