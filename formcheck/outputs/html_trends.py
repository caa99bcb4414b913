"""Small progress plots for the period report (matplotlib, Agg, no pyplot): sessions and
adherence per week, and each exercise's reps, range of motion and faults per rep over time."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure

from formcheck.history.progress import ExercisePoint, WeekRow
from formcheck.outputs.plots import figure_png

DPI = 90
WIDTH_IN = 7.0
BAR_COLOR = "#9ecae1"
REPS_COLOR = "#1f77b4"
HOLD_COLOR = "#2ca02c"
FAULT_COLOR = "#d62728"
ROM_COLOR = "#9467bd"
#: Height of one exercise's row of small plots (inches).
ROW_IN = 1.15


def weekly_png(weeks: Sequence[WeekRow]) -> bytes:
    """Sessions per week as bars, with the adherence of reps and of hold time (%) as lines."""
    fig = Figure(figsize=(WIDTH_IN, 1.9), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.grid(True, alpha=0.25)
    ax.tick_params(labelsize=7)
    labels = [w.week for w in weeks]
    ax.bar(labels, [w.sessions for w in weeks], color=BAR_COLOR, label="sessions")
    ax.set_ylabel("sessions", fontsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    share = ax.twinx()
    share.set_ylim(0, 105)
    share.set_ylabel("adherence %", fontsize=8)
    share.tick_params(labelsize=7)
    for key, color, name in (("reps_share", REPS_COLOR, "reps done %"), ("hold_share", HOLD_COLOR, "hold done %")):
        values = [getattr(w.adherence, key) for w in weeks]
        points = [(label, 100 * v) for label, v in zip(labels, values, strict=True) if v is not None]
        if points:
            share.plot(*zip(*points, strict=True), marker="o", color=color, label=name)
    handles = ax.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
    fig.legend(handles=handles, fontsize=7, loc="outside upper center", ncols=len(handles), frameon=False)
    return figure_png(fig, dpi=DPI)


def _panels(points: Sequence[ExercisePoint], rom_unit: str) -> list[tuple[str, list[float | None], str]]:
    """What to draw of one exercise: reps (hold seconds for a hold without reps), range of motion, faults per rep."""
    holds_only = not any(p.reps for p in points) and any(p.hold_s for p in points)
    first = ("hold s", [p.hold_s for p in points], HOLD_COLOR) if holds_only else (
        "reps", [float(p.reps) for p in points], REPS_COLOR)
    rom = f"range of motion ({rom_unit})" if rom_unit else "range of motion"
    return [first, (rom, [p.mean_range_of_motion for p in points], ROM_COLOR),
            ("faults per rep", [p.fault_rate for p in points], FAULT_COLOR)]


def exercises_png(groups: Sequence[tuple[str, Sequence[ExercisePoint], str]]) -> bytes:
    """Small multiples: a row per ``(name, points, range-of-motion unit)``, columns reps (or hold
    seconds), mean range of motion and faults per rep, one point per session, dates shared."""
    fig = Figure(figsize=(WIDTH_IN, 0.35 + ROW_IN * len(groups)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(groups), 3, squeeze=False, sharex=True)
    for row, (name, points, unit) in zip(axes, groups, strict=True):
        days = [p.day for p in points]
        for col, (ax, (label, values, color)) in enumerate(zip(row, _panels(points, unit), strict=True)):
            ax.grid(True, alpha=0.25)
            ax.tick_params(labelsize=6)
            ax.set_title(f"{name}: {label}" if col == 0 else label, fontsize=7, loc="left")
            known = [(d, v) for d, v in zip(days, values, strict=True) if v is not None]
            if known:
                ax.plot(*zip(*known, strict=True), marker="o", ms=3, lw=1, color=color)
                if col == 2:
                    ax.set_ylim(bottom=0)
            else:
                ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="#888888",
                        fontsize=7)
    for ax in axes[-1]:
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=6))
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    return figure_png(fig, dpi=DPI)


__all__ = ["exercises_png", "weekly_png"]
