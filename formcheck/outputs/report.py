"""Text outputs of a set: the per-rep table (CSV), a readable summary (CLI) and the JSON contract."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING, Any

from formcheck.outputs.text import rep_count_text
from formcheck.results import SessionResult
from formcheck.rules.schema import Rule

if TYPE_CHECKING:
    from formcheck.engine.recognize import Recognition

REP_COLUMNS = (
    "index",
    "side",
    "start_s",
    "end_s",
    "duration_s",
    "range_of_motion",
    "unit",
    "rise_s",
    "hold_s",
    "fall_s",
    "faults",
)


def _num(x: float | None, digits: int = 3) -> float | None:
    """Round for output; NaN and infinities become None (empty in CSV, null in JSON)."""
    if x is None or not math.isfinite(float(x)):
        return None
    return round(float(x), digits)


def rep_unit(result: SessionResult, rule: Rule | None = None) -> str:
    """Unit of the rep metric (range of motion): the unit of ``result.rep_metric`` (taken from
    ``rule`` when the result does not list it); "" when the exercise counts no reps."""
    metric = result.rep_metric or (rule.rep.metric if rule is not None and rule.rep is not None else None)
    if metric is None:
        return ""
    unit = result.metric_units.get(metric)
    if not unit and rule is not None and metric in rule.metrics:
        unit = rule.metrics[metric].unit
    return unit or ""


def rep_table(result: SessionResult, rule: Rule | None = None) -> list[dict[str, Any]]:
    """One row per rep: times in seconds (3 decimals), range of motion in ``unit``
    (the rep metric's unit), faults joined by ", "."""
    unit = rep_unit(result, rule)
    return [
        {
            "index": rep.index,
            "side": rep.side or "",
            "start_s": _num(rep.start_s),
            "end_s": _num(rep.end_s),
            "duration_s": _num(rep.duration_s),
            "range_of_motion": _num(rep.range_of_motion, 2),
            "unit": unit,
            "rise_s": _num(rep.rise_s),
            "hold_s": _num(rep.hold_s),
            "fall_s": _num(rep.fall_s),
            "faults": ", ".join(rep.faults),
        }
        for rep in result.reps
    ]


def to_csv(result: SessionResult, rule: Rule | None = None) -> str:
    """The per-rep table as CSV text with a header row (columns ``REP_COLUMNS``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REP_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rep_table(result, rule):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


#: How many entries of the recognition ranking the JSON keeps.
RANKING_TOP = 3


def exercise_choice(result: SessionResult, recognition: Recognition | None = None,
                    top: int = RANKING_TOP) -> dict[str, Any]:
    """How the exercise was chosen: ``{"id", "chosen_by", "confidence", "ranking"}``.

    ``chosen_by`` is ``"recognition"`` given the ``recognition`` that picked it (``confidence``
    0-1 and the ``top`` best ``{"id", "score"}`` of its ranking), else ``"user"`` (the exercise
    was named with ``--exercise``/``--rules``; confidence and ranking are null)."""
    if recognition is None:
        return {"id": result.exercise, "chosen_by": "user", "confidence": None, "ranking": None}
    return {
        "id": result.exercise,
        "chosen_by": "recognition",
        "confidence": _num(recognition.confidence),
        "ranking": [{"id": rid, "score": _num(score)} for rid, score in list(recognition.ranking)[:top]],
    }


def to_json(result: SessionResult, recognition: Recognition | None = None) -> str:
    """``result.to_dict()`` as JSON, indent 2, plus ``"exercise_choice"`` (see
    :func:`exercise_choice`: ``chosen_by`` "recognition" with its confidence and ranking when
    ``recognition`` is given, else "user"). ``"exercise"`` stays the exercise id.
    NaN (e.g. an unmeasurable range) becomes null."""
    data = result.to_dict()
    data["exercise_choice"] = exercise_choice(result, recognition)
    return json.dumps(_clean(data), indent=2, allow_nan=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def prescription_text(prescription: dict[str, Any]) -> str:
    """``{sets: 2, reps: 10, per_side: true}`` → ``2 sets of 10 reps per side``."""
    parts = []
    sets, reps = prescription.get("sets"), prescription.get("reps")
    if reps:
        parts.append(
            f"{_plural(int(sets), 'set')} of {_plural(int(reps), 'rep')}" if sets else _plural(int(reps), "rep")
        )
    elif sets:
        parts.append(_plural(int(sets), "set"))
    if prescription.get("hold_s"):
        parts.append(f"hold {prescription['hold_s']:g} s")
    if prescription.get("duration_s"):
        parts.append(f"duration {prescription['duration_s']:g} s")
    text = ", ".join(parts)
    if parts and prescription.get("per_side"):
        text += " per side"
    note = prescription.get("note")
    return f"{text} ({note})" if text and note else (text or str(note or ""))


def _recognition_line(result: SessionResult, recognition: Recognition) -> str:
    """The exercise was recognised: with what confidence, and the runner-up."""
    choice = exercise_choice(result, recognition, top=2)
    text = f"  Exercise:  recognised, confidence {recognition.confidence:.0%}"
    others = [r for r in choice["ranking"] if r["id"] != result.exercise]
    if others:
        text += f" (next best: {others[0]['id']})"
    return text


def _rep_lines(result: SessionResult, rule: Rule) -> list[str]:
    """The rep count (left / right when split by side) and a table of the reps."""
    reps = f"  Reps:      {result.rep_count}"
    by_side = result.reps_by_side()
    if rule.is_alternating or by_side:
        reps += f" ({rep_count_text(by_side, style='words')})"
    lines = [reps]
    if result.reps:
        unit = rep_unit(result, rule)
        lines.append(f"    {'#':>3} {'side':5} {'start':>6} {'peak':>6} {'end':>6} {'range':>8} "
                     f"{'up s':>5} {'hold s':>6} {'down s':>6}  faults")
        for r in result.reps:
            rom = f"{r.range_of_motion:.0f}" if r.range_of_motion == r.range_of_motion else "-"
            lines.append(f"    {r.index:>3} {r.side or '':5} {r.start_s:6.1f} {r.peak_s:6.1f} {r.end_s:6.1f} "
                         f"{rom + ' ' + unit:>8} {r.rise_s:5.1f} {r.hold_s:6.1f} {r.fall_s:6.1f}  "
                         f"{', '.join(r.faults) or '-'}")
    return lines


def _hold_lines(result: SessionResult, rule: Rule) -> list[str]:
    """How many holds, how many reached the target, and each hold's span."""
    target = rule.value(rule.hold.target_s) if rule.hold is not None else None
    reached = sum(h.reached_target for h in result.holds)
    head = f"  Holds:     {len(result.holds)}"
    if target is not None:
        head += f", {reached} reached the {target:g} s target"
    return [head] + [
        f"             {i}. {h.start_s:.1f}-{h.end_s:.1f} s: {h.duration_s:.1f} s"
        f"{' (target reached)' if h.reached_target else f' of {h.target_s:g} s'}"
        for i, h in enumerate(result.holds, 1)
    ]


def _fault_lines(result: SessionResult) -> list[str]:
    """Each fault kind, most frequent first, with its severity (and ``dosage`` for a cue about
    hold length or tempo rather than form) and cue."""
    counts = result.fault_counts()
    if not counts:
        return ["  Faults:    none"]
    lines = ["  Faults:"]
    messages = {f.code: (f.message, f.severity, f.category) for f in result.faults}
    for code, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        message, severity, category = messages[code]
        kind = severity if category == "form" else f"{severity}, {category}"
        lines.append(f"    {code} x{n} [{kind}]: {message}")
    return lines


def _warning_lines(result: SessionResult) -> list[str]:
    """Each set-up warning kind once, with how often it happened and its last message."""
    if not result.warnings:
        return []
    seen: dict[str, tuple[int, str]] = {}
    for w in result.warnings:
        n, _ = seen.get(w.code, (0, ""))
        seen[w.code] = (n + 1, w.message)
    return ["  Set-up warnings:"] + [f"    {code} x{n}: {message}" for code, (n, message) in seen.items()]


def _not_judged_lines(result: SessionResult) -> list[str]:
    """Each fault the camera view could not judge, with what the person was told."""
    if not result.not_judged:
        return []
    return ["  Not judged from this camera angle:"] + [f"    {n.code}: {n.message}" for n in result.not_judged]


def summary_text(result: SessionResult, rule: Rule, recognition: Recognition | None = None) -> str:
    """A readable multi-line summary of the set for the CLI; given the ``recognition`` that
    chose the exercise, a line says so with its confidence and the runner-up."""
    lines = [f"{result.exercise_name} ({result.exercise})"]
    if recognition is not None:
        lines.append(_recognition_line(result, recognition))
    lines.append(f"  Clip:      {result.duration_s:.1f} s, {result.frames} frames at {result.fps:.3g} fps"
                 + ("" if result.usable_share is None else f", reliable pose in {result.usable_share:.0%}"))
    if result.counting_started_s is None:
        lines.append("  Counting:  never started (the start position was not reached)")
    else:
        lines.append(f"  Counting:  from {result.counting_started_s:.1f} s")
    if rule.rep is not None:
        lines += _rep_lines(result, rule)
    if rule.hold is not None or result.holds:
        lines += _hold_lines(result, rule)
    lines += _fault_lines(result) + _not_judged_lines(result) + _warning_lines(result)
    if result.stopped_for_pain:
        lines.append("  Stopped for pain: yes")
    prescription = prescription_text(rule.prescription)
    if prescription:
        lines.append(f"  Prescribed: {prescription}")
    return "\n".join(lines)


__all__ = [
    "RANKING_TOP", "REP_COLUMNS", "exercise_choice", "prescription_text", "rep_table", "rep_unit", "summary_text",
    "to_csv", "to_json",
]  # fmt: skip
