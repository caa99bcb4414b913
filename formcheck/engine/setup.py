"""Set-up checks: is one person in view, whole, seen from the rule's side, and clearly (a pose the
quality gate trusts, :mod:`formcheck.pose.quality`)? Problems are codes;
their words live in :mod:`formcheck.texts`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from formcheck.engine.debounce import Change, SpanLog
from formcheck.engine.status import Event
from formcheck.metrics.stream import FrameMetrics
from formcheck.results import SetupWarning
from formcheck.texts import setup_message

#: A set-up problem must last this long before it is reported.
WARNING_DEBOUNCE_S = 1.0
#: ``unclear_pose`` waits longer: the pose model loses a lying body for a moment now and then,
#: and "move the camera" is a chore worth asking for only when it lasts (with the quality
#: window, :data:`formcheck.pose.quality.POOR_WINDOW_S`, about 2 s of bad pose; 2.5 s into a
#: clip that is bad from its start).
UNCLEAR_DEBOUNCE_S = 1.5
#: View check: shoulder width / torso length above this means the camera is not side-on.
SIDE_VIEW_MAX_RATIO = 0.6
FRONT_VIEW_MIN_RATIO = 0.25


Views = str | tuple[str, ...]


def _each(views: Views) -> tuple[str, ...]:
    return (views,) if isinstance(views, str) else tuple(views)


def wrong_view(view_ratio: float, views: Views) -> bool:
    """The body's proportions say the camera sees it from none of the rule's supported ``views``
    (one view, or a tuple of them)."""
    return all(_wrong_for(view_ratio, view) for view in _each(views))


def _wrong_for(view_ratio: float, view: str) -> bool:
    """:func:`wrong_view` for one view."""
    if not math.isfinite(view_ratio):
        return False
    if view == "side":
        return view_ratio > SIDE_VIEW_MAX_RATIO
    if view == "front":
        return view_ratio < FRONT_VIEW_MIN_RATIO
    return False


def problems(persons: Any, missing: Any, view_ratio: Any, view: Views, unclear: Any = False) -> dict[str, Any]:
    """Each set-up check's code → whether its problem shows (in reporting order), for one frame
    (numbers: ``missing`` whether a needed landmark is hidden, ``unclear`` whether the pose has
    been unreliable for a while, :attr:`FrameMetrics.unclear`) or per frame of a series (arrays)."""
    series = isinstance(view_ratio, np.ndarray)
    return {
        "no_person": persons == 0,
        "two_people": persons >= 2,
        "body_out_of_frame": (persons > 0) & missing,
        "wrong_view": _wrong_views(view_ratio, view) if series else wrong_view(view_ratio, view),
        "unclear_pose": unclear,
    }


def _wrong_views(view_ratio: np.ndarray, views: Views) -> np.ndarray:
    """:func:`wrong_view` of each frame of a series."""
    wrong = np.ones(len(view_ratio), bool)
    for view in _each(views):
        wrong &= _wrong_series(view_ratio, view)
    return wrong


def _wrong_series(view_ratio: np.ndarray, view: str) -> np.ndarray:
    """:func:`_wrong_for` of each frame of a series."""
    with np.errstate(invalid="ignore"):
        if view == "side":
            return np.isfinite(view_ratio) & (view_ratio > SIDE_VIEW_MAX_RATIO)
        if view == "front":
            return np.isfinite(view_ratio) & (view_ratio < FRONT_VIEW_MIN_RATIO)
    return np.zeros(len(view_ratio), bool)


def setup_problems(fm: FrameMetrics, view: Views) -> dict[str, bool]:
    """Each set-up check's code → whether its problem shows in this frame (in reporting order);
    ``view`` is the rule's view or every view it supports."""
    return problems(fm.persons, bool(fm.missing), fm.view_ratio, view, fm.unclear)


class SetupChecker:
    """Set-up problems (codes) reported once they last :data:`WARNING_DEBOUNCE_S`, cleared as soon as they end.

    The view check accepts every one of ``views`` (default: just ``view``); the words advise the
    preferred ``view``.
    """

    def __init__(self, view: str, views: tuple[str, ...] = ()) -> None:
        self.view = view
        self.views = views or (view,)
        self.log: SpanLog[SetupWarning] = SpanLog()

    @property
    def warnings(self) -> list[SetupWarning]:
        """Every warning so far."""
        return self.log.records

    def update(self, fm: FrameMetrics, events: list[Event]) -> None:
        """Check one frame."""
        for code, present in setup_problems(fm, self.views).items():
            self.check(code, present, fm.t, fm.missing, events)

    def check(self, code: str, present: bool, t: float, missing: tuple[str, ...], events: list[Event]) -> Change | None:
        """Advance one set-up check to time ``t``, where its problem shows (``present``) or not."""
        debounce = UNCLEAR_DEBOUNCE_S if code == "unclear_pose" else WARNING_DEBOUNCE_S
        change = self.log.update(code, present, t, debounce)
        if change == "started":
            message = setup_message(code, missing, self.view)
            self.log.start(code, SetupWarning(code, self.log.since(code), t, message))
            events.append(Event("warning", t, message, {"code": code}))
        elif change == "continues":
            self.log.open[code].message = setup_message(code, missing, self.view)
        elif change == "ended":
            events.append(Event("warning_cleared", t, "", {"code": code}))
        return change


__all__ = [
    "FRONT_VIEW_MIN_RATIO", "SIDE_VIEW_MAX_RATIO", "UNCLEAR_DEBOUNCE_S", "WARNING_DEBOUNCE_S", "SetupChecker",
    "problems", "setup_problems",
]
