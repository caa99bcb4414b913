"""The red-flag check before exercising, as data: the guides' questions, their advice, and the verdict.

Any "yes" means: see a GP or physiotherapist before starting (urgently for changes in
bladder or bowel control), and no session today. The answers are kept with their date
(:class:`formcheck.history.records.SafetyAnswers`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from formcheck.errors import FormcheckError
from formcheck.history.records import SafetyAnswers

SEE_CLINICIAN = ("Please see a GP or physiotherapist before you start these exercises, and tell them about "
                 "your answers. formcheck will not start a session until then.")
URGENT = ("Changes in bladder or bowel control with back pain need urgent medical help: call NHS 111 now, "
          "or 999 if you cannot pass urine or have lost feeling around your bottom or genitals.")
ALL_CLEAR = "No warning signs: you can start. Stop if it hurts, and see a GP or physiotherapist if the pain gets worse."


@dataclass(frozen=True)
class RedFlag:
    """One question of the check: answering yes means seeing a clinician first (``urgent``: now)."""

    id: str
    question: str
    advice: str
    urgent: bool = False


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag("new_episode", "Is this a new episode of back pain, or does it feel different from your usual pain?",
            "A new or different episode of back pain should be checked before you exercise."),
    RedFlag("spreading", "Do you have pain, numbness or tingling spreading into your legs or feet?",
            "Pain, numbness or tingling spreading into the legs or feet should be checked before you exercise."),
    RedFlag("bladder_bowel", "Have you noticed any change in your bladder or bowel control?",
            URGENT, urgent=True),
    RedFlag("fever_weight", "Do you have a fever, or have you lost weight without trying?",
            "Back pain with a fever or unexplained weight loss should be checked by a GP first."),
    RedFlag("fall_injury", "Did the pain start after a fall or an injury?",
            "Back pain after a fall or an injury should be checked before you exercise."),
    RedFlag("undiagnosed", "Is this back pain that no GP or physiotherapist has assessed yet?",
            "Back pain nobody has diagnosed should be assessed before you start a programme."),
)  # fmt: skip


def red_flag(flag_id: str) -> RedFlag:
    """The question with this id."""
    for flag in RED_FLAGS:
        if flag.id == flag_id:
            return flag
    raise FormcheckError(f"no safety question {flag_id!r}; the questions are: {', '.join(f.id for f in RED_FLAGS)}")


def assess(answers: Mapping[str, bool], clock: Callable[[], float] = time.time) -> SafetyAnswers:
    """The check's result, dated now: ``passed`` only when every question was answered "no".

    Raises:
        FormcheckError: a question is unanswered, answered with something other than yes/no,
            or not one of :data:`RED_FLAGS`.
    """
    known = {f.id for f in RED_FLAGS}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise FormcheckError(f"no safety question {unknown[0]!r}; the questions are: {', '.join(sorted(known))}")
    missing = [f.id for f in RED_FLAGS if not isinstance(answers.get(f.id), bool)]
    if missing:
        raise FormcheckError(f"answer every safety question with yes or no (not answered: {', '.join(missing)})")
    return SafetyAnswers({f.id: bool(answers[f.id]) for f in RED_FLAGS}, clock())


def advice(result: SafetyAnswers) -> list[str]:
    """What to do, from the answers: the urgent advice first, then each "yes" question's, then
    :data:`SEE_CLINICIAN`; one all-clear line when every answer was no."""
    flags = [red_flag(i) for i, yes in result.answers.items() if yes and i in {f.id for f in RED_FLAGS}]
    if not flags:
        return [ALL_CLEAR]
    flags.sort(key=lambda f: not f.urgent)
    return [*dict.fromkeys(f.advice for f in flags), SEE_CLINICIAN]


def urgent(result: SafetyAnswers) -> bool:
    """A "yes" needs urgent help (bladder or bowel changes)."""
    return any(yes and red_flag(i).urgent for i, yes in result.answers.items() if i in {f.id for f in RED_FLAGS})


__all__ = ["ALL_CLEAR", "RED_FLAGS", "SEE_CLINICIAN", "URGENT", "RedFlag", "advice", "assess", "red_flag", "urgent"]
