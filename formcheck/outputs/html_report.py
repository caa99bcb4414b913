"""The self-contained HTML report of a reviewed video: one page (no external resources, prints
on A4) with the set's summary, a row per rep, each fault with its cue and a key frame, the
metric plot with its thresholds, warnings, the rule's limitations and the not-a-diagnosis note.

The session and period reports over the history database are in
:mod:`formcheck.outputs.html_history` (re-exported here).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.outputs.html_history import session_report
from formcheck.outputs.html_keyframes import KEY_FRAME_WIDTH, key_frames, key_time
from formcheck.outputs.html_parts import (
    Raw,
    bullets,
    date_text,
    facts,
    grid,
    heading,
    image,
    num,
    page,
    paragraph,
    section,
    table,
)
from formcheck.outputs.html_period import period_report
from formcheck.outputs.plots import figure_png, metric_figure
from formcheck.outputs.report import prescription_text, rep_table, rep_unit
from formcheck.outputs.text import rep_count_text
from formcheck.results import FaultEvent, Rep, SessionResult
from formcheck.rules.schema import Rule

if TYPE_CHECKING:
    from formcheck.analysis import Analysis
    from formcheck.engine.recognize import Recognition

#: At most this many key frames (the first faults in time); a longer list is said to be cut.
MAX_KEY_FRAMES = 40
PLOT_DPI = 90


def _header(analysis: Analysis, video_path: str | Path | None, recognition: Recognition | None) -> Raw:
    result, rule, track = analysis.result, analysis.rule, analysis.track
    chosen = (f"recognised from the video (confidence {recognition.confidence:.0%})" if recognition is not None
              else "named by the user")
    clip = Path(video_path).name if video_path is not None else (track.source or "-")
    return facts([
        ("Exercise", f"{rule.name} ({rule.id}), {chosen}"),
        ("Clip", clip),
        ("Report made", date_text(time.time())),
        ("Duration", f"{result.duration_s:.1f} s ({result.frames} frames at {result.fps:.3g} fps)"),
        ("Pose model", track.model or "-"),
        ("Prescribed", prescription_text(rule.prescription)),
    ])


def _summary(result: SessionResult, rule: Rule) -> Raw:
    pairs: list[tuple[str, object]] = []
    if rule.rep is not None:
        by_side = result.reps_by_side()
        split = f" ({rep_count_text(by_side, style='words')})" if rule.is_alternating or by_side else ""
        pairs.append(("Reps", f"{result.rep_count}{split}"))
    if rule.hold is not None or result.holds:
        target = rule.value(rule.hold.target_s) if rule.hold is not None else None
        reached = sum(h.reached_target for h in result.holds)
        longest = max((h.duration_s for h in result.holds), default=0.0)
        pairs.append(("Holds", f"{len(result.holds)}, {reached} reached the {num(target, 0)} s target, "
                               f"longest {longest:.1f} s"))
    counts = result.fault_counts()
    pairs.append(("Faults", ", ".join(f"{code} x{n}" for code, n in counts.items()) or "none"))
    started = result.counting_started_s
    pairs.append(("Counting", "never started (the start position was not reached)" if started is None
                  else f"from {started:.1f} s"))
    if result.stopped_for_pain:
        pairs.append(("Stopped for pain", "yes"))
    return facts(pairs)


def _rep_section(result: SessionResult, rule: Rule) -> Raw:
    if not result.reps:
        return section("Repetitions", paragraph("No complete repetition was counted."))
    unit = rep_unit(result, rule)
    rows = [[r["index"], r["side"] or "-", num(r["start_s"]), num(r["range_of_motion"], 0, unit), num(r["rise_s"]),
             num(r["hold_s"]), num(r["fall_s"]), r["faults"] or "-"] for r in rep_table(result, rule)]
    return section("Repetitions", table(["#", "side", "start s", "range of motion", "rise s", "hold s", "fall s",
                                          "faults"], rows))


def _hold_section(result: SessionResult) -> Raw | None:
    if not result.holds:
        return None
    rows = [[i, num(h.start_s), num(h.duration_s), num(h.target_s, 0), "yes" if h.reached_target else "no"]
            for i, h in enumerate(result.holds, 1)]
    return section("Holds", table(["#", "start s", "held s", "target s", "target reached"], rows))


def _cue_table(result: SessionResult, rule: Rule) -> Raw:
    """One row per fault code: how often, its severity (and ``dosage`` for a hold or tempo cue),
    the cue given and what it means."""
    meaning = {f.code: f.description for f in rule.faults}
    first: dict[str, FaultEvent] = {}
    for fault in result.faults:
        first.setdefault(fault.code, fault)

    def kind(f: FaultEvent) -> str:
        return f.severity if f.category == "form" else f"{f.severity} ({f.category})"

    rows = [[code, n, kind(first[code]), first[code].message, meaning.get(code, "") or "-"]
            for code, n in result.fault_counts().items()]
    if not any(meaning.get(code) for code in first):
        return table(["fault", "times", "severity", "cue given"], [row[:4] for row in rows])
    return table(["fault", "times", "severity", "cue given", "what it checks"], rows)


def _figures(faults: Sequence[FaultEvent], pictures: Sequence[bytes | None], reps: Sequence[Rep]) -> list[Raw]:
    out: list[Raw] = []
    for fault, picture in zip(faults, pictures, strict=True):
        when = f"{fault.code} from {fault.start_s:.1f} s" + (f" (rep {fault.rep_index})" if fault.rep_index else "")
        caption = f"{when}, shown at {key_time(fault, reps):.1f} s: {fault.message}"
        out.append(image(picture, alt=when, caption=caption) if picture is not None
                   else paragraph(f"{caption} (the frame could not be read from the video)", "muted"))
    return out


def _fault_section(analysis: Analysis, video_path: str | Path | None) -> Raw:
    result = analysis.result
    if not result.faults:
        return section("Faults", paragraph("No form fault was flagged."))
    parts: list[object] = [_cue_table(result, analysis.rule)]
    faults = sorted(result.faults, key=lambda f: f.start_s)
    shown = faults[:MAX_KEY_FRAMES]
    if video_path is None:
        parts.append(paragraph("Key frames are not shown: the report was made without the video.", "muted"))
    else:
        parts.append(heading("Key frames: each fault where it starts (a rep's fault at that rep's peak)"))
        pictures = key_frames(video_path, analysis, shown)
        parts.append(grid(_figures(shown, pictures, result.reps)))
        if len(faults) > len(shown):
            parts.append(paragraph(f"Key frames of the first {len(shown)} of {len(faults)} faults.", "muted"))
    return section("Faults", *parts)


def _not_judged_section(result: SessionResult) -> Raw | None:
    """The faults the camera view could not judge (so "no fault" there means "not checked")."""
    if not result.not_judged:
        return None
    return section("Not judged from this camera angle", table(
        ["fault", "said at", "message"], [[n.code, f"{n.at_s:.1f} s", n.message] for n in result.not_judged]))


def _warning_section(result: SessionResult) -> Raw | None:
    seen: dict[str, tuple[int, str]] = {}
    for w in result.warnings:
        seen[w.code] = (seen.get(w.code, (0, ""))[0] + 1, w.message)
    if not seen:
        return None
    return section("Set-up warnings", table(["warning", "times", "message"],
                                            [[code, n, msg] for code, (n, msg) in seen.items()]))


def video_report(analysis: Analysis, video_path: str | Path | None = None,
                 recognition: Recognition | None = None, title: str | None = None) -> str:
    """One self-contained HTML page about a reviewed clip (see the module docstring).

    Args:
        analysis: the clip under its rule (:func:`formcheck.analysis.analyze`).
        video_path: the clip, for the key frames (the frame where each fault shows, decoded alone and
            shrunk to :data:`~formcheck.outputs.html_keyframes.KEY_FRAME_WIDTH` px); None: no key frames.
        recognition: how the exercise was recognised, when it was.
        title: the page's heading (default: the exercise's name).
    """
    result, rule = analysis.result, analysis.rule
    plot = figure_png(metric_figure(result, rule), dpi=PLOT_DPI)
    parts = [
        _header(analysis, video_path, recognition),
        section("Summary", _summary(result, rule)),
        _rep_section(result, rule),
        _hold_section(result),
        section("Movement over time", image(plot, alt="metric over time with thresholds", caption=(
            "Shaded: counted reps. Red: faults. Dashed: the rule's thresholds."))),
        _fault_section(analysis, video_path),
        _not_judged_section(result),
        _warning_section(result),
        section("Limitations of this check", paragraph(rule.limitations.strip())) if rule.limitations else None,
        section("What was checked", bullets([f"{f.code}: {f.message}" for f in rule.faults])) if rule.faults else None,
    ]
    return page(title or f"{rule.name}: form check", [p for p in parts if p is not None])


__all__ = ["KEY_FRAME_WIDTH", "MAX_KEY_FRAMES", "period_report", "session_report", "video_report"]
