"""One set in progress against its dose: a fresh engine counting reps and timing holds, or a timer.

A checked set (the planned set has a rule) runs its own :class:`~formcheck.engine.machine.Engine`
from the moment set-up is good, so nothing done while setting up counts; the engine waits for
the start position itself. Reps count toward the target (a per-side set counts only its side's
reps), a rule without reps counts its holds, holds are timed against the target, and the set
ends on its target, its time, or when nothing counted for ``no_progress_s``. A set done without
camera checks is a timer. Times are the runner's (pose timestamps, pauses removed).
"""

from __future__ import annotations

import math
from dataclasses import replace

from formcheck.coach.plan import PlannedSet
from formcheck.coach.words import NO_PROGRESS, count_text, seconds_left_text
from formcheck.engine.machine import Engine
from formcheck.engine.status import EngineStatus, Event
from formcheck.history.records import SetRecord
from formcheck.outputs.cue_schedule import Priority, engine_cue
from formcheck.pose.track import PoseFrame
from formcheck.results import SessionResult

#: A set in which nothing counted for this long ends (the person stopped, or never got going).
NO_PROGRESS_S = 45.0
#: Time-left announcements (seconds) of holds and timed sets, each for targets at least twice as long.
TIME_MARKS_S = (30.0, 10.0, 5.0)
#: Why a set ended.
TARGET, TIME, TIMEOUT = "target", "time", "timeout"

CueSpec = tuple[str, Priority, str]


class SetProgress:
    """The set ``planned`` from time ``t`` on.

    Attributes:
        reps: reps counted toward the target.
        finished: why the set ended (:data:`TARGET`, :data:`TIME`, :data:`TIMEOUT`), None while it runs.
        view_problems: set-up warning codes seen during the set.
    """

    def __init__(self, planned: PlannedSet, t: float, no_progress_s: float = NO_PROGRESS_S) -> None:
        self.planned = planned
        self.no_progress_s = no_progress_s
        self.engine = Engine(planned.rule) if planned.rule is not None else None
        self.started_t = self.t = self.progress_t = t
        self.counting_t: float | None = None if self.engine is not None else t
        self.reps = 0
        self.hold_s = 0.0
        self.finished: str | None = None
        self.view_problems: list[str] = []
        self._marks: set[float] = set()
        self._status: EngineStatus | None = None

    @property
    def counting(self) -> bool:
        """The start position was reached (a timer counts at once)."""
        return self.counting_t is not None

    @property
    def status(self) -> EngineStatus | None:
        """The engine's newest status (None for a timer)."""
        return self._status

    def time_left_s(self) -> float | None:
        """Seconds left of a set that ends on the clock, else None."""
        d = self.planned.duration_s
        if d is None or self.counting_t is None:
            return None
        return max(0.0, d - (self.t - self.counting_t))

    def step(self, pose: PoseFrame) -> list[CueSpec]:
        """Take one pose (its timestamp is the time); the cues it gives."""
        cues: list[CueSpec] = []
        self.t = pose.timestamp_s
        if self.engine is None or self.finished:
            return self.advance(self.t)
        for event in self.engine.step(pose):
            cues += self._on_event(event)
        self._status = self.engine.status()
        if self.planned.rule is not None and self.planned.rule.rep is None and self.planned.target_reps:
            cues += self._count_holds()
        cues += self._hold_marks(self._status.hold_s)
        return cues + self.advance(self.t)

    def advance(self, t: float) -> list[CueSpec]:
        """Time passes to ``t`` (with or without a pose): time-left cues, and the end of the set."""
        self.t = max(self.t, t)
        if self.finished:
            return []
        cues: list[CueSpec] = []
        left = self.time_left_s()
        if left is not None:
            cues += self._marks_for(self.planned.duration_s or 0.0, left)
        if self._target_reached():
            self.finished = TARGET
        elif left is not None and left <= 0:
            self.finished = TIME
        elif self.engine is not None and self.t - self.progress_t >= self.no_progress_s:
            self.finished = TIMEOUT
            cues.append((NO_PROGRESS, Priority.SETUP, "no_progress"))
        return cues

    def note_problem(self, code: str) -> None:
        """A set-up warning (``code``) came up during the set."""
        if code and code not in self.view_problems:
            self.view_problems.append(code)

    def _target_reached(self) -> bool:
        p = self.planned
        if self.engine is None:
            return False
        if p.target_reps is not None:
            return self.reps >= p.target_reps
        return p.target_hold_s is not None and self.hold_s >= p.target_hold_s

    def _on_event(self, event: Event) -> list[CueSpec]:
        """An engine event's cue, and its effect on the counts."""
        if event.kind == "counting_started":  # again after the person was lost: the clock runs on
            self.counting_t = event.t if self.counting_t is None else self.counting_t
            self.progress_t = event.t
        elif event.kind == "warning":
            self.note_problem(event.data.get("code", ""))
        if event.kind != "rep":
            cue = engine_cue(event)
            return [cue] if cue else []
        side, wanted = event.data.get("side"), self.planned.counts_side
        if wanted is not None and side != wanted:
            return [(f"That was the {side} side: now the {wanted} side", Priority.SETUP, "wrong_side")]
        self.reps += 1
        self.progress_t = event.t
        return [(count_text(self.reps, self.planned.target_reps), Priority.COUNT, "count")]

    def _count_holds(self) -> list[CueSpec]:
        """A rule without reps: each finished hold is a rep."""
        assert self.engine is not None
        held = len(self.engine.machine.holds)
        if held <= self.reps:
            return []
        self.reps = held
        return [(count_text(self.reps, self.planned.target_reps), Priority.COUNT, "count")]

    def _hold_marks(self, hold_s: float) -> list[CueSpec]:
        """Hold progress, and its time-left cues."""
        if hold_s > self.hold_s:
            self.progress_t = self.t
        if hold_s <= 0:
            self._marks.clear()  # the next hold is announced afresh
        self.hold_s = hold_s
        target = self.planned.target_hold_s
        return self._marks_for(target, target - hold_s) if target and hold_s > 0 else []

    def _marks_for(self, total_s: float, left_s: float) -> list[CueSpec]:
        """A "N seconds left" cue when ``left_s`` passes a mark (marks at most half of ``total_s``)."""
        for mark in TIME_MARKS_S:
            if total_s >= 2 * mark and 0 < left_s <= mark and mark not in self._marks:
                self._marks.update(m for m in TIME_MARKS_S if m >= mark)
                return [(seconds_left_text(mark), Priority.COUNT, "time_left")]
        return []

    def record(self, ended_t: float, wall_offset: float, pain_stop: bool = False) -> SetRecord:
        """The set as it stands, for the history (``wall_offset`` + runner time = Unix time)."""
        p = self.planned
        rec = SetRecord(exercise=p.exercise, side=p.side, set_index=p.set_index,
                        started_at=wall_offset + self.started_t, ended_at=wall_offset + ended_t, reps=self.reps,
                        target_reps=p.target_reps,
                        target_hold_s=p.target_hold_s, pain_stop=pain_stop, view_problems=list(self.view_problems),
                        camera_checked=self.engine is not None)
        if self.engine is None:
            return self._timed_record(rec, ended_t)
        result = self.engine.result()
        return _with_result(rec, result, p, ended_t - (self.counting_t or ended_t))

    def _timed_record(self, rec: SetRecord, ended_t: float) -> SetRecord:
        """A timer's record: the time done, and the dose done pro rata (nothing was checked)."""
        p = self.planned
        duration = p.duration_s or 0.0
        share = min(1.0, (ended_t - self.started_t) / duration) if duration > 0 else 1.0
        if p.target_reps:
            reps = math.floor(p.target_reps * share + 1e-9)
            return replace(rec, reps=reps, hold_s=(p.target_hold_s or 0.0) * share)
        return replace(rec, hold_s=share * duration, target_hold_s=duration)


def _with_result(rec: SetRecord, result: SessionResult, p: PlannedSet, counted_s: float) -> SetRecord:
    """A checked set's record completed from its engine result: range of motion (mean of the
    counted reps), holds (mean), fault counts; a set on the clock records its counted time as its hold."""
    reps = [r for r in result.reps if p.counts_side is None or r.side == p.counts_side]
    rom = [r.range_of_motion for r in reps if math.isfinite(r.range_of_motion)]
    holds = [h.duration_s for h in result.holds]
    rec = replace(rec, range_of_motion=sum(rom) / len(rom) if rom else None, fault_counts=result.fault_counts(),
                  hold_s=sum(holds) / len(holds) if holds else 0.0)
    if p.duration_s is not None and p.target_hold_s is None:
        rec = replace(rec, hold_s=min(max(counted_s, 0.0), p.duration_s), target_hold_s=p.duration_s)
    return rec


__all__ = ["NO_PROGRESS_S", "TARGET", "TIME", "TIMEOUT", "TIME_MARKS_S", "SetProgress"]
