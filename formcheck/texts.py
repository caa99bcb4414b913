"""The words the engine gives the user: set-up problems, counting, reps and holds.

The engine decides *what* happened (a code, a number); this module says it in English, so all
of its user-facing text sits in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Landmark names read as body parts (others are pluralised as they are: ``hip`` → ``hips``).
PART_NAMES = {"foot_index": "toes", "index": "fingers", "pinky": "hands", "thumb": "thumbs"}

COUNTING_STARTED = "Start position reached: counting starts now"
REP_TOO_QUICK = "Too quick to count: move slowly and with control"
REP_LOST = "Lost sight of you mid-rep: that one is not counted"

#: What the camera should see, by the rule's view (:func:`advice_view`).
VIEW_HINTS = {
    "side": "turn so the camera sees you side-on",
    "front": "place the camera at your feet, looking along your body",
    "seated_front": "sit facing the camera, with it in front of you at chest height",
}

#: What to change when the pose model cannot find a clear skeleton (``unclear_pose``), by the
#: rule's view: the camera placements the model sees a body on the floor best from.
UNCLEAR_HINTS = {
    "side": "put the camera side-on at floor level, with your whole body in the picture",
    "front": "put the camera at your feet, low and square on, with your whole body in the picture",
    "seated_front": "put the camera in front of you at chest height, with your head, hips and knees in the picture",
}
#: Lead-in of the ``unclear_pose`` set-up message.
UNCLEAR_POSE = "I can't see you clearly from here"


def part_list(parts: Sequence[str]) -> str:
    """``("hip", "knee")`` → ``"hips and knees"``."""
    words = [PART_NAMES.get(p, p + "s").replace("_", " ") for p in parts]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def advice_view(view: str, posture: str = "") -> str:
    """The key of the camera words for a rule's ``view`` and ``posture``: a camera "in front"
    of someone lying is at their feet, of someone sitting at chest height before them."""
    if view == "side":
        return "side"
    return "seated_front" if posture == "seated" else "front"


def setup_message(code: str, missing: Sequence[str] = (), view: str = "side") -> str:
    """The words for a set-up problem code (see :mod:`formcheck.engine.setup`); ``view`` as
    :func:`advice_view` gives it (any other view gets the "front" words)."""
    if code == "no_person":
        return "No one in view: make sure your whole body is in the picture"
    if code == "two_people":
        return "More than one person in view: formcheck follows one; ask others to step out of the picture"
    if code == "body_out_of_frame":
        what = part_list(missing) if missing else "body"
        return f"Can't see your {what}: move or turn the camera so your whole body is in frame"
    if code == "wrong_view":
        return f"Camera view: {VIEW_HINTS.get(view, VIEW_HINTS['front'])}"
    if code == "unclear_pose":
        return f"{UNCLEAR_POSE}: {UNCLEAR_HINTS.get(view, UNCLEAR_HINTS['front'])}"
    raise ValueError(f"no set-up message for {code!r}")


def unreliable_pose_message(usable_share: float, view: str = "side") -> str:
    """The result warning of a clip with too few usable poses (see :mod:`formcheck.engine.summary`)."""
    return (f"only {usable_share:.0%} of frames had a reliable pose: the count and the form checks may be "
            f"incomplete; next time {UNCLEAR_HINTS.get(view, UNCLEAR_HINTS['front'])}")


def no_depth_message(exercise: str, metrics: Sequence[str]) -> str:
    """The result warning of a landmark track without 3-D landmarks under a rule that measures in 3-D."""
    return (f"these landmarks carry no 3-D pose estimate, and {exercise} measures "
            f"{', '.join(m.replace('_', ' ') for m in metrics)} in 3-D: those are not measured, so reps "
            "or faults that depend on them are missing; analyse the video itself instead")


def rep_label(index: int, side: str | None) -> str:
    """A counted rep as announced: ``"3"`` or ``"3 (left)"``."""
    return f"{index}" if side is None else f"{index} ({side})"


def hold_target_reached(target_s: float) -> str:
    """Said when a hold reaches its target."""
    return f"{target_s:g} seconds: well held"


__all__ = [
    "COUNTING_STARTED", "PART_NAMES", "REP_LOST", "REP_TOO_QUICK", "UNCLEAR_HINTS", "UNCLEAR_POSE", "VIEW_HINTS",
    "advice_view", "hold_target_reached", "no_depth_message", "part_list", "rep_label", "setup_message",
    "unreliable_pose_message",
]  # fmt: skip
