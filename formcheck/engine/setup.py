"""Set-up checks: is one person in view, whole, seen from the rule's side, and clearly (a pose the
quality gate trusts, :mod:`formcheck.pose.quality`)? Problems are codes;
their words live in :mod:`formcheck.texts`."""

from __future__ import annotations

from typing import Any

import numpy as np

from formcheck.engine.debounce import Change, SpanLog
from formcheck.engine.status import Event
from formcheck.metrics.stream import FrameMetrics
from formcheck.results import SetupWarning
from formcheck.texts import advice_view, setup_message

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


def wrong_view(view_ratio: Any, views: Views) -> Any:
    """The body's proportions say the camera sees it from none of the rule's supported ``views``
    (one view, or a tuple of them): for one frame (a number, giving a bool) or per frame of a
    series (an array, giving a bool array). An unknown ratio (NaN) is never a wrong view."""
    ratio = np.asarray(view_ratio, dtype=np.float64)
    wrong = np.ones(ratio.shape, bool)
    with np.errstate(invalid="ignore"):
        for view in _each(views):
            if view == "side":
                wrong &= np.isfinite(ratio) & (ratio > SIDE_VIEW_MAX_RATIO)
            elif view == "front":
                wrong &= np.isfinite(ratio) & (ratio < FRONT_VIEW_MIN_RATIO)
            else:
                wrong &= False
    return wrong if ratio.ndim else bool(wrong)


def problems(persons: Any, missing: Any, view_ratio: Any, view: Views, unclear: Any = False) -> dict[str, Any]:
    """Each set-up check's code → whether its problem shows (in reporting order), for one frame
    (numbers: ``missing`` whether a needed landmark is hidden, ``unclear`` whether the pose has
    been unreliable for a while, :attr:`FrameMetrics.unclear`) or per frame of a series (arrays)."""
    return {
        "no_person": persons == 0,
        "two_people": persons >= 2,
        "body_out_of_frame": (persons > 0) & missing,
        "wrong_view": wrong_view(view_ratio, view),
        "unclear_pose": unclear,
    }


def setup_problems(fm: FrameMetrics, view: Views) -> dict[str, bool]:
    """Each set-up check's code → whether its problem shows in this frame (in reporting order);
    ``view`` is the rule's view or every view it supports."""
    return problems(fm.persons, bool(fm.missing), fm.view_ratio, view, fm.unclear)


class SetupChecker:
    """Set-up problems (codes) reported once they last :data:`WARNING_DEBOUNCE_S`, cleared as soon as they end.

    The view check accepts every one of ``views`` (default: just ``view``); the words advise the
    preferred ``view``, and ``clear_view`` (default: ``view``) when the pose is unclear, in
    the words for the rule's ``posture`` (:func:`formcheck.texts.advice_view`).
    """

    def __init__(self, view: str, views: tuple[str, ...] = (), clear_view: str = "", posture: str = "") -> None:
        self.view = view
        self.views = views or (view,)
        #: The camera words (:func:`~formcheck.texts.advice_view` keys) of the set-up problems, and
        #: of an unclear pose (also the result's "too few reliable poses" warning).
        self.view_words = advice_view(view, posture)
        self.unclear_words = advice_view(clear_view or view, posture)
        self.log: SpanLog[SetupWarning] = SpanLog()

    @property
    def warnings(self) -> list[SetupWarning]:
        """Every warning so far."""
        return self.log.records

    def update(self, fm: FrameMetrics, events: list[Event]) -> None:
        """Check one frame."""
        for code, present in setup_problems(fm, self.views).items():
            self.check(code, present, fm.t, fm.missing, events)

    def _advised(self, code: str) -> str:
        return self.unclear_words if code == "unclear_pose" else self.view_words

    def check(self, code: str, present: bool, t: float, missing: tuple[str, ...], events: list[Event]) -> Change | None:
        """Advance one set-up check to time ``t``, where its problem shows (``present``) or not."""
        debounce = UNCLEAR_DEBOUNCE_S if code == "unclear_pose" else WARNING_DEBOUNCE_S
        change = self.log.update(code, present, t, debounce)
        if change == "started":
            message = setup_message(code, missing, self._advised(code))
            self.log.start(code, SetupWarning(code, self.log.since(code), t, message))
            events.append(Event("warning", t, message, {"code": code}))
        elif change == "continues":
            self.log.open[code].message = setup_message(code, missing, self._advised(code))
        elif change == "ended":
            events.append(Event("warning_cleared", t, "", {"code": code}))
        return change


__all__ = [
    "FRONT_VIEW_MIN_RATIO", "SIDE_VIEW_MAX_RATIO", "UNCLEAR_DEBOUNCE_S", "WARNING_DEBOUNCE_S", "SetupChecker",
    "problems", "setup_problems",
]
