"""Threshold tuning helpers for the Tune page: what each threshold drives, and fast re-runs.

A clip's metric series (layer 1) depends only on the rule's ``metrics:`` and
``smoothing:``; :func:`series_key` names that part so a cached series is reused for any
threshold values, and :func:`retune` re-runs only the rule state machine (layer 2).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

from formcheck.engine.machine import run_rules
from formcheck.metrics.stream import MetricSeries
from formcheck.results import SessionResult
from formcheck.rules.schema import Rule
from formcheck.rules.walk import Reference, threshold_places


def series_key(rule: Rule) -> str:
    """A short hash of what a metric series depends on (metric definitions and smoothing)."""
    part = {"metrics": rule.raw.get("metrics"), "smoothing": rule.raw.get("smoothing")}
    return hashlib.sha256(json.dumps(part, sort_keys=True, default=str).encode()).hexdigest()[:12]


def rule_key(rule: Rule) -> str:
    """A short hash of the whole rule (including threshold values), for caching outputs."""
    return hashlib.sha256(json.dumps(rule.raw, sort_keys=True, default=str).encode()).hexdigest()[:12]


#: What a place in the rule drives, by (section, field); a fault's place drives its cue.
_DRIVES = {
    ("rep", "enter"): "rep counting: the rep reaches its top here",
    ("rep", "exit"): "rep counting: the rep ends back here",
    ("rep", "return_by"): "rep counting: the rep also ends after coming back this far from its peak",
    ("start", "start"): "counting starts only in this start position",
    ("rep", "start_hold_s"): "counting starts after holding the start position this long",
    ("rep", "min_rep_s"): "reps quicker than this are not counted",
    ("rep", "max_gap_s"): "a rep is abandoned when the person is out of sight this long",
    ("hold", "when"): "hold timer: the held position",
    ("hold", "target_s"): "hold timer: the target time",
    ("hold", "min_s"): "hold timer: shorter holds are not recorded",
    ("hold", "release_s"): "hold timer: how long the position may be lost before the hold ends",
}


def _drives(place: Reference) -> str | None:
    if place.fault is not None:
        return f'cue ({place.fault.severity}): "{place.fault.message}"'
    return _DRIVES.get((place.section, place.field))


def threshold_uses(rule: Rule) -> dict[str, list[str]]:
    """Threshold name → what it drives, in words: rep counting roles and the cues (fault messages).

    The rep's resting value and the recognition signature drive neither and are not listed.
    """
    uses: dict[str, list[str]] = {}
    for name, places in threshold_places(rule).items():
        texts = [text for text in map(_drives, places) if text is not None]
        uses[name] = list(dict.fromkeys(texts))
    return uses


def tuned_rule(rule: Rule, values: dict[str, float]) -> Rule:
    """``rule`` with ``values``: its data with the new values, validated as a whole rule file
    is (see :meth:`~formcheck.rules.schema.Rule.with_thresholds`).

    Raises:
        RuleFileError: a value is out of range, or the values contradict each other
            (e.g. an "up" angle that is not above the "down" angle).
    """
    return rule.with_thresholds(values)


@dataclass(frozen=True)
class Retune:
    """The outcome of one threshold change: the tuned rule, its result and the re-run time."""

    rule: Rule
    result: SessionResult
    seconds: float


def retune(series: MetricSeries, rule: Rule, values: dict[str, float], fps: float = 0.0,
           duration_s: float | None = None) -> Retune:
    """Validate ``values`` and re-run only the rules over a cached metric series."""
    started = time.perf_counter()
    tuned = tuned_rule(rule, values)
    result = run_rules(series, tuned, fps=fps, duration_s=duration_s)
    return Retune(tuned, result, time.perf_counter() - started)


__all__ = ["Retune", "retune", "rule_key", "series_key", "threshold_uses", "tuned_rule"]
