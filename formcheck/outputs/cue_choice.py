"""Which one cue to show now: the overlay's banner and the live page say the same thing.

Priority: a set-up warning (the person cannot be judged until it is fixed), then "get into
the start position" with the rule's set-up text while counting has not started, then the
most severe active fault's message. Nothing when all is well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from formcheck.engine.status import EngineStatus
from formcheck.results import FaultEvent, SetupWarning
from formcheck.rules.schema import Rule

#: Cue kinds: the fault severities, plus a set-up warning and the start-position guidance.
CUE_KINDS = ("critical", "warning", "info", "setup_warning", "guidance")
SEVERITY_RANK = {"critical": 3, "warning": 2, "info": 1}
#: Set-up warnings in the order they should be fixed.
WARNING_ORDER = ("no_person", "two_people", "body_out_of_frame", "wrong_view", "unclear_pose")
START_HEADLINE = "Get into the start position"


class Cue(NamedTuple):
    """A cue: its headline, a smaller detail line (may be empty) and its kind (:data:`CUE_KINDS`)."""

    headline: str
    detail: str
    kind: str


def pick_fault(faults: Sequence[FaultEvent]) -> FaultEvent:
    """The most severe fault; among equals the one active longest (so the banner does not flicker)."""
    return max(faults, key=lambda f: (SEVERITY_RANK.get(f.severity, 0), -f.start_s))


def pick_warning(warnings: Sequence[SetupWarning]) -> SetupWarning:
    """The set-up warning to fix first (nobody in view before the camera angle)."""
    order = {code: i for i, code in enumerate(WARNING_ORDER)}
    return min(warnings, key=lambda w: (order.get(w.code, len(order)), w.start_s))


def current_cue(status: EngineStatus, rule: Rule | None = None) -> Cue | None:
    """The cue to show for ``status`` (``rule`` gives the set-up text), or None when all is well."""
    if status.active_warnings:
        return Cue(pick_warning(status.active_warnings).message, "", "setup_warning")
    if not status.counting:
        return Cue(START_HEADLINE, rule.setup if rule else "", "guidance")
    if status.active_faults:
        f = pick_fault(status.active_faults)
        return Cue(f.message, "", f.severity if f.severity in CUE_KINDS else "warning")
    return None


__all__ = ["CUE_KINDS", "START_HEADLINE", "Cue", "current_cue", "pick_fault", "pick_warning"]
