"""Metric-over-time figures for the review page and reports (matplotlib, Agg, no pyplot).

Each figure is built on :class:`matplotlib.figure.Figure` with its own Agg canvas, so
nothing touches pyplot's global state and figures are safe to make in a server thread.

Threshold lines: for each plotted metric, a dashed line for every rule threshold that is
compared with that metric's raw value: the rep's ``enter``/``exit`` (and a rep fault on
``peak``) when it is the rep metric, and each ``rep.start``, ``hold.when`` and frame-fault
condition on it (shifted by ``minus``; mirrored around it for ``abs`` conditions).
Conditions ``from_baseline`` are skipped: they compare with the person's own resting
value, which moves during the set and has no single level to draw.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from formcheck.results import SessionResult
from formcheck.rules.schema import Condition, Rule
from formcheck.rules.walk import Reference, references

REP_COLORS = ("#4c9be8", "#7bc96f")
FAULT_COLOR = "#d62728"
LINE_COLORS = {"rep": "#1f77b4", "start": "#7f7f7f", "hold": "#2ca02c", "fault": "#d62728"}


@dataclass(frozen=True)
class ThresholdLine:
    """A horizontal reference line on one metric's plot."""

    value: float
    label: str
    kind: str  # rep, start, hold or fault


def _name(rule: Rule, ref: str | float) -> str:
    """``up_angle 155`` for a threshold, ``155`` for a plain number (``-x`` keeps its sign)."""
    value = rule.value(ref)
    return f"{ref} {value:g}" if isinstance(ref, str) else f"{value:g}"


def _condition_lines(rule: Rule, cond: Condition, kind: str, prefix: str) -> list[ThresholdLine]:
    if cond.from_baseline:
        return []
    offset = rule.value(cond.minus) if cond.minus is not None else 0.0
    ref = rule.value(cond.ref)
    label = f"{prefix}{_name(rule, cond.ref)}"
    if cond.absolute:
        return [ThresholdLine(offset + ref, label, kind), ThresholdLine(offset - ref, label, kind)]
    return [ThresholdLine(offset + ref, label, kind)]


def _rep_lines(rule: Rule, place: Reference) -> list[ThresholdLine]:
    """The rep's enter/exit level (mirrored for ``abs`` reps) or a rep fault's ``peak`` limit."""
    value, name = rule.value(place.ref), _name(rule, place.ref)
    if place.field == "peak" and place.fault is not None:
        return [ThresholdLine(value, f"{place.fault.code}: {name}", "fault")]
    line = ThresholdLine(value, f"{place.field}: {name}", "rep")
    mirrored = rule.rep is not None and rule.rep.absolute
    return [line, ThresholdLine(-value, line.label, "rep")] if mirrored else [line]


def _place_lines(rule: Rule, place: Reference) -> list[ThresholdLine]:
    if place.condition is not None and place.section in LINE_COLORS:
        prefix = f"{place.fault.code}: " if place.fault is not None else f"{place.section}: "
        return _condition_lines(rule, place.condition, place.section, prefix)
    if place.condition is None and place.field in ("enter", "exit", "peak"):
        return _rep_lines(rule, place)
    return []


def _merged(lines: list[ThresholdLine]) -> list[ThresholdLine]:
    """One line per level; labels of equal levels are joined (the first line's kind stays)."""
    merged: dict[float, ThresholdLine] = {}
    for line in lines:
        key = round(line.value, 9)
        old = merged.get(key)
        if old is None:
            merged[key] = line
        elif line.label not in old.label.split(" | "):
            merged[key] = ThresholdLine(old.value, f"{old.label} | {line.label}", old.kind)
    return sorted(merged.values(), key=lambda line: line.value)


def threshold_lines(rule: Rule, metric: str) -> list[ThresholdLine]:
    """Every threshold that applies to ``metric``'s raw value (see the module docstring)."""
    places = [p for p in references(rule) if p.metric == metric]
    # The rep metric's own levels (enter, exit, rep-fault peaks) come first, then conditions.
    places.sort(key=lambda p: p.condition is not None)
    return _merged([line for p in places for line in _place_lines(rule, p)])


def metric_figure(result: SessionResult, rule: Rule, metrics: Sequence[str] | None = None) -> Figure:
    """One subplot per metric (default ``rule.key_metrics``) over time, with threshold lines,
    shaded reps (alternating colours, numbered, side letter for alternating rules) and red
    spans for faults (full height for frame faults, a strip at the bottom for rep faults)."""
    names = list(metrics if metrics is not None else rule.key_metrics) or list(rule.metrics)[:1]
    fig = Figure(figsize=(10, 2.4 * len(names) + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    t = np.asarray(result.series.get("t", np.array([])), dtype=float)
    for ax, name in zip(axes, names, strict=True):
        unit = result.metric_units.get(name) or (rule.metrics[name].unit if name in rule.metrics else "")
        y = np.asarray(result.series.get(name, np.full(len(t), np.nan)), dtype=float)
        n = min(len(t), len(y))
        ax.plot(t[:n], y[:n], color="black", lw=1.2, label=name)
        ax.set_ylabel(f"{name.replace('_', ' ')}\n({unit})" if unit else name.replace("_", " "))
        ax.grid(True, alpha=0.25)
        _draw_spans(ax, result)
        label_at = blended_transform_factory(ax.transAxes, ax.transData)
        for i, line in enumerate(threshold_lines(rule, name)):
            color = LINE_COLORS.get(line.kind, "#555555")
            ax.axhline(line.value, ls="--", lw=1, color=color, gid=f"threshold:{line.label}")
            # Alternate label ends so the labels of two close levels do not overprint.
            x, ha = (0.995, "right") if i % 2 == 0 else (0.005, "left")
            ax.text(x, line.value, line.label, transform=label_at, ha=ha, va="bottom", fontsize=7, color=color,
                    clip_on=True, bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
        if n == 0 or not np.isfinite(y[:n]).any():
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="#888888")
    axes[-1].set_xlabel("time (s)")
    if len(t):
        axes[-1].set_xlim(float(t[0]), float(max(t[-1], result.duration_s)))
    fig.suptitle(f"{result.exercise_name}: {result.rep_count} reps", fontsize=11)
    return fig


def _draw_spans(ax, result: SessionResult) -> None:
    label_at = blended_transform_factory(ax.transData, ax.transAxes)
    for i, rep in enumerate(result.reps):
        ax.axvspan(rep.start_s, rep.end_s, color=REP_COLORS[i % 2], alpha=0.18, lw=0, gid=f"rep:{rep.index}")
        text = f"{rep.index}" + (f" {rep.side[0].upper()}" if rep.side else "")
        ax.text((rep.start_s + rep.end_s) / 2, 0.97, text, transform=label_at, ha="center", va="top", fontsize=8)
    for fault in result.faults:
        end = max(fault.end_s, fault.start_s + 0.05)
        if fault.rep_index is None:
            ax.axvspan(fault.start_s, end, color=FAULT_COLOR, alpha=0.25, lw=0, gid=f"fault:{fault.code}")
        else:
            ax.axvspan(fault.start_s, end, ymin=0, ymax=0.05, color=FAULT_COLOR, alpha=0.8, lw=0,
                       gid=f"fault:{fault.code}")


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


__all__ = ["ThresholdLine", "figure_png", "metric_figure", "threshold_lines"]
