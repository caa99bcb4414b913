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
from formcheck.rules.schema import Condition, Rule, parse_rule


def series_key(rule: Rule) -> str:
    """A short hash of what a metric series depends on (metric definitions and smoothing)."""
    part = {"metrics": rule.raw.get("metrics"), "smoothing": rule.raw.get("smoothing")}
    return hashlib.sha256(json.dumps(part, sort_keys=True, default=str).encode()).hexdigest()[:12]


def rule_key(rule: Rule) -> str:
    """A short hash of the whole rule (including threshold values), for caching outputs."""
    return hashlib.sha256(json.dumps(rule.raw, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _names(*refs: object) -> set[str]:
    return {r.removeprefix("-") for r in refs if isinstance(r, str)}


def _condition_names(conditions: tuple[Condition, ...] | str) -> set[str]:
    if isinstance(conditions, str):
        return set()
    return set().union(*(_names(c.ref, c.minus) for c in conditions)) if conditions else set()


def threshold_uses(rule: Rule) -> dict[str, list[str]]:
    """Threshold name → what it drives, in words: rep counting roles and the cues (fault messages)."""
    uses: dict[str, list[str]] = {name: [] for name in rule.thresholds}

    def add(names: set[str], text: str) -> None:
        for name in names:
            if name in uses and text not in uses[name]:
                uses[name].append(text)

    if rule.rep is not None:
        rep = rule.rep
        add(_names(rep.enter), "rep counting: the rep reaches its top here")
        add(_names(rep.exit), "rep counting: the rep ends back here")
        add(_names(rep.return_by), "rep counting: the rep also ends after coming back this far from its peak")
        add(_condition_names(rep.start), "counting starts only in this start position")
        add(_names(rep.start_hold_s), "counting starts after holding the start position this long")
        add(_names(rep.min_rep_s), "reps quicker than this are not counted")
        add(_names(rep.max_gap_s), "a rep is abandoned when the person is out of sight this long")
    if rule.hold is not None:
        add(_condition_names(rule.hold.when), "hold timer: the held position")
        add(_names(rule.hold.target_s), "hold timer: the target time")
        add(_names(rule.hold.min_s), "hold timer: shorter holds are not recorded")
        add(_names(rule.hold.release_s), "hold timer: how long the position may be lost before the hold ends")
    for fault in rule.faults:
        refs = _condition_names(fault.when) | _names(fault.ref, fault.debounce_s)
        add(refs, f'cue ({fault.severity}): "{fault.message}"')
    return uses


def tuned_rule(rule: Rule, values: dict[str, float]) -> Rule:
    """``rule`` with ``values``, validated as a whole rule file would be.

    Raises:
        RuleFileError: a value is out of range, or the values contradict each other
            (e.g. an "up" angle that is not above the "down" angle).
    """
    tuned = rule.with_thresholds(values)
    parse_rule(tuned.raw, rule.source_file or rule.id)
    return tuned


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
