"""The hands-free programme runner: poses in, spoken cues, set records and a summary out.

For each planned set: ``announce`` → ``setup`` (camera view, then the start position) →
``active`` (reps counted and holds timed against the dose) → ``rest`` → the next side, set
or exercise → ``done`` (a spoken and written summary); "Stop — it hurts" ends the session
(``stopped``) and records the set (:mod:`formcheck.coach.flow` has the phases). No clock is
read: all time comes from the poses' timestamps and :meth:`ProgrammeRunner.tick`, so a
recorded track replays exactly; pauses are cut out of the time the engines see. The live
page drives the same runner from camera frames (:class:`formcheck.coach.live.CoachSession`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from formcheck.coach.flow import SessionFlow
from formcheck.coach.plan import PlannedSet, RuleSource, plan_sets
from formcheck.coach.screen import screen_message, setup_check, shown_status
from formcheck.coach.set_progress import NO_PROGRESS_S
from formcheck.coach.state import CoachEvent, CoachState
from formcheck.coach.words import PAUSED, RESUMED
from formcheck.errors import FormcheckError
from formcheck.history.records import SetRecord
from formcheck.live.checklist import SETUP_HOLD_S, LightMeter
from formcheck.outputs.cue_schedule import CueScheduler, Priority
from formcheck.pose.track import PoseFrame
from formcheck.programmes.schema import Programme
from formcheck.rules.catalog import load_rule
from formcheck.sources.lighting import DARK_LUMA


class ProgrammeRunner:
    """Runs ``programme`` (week ``week``) over poses; each call returns the events it caused.

    Args:
        setup_hold_s: how long the camera set-up must be good before the set's engine starts.
        announce_s: how long each announcement lasts (None: as long as it takes to say).
        no_progress_s: a set in which nothing counted for this long ends.
        cues: the cue scheduler (rate limit, priorities, mute).
        wall_clock: Unix time now, read once to date the records (tests pass a fixed one).
        rules: exercise id → rule; plan: the planned sets (default: :func:`plan_sets`).

    Example:
        >>> runner = ProgrammeRunner(programme)                    # doctest: +SKIP
        >>> for pose in poses: events = runner.step(pose)          # say / set_done / rest / ...
        >>> runner.state().phase, runner.records
    """

    def __init__(self, programme: Programme, week: int = 1, *, setup_hold_s: float = SETUP_HOLD_S,
                 announce_s: float | None = None, no_progress_s: float = NO_PROGRESS_S, dark_luma: float = DARK_LUMA,
                 cues: CueScheduler | None = None, wall_clock: Callable[[], float] = time.time,
                 rules: RuleSource = load_rule, plan: list[PlannedSet] | None = None) -> None:
        self.programme, self.week = programme, week
        self.plan = list(plan) if plan is not None else plan_sets(programme, week, rules)
        if not self.plan:
            raise FormcheckError(f"programme {programme.id}: it has no exercises to do")
        self.cues = cues or CueScheduler()
        self._light = LightMeter(dark_luma)
        self._flow = SessionFlow(self.plan, self, self._light, setup_hold_s, announce_s, no_progress_s)
        self._wall_clock = wall_clock
        self._t: float | None = None  # the newest time given (the caller's time base)
        self._paused_at: float | None = None
        self._offset = 0.0  # time spent paused: runner time = caller time - offset
        self._light_t = 0.0
        self._out: list[CoachEvent] = []
        self._cue_n = 0

    # -- poses and time ---------------------------------------------------------------
    def step(self, pose: PoseFrame, rgb: np.ndarray | None = None) -> list[CoachEvent]:
        """One pose (its timestamp is the time); ``rgb``, its camera frame, feeds the light check."""
        t = self._enter(pose.timestamp_s)
        if self._running:
            tau = t - self._offset
            if rgb is not None:
                self._flow.light_changed(self._light.update(rgb, tau - self._light_t, tau))
                self._light_t = tau
            self._flow.advance(tau, replace(pose, timestamp_s=tau))
        return self._leave(t)

    def tick(self, t: float) -> list[CoachEvent]:
        """Time passes with no pose (timers and rests run; a checked set may time out)."""
        t = self._enter(t)
        if self._running:
            self._flow.advance(t - self._offset, None)
        return self._leave(t)

    # -- controls ---------------------------------------------------------------------
    def skip(self, t: float) -> list[CoachEvent]:
        """Skip the rest (in a rest), else the rest of this exercise (a set under way is recorded)."""
        return self._control(t, self._flow.skip)

    def repeat(self, t: float) -> list[CoachEvent]:
        """Redo the current set (in a rest: the set just done); a set under way is not recorded."""
        return self._control(t, self._flow.repeat)

    def stop_for_pain(self, t: float) -> list[CoachEvent]:
        """"Stop — it hurts": record the set (``pain_stop``) and end the session with a safety message."""
        def stop(tau: float) -> None:
            self._paused_at = None
            self.cues.clear()
            self._flow.stop_for_pain(tau)

        return self._control(t, stop)

    def pause(self, t: float) -> list[CoachEvent]:
        """Pause: poses are ignored and timers stop until :meth:`resume`."""
        t = self._enter(t)
        if self._running:
            self._paused_at = t
            self.say(PAUSED, Priority.INFO)
        return self._leave(t)

    def resume(self, t: float) -> list[CoachEvent]:
        t = self._enter(t)
        if self._paused_at is not None and not self.finished:
            self._offset += t - self._paused_at
            self._paused_at = None
            self.say(RESUMED, Priority.INFO)
        return self._leave(t)

    @property
    def muted(self) -> bool:
        """Muted: nothing is said (no ``say`` events); the screen still shows the cues."""
        return self.cues.muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self.cues.muted = value

    # -- what it found ----------------------------------------------------------------
    @property
    def records(self) -> list[SetRecord]:
        """The sets recorded so far (each also came as a ``set_done``/``pain_stop`` event)."""
        return self._flow.records

    @property
    def finished(self) -> bool:
        """Done, or stopped for pain."""
        return self._flow.finished

    @property
    def current(self) -> PlannedSet | None:
        return self.plan[self._flow.i]

    def state(self) -> CoachState:
        """A snapshot for the page."""
        f, ps = self._flow, self.current
        s, tau = f.progress, self._now(self._t or 0.0)
        left = f.until - tau if f.phase in ("announce", "rest") else (s.time_left_s() if s else None)
        paused = self._paused_at is not None
        return CoachState(
            phase=f.phase, paused=paused, muted=self.muted, current=ps, index=f.i, total=len(self.plan),
            reps=s.reps if s else 0, target_reps=ps.target_reps if ps else None, hold_s=s.hold_s if s else 0.0,
            target_hold_s=ps.target_hold_s if ps else None, time_left_s=max(0.0, left) if left is not None else None,
            setup=setup_check(f.checklist, s), status=shown_status(f.checklist, s),
            message=PAUSED if paused else screen_message(f.phase, ps, s, f.checklist, f.said),
            cue=self.cues.latest.text if self.cues.latest else "",
        )

    # -- the flow's sink --------------------------------------------------------------
    def say(self, text: str, priority: Priority, key: str | None = None) -> None:
        """Offer a cue now; without a ``key`` it is a one-off (never held back as a repeat)."""
        self._cue_n += 1
        self.cues.push(text, priority, key or f"once:{self._cue_n}", self._t or 0.0)

    def emit(self, kind: str, text: str = "", record: SetRecord | None = None) -> None:
        self._out.append(CoachEvent(kind, self._t or 0.0, text, None, record))

    # -- time -------------------------------------------------------------------------
    @property
    def _running(self) -> bool:
        return self._paused_at is None and not self.finished

    def _now(self, t: float) -> float:
        """Runner time at caller time ``t`` (frozen while paused)."""
        return (self._paused_at if self._paused_at is not None else t) - self._offset

    def _control(self, t: float, action: Callable[[float], None]) -> list[CoachEvent]:
        t = self._enter(t)
        if not self.finished:
            action(self._now(t))
        return self._leave(t)

    def _enter(self, t: float) -> float:
        """Start of a call at caller time ``t`` (never earlier than the last); the first call starts the session."""
        first = self._t is None
        t = float(t) if self._t is None else max(float(t), self._t)
        self._t = t
        if first:
            self._flow.wall_offset = self._wall_clock() - t
            self._light_t = t
            self._flow.start_set(0, t)
        return t

    def _leave(self, t: float) -> list[CoachEvent]:
        """End of a call: the cue to say now, and the events of the call."""
        cue = self.cues.next_cue(t)
        if cue is not None:
            self._out.append(CoachEvent("say", t, cue.text, cue.priority))
        out, self._out = self._out, []
        return out


__all__ = ["ProgrammeRunner"]
