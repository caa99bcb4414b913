"""The metric kinds a rule file may declare: one table, read by the schema and the metric stream.

Each kind says how many landmark points it takes, the unit its values get by default, and
the range of values it produces (what a value compared with it may be). The functions that
compute each kind register themselves in :mod:`formcheck.metrics.measures`, so this module
stays plain data and the schema needs no numerical code.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Body-size units (torso lengths, hip or shoulder widths) allow +/-20: a leg is ~8 hip widths long.
BODY = "body lengths"


@dataclass(frozen=True)
class MetricKind:
    """One kind of metric: its points, default unit and the range of values it produces."""

    name: str
    #: Landmark points it takes (None: one or more).
    points: int | None
    #: Default ``unit`` of a metric of this kind.
    unit: str
    low: float
    high: float
    #: The unit of ``low``-``high`` in validation messages.
    range_unit: str
    description: str
    #: Computed from this frame and the one before (a speed).
    two_frames: bool = False

    @property
    def is_angle(self) -> bool:
        return self.unit == "deg"


_KINDS = (
    MetricKind("joint_angle", 3, "deg", 0, 180, "deg", "angle at the middle point"),
    MetricKind("straightness", 3, "deg", 0, 360, "deg",
               "angle at the middle point that goes past 180 when it rises above the line"),
    MetricKind("bend", 3, "deg", -180, 180, "deg",
               "signed bend at the middle point, degrees (+ = turns upward, heading to the head)"),
    MetricKind("inclination", 2, "deg", -90, 90, "deg", "segment to the horizontal (+ = second point higher)"),
    MetricKind("vertical_offset", 2, "body", -20, 20, BODY, "second point above the first"),
    MetricKind("horizontal_offset", 2, "body", -20, 20, BODY, "second point toward the head from the first"),
    MetricKind("line_offset", 3, "body", -20, 20, BODY, "middle point above the line through the other two"),
    MetricKind("distance", 2, "body", 0, 20, BODY, "distance between two points"),
    MetricKind("axis_offset", 2, "body", -20, 20, BODY,
               "second point minus first along `axis` (with `space: world` and `level: true`, along the axis "
               "laid level with the floor)"),
    MetricKind("turn", 2, "deg", -180, 180, "deg",
               "turn of the line through the two points from the `axis` line, seen from above (3-D only: "
               "`space: world`; + = counterclockwise, e.g. the shoulders turned to the left of the hips)"),
    MetricKind("speed", None, "body/s", 0, 20, f"{BODY}/s", "mean speed of the points",
               two_frames=True),
)  # fmt: skip

#: Kind name → its definition, in the order rule-file messages list them.
METRIC_KINDS: dict[str, MetricKind] = {k.name: k for k in _KINDS}

__all__ = ["METRIC_KINDS", "MetricKind"]
