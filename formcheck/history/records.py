"""What a session leaves behind, as plain data: the rows the history database stores."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SetRecord:
    """One finished set (live, programme or a reviewed video). Times are Unix seconds.

    ``fault_counts`` maps fault code → times it was flagged; ``view_problems`` lists the
    set-up warning codes seen (wrong view, out of frame...); ``camera_checked`` is False for
    an exercise done without camera checks (timed only).
    """

    exercise: str
    side: str | None
    set_index: int
    started_at: float
    ended_at: float
    reps: int
    target_reps: int | None = None
    hold_s: float = 0.0
    target_hold_s: float | None = None
    range_of_motion: float | None = None
    fault_counts: dict[str, int] = field(default_factory=dict)
    pain_stop: bool = False
    view_problems: list[str] = field(default_factory=list)
    camera_checked: bool = True


@dataclass
class PainReport:
    """Where it hurt and how much (0-10), asked once the person is up after "Stop — it hurts"."""

    where: str
    score: int
    reported_at: float


@dataclass
class SafetyAnswers:
    """The red-flag check: question id → answered yes; ``passed`` when every answer is no."""

    answers: dict[str, bool]
    answered_at: float

    @property
    def passed(self) -> bool:
        return not any(self.answers.values())
