"""The live camera set-up checklist: one person fully in frame, the right view, enough light.

The person and view lines come from the set-up warnings of an engine that runs only for
them (the same warning codes review reports); the light line from the smoothed frame
brightness (:mod:`formcheck.sources.lighting`). Once every line has been good for
:data:`SETUP_HOLD_S` the checklist is ready and counting may start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from formcheck.engine.machine import Engine
from formcheck.engine.setup import WARNING_DEBOUNCE_S
from formcheck.engine.status import EngineStatus, Event
from formcheck.pose.track import PoseFrame
from formcheck.results import SetupWarning
from formcheck.rules.schema import Rule
from formcheck.sources.lighting import DARK_LUMA, is_too_dark, luminance_stats
from formcheck.texts import advice_view

#: Set-up must be good this long before counting starts. Longer than the engine's warning
#: debounce, so a problem present all along has surfaced as a warning within it.
SETUP_HOLD_S = WARNING_DEBOUNCE_S + 0.5
#: Time constant of the smoothed frame brightness.
LIGHT_TIME_S = 0.5
#: The engine's set-up warning codes (:func:`formcheck.engine.setup.setup_problems`) behind the person
#: line, in order of precedence, and behind the view line.
PERSON_CODES = ("no_person", "two_people", "body_out_of_frame")
VIEW_CODE = "wrong_view"
#: The camera sees a person but no trustworthy skeleton for a while (:mod:`formcheck.pose.quality`):
#: also a view line problem, since moving the camera is what fixes it.
UNCLEAR_CODE = "unclear_pose"
DARK_CODE = "too_dark"

DARK_MESSAGE = "Too dark: switch on a light or face a window (no bright window behind you)"
SETUP_OK_MESSAGE = "Set-up is good: counting starts once you are in the start position"
NO_PERSON_MESSAGE = "Step into the picture so the camera sees your whole body"
PERSON_LABEL = "One person, whole body in the picture"
VIEW_LABELS = {"side": "Camera side-on to you", "front": "Camera facing you, along your body"}
#: The view line's label for a rule supporting several views, by their camera words
#: (:func:`formcheck.texts.advice_view`, preferred first).
VIEWS_LABELS = {
    ("front", "side"): "Camera at your feet or side-on",
    ("side", "front"): "Camera side-on or at your feet",
    ("seated_front", "side"): "Camera in front of you or side-on",
    ("side", "seated_front"): "Camera side-on or in front of you",
}
VIEW_LABEL = "Camera view"
LIGHT_LABEL = "Enough light"


def view_label(rule: Rule) -> str:
    """The view line's label: the rule's view, or every view it supports."""
    views = rule.supported_views
    if len(views) == 1:
        return VIEW_LABELS.get(views[0], VIEW_LABEL)
    return VIEWS_LABELS.get(tuple(advice_view(v, rule.posture) for v in views), VIEW_LABEL)


@dataclass(frozen=True)
class SetupItem:
    """One line of the camera set-up checklist."""

    code: str  # person, view, light
    label: str
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class SetupCheck:
    """The set-up checklist and whether counting has started."""

    items: tuple[SetupItem, ...]
    counting_enabled: bool
    good_for_s: float = 0.0


class LightMeter:
    """Smoothed frame brightness and whether the picture is too dark to count in."""

    def __init__(self, dark_luma: float = DARK_LUMA) -> None:
        self.dark_luma = dark_luma
        self.dark = False
        self._mean: float | None = None
        self._bright: float | None = None

    def update(self, rgb: np.ndarray, dt: float, t: float) -> list[Event]:
        """Take a frame ``dt`` seconds after the previous one; a warning event when darkness starts or ends."""
        mean, bright = luminance_stats(rgb)
        if self._mean is None or self._bright is None:
            self._mean, self._bright = mean, bright
        else:
            a = min(1.0, max(dt, 0.0) / LIGHT_TIME_S)
            self._mean += a * (mean - self._mean)
            self._bright += a * (bright - self._bright)
        dark = is_too_dark(self._mean, self._bright, self.dark_luma)
        events = []
        if dark and not self.dark:
            events.append(Event("warning", t, DARK_MESSAGE, {"code": DARK_CODE}))
        elif self.dark and not dark:
            events.append(Event("warning_cleared", t, "", {"code": DARK_CODE}))
        self.dark = dark
        return events


class SetupChecklist:
    """The checklist lines from each pose, and when set-up has been good long enough.

    Args:
        rule: the exercise rule (its view and its set-up warnings).
        hold_s: how long set-up must be good before counting starts.
        dark_luma: mean-luma threshold of :func:`formcheck.sources.lighting.is_too_dark`.
    """

    def __init__(self, rule: Rule, hold_s: float = SETUP_HOLD_S, dark_luma: float = DARK_LUMA) -> None:
        self.rule = rule
        self.hold_s = hold_s
        self.light = LightMeter(dark_luma)
        self._engine = Engine(rule)  # runs only for its set-up warnings
        self._ok_since: float | None = None
        self.check = SetupCheck(self._items(None, self._engine.status()), False)

    def status(self) -> EngineStatus:
        """The set-up engine's status (its warnings)."""
        return self._engine.status()

    def step(self, pose: PoseFrame, t: float) -> tuple[list[Event], bool]:
        """Before counting: the set-up warning events and whether counting may start now
        (then a ``setup_ok`` event is among them)."""
        events = [e for e in self._engine.step(pose) if e.kind.startswith("warning")]
        items = self._items(pose, self._engine.status())
        ok = all(item.ok for item in items)
        self._ok_since = (self._ok_since if self._ok_since is not None else t) if ok else None
        good_for = t - self._ok_since if self._ok_since is not None else 0.0
        ready = ok and good_for >= self.hold_s
        if ready:
            events.append(Event("setup_ok", t, SETUP_OK_MESSAGE))
        self.check = SetupCheck(items, ready, good_for)
        return events, ready

    def recheck(self, pose: PoseFrame, status: EngineStatus) -> None:
        """While counting: the lines from the counting engine's warnings."""
        self.check = SetupCheck(self._items(pose, status), True, self.check.good_for_s)

    def shown(self, status: EngineStatus, counting: bool) -> EngineStatus:
        """``status`` as the page shows it: no counts or faults before counting; always the darkness warning."""
        if not counting:
            status = replace(status, phase="setup", counting=False, rep_count=0, hold_s=0.0, active_faults=[],
                             reps_by_side={k: 0 for k in status.reps_by_side})
        if self.light.dark:
            dark = SetupWarning(DARK_CODE, status.t, status.t, DARK_MESSAGE)
            status = replace(status, active_warnings=[*status.active_warnings, dark])
        return status

    def _items(self, pose: PoseFrame | None, status: EngineStatus) -> tuple[SetupItem, ...]:
        warnings = {w.code: w.message for w in status.active_warnings}
        person = next((warnings[c] for c in PERSON_CODES if c in warnings), None)
        if person is None and (pose is None or not pose.has_person):
            person = NO_PERSON_MESSAGE
        view = next((warnings[c] for c in (VIEW_CODE, UNCLEAR_CODE) if c in warnings), None)
        if view is None and self._engine.history and self._engine.history[-1].unclear:
            view = ""  # a poor pose not yet reported: not ready, nothing said until it lasts
        dark = self.light.dark
        return (
            SetupItem("person", PERSON_LABEL, person is None, person or ""),
            SetupItem("view", view_label(self.rule), view is None, view or ""),
            SetupItem("light", LIGHT_LABEL, not dark, DARK_MESSAGE if dark else ""),
        )


__all__ = ["SETUP_HOLD_S", "LightMeter", "SetupCheck", "SetupChecklist", "SetupItem", "view_label"]
