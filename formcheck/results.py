"""What a set produced: reps, holds, faults and warnings, and the JSON contract of the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass
class Rep:
    """One complete repetition. Times in seconds from the start of the clip."""

    index: int
    start_s: float
    peak_s: float
    end_s: float
    side: str | None
    peak_value: float
    range_of_motion: float
    rise_s: float
    hold_s: float
    fall_s: float
    fall_speed: float = float("nan")
    faults: list[str] = field(default_factory=list)
    #: Share of the rep's frames with a pose the quality gate trusts (NaN until the set is summed up).
    usable_share: float = float("nan")

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Hold:
    """One held position (e.g. a plank or the top of a bridge) against its target time."""

    start_s: float
    end_s: float
    target_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def reached_target(self) -> bool:
        return self.duration_s + 1e-9 >= self.target_s


@dataclass
class FaultEvent:
    """One fault: its code, when it happened, the cue shown, its severity and its category
    (``form``, or ``dosage``: a hold, tempo or rep speed off the prescription)."""

    code: str
    start_s: float
    end_s: float
    message: str
    severity: str
    rep_index: int | None = None
    category: str = "form"


@dataclass
class NotJudged:
    """A fault the camera view could not judge (e.g. an arched back filmed end-on): said once,
    at ``at_s``, instead of flagging the fault or staying silent about it."""

    code: str
    at_s: float
    message: str


@dataclass
class SetupWarning:
    """A set-up problem (not a form fault): nobody in view, body out of frame, wrong view, an
    unclear pose; or a problem with the whole clip (a cut file, too few reliable poses)."""

    code: str
    start_s: float
    end_s: float
    message: str


@dataclass
class SessionResult:
    """The outcome of running one rule over one clip or one live set."""

    exercise: str
    exercise_name: str
    rep_metric: str | None
    duration_s: float
    fps: float
    frames: int
    counting_started_s: float | None
    reps: list[Rep]
    holds: list[Hold]
    faults: list[FaultEvent]
    warnings: list[SetupWarning]
    metric_units: dict[str, str]
    thresholds: dict[str, float]
    prescription: dict[str, Any]
    stopped_for_pain: bool = False
    #: Share of the frames with a pose the quality gate trusts (None without frames).
    usable_share: float | None = None
    #: Faults the camera view could not judge, each said once (in time order).
    not_judged: list[NotJudged] = field(default_factory=list)
    #: Per-frame series for plots: ``t`` plus one array per metric (not in the JSON).
    series: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    def reps_by_side(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rep in self.reps:
            if rep.side:
                counts[rep.side] = counts.get(rep.side, 0) + 1
        return counts

    def fault_counts(self, category: str | None = None) -> dict[str, int]:
        """Times each fault code was flagged: every fault, or those of one ``category``."""
        counts: dict[str, int] = {}
        for fault in self.faults:
            if category is None or fault.category == category:
                counts[fault.code] = counts.get(fault.code, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract of ``formcheck analyze --json``."""
        return {
            "exercise": self.exercise,
            "exercise_name": self.exercise_name,
            "rep_metric": self.rep_metric,
            "duration_s": _rounded(self.duration_s),
            "fps": _rounded(self.fps),
            "frames": self.frames,
            "usable_share": _rounded(self.usable_share),
            "counting_started_s": _rounded(self.counting_started_s),
            "rep_count": self.rep_count,
            "reps_by_side": self.reps_by_side(),
            "reps": [_rep_dict(r) for r in self.reps],
            "holds": [_hold_dict(h) for h in self.holds],
            "faults": [_times_rounded(asdict(f)) for f in self.faults],
            "fault_counts": self.fault_counts(),
            "warnings": [_times_rounded(asdict(w)) for w in self.warnings],
            "not_judged": [_times_rounded(asdict(n)) for n in self.not_judged],
            "thresholds": self.thresholds,
            "prescription": self.prescription,
            "stopped_for_pain": self.stopped_for_pain,
        }


def _rounded(x: float | None) -> float | None:
    """A number for the JSON: 3 decimals; None for None, NaN and infinities."""
    return None if x is None or not np.isfinite(x) else round(float(x), 3)


def _times_rounded(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with every ``*_s`` (seconds) value rounded for the JSON."""
    return {k: (_rounded(v) if k.endswith("_s") else v) for k, v in fields.items()}


def _rep_dict(r: Rep) -> dict[str, Any]:
    """One rep in the JSON contract."""
    return {
        "index": r.index,
        "start_s": _rounded(r.start_s),
        "peak_s": _rounded(r.peak_s),
        "end_s": _rounded(r.end_s),
        "side": r.side,
        "duration_s": _rounded(r.duration_s),
        "peak_value": _rounded(r.peak_value),
        "range_of_motion": _rounded(r.range_of_motion),
        "rise_s": _rounded(r.rise_s),
        "hold_s": _rounded(r.hold_s),
        "fall_s": _rounded(r.fall_s),
        "fall_speed": _rounded(r.fall_speed),
        "faults": list(r.faults),
        "usable_share": _rounded(r.usable_share),
    }


def _hold_dict(h: Hold) -> dict[str, Any]:
    """One hold in the JSON contract."""
    return {
        "start_s": _rounded(h.start_s),
        "end_s": _rounded(h.end_s),
        "duration_s": _rounded(h.duration_s),
        "target_s": _rounded(h.target_s),
        "reached_target": h.reached_target,
    }


__all__ = ["FaultEvent", "Hold", "NotJudged", "Rep", "SessionResult", "SetupWarning"]
