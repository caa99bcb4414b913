"""Coached sessions: a programme planned into sets (``plan``), run hands-free over poses
(``runner``, phases in ``flow``, one set in ``set_progress``), what is said (``words``; when, by
the cue policy shared with Live: :mod:`formcheck.outputs.cue_schedule`), what the page shows
(``state``, ``screen``), the camera side (``live``: CoachSession) and the red-flag check (``safety``)."""

from formcheck.coach.plan import PlannedSet, plan_sets
from formcheck.coach.runner import ProgrammeRunner
from formcheck.coach.state import CoachEvent, CoachState
from formcheck.outputs.cue_schedule import Cue, CueScheduler, Priority

__all__ = ["CoachEvent", "CoachState", "Cue", "CueScheduler", "PlannedSet", "Priority", "ProgrammeRunner",
           "plan_sets"]
