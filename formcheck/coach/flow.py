"""The phases of a coached session in runner time: announce → set-up → active → rest → ... → done.

:class:`SessionFlow` moves through the planned sets: it announces each set (the exercise, its
dose and set-up; where to move the camera when the view changes), runs the live camera
checklist until set-up is good, starts a fresh :class:`~formcheck.coach.set_progress.SetProgress`
(which waits for the start position, then counts), records the set when it ends, rests with
a countdown, and finishes with a summary. What it says and reports goes to a :class:`Sink`.
:class:`~formcheck.coach.runner.ProgrammeRunner` drives it and owns the time.
"""

from __future__ import annotations

from typing import Protocol

from formcheck.coach.plan import PlannedSet
from formcheck.coach.set_progress import NO_PROGRESS_S, SetProgress
from formcheck.coach.words import (
    PAIN_STOP,
    START_POSITION,
    announce_text,
    rest_call_text,
    rest_text,
    set_done_text,
    speech_s,
    summary_lines,
    timer_start_text,
)  # fmt: skip
from formcheck.engine.status import Event
from formcheck.history.records import SetRecord
from formcheck.live.checklist import SETUP_HOLD_S, LightMeter, SetupChecklist
from formcheck.outputs.cue_schedule import Priority
from formcheck.pose.track import PoseFrame

#: After set-up is good, wait this long for the start position before saying how to get into it.
START_NUDGE_S = 4.0
#: A rest at least twice this long gets a "10 seconds" call before it ends.
REST_CALL_S = 10.0


class Sink(Protocol):
    """Where the flow's words and events go."""

    def say(self, text: str, priority: Priority, key: str | None = None) -> None: ...

    def emit(self, kind: str, text: str = "", record: SetRecord | None = None) -> None: ...


class SessionFlow:
    """The planned sets, worked through in order (times in runner seconds).

    Attributes:
        phase: announce, setup, active, rest, done or stopped.
        i: the current set's index (during a rest: the next set's).
        records: the sets recorded so far.
        said: the words of the announcement, rest or summary now on screen.
        wall_offset: Unix time of runner time 0 (dates the records).
    """

    def __init__(self, plan: list[PlannedSet], sink: Sink, light: LightMeter, setup_hold_s: float = SETUP_HOLD_S,
                 announce_s: float | None = None, no_progress_s: float = NO_PROGRESS_S) -> None:
        self.plan, self.sink, self.light = plan, sink, light
        self.setup_hold_s, self.announce_s, self.no_progress_s = setup_hold_s, announce_s, no_progress_s
        self.records: list[SetRecord] = []
        self.phase, self.i, self.said, self.until, self.wall_offset = "announce", 0, "", 0.0, 0.0
        self.checklist: SetupChecklist | None = None
        self.progress: SetProgress | None = None
        self._last: PlannedSet | None = None  # the set announced last
        self._done_i = 0  # the set recorded last
        self._rest_called = False

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "stopped")

    # -- controls ---------------------------------------------------------------------
    def skip(self, tau: float) -> None:
        """Skip the rest (in a rest), else the rest of this exercise (a set under way is recorded)."""
        if self.phase == "rest":
            self.start_set(self.i, tau)
            return
        item = self.plan[self.i].item_index
        if self.progress is not None and self.progress.counting:
            self._close_set(tau)
        nxt = next((j for j in range(self.i, len(self.plan)) if self.plan[j].item_index != item), None)
        self.sink.say(f"Skipping {self.plan[self.i].name}.", Priority.SETUP)
        self._move_to(nxt, tau, 0.0)

    def repeat(self, tau: float) -> None:
        """Redo the current set (in a rest: the set just done); a set under way is not recorded."""
        self.start_set(self._done_i if self.phase == "rest" else self.i, tau, again=True)

    def stop_for_pain(self, tau: float) -> None:
        """Record the set (``pain_stop``; a set not started yet is recorded empty) and stop."""
        progress = self.progress or SetProgress(self.plan[self.i], tau)
        record = progress.record(tau, self.wall_offset, pain_stop=True)
        self.records.append(record)
        self.phase, self.progress, self.said = "stopped", None, PAIN_STOP
        self.sink.say(PAIN_STOP, Priority.SAFETY)
        self.sink.emit("pain_stop", PAIN_STOP, record)

    def light_changed(self, events: list[Event]) -> None:
        """The light meter's events: darkness is said, and noted against the set under way."""
        for event in events:
            if event.kind == "warning":
                self.sink.say(event.message, Priority.SETUP, f"setup:{event.data.get('code')}")
                if self.progress is not None:
                    self.progress.note_problem(event.data.get("code", ""))

    # -- the phases -------------------------------------------------------------------
    def advance(self, tau: float, pose: PoseFrame | None) -> None:
        """Time ``tau``, with the pose of that moment if there is one."""
        if self.phase == "announce":
            if pose is not None and self.checklist is not None:
                self.checklist.step(pose, tau)  # set-up may come good while listening
            if tau >= self.until:
                self.phase = "setup" if self.checklist is not None else "active"
                if self.checklist is None:  # a timer starts now
                    self.progress = SetProgress(self.plan[self.i], tau, self.no_progress_s)
                    self.sink.say(timer_start_text(self.plan[self.i]), Priority.SETUP)
        elif self.phase == "rest":
            self._rest(tau)
        elif self.progress is not None:
            self._run_set(pose, tau)
        elif pose is not None:
            self._set_up(pose, tau)

    def start_set(self, j: int, tau: float, again: bool = False) -> None:
        """Announce set ``j`` (``again``: a repeat) and prepare its camera checklist."""
        ps = self.plan[j]
        text = announce_text(ps, self._last, again)
        new_exercise = self._last is None or self._last.item_index != ps.item_index
        self.phase, self.i, self._last, self.progress, self.said = "announce", j, ps, None, text
        self.until = tau + (self.announce_s if self.announce_s is not None else speech_s(text))
        self.checklist = SetupChecklist(ps.rule, self.setup_hold_s) if ps.rule is not None else None
        if self.checklist is not None:
            self.checklist.light = self.light  # one light meter for the whole session
        if new_exercise and not again:
            self.sink.emit("exercise_start", text)
        self.sink.say(text, Priority.SETUP)

    def _set_up(self, pose: PoseFrame, tau: float) -> None:
        """Camera set-up: the checklist until it has been good long enough, then the set starts."""
        assert self.checklist is not None
        events, ready = self.checklist.step(pose, tau)
        for event in events:
            if event.kind == "warning":
                self.sink.say(event.message, Priority.SETUP, f"setup:{event.data.get('code')}")
        bad = next((item for item in self.checklist.check.items if not item.ok), None)
        if bad is not None and bad.message:
            self.sink.say(bad.message, Priority.SETUP, f"setup:{bad.code}")
        if ready:
            self.progress = SetProgress(self.plan[self.i], tau, self.no_progress_s)
            self._run_set(pose, tau)

    def _run_set(self, pose: PoseFrame | None, tau: float) -> None:
        """The set under way: its cues, the start position, its end."""
        s = self.progress
        assert s is not None
        for cue in s.step(pose) if pose is not None else s.advance(tau):
            self.sink.say(*cue)
        if pose is not None and self.checklist is not None and s.status is not None:
            self.checklist.recheck(pose, s.status)
        if self.phase == "setup" and s.counting:
            self.phase = "active"
        elif self.phase == "setup" and tau - s.started_t >= START_NUDGE_S:
            self.sink.say(f"{START_POSITION}: {s.planned.instructions}", Priority.SETUP, "start_position")
        if s.finished:
            self._close_set(tau)
            self._move_to(self.i + 1, tau, s.planned.rest_s)

    def _close_set(self, tau: float) -> None:
        """Record the set under way."""
        assert self.progress is not None
        record = self.progress.record(tau, self.wall_offset)
        self.records.append(record)
        self._done_i, self.progress = self.i, None
        self.sink.emit("set_done", set_done_text(record), record)
        self.sink.say(set_done_text(record), Priority.COUNT)  # replaces the last count: it says it

    def _move_to(self, j: int | None, tau: float, rest_s: float) -> None:
        """On to set ``j`` (None or past the end: the session is done), after a rest."""
        if j is None or j >= len(self.plan):
            self._finish()
        elif rest_s > 0:
            self.phase, self.i, self.until = "rest", j, tau + rest_s
            self.checklist, self.said = None, rest_text(rest_s, self.plan[j], self._last)
            self._rest_called = rest_s < 2 * REST_CALL_S
            self.sink.emit("rest", self.said)
            self.sink.say(self.said, Priority.INFO)
        else:
            self.start_set(j, tau)

    def _rest(self, tau: float) -> None:
        left = self.until - tau
        if left <= 0:
            self.start_set(self.i, tau)
        elif left <= REST_CALL_S and not self._rest_called:
            self._rest_called = True
            self.sink.say(rest_call_text(REST_CALL_S, self.plan[self.i], self._last), Priority.COUNT)

    def _finish(self) -> None:
        lines = summary_lines(self.plan, self.records)
        self.phase, self.progress, self.checklist, self.said = "done", None, None, lines[0]
        self.sink.emit("session_done", "\n".join(lines))
        self.sink.say(f"{lines[0]} Well done.", Priority.INFO)


__all__ = ["REST_CALL_S", "START_NUDGE_S", "SessionFlow", "Sink"]
