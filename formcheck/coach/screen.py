"""What the page shows of the runner: the set-up checklist with its start-position line, the
engine status for the overlay, and what to do now in words."""

from __future__ import annotations

from formcheck.coach.plan import PlannedSet
from formcheck.coach.set_progress import SetProgress
from formcheck.coach.words import START_POSITION, seconds_left_text, set_label
from formcheck.engine.status import EngineStatus
from formcheck.live.checklist import SetupCheck, SetupChecklist, SetupItem

START_LABEL = "In the start position"
CHECKING = "Hold still: checking the camera set-up"


def setup_check(checklist: SetupChecklist | None, progress: SetProgress | None) -> SetupCheck | None:
    """The camera checklist plus a start-position line (None for a set without camera checks)."""
    if checklist is None:
        return None
    counting = progress is not None and progress.counting
    message = "" if counting else f"{START_POSITION}: {checklist.rule.summary}"
    start = SetupItem("start", START_LABEL, counting, message)
    return SetupCheck((*checklist.check.items, start), counting, checklist.check.good_for_s)


def shown_status(checklist: SetupChecklist | None, progress: SetProgress | None) -> EngineStatus | None:
    """The status the overlay draws: the set's engine once it runs, else the set-up engine's
    (no counts before counting; the darkness warning always)."""
    if checklist is None:
        return None
    status = progress.status if progress is not None and progress.status is not None else checklist.status()
    return checklist.shown(status, progress is not None and progress.counting)


def screen_message(phase: str, ps: PlannedSet | None, progress: SetProgress | None,
                   checklist: SetupChecklist | None, said: str) -> str:
    """What to do now, in words: the announcement or rest as said, the first set-up problem,
    the start position, or the set's progress against its dose."""
    if ps is None or phase not in ("setup", "active") or (phase == "active" and progress is None):
        return said
    if progress is None:
        bad = next((i for i in checklist.check.items if not i.ok), None) if checklist is not None else None
        return bad.message if bad is not None and bad.message else CHECKING
    if not progress.counting:
        return f"{START_POSITION}: {ps.instructions}" if ps.instructions else START_POSITION
    label = set_label(ps)
    head = ps.name + (f" ({label})" if label else "")
    left = progress.time_left_s()
    if ps.target_reps is not None:
        return f"{head}: {progress.reps} of {ps.target_reps} reps"
    if ps.target_hold_s is not None:
        return f"{head}: held {progress.hold_s:.0f} of {ps.target_hold_s:g} seconds"
    return f"{head}: {seconds_left_text(left or 0.0)}"


__all__ = ["CHECKING", "START_LABEL", "screen_message", "setup_check", "shown_status"]
