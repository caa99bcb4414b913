"""Which side an alternating rep was done on, when the rep is measured from rest and its own
metric tells the side (a bent-knee fall-out: the knees' sideways shift). A knee pair resting
off-centre must not turn a fall-out to one side into the other side's rep."""

from __future__ import annotations

import math

import numpy as np

from formcheck.engine.machine import RuleMachine, run_rules
from formcheck.metrics.stream import FrameMetrics, MetricSeries
from formcheck.rules import parse_rule

RULE = parse_rule({
    "id": "shift", "name": "Shift", "summary": "s", "view": "front", "posture": "supine", "setup": "feet end",
    "metrics": {"shift": {"kind": "axis_offset", "points": ["mid_hip", "mid_knee"], "axis": ["right_hip", "left_hip"]}},
    "thresholds": {
        "out": {"value": 0.35, "unit": "hip widths", "range": [0.1, 1.0], "description": "out"},
        "back": {"value": 0.18, "unit": "hip widths", "range": [0.05, 0.5], "description": "back"},
    },
    "rep": {"metric": "shift", "from_baseline": True, "abs": True, "direction": "up", "enter": "out", "exit": "back",
            "start": [{"metric": "shift", "below": 5}], "start_hold_s": 0.5, "min_rep_s": 0.5,
            "alternating": True, "side_metric": "shift", "positive_side": "left"},
}, "shift.yaml")  # fmt: skip


def frames(rest: float, amplitude: float = 0.45, fps: float = 30.0) -> list[FrameMetrics]:
    """2 s still at ``rest``, then four 2 s fall-outs of ``amplitude``: left, right, left, right."""
    t = np.arange(int(11 * fps)) / fps
    k = np.floor((t - 2.0) / 2.0)
    moving = (t >= 2.0) & (k < 4)
    sign = np.where(k % 2 == 0, 1.0, -1.0)
    shift = rest + np.where(moving, sign * amplitude * np.sin(math.pi * ((t - 2.0) / 2.0 - k)), 0.0)
    return [FrameMetrics(float(ti), {"shift": float(x)}, "left", 1, (), 0.0, True)
            for ti, x in zip(t, shift, strict=True)]


def sides(fms: list[FrameMetrics]) -> tuple[list[str | None], list[str | None]]:
    machine = RuleMachine(RULE)
    for fm in fms:
        machine.step(fm)
    machine.finish()
    fast = run_rules(MetricSeries(np.array([f.t for f in fms]), fms), RULE)
    return [r.side for r in machine.reps], [r.side for r in fast.reps]


def test_centred_knees_alternate():
    live, review = sides(frames(rest=0.0))
    assert live == review == ["left", "right", "left", "right"]


def test_knees_resting_off_centre_still_alternate():
    # Resting 0.5 hip widths to the left: a 0.45 fall-out to the right peaks at +0.05 raw,
    # which the raw value would call "left".
    live, review = sides(frames(rest=0.5))
    assert live == review == ["left", "right", "left", "right"]
