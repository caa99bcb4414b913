"""Tune page (physiotherapists): every threshold of a rule as a slider; moving one re-runs only
the rules over the clip's cached metric series. Tuned values are saved as named profiles."""

from __future__ import annotations

import math

import streamlit as st

from formcheck.analysis import rule_key, threshold_uses, tuned_rule
from formcheck.errors import FormcheckError, RuleFileError
from formcheck.outputs.plots import figure_png, metric_figure
from formcheck.outputs.report import rep_table
from formcheck.outputs.text import rep_count_label, rep_count_text
from formcheck.results import SessionResult
from formcheck.rules.catalog import load_rule
from formcheck.rules.profiles import profile_name, profile_yaml, save_profile, slug
from formcheck.rules.schema import Rule, Threshold
from formcheck.ui import common
from formcheck.ui.common import guarded


def slider_key(rule_id: str, name: str) -> str:
    """Session-state key of a threshold's slider (tests set these)."""
    return f"thr_{rule_id}_{name}"


def nice_step(t: Threshold) -> float:
    """The threshold's own ``step``, else about 1/200 of its range rounded to 1, 2 or 5 × 10^k."""
    if t.step:
        return float(t.step)
    raw = (t.high - t.low) / 200
    exp = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * exp for m in (1, 2, 5, 10) if raw <= m * exp))


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _set_values(rule_id: str, values: dict[str, float]) -> None:
    for name, value in values.items():
        st.session_state[slider_key(rule_id, name)] = float(value)


def current_values(rule: Rule) -> dict[str, float]:
    return {n: float(st.session_state.get(slider_key(rule.id, n), t.value)) for n, t in rule.thresholds.items()}


def _save(rule: Rule) -> None:
    name = st.session_state.get("tune_profile_name", "")
    try:
        path = save_profile(rule, current_values(rule), name)
    except FormcheckError as exc:
        st.session_state["tune_message"] = ("error", str(exc))
        return
    st.session_state["profile"] = str(path)
    st.session_state["tune_message"] = ("success", f"Saved profile “{name.strip()}” to {path}")


def threshold_controls(rule: Rule) -> None:
    """One slider per threshold: unit, allowed range, description, why, and the cues it drives."""
    uses = threshold_uses(rule)
    for name, t in rule.thresholds.items():
        step = nice_step(t)
        fmt = f"%.{_decimals(step)}f"
        words = name.removesuffix("_s") if t.unit == "s" else name
        st.slider(f"{words.replace('_', ' ')} ({t.unit})", min_value=float(t.low), max_value=float(t.high),
                  step=step, format=fmt, key=slider_key(rule.id, name), help=t.why or None)
        lines = [f"{t.description} Allowed {t.low:g}–{t.high:g} {t.unit}, default {t.value:g}."]
        lines += [f"→ {u}" for u in uses.get(name, [])]
        st.caption("  \n".join(lines))


def render() -> None:
    """The Tune page."""
    st.title("Tune thresholds")
    st.caption("For physiotherapists: adjust a rule's thresholds on a real clip; counts, faults and the plot update "
               "at once (the pose model is not re-run). Save the values as a named profile for a patient.")
    variant = common.variant_picker("full")
    base = common.exercise_picker()
    if base is None:
        return
    defaults = guarded(lambda: load_rule(base.id))
    if defaults is None:
        return
    clip = common.clip_picker("tune")
    base_key = rule_key(base)
    if st.session_state.get("tune_base") != base_key:  # a new exercise or profile: load its values
        _set_values(base.id, base.threshold_values())
        st.session_state["tune_base"] = base_key
        st.session_state["tune_profile_name"] = profile_name(base) or ""
    controls, results = st.columns([2, 3], gap="large")
    with controls:
        st.subheader("Thresholds")
        st.button("Reset to defaults", key="tune_reset", on_click=_set_values,
                  args=(base.id, defaults.threshold_values()))
        threshold_controls(base)
    values = current_values(base)
    problem = conflict(base, values)
    with results:
        _profile_box(base, values, problem is None)
        if problem is not None:
            st.error(problem)
            return
        if clip is None:
            st.info("Upload a clip (or use the Review clip or a sample clip) to see the effect of each threshold.")
            return
        analysis = common.clip_analysis(clip, variant, base)
        tuned = guarded(lambda: analysis.retune(values)) if analysis is not None else None
        if analysis is None or tuned is None:
            return
        reference = analysis.with_rule(defaults).result
        _results(tuned.rule, tuned.result, reference, tuned.seconds, len(analysis.series.frames))


def conflict(rule: Rule, values: dict[str, float]) -> str | None:
    """Why these values cannot be used together (e.g. "up" below "down"), or None."""
    try:
        tuned_rule(rule, values)
    except RuleFileError as exc:
        return f"These thresholds don't work together: {exc.field}: {exc.problem}"
    except FormcheckError as exc:
        return str(exc)
    return None


def _profile_box(base: Rule, values: dict[str, float], valid: bool) -> None:
    st.subheader("Profile")
    message = st.session_state.pop("tune_message", None)
    if message is not None:
        (st.success if message[0] == "success" else st.error)(message[1])
    name = st.text_input("Profile name", key="tune_profile_name", placeholder="e.g. patient initials, week 2")
    cols = st.columns(2)
    with cols[0]:
        st.button("Save profile", key="tune_save", on_click=_save, args=(base,), type="primary", disabled=not valid)
    with cols[1]:
        text = profile_yaml(base, values, name if name.strip() else "tuned") if valid else ""
        st.download_button("Download profile (YAML)", text, key="tune_download", on_click="ignore",
                           file_name=f"{base.id}--{slug(name) if any(c.isalnum() for c in name) else 'tuned'}.yaml",
                           mime="application/x-yaml", disabled=not valid)
    st.caption("Saved profiles appear under “Threshold profile” on every page; pick one to load it.")


def _results(rule: Rule, result: SessionResult, reference: SessionResult, seconds: float, frames: int) -> None:
    st.subheader("Result")
    cols = st.columns(3)
    with cols[0]:
        if rule.is_alternating:
            st.metric(rep_count_label(), rep_count_text(result.reps_by_side()))
        else:
            st.metric("Reps", result.rep_count, delta=result.rep_count - reference.rep_count or None,
                      help=f"With the default thresholds: {reference.rep_count}")
    with cols[1]:
        if rule.hold is not None:
            st.metric("Holds", len(result.holds), delta=len(result.holds) - len(reference.holds) or None)
    with cols[2]:
        st.metric("Faults", len(result.faults), delta=len(result.faults) - len(reference.faults) or None,
                  delta_color="inverse")
    st.caption(f"Rules re-run in {seconds * 1000:.0f} ms over {frames} frames (the pose model was not re-run).")
    rows = common.fault_rows(result)
    if rows:
        st.dataframe(rows, hide_index=True)
    else:
        st.success("No form faults with these thresholds.")
    png = guarded(lambda: figure_png(metric_figure(result, rule), dpi=90))
    if png is not None:
        st.image(png)
    table = rep_table(result, rule)
    if table:
        st.dataframe(table, hide_index=True)


__all__ = ["conflict", "current_values", "nice_step", "render", "slider_key", "threshold_controls"]
