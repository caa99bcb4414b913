"""The HTML report of one session from the history database: programme, date, a row per set
(reps and holds against their targets, range of motion, faults with their cues), adherence and
any pain stop with where and how bad. Cue texts come from the exercise's rule file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from formcheck.errors import FormcheckError
from formcheck.history.progress import Adherence, adherence, prescribed_hold_s
from formcheck.history.records import PainReport, SetRecord
from formcheck.outputs.html_parts import Raw, date_text, facts, num, page, paragraph, section, table
from formcheck.rules.schema import Rule

if TYPE_CHECKING:
    from formcheck.history.rows import SessionRow
    from formcheck.history.store import HistoryStore

EXERCISE_ID = re.compile(r"^[a-z0-9_]+$")
SOURCE_NAMES = {"live": "live set", "programme": "coached programme", "review": "reviewed video"}


@lru_cache(maxsize=64)
def exercise_rule(exercise: str) -> Rule | None:
    """The catalogue rule of an exercise id, or None (a guide exercise without a rule, or an unknown id)."""
    if not EXERCISE_ID.match(exercise):
        return None
    from formcheck.rules import load_rule

    try:
        return load_rule(exercise)
    except FormcheckError:
        return None


def exercise_name(exercise: str) -> str:
    """The exercise's name from its rule, else its id in words."""
    rule = exercise_rule(exercise)
    return rule.name if rule is not None else exercise.replace("_", " ").capitalize()


def rom_unit(exercise: str) -> str:
    """Unit of the exercise's range of motion (its rep metric's unit), "" when unknown."""
    rule = exercise_rule(exercise)
    if rule is None or rule.rep is None or rule.rep.metric not in rule.metrics:
        return ""
    return rule.metrics[rule.rep.metric].unit


def cue_text(exercise: str, code: str) -> str:
    """The cue the rule gives for fault ``code``, "" when the code is not in the rule."""
    rule = exercise_rule(exercise)
    return next((f.message for f in rule.faults if f.code == code), "") if rule is not None else ""


def share_text(done: float, wanted: float, share: float | None, unit: str = "") -> str:
    """``8 of 10 (80%)``; ``-`` when nothing was prescribed."""
    if share is None:
        return "-"
    fmt = (lambda v: f"{v:.0f}{unit}") if unit else (lambda v: f"{v:g}")
    return f"{fmt(done)} of {fmt(wanted)} ({share:.0%})"


def adherence_pairs(a: Adherence) -> list[tuple[str, str]]:
    """Adherence as label/value pairs (reps, then hold time)."""
    return [("Reps done", share_text(a.reps_done, a.reps_prescribed, a.reps_share)),
            ("Hold time done", share_text(a.hold_done_s, a.hold_prescribed_s, a.hold_share, " s"))]


def _of(done: float, target: float | None, unit: str = "") -> str:
    return f"{done:g}{unit} / {target:g}{unit}" if target else (f"{done:g}{unit}" if done else "-")


def _set_row(i: int, s: SetRecord) -> list[object]:
    faults = ", ".join(f"{code} x{n}" for code, n in s.fault_counts.items()) or "-"
    notes = [] if s.camera_checked else ["no camera checks"]
    notes += (["camera: " + ", ".join(s.view_problems)] if s.view_problems else []) + (
        ["pain stop"] if s.pain_stop else [])
    return [i, exercise_name(s.exercise), s.side or "-", s.set_index, _of(s.reps, s.target_reps),
            _of(round(s.hold_s, 1), prescribed_hold_s(s), " s"), num(s.range_of_motion, 0, rom_unit(s.exercise)),
            faults, "; ".join(notes) or "-"]


def set_table(sets: list[SetRecord]) -> Raw:
    """One row per set: exercise, side, set, reps / target, seconds held / prescribed (the target
    hold of each rep), range of motion, faults, notes (no camera checks, camera problems, pain stop)."""
    return table(["#", "exercise", "side", "set", "reps / target", "held / prescribed", "range of motion", "faults",
                  "notes"], [_set_row(i, s) for i, s in enumerate(sets, 1)])


def cue_table(sets: Iterable[SetRecord]) -> Raw | None:
    """Each fault flagged, per exercise: how often and the cue the rule gives for it."""
    counts: dict[tuple[str, str], int] = {}
    for s in sets:
        for code, n in s.fault_counts.items():
            counts[(s.exercise, code)] = counts.get((s.exercise, code), 0) + n
    if not counts:
        return None
    rows = [[exercise_name(ex), code, n, cue_text(ex, code) or "-"] for (ex, code), n in counts.items()]
    return table(["exercise", "fault", "times", "cue"], rows)


def pain_table(reports: list[PainReport]) -> Raw:
    """Where it hurt, how much (0-10) and when."""
    return table(["where", "how bad (0-10)", "reported"], [[r.where, r.score, date_text(r.reported_at)]
                                                           for r in reports])


def _session_facts(row: SessionRow) -> Raw:
    length = (row.ended_at - row.started_at) / 60 if row.ended_at else None
    return facts([
        ("Person", row.person),
        ("Programme", f"{row.programme} (week {row.week})" if row.programme else "single exercise"),
        ("Kind", SOURCE_NAMES.get(row.source, row.source)),
        ("Clip", row.clip_name or ""),
        ("Started", date_text(row.started_at)),
        ("Length", f"{length:.0f} min" if length is not None else "not ended"),
        ("Completed", "yes" if row.completed else "no"),
        ("Pain stop", "yes" if row.pain_stop else "no"),
    ])


def session_report(store: HistoryStore, session_id: int) -> str:
    """One self-contained HTML page about session ``session_id`` of ``store``.

    Raises:
        FormcheckError: the store holds no such session.
    """
    row = store.session(session_id)
    if row is None:
        raise FormcheckError(f"no session {session_id} in the history database {store.path}")
    sets, pains = store.sets(session_id), store.pain_reports(session_id)
    cues = cue_table(sets)
    parts = [
        _session_facts(row),
        section("Adherence", facts(adherence_pairs(adherence(sets)))),
        section("Sets", set_table(sets) if sets else paragraph("No set was saved in this session.")),
        section("Faults and their cues", cues) if cues is not None else None,
        section("Pain", pain_table(pains)) if pains else (
            section("Pain", paragraph("Stopped for pain; where and how bad was not reported."))
            if row.pain_stop else None),
    ]
    title = f"Session {row.id}: {row.programme or exercise_list(sets)} on {date_text(row.started_at, False)}"
    return page(title, [p for p in parts if p is not None])


def exercise_list(sets: Iterable[SetRecord]) -> str:
    """The exercises of these sets by name, in order, each once."""
    names = list(dict.fromkeys(exercise_name(s.exercise) for s in sets))
    return ", ".join(names) or "no exercise"


__all__ = [
    "adherence_pairs", "cue_table", "cue_text", "exercise_list", "exercise_name", "exercise_rule", "pain_table",
    "rom_unit", "session_report", "set_table", "share_text",
]  # fmt: skip
