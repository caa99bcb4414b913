"""The exercise catalogue as Markdown, generated from the rule files (``docs/exercises.md``).

``render_catalogue(list_rules())`` is the single source of the published catalogue, so the
docs cannot drift from the rules; a test compares the committed file with it. Regenerate
with ``python -m formcheck.rules.docs_gen`` after changing a rule file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from formcheck.rules.schema import Condition, Rule
from formcheck.rules.walk import threshold_places

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "exercises.md"
VIEW_TEXT = {"side": "side-on", "front": "front / end-on (looking along the body)", "any": "any"}
POSTURE_TEXT = {"all_fours": "all fours", "side_lying": "side-lying"}


def _num(x: float) -> str:
    return f"{x:g}"


def _ref(rule: Rule, ref: str | float | None) -> str:
    """A threshold reference as ``name`` (value unit), or a plain number."""
    if ref is None:
        return ""
    if isinstance(ref, str):
        t = rule.thresholds[ref.removeprefix("-")]
        sign = "-" if ref.startswith("-") else ""
        return f"{sign}`{t.name}` ({_num(rule.value(ref))} {t.unit})"
    return _num(float(ref))


def _secs(rule: Rule, ref: str | float) -> str:
    """A time: a threshold reference (which carries its unit) or a number of seconds."""
    return _ref(rule, ref) if isinstance(ref, str) else f"{_num(float(ref))} s"


def _condition(rule: Rule, c: Condition) -> str:
    m = f"`{c.metric}`"
    if c.from_baseline:
        m = f"change of {m} from its resting value"
    if c.minus is not None:
        m = f"{m} minus {_ref(rule, c.minus)}"
    if c.absolute:
        m = f"the size of {m}"  # not |x|: a bar would split a Markdown table's cell
    return f"{m} {c.op} {_ref(rule, c.ref)}"


def _conditions(rule: Rule, conds: Iterable[Condition]) -> str:
    return "; ".join(_condition(rule, c) for c in conds)


def _counting(rule: Rule) -> list[str]:
    lines = []
    rep = rule.rep
    if rep is not None:
        metric = rule.metrics[rep.metric]
        word = "rises above" if rep.direction == "up" else "drops below"
        back = "falls back below" if rep.direction == "up" else "comes back above"
        what = f"the change of `{rep.metric}` from its resting value" if rep.from_baseline else f"`{rep.metric}`"
        if rep.absolute:
            what = f"|{what}|"
        text = (f"- **Rep:** {what} ({metric.description.rstrip('.')}) {word} {_ref(rule, rep.enter)}, "
                f"then {back} {_ref(rule, rep.exit)}")
        if rep.return_by is not None:
            text += f" or returns {_ref(rule, rep.return_by)} from its peak"
        lines.append(text + f"; a rep shorter than {_secs(rule, rep.min_rep_s)} is not counted.")
        lines.append(f"- **Counting starts** once these hold for {_secs(rule, rep.start_hold_s)}: "
                     f"{_conditions(rule, rep.start)}.")
        if rep.alternating:
            lines.append(f"- **Sides:** each side is one rep, counted per side; the side is taken from "
                         f"`{rep.side_metric}` (positive = {rep.positive_side}).")
    hold = rule.hold
    if hold is not None:
        if hold.when == "top":
            lines.append(f"- **Hold:** time at the top of each rep; target {_secs(rule, hold.target_s)}.")
        else:
            lines.append(f"- **Hold:** timed while {_conditions(rule, hold.when)}; target {_secs(rule, hold.target_s)}"
                         f" (holds under {_secs(rule, hold.min_s)} are not recorded).")
    if rule.signature:
        lines.append(f"- **Recognised by:** {_conditions(rule, rule.signature)} while performed.")
    return lines


def _faults(rule: Rule) -> list[str]:
    if not rule.faults:
        return ["None: nothing in this exercise is checked beyond counting (see limitations)."]
    rows = ["| Fault | Cue (shown and spoken) | Checked when |", "| --- | --- | --- |"]
    for f in rule.faults:
        if f.check == "frame":
            phase = "" if f.phase == "any" else f" (phase: {f.phase})"
            when = f"{_conditions(rule, f.own_when)} for {_secs(rule, f.debounce_s)}{phase}"
            if f.judged_if:
                when += (f"; judged only while {_conditions(rule, f.judged_if)}, otherwise said once: "
                         f"\"{f.not_judged}\"")
        else:
            when = f"a finished rep's {f.measure} is {f.op} {_ref(rule, f.ref)}"
        note = f" - {f.description}" if f.description else ""
        kind = f.severity if f.category == "form" else f"{f.severity}, {f.category}"
        rows.append(f"| `{f.code}` ({kind}){note} | {f.message} | {when} |")
    return rows


def _thresholds(rule: Rule) -> list[str]:
    """The thresholds table; "Used by" lists the places of the rule that use each one."""
    places = threshold_places(rule)
    rows = ["| Threshold | Default | Range | What it is | Why | Used by |", "| --- | --- | --- | --- | --- | --- |"]
    for t in rule.thresholds.values():
        used = "; ".join(dict.fromkeys(p.where for p in places[t.name]))
        rows.append(f"| `{t.name}` | {_num(t.value)} {t.unit} | {_num(t.low)} to {_num(t.high)} | "
                    f"{t.description} | {t.why} | {used} |".replace("\n", " "))
    return rows


def _prescription(rule: Rule) -> str:
    p = rule.prescription
    parts = [f"{p[k]} {label}" for k, label in (("sets", "set(s)"), ("reps", "reps"), ("hold_s", "s hold"),
                                                ("duration_s", "s in total")) if k in p]
    if p.get("per_side"):
        parts.append("per side")
    text = ", ".join(str(x) for x in parts)
    if "note" in p:
        text = f"{text} - {p['note']}" if text else str(p["note"])
    return text or "not given"


def _views(rule: Rule) -> str:
    """The supported camera views, the preferred one first (and marked so when there are several)."""
    words = [VIEW_TEXT.get(v, v) for v in rule.supported_views]
    if len(words) == 1:
        return words[0]
    return f"{words[0]} (preferred), or {' or '.join(words[1:])}"


def _view_limits(rule: Rule) -> list[str]:
    """What each supported view cannot see, one line each."""
    return [f"- **{VIEW_TEXT.get(v, v).capitalize()}:** {rule.view_limits[v]}"
            for v in rule.supported_views if v in rule.view_limits]


def render_rule(rule: Rule) -> str:
    """One exercise's section."""
    posture = POSTURE_TEXT.get(rule.posture, rule.posture)
    out = [f"## {rule.name} (`{rule.id}`)", "", rule.summary, "",
           f"- **Camera view:** {_views(rule)}; **posture:** {posture}",
           f"- **Set-up:** {rule.setup}",
           f"- **Prescription:** {_prescription(rule)}"]
    if rule.sources:
        out.append(f"- **Sources:** {', '.join(rule.sources)}")
    out += ["", rule.description.strip(), "", "### Counting", "", *_counting(rule), "", "### Faults and cues", "",
            *_faults(rule), "", "### Thresholds (defaults)", "", *_thresholds(rule), ""]
    if rule.view_limits:
        out += ["### What each camera view cannot see", "", *_view_limits(rule), ""]
    if rule.limitations:
        out += ["### Limitations", "", rule.limitations.strip(), ""]
    return "\n".join(out)


def render_catalogue(rules: Iterable[Rule]) -> str:
    """The whole catalogue as Markdown, one section per rule, in the order given."""
    rules = list(rules)
    index = [f"- [{r.name}](#{r.id.replace('_', '-')}) - `{r.id}`" for r in rules]
    head = ["# Exercise catalogue", "",
            "Generated from `pose_rules/*.yaml` by `python -m formcheck.rules.docs_gen`; do not edit by hand.",
            "Every number below is a default a physio may tune (within its range) on the Tune page or",
            "in the rule file. Angles are 2-D angles in the camera picture; lengths are in torso",
            "lengths (shoulder to hip) unless stated; metrics described as 3-D use the pose model's",
            "3-D estimate of the body (the same from any camera view). A fault marked \"dosage\" judges",
            "a hold's length or the tempo against the prescription rather than form; it is cued all the",
            "same. A fault \"judged only while\" the camera shows it is not flagged from other angles:",
            "the person is told once that it was not judged, and the report lists it.", "", *index, ""]
    sections = []
    for r in rules:
        sections.append(f'<a id="{r.id.replace("_", "-")}"></a>\n\n{render_rule(r)}')
    return "\n".join(head) + "\n" + "\n".join(sections)


def write_catalogue(path: Path = DOC_PATH) -> Path:
    """Write ``docs/exercises.md`` from the rule files."""
    from formcheck.rules import list_rules

    path.write_text(render_catalogue(list_rules()), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_catalogue(Path(sys.argv[1]) if len(sys.argv) > 1 else DOC_PATH))
