"""Validating a rule file's data and building its :class:`~formcheck.rules.schema.Rule`.

Sections (rep, hold, faults, prescription, ...) are read here from the parts read in
:mod:`formcheck.rules.fields`; every error names the file, the field and what is allowed
(:mod:`formcheck.rules.reader`). ``parse_rule(..., complete=True)`` (every rule file and
profile read from disk) also requires what a published rule file must have: a ``why`` for
every threshold, and no threshold that nothing uses (:func:`formcheck.rules.walk.used_thresholds`).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from formcheck.rules.fields import (
    CONDITIONS_WHAT,
    read_conditions,
    read_metric,
    read_metric_name,
    read_ref,
    read_threshold,
)
from formcheck.rules.postures import posture_table
from formcheck.rules.ranges import FIELD_RANGES, Allowed, fmt, metric_range, width
from formcheck.rules.reader import Reader, show
from formcheck.rules.schema import (
    CATEGORIES,
    DIRECTIONS,
    PHASES,
    REP_MEASURES,
    SEVERITIES,
    TIME_MEASURES,
    VIEWS,
    Condition,
    FaultSpec,
    HoldSpec,
    MetricSpec,
    RepSpec,
    Rule,
)
from formcheck.rules.walk import used_thresholds

_REP_KEYS = {
    "metric", "direction", "enter", "exit", "start", "start_hold_s", "min_rep_s", "max_gap_s", "alternating",
    "side_metric", "positive_side", "abs", "return_by", "rest", "from_baseline",
}  # fmt: skip


def _rep_sides(r: Reader, data: dict, metrics: dict) -> dict[str, Any]:
    """``alternating``, ``side_metric`` and ``positive_side`` (which only alternating reps use)."""
    side_metric = read_metric_name(r, data, "side_metric", "rep", metrics) if "side_metric" in data else None
    alternating = r.get(data, "alternating", "rep", bool, False)
    if alternating and side_metric is None:
        r.fail("rep.side_metric", "an alternating rep needs a side_metric whose sign tells left from right")
    if not alternating:
        r.not_here(data, "rep", ("positive_side",), "alternating reps ('alternating: true')", "this rep")
    return dict(
        alternating=alternating,
        side_metric=side_metric,
        positive_side=r.get(data, "positive_side", "rep", str, "left", allowed=("left", "right")),
    )


def _rep(r: Reader, data: Any, metrics: dict, thresholds: dict) -> RepSpec:
    data = r.mapping(data, "rep")
    r.unknown_keys(data, "rep", _REP_KEYS)
    metric = metrics[read_metric_name(r, data, "metric", "rep", metrics)]
    from_baseline = r.get(data, "from_baseline", "rep", bool, False)
    value = metric_range(metric.kind, change=from_baseline)
    start = r.get(data, "start", "rep", (list, dict), what=CONDITIONS_WHAT)
    return RepSpec(
        metric=metric.name,
        direction=r.get(data, "direction", "rep", str, allowed=DIRECTIONS),
        enter=read_ref(r, data, "enter", "rep", thresholds, ..., value),
        exit=read_ref(r, data, "exit", "rep", thresholds, ..., value),
        start=read_conditions(r, start, "rep.start", metrics, thresholds),
        start_hold_s=read_ref(r, data, "start_hold_s", "rep", thresholds, 0.5, FIELD_RANGES["rep.start_hold_s"]),
        min_rep_s=read_ref(r, data, "min_rep_s", "rep", thresholds, 0.8, FIELD_RANGES["rep.min_rep_s"]),
        max_gap_s=read_ref(r, data, "max_gap_s", "rep", thresholds, 1.0, FIELD_RANGES["rep.max_gap_s"]),
        return_by=read_ref(r, data, "return_by", "rep", thresholds, None, width(metric.kind)),
        rest=read_ref(r, data, "rest", "rep", thresholds, None, value),
        absolute=r.get(data, "abs", "rep", bool, False),
        from_baseline=from_baseline,
        **_rep_sides(r, data, metrics),
    )


def _check_hysteresis(r: Reader, rule: Rule) -> None:
    rep = rule.rep
    if rep is None:
        return
    enter, exit_ = rule.value(rep.enter), rule.value(rep.exit)
    if rep.direction == "up" and not enter > exit_:
        r.fail(
            "rep.enter",
            f"for direction 'up' the enter value ({fmt(enter)}) must be above the exit value ({fmt(exit_)})",
        )
    if rep.direction == "down" and not enter < exit_:
        r.fail(
            "rep.enter",
            f"for direction 'down' the enter value ({fmt(enter)}) must be below the exit value ({fmt(exit_)})",
        )


def _hold(r: Reader, data: Any, metrics: dict, thresholds: dict, has_rep: bool) -> HoldSpec:
    data = r.mapping(data, "hold")
    r.unknown_keys(data, "hold", {"when", "target_s", "min_s", "release_s"})
    when = data.get("when")
    if when == "top":
        if not has_rep:
            r.fail("hold.when", "'top' needs a 'rep:' section; give posture conditions instead")
        r.not_here(data, "hold", ("release_s",), "holds timed by conditions ('when: [...]')", "'when: top'")
        parsed: str | tuple[Condition, ...] = "top"
    elif isinstance(when, str):
        r.fail("hold.when", f"must be 'top' (the top of each rep) or {CONDITIONS_WHAT}, got {show(when)}")
    else:
        parsed = read_conditions(r, when, "hold.when", metrics, thresholds)
    return HoldSpec(
        when=parsed,
        target_s=read_ref(r, data, "target_s", "hold", thresholds, ..., FIELD_RANGES["hold.target_s"]),
        min_s=read_ref(r, data, "min_s", "hold", thresholds, 1.0, FIELD_RANGES["hold.min_s"]),
        release_s=read_ref(r, data, "release_s", "hold", thresholds, 0.5, FIELD_RANGES["hold.release_s"]),
    )


_FAULT_KEYS = {
    "code", "message", "severity", "check", "when", "phase", "debounce_s", "measure", "above", "below", "description",
    "category", "judged_if", "not_judged",
}  # fmt: skip
#: What each fault category means, for the error message of a wrong ``category``.
_CATEGORY_WHAT = {
    "form": "the default: how the body is positioned or moves",
    "dosage": "hold length, tempo or rep speed against the prescription, e.g. a hold shorter than asked",
}
_FRAME_ONLY = ("when", "phase", "debounce_s", "judged_if", "not_judged")
_REP_ONLY = ("measure", "above", "below")


def _measure_range(rep: RepSpec, measure: str, metrics: dict[str, MetricSpec]) -> Allowed:
    """What a finished rep's ``measure`` may be compared with."""
    metric = metrics[rep.metric]
    if measure in TIME_MEASURES:
        return FIELD_RANGES["faults.time_measure"]
    if measure == "peak":
        return metric_range(metric.kind, change=rep.from_baseline)
    return width(metric.kind, per_second=measure == "fall_speed")


def _frame_fault(r: Reader, data: dict, where: str, metrics: dict, thresholds: dict) -> dict[str, Any]:
    r.not_here(data, where, _REP_ONLY, "faults with 'check: rep'", "'check: frame' (give 'when' conditions)")
    when = read_conditions(r, data.get("when"), f"{where}.when", metrics, thresholds)
    judged_if, not_judged = _judged_if(r, data, where, metrics, thresholds)
    return dict(
        when=when + judged_if,
        judged_if=judged_if,
        not_judged=not_judged,
        phase=r.get(data, "phase", where, str, "any", allowed=PHASES),
        debounce_s=read_ref(r, data, "debounce_s", where, thresholds, 0.3, FIELD_RANGES["faults.debounce_s"]),
    )


def _judged_if(r: Reader, data: dict, where: str, metrics: dict, thresholds: dict) -> tuple[tuple[Condition, ...], str]:
    """A frame fault's view conditions (``judged_if``) and what to say once when they fail
    (``not_judged``): both or neither."""
    if ("judged_if" in data) != ("not_judged" in data):
        r.fail(where, "'judged_if' (the camera view the fault needs) and 'not_judged' (what to say once when "
                      "the view cannot judge it) go together: give both or neither")
    if "judged_if" not in data:
        return (), ""
    conditions = read_conditions(r, data["judged_if"], f"{where}.judged_if", metrics, thresholds)
    if any(c.from_baseline for c in conditions):
        r.fail(f"{where}.judged_if", "describes the camera view: compare a metric with a threshold, "
                                     "not with its resting baseline (from_baseline)")
    message = r.get(data, "not_judged", where, str, what="what to say once, e.g. \"From this angle I can't "
                                                        "see whether your back arches: film side-on to check it\"")
    if not message.strip():
        r.fail(f"{where}.not_judged", "must not be empty: say what the view cannot judge and how to film it")
    return conditions, message


def _rep_fault(
    r: Reader, data: dict, where: str, rep: RepSpec | None, metrics: dict, thresholds: dict
) -> dict[str, Any]:
    r.not_here(data, where, _FRAME_ONLY, "faults with 'check: frame'", "'check: rep' (which judges a finished rep)")
    if rep is None:
        r.fail(f"{where}.check", "'rep' checks need a 'rep:' section")
    ops = [k for k in ("above", "below") if k in data]
    if len(ops) != 1:
        r.fail(where, "a rep check needs exactly one of 'above' or 'below'")
    measure = r.get(data, "measure", where, str, allowed=REP_MEASURES)
    return dict(
        measure=measure,
        op=ops[0],
        ref=read_ref(r, data, ops[0], where, thresholds, ..., _measure_range(rep, measure, metrics)),
    )


def _fault(r: Reader, i: int, data: Any, metrics: dict, thresholds: dict, rep: RepSpec | None) -> FaultSpec:
    where = f"faults[{i}]"
    data = r.mapping(data, where, "a fault: a section with code, message, check and what it checks")
    r.unknown_keys(data, where, _FAULT_KEYS)
    code = r.get(data, "code", where, str, what="a short name for the fault, e.g. hips_sag")
    where = f"faults[{i}] ({code})"
    check = r.get(data, "check", where, str, "frame", allowed=("frame", "rep"))
    parts = (
        _frame_fault(r, data, where, metrics, thresholds)
        if check == "frame"
        else _rep_fault(r, data, where, rep, metrics, thresholds)
    )
    return FaultSpec(
        code=code,
        message=r.get(data, "message", where, str, what="the cue as text"),
        check=check,
        severity=r.get(data, "severity", where, str, "warning", allowed=SEVERITIES),
        description=r.get(data, "description", where, str, ""),
        category=_category(r, data, where),
        **parts,
    )


def _category(r: Reader, data: dict, where: str) -> str:
    """``form`` (default) or ``dosage``: what the fault judges."""
    what = " or ".join(f"{c} ({_CATEGORY_WHAT[c]})" for c in CATEGORIES)
    category = r.get(data, "category", where, str, "form", what=what)
    if category not in CATEGORIES:
        r.fail(f"{where}.category", f"{category!r} is not allowed; choose {what}")
    return category


def _faults(r: Reader, data: dict, metrics: dict, thresholds: dict, rep: RepSpec | None) -> tuple[FaultSpec, ...]:
    items = r.get(data, "faults", "", list, [], what="a list of faults (each with code, message and check)")
    faults = tuple(_fault(r, i, f, metrics, thresholds, rep) for i, f in enumerate(items))
    codes = [f.code for f in faults]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        r.fail("faults", f"fault codes must be unique; repeated: {', '.join(repeated)}")
    return faults


_TOP_KEYS = {
    "id", "name", "summary", "description", "view", "posture", "setup", "prescription", "metrics", "thresholds",
    "rep", "hold", "faults", "key_metrics", "smoothing", "limitations", "sources", "profile", "recognition",
    "views", "view_limits",
}  # fmt: skip


def _views(r: Reader, data: dict, view: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """``views`` (every camera view the rule supports; default: just ``view``) and ``view_limits``
    (what each supported view cannot see: required for each when there is more than one)."""
    allowed = ", ".join(v for v in VIEWS if v != "any")
    items = r.get(data, "views", "", list, [view], what=f"a list of camera views ({allowed})")
    for i, item in enumerate(items):
        if item not in VIEWS or item == "any":
            r.fail(f"views[{i}]", f"{show(item)} is not a camera view; choose from: {allowed}"
                   if item != "any" else "'any' cannot be listed: list the views the rule supports instead")
    if len(set(items)) != len(items):
        r.fail("views", "lists a view twice: list each supported view once")
    if view not in items:
        r.fail("views", f"must include the preferred view ({view!r}, from 'view:'), as the first one")
    if items[0] != view:
        r.fail("views", f"must start with the preferred view ({view!r}, from 'view:')")
    limits = r.mapping(r.get(data, "view_limits", "", dict, {}), "view_limits",
                       "a section of 'view: what the camera cannot see from there' lines")
    for key, text in limits.items():
        if key not in items:
            r.fail(f"view_limits.{key}", f"is not a supported view of this rule (views: {', '.join(items)})")
        if not isinstance(text, str) or not text.strip():
            r.fail(f"view_limits.{key}", f"must be text saying what the camera cannot see from there, got {show(text)}")
    if len(items) > 1:
        for key in items:
            if key not in limits:
                r.fail(f"view_limits.{key}", "is required for each supported view when a rule supports more than "
                       "one: say what the camera cannot see from there")
    return (tuple(items) if "views" in data else ()), {k: limits[k].strip() for k in items if k in limits}


def _prescription(r: Reader, data: dict) -> dict[str, Any]:
    """The dosage: sets, reps, seconds held or in total, per side, and a note."""
    p = r.mapping(r.get(data, "prescription", "", dict, {}), "prescription")
    r.unknown_keys(p, "prescription", {"sets", "reps", "hold_s", "duration_s", "per_side", "note"})
    out: dict[str, Any] = {}
    for key in ("sets", "reps", "hold_s", "duration_s"):
        if key in p:
            out[key] = r.number(p, key, "prescription", FIELD_RANGES[f"prescription.{key}"])
    if "per_side" in p:
        out["per_side"] = r.get(p, "per_side", "prescription", bool)
    if "note" in p:
        out["note"] = r.get(p, "note", "prescription", str)
    return {k: out[k] for k in p}  # the file's order


def _smoothing(r: Reader, data: dict) -> dict[str, float]:
    smoothing = r.mapping(r.get(data, "smoothing", "", dict, {}), "smoothing")
    r.unknown_keys(smoothing, "smoothing", {"min_cutoff_hz", "beta"})
    return {k: float(r.number(smoothing, k, "smoothing", FIELD_RANGES[f"smoothing.{k}"])) for k in smoothing}


def _signature(r: Reader, data: dict, metrics: dict, thresholds: dict) -> tuple[Condition, ...]:
    recognition = r.mapping(r.get(data, "recognition", "", dict, {}), "recognition")
    r.unknown_keys(recognition, "recognition", {"signature"})
    if "signature" not in recognition:
        return ()
    return read_conditions(r, recognition["signature"], "recognition.signature", metrics, thresholds)


def _profile(r: Reader, data: dict) -> None:
    """A saved profile's ``profile: {name, based_on, saved_at}`` (see ``formcheck.rules.profiles``)."""
    if "profile" not in data:
        return
    p = r.mapping(data["profile"], "profile")
    r.unknown_keys(p, "profile", {"name", "based_on", "saved_at"})
    if not r.get(p, "name", "profile", str, what="the profile's name as text").strip():
        r.fail("profile.name", "must not be empty: give the profile a name (e.g. the patient's initials)")
    r.get(p, "based_on", "profile", str, None, what="the id of the exercise the profile was made from")
    r.get(p, "saved_at", "profile", (str, dt.date), None, what="a date and time, e.g. '2024-05-01T09:30:00+00:00'")


def _key_metrics(r: Reader, data: dict, metrics: dict, rep: RepSpec | None) -> tuple[str, ...]:
    if "key_metrics" not in data:
        return (rep.metric,) if rep else (next(iter(metrics)),)
    names = r.texts(data, "key_metrics", "metric names")
    for i, m in enumerate(names):
        if m not in metrics:
            r.fail(f"key_metrics[{i}]", f"{m!r} is not a metric of this file (metrics: {', '.join(metrics)})")
    return names


def _rule_id(r: Reader, data: dict) -> str:
    rule_id = r.get(data, "id", "", str, what="the exercise id, e.g. glute_bridge")
    if not rule_id.replace("_", "").isalnum() or not rule_id.islower():
        r.fail("id", f"{rule_id!r} must be lower-case letters, digits and underscores")
    return rule_id


def _check_complete(r: Reader, rule: Rule) -> None:
    """Every threshold says why its default is what it is, and something uses it."""
    for name, t in rule.thresholds.items():
        if not t.why.strip():
            r.fail(
                f"thresholds.{name}.why",
                "is required: the reason for the default (the anatomy, or the guides' cue it puts into numbers)",
            )
    used = used_thresholds(rule)
    for name in rule.thresholds:
        if name not in used:
            r.fail(
                f"thresholds.{name}",
                f"threshold {name!r} is not used by any condition, rep, hold or fault: remove it or use it",
            )


def _parts(r: Reader, data: dict) -> dict[str, Any]:
    """Thresholds, metrics, rep, hold and faults: what the rest of the file refers to."""
    thresholds = {
        name: read_threshold(r, name, t)
        for name, t in r.mapping(r.get(data, "thresholds", "", dict, {}), "thresholds").items()
    }
    metrics_raw = r.get(data, "metrics", "", dict)
    if not metrics_raw:
        r.fail("metrics", "at least one metric is required")
    metrics = {name: read_metric(r, name, m) for name, m in metrics_raw.items()}
    rep = _rep(r, data["rep"], metrics, thresholds) if "rep" in data else None
    hold = _hold(r, data["hold"], metrics, thresholds, rep is not None) if "hold" in data else None
    if rep is None and hold is None:
        r.fail("rep", "a rule needs a 'rep:' section, a 'hold:' section, or both")
    faults = _faults(r, data, metrics, thresholds, rep)
    return dict(thresholds=thresholds, metrics=metrics, rep=rep, hold=hold, faults=faults)


def parse_rule(data: Any, file: str = "<rule>", *, complete: bool = False) -> Rule:
    """Validate a rule file's parsed YAML and build the :class:`Rule` (which keeps a copy of ``data``).

    ``complete=True`` (rule files and profiles) also requires a ``why`` for every
    threshold and refuses thresholds that nothing uses.

    Raises:
        RuleFileError: naming the file, the field and what is allowed.
    """
    r = Reader(file)
    data = r.mapping(data, "", "a rule file: 'name: value' lines (id, name, metrics, thresholds, ...)")
    r.unknown_keys(data, "", _TOP_KEYS)
    rule_id = _rule_id(r, data)
    parts = _parts(r, data)
    view = r.get(data, "view", "", str, allowed=VIEWS)
    views, view_limits = _views(r, data, view) if view != "any" or "views" in data else ((), {})
    sources = r.texts(data, "sources", "sources as text")
    _profile(r, data)
    rule = Rule(
        id=rule_id,
        name=r.get(data, "name", "", str, what="the exercise's name as text"),
        summary=r.get(data, "summary", "", str, what="a one-line summary as text"),
        description=r.get(data, "description", "", str, ""),
        view=view,
        views=views,
        view_limits=view_limits,
        posture=r.get(data, "posture", "", str, allowed=(*posture_table().names, "any")),
        setup=r.get(data, "setup", "", str, what="where to put the camera, as text"),
        prescription=_prescription(r, data),
        **parts,
        key_metrics=_key_metrics(r, data, parts["metrics"], parts["rep"]),
        smoothing=_smoothing(r, data),
        limitations=r.get(data, "limitations", "", str, ""),
        signature=_signature(r, data, parts["metrics"], parts["thresholds"]),
        sources=sources,
        source_file=file,
        raw=copy.deepcopy(data),
        complete=complete,
    )
    _check_hysteresis(r, rule)
    if complete:
        _check_complete(r, rule)
    return rule


__all__ = ["parse_rule"]
