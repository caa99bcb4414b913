"""The coach's words: announcements, counts, rests, the end-of-set and end-of-session summaries.

All of the coached session's user-facing text sits here (the engine's own cues stay in
:mod:`formcheck.texts`), so it can be read and reworded in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from formcheck.coach.plan import PlannedSet, dose_text
from formcheck.history.records import SetRecord

#: Speech runs at about this many words per second (an announcement lasts as long as it takes to say).
WORDS_PER_S = 2.5
PAIN_STOP = ("Stopping now. Lie or sit in a comfortable position and rest. If the pain stays, gets worse or "
             "spreads into your legs, contact your GP or physiotherapist.")
PAUSED = "Paused. Resume when you are ready."
RESUMED = "Resuming."
NO_PROGRESS = "No movement counted for a while: moving on."
NO_CAMERA = "done without camera checks"
START_POSITION = "Get into the start position"
#: A camera view as said when the camera stays where it is.
VIEW_WORDS = {"side": "side-on", "front": "from the front"}


def set_label(ps: PlannedSet) -> str:
    """``"set 2 of 3, left side"``, ``"right side"``, ``"set 2 of 3"`` or ``""``."""
    parts = [f"set {ps.set_index} of {ps.sets}"] if ps.sets > 1 else []
    if ps.side:
        parts.append(f"{ps.side} side")
    return ", ".join(parts)


def speech_s(text: str, least_s: float = 2.0, most_s: float = 20.0) -> float:
    """How long ``text`` takes to say, within ``least_s``-``most_s`` seconds."""
    return min(most_s, max(least_s, len(text.split()) / WORDS_PER_S))


def announce_text(ps: PlannedSet, previous: PlannedSet | None, again: bool = False) -> str:
    """What is said before a set: the exercise, its dose and set-up for a new exercise (where to
    move the camera when the view changes), just the set and side for the next set of the same one."""
    label = set_label(ps)
    if again:
        return f"Again: {ps.name}" + (f", {label}." if label else ".")
    if previous is not None and previous.item_index == ps.item_index:
        return (label[0].upper() + label[1:] + "." if label else f"{ps.name} again.")
    words = [f"{ps.name}: {_sets_and_dose(ps)}" + (", left side first." if ps.side else ".")]
    if ps.instructions:
        words.append(ps.instructions)
    if ps.rule is None:
        words.append(f"This one is {NO_CAMERA}: a timer runs.")
    elif previous is None or previous.view != ps.view:
        moved = previous is not None and previous.view is not None
        words.append(("This exercise needs a different camera view. " if moved else "") + ps.setup)
    elif ps.view != ps.rule.view:
        words.append(f"Keep the camera where it is: this one is checked {VIEW_WORDS.get(ps.view, 'from there')} too.")
    return " ".join(w.strip() for w in words if w.strip())


def _sets_and_dose(ps: PlannedSet) -> str:
    """``"2 sets of 10 reps"``, ``"3 sets, hold 20 seconds"``, or the dose of a single set."""
    if ps.sets == 1:
        return dose_text(ps)
    joint = " of " if ps.target_reps is not None or ps.target_hold_s is None else ", "
    return f"{ps.sets} sets{joint}{dose_text(ps)}"


def timer_start_text(ps: PlannedSet) -> str:
    return f"Start now: {ps.duration_s or 0:g} seconds."


def count_text(n: int, target: int | None) -> str:
    """A rep count as said: ``"3"``, and ``"4 — last one"`` when one rep is left."""
    return f"{n} — last one" if target is not None and target > 1 and n == target - 1 else f"{n}"


def seconds_left_text(seconds: float) -> str:
    """"10 seconds left", "1 second left" (whole seconds)."""
    n = round(seconds)
    return f"{n} second{'' if n == 1 else 's'} left"


def next_text(ps: PlannedSet, previous: PlannedSet | None) -> str:
    """The next set, named from the one before it."""
    if previous is not None and previous.item_index == ps.item_index:
        return f"{ps.name}, {set_label(ps)}"
    return ps.name


def rest_text(rest_s: float, nxt: PlannedSet, previous: PlannedSet | None) -> str:
    return f"Rest {rest_s:g} seconds. Next: {next_text(nxt, previous)}."


def rest_call_text(left_s: float, nxt: PlannedSet, previous: PlannedSet | None) -> str:
    return f"{left_s:g} seconds. Next: {next_text(nxt, previous)}."


def set_done_text(record: SetRecord) -> str:
    """Said when a set ends."""
    if record.target_reps:
        return f"Set done: {record.reps} of {record.target_reps} reps."
    if record.target_hold_s:
        return f"Set done: {record.hold_s:.0f} of {record.target_hold_s:g} seconds."
    return "Set done."


def summary_lines(plan: Sequence[PlannedSet], records: Sequence[SetRecord]) -> list[str]:
    """The written end-of-session summary: a headline, then one line per exercise done."""
    reps = sum(r.reps for r in records)
    target = sum(r.target_reps or 0 for r in records)
    exercises = list(dict.fromkeys(r.exercise for r in records))
    headline = (f"Session done: {len(exercises)} exercise{'s' * (len(exercises) != 1)}, {len(records)} "
                f"set{'s' * (len(records) != 1)}" + (f", {reps} of {target} reps." if target else "."))
    names = {p.exercise: p.name for p in plan}
    lines = [headline]
    for exercise in exercises:
        done = [r for r in records if r.exercise == exercise]
        line = f"{names.get(exercise, exercise)}: {len(done)} set{'s' * (len(done) != 1)}"
        if any(r.target_reps for r in done):
            line += f", {sum(r.reps for r in done)} of {sum(r.target_reps or 0 for r in done)} reps"
        faults = sum(sum(r.fault_counts.values()) for r in done)
        line += f", {faults} form cue{'s' * (faults != 1)}" if faults else ""
        lines.append(line + ("" if all(r.camera_checked for r in done) else f" ({NO_CAMERA})"))
    return lines


__all__ = [
    "NO_CAMERA", "NO_PROGRESS", "PAIN_STOP", "PAUSED", "RESUMED", "START_POSITION", "WORDS_PER_S", "announce_text",
    "count_text", "next_text", "rest_call_text", "rest_text", "seconds_left_text", "set_done_text", "set_label",
    "speech_s", "summary_lines", "timer_start_text",
]  # fmt: skip
