"""The engine's parts on their own: the condition evaluator (one frame and a whole series give
the same answer), the debouncer shared by set-up warnings and frame faults, the hold timer,
the set-up checks and their words."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.engine.debounce import Debouncer, SpanLog
from formcheck.engine.holds import HoldTimer
from formcheck.engine.setup import SetupChecker, setup_problems
from formcheck.metrics.stream import FrameMetrics
from formcheck.results import SetupWarning
from formcheck.rules.conditions import condition_value, conditions_hold
from formcheck.rules.schema import Condition, HoldSpec
from formcheck.texts import part_list, setup_message

THRESHOLDS = {"limit": 10.0, "offset": 3.0}


def value_of(ref: str | float) -> float:
    if isinstance(ref, str):
        return -THRESHOLDS[ref[1:]] if ref.startswith("-") else THRESHOLDS[ref]
    return float(ref)


# -- conditions ------------------------------------------------------------------------------
def random_conditions(rng: np.random.Generator, n: int) -> list[tuple[Condition, ...]]:
    def pick(options: list):
        return options[int(rng.integers(len(options)))]

    out = []
    for _ in range(n):
        conds = tuple(
            Condition(
                metric=pick(["a", "b"]),
                op=pick(["above", "below"]),
                ref=pick(["limit", "-limit", 2.5]),
                from_baseline=bool(rng.random() < 0.3),
                minus=pick([None, "offset", 1.0]),
                absolute=bool(rng.random() < 0.5),
            )
            for _ in range(int(rng.integers(1, 4)))
        )
        out.append(conds)
    return out


def test_scalar_and_vectorised_evaluation_agree_on_random_values_with_nan():
    rng = np.random.default_rng(7)
    n = 400
    series = {name: rng.uniform(-25, 25, n) for name in ("a", "b")}
    for x in series.values():
        x[rng.random(n) < 0.15] = np.nan
    baseline = {"a": 2.0, "b": float("nan")}
    seen = set()
    for conds in random_conditions(rng, 60):
        vectorised = conditions_hold(conds, series, value_of, baseline)
        assert isinstance(vectorised, np.ndarray) and vectorised.shape == (n,)
        scalar = [
            conditions_hold(conds, {k: float(v[i]) for k, v in series.items()}, value_of, baseline) for i in range(n)
        ]
        assert all(type(s) is bool for s in scalar)
        assert vectorised.tolist() == scalar
        seen.update(scalar)
    assert seen == {True, False}  # the comparison was not trivially all one answer


def test_condition_value_follows_baseline_minus_and_abs():
    cond = Condition("a", "above", "limit", from_baseline=True, minus="offset", absolute=True)
    assert condition_value(cond, {"a": 1.0}, value_of, {"a": 10.0}) == pytest.approx(12.0)
    assert condition_value(Condition("a", "below", 0.0, minus="-offset"), {"a": 1.0}, value_of) == 4.0


def test_nan_missing_metrics_and_unknown_baselines_never_hold():
    above = Condition("a", "above", -1e9)
    below = Condition("a", "below", 1e9)
    for cond in (above, below):
        assert conditions_hold((cond,), {"a": float("nan")}, value_of) is False
        assert conditions_hold((cond,), {}, value_of) is False
    assert conditions_hold((Condition("a", "above", -1e9, from_baseline=True),), {"a": 1.0}, value_of) is False
    assert conditions_hold((above,), {"a": 1.0}, value_of) is True
    assert conditions_hold((), {"a": 1.0}, value_of) is True


def test_a_missing_metric_makes_a_series_all_false():
    ok = conditions_hold((Condition("a", "above", 0.0), Condition("zz", "above", 0.0)), {"a": np.ones(3)}, value_of)
    assert ok.tolist() == [False, False, False]


# -- debouncer -------------------------------------------------------------------------------
def run(debouncer: Debouncer, samples: list[tuple[float, bool]]) -> list[tuple[float, str | None]]:
    return [(t, debouncer.update(true, t)) for t, true in samples]


def test_debouncer_turns_on_only_after_the_condition_lasted():
    d = Debouncer(on_after_s=0.3)
    changes = run(d, [(0.0, True), (0.2, True), (0.3, True), (0.4, True), (0.5, False)])
    assert changes == [(0.0, None), (0.2, None), (0.3, "started"), (0.4, "continues"), (0.5, "ended")]
    assert not d.active


def test_debouncer_restarts_its_clock_after_a_false_frame():
    d = Debouncer(on_after_s=0.3)
    changes = run(d, [(0.0, True), (0.2, False), (0.3, True), (0.5, True), (0.6, True)])
    assert [c for _, c in changes] == [None, None, None, None, "started"]
    assert d.since == 0.3


def test_debouncer_release_needs_the_condition_false_long_enough():
    d = Debouncer(on_after_s=0.0, off_after_s=0.2)
    changes = run(d, [(0.0, True), (0.1, False), (0.2, True), (0.3, False), (0.4, False), (0.5, False)])
    assert [c for _, c in changes] == ["started", None, "continues", None, None, "ended"]


def test_span_log_keeps_one_record_per_span_and_grows_it():
    log: SpanLog[SetupWarning] = SpanLog()
    for t, true in [(0.0, True), (1.0, True), (1.5, True), (2.0, False), (3.0, True), (4.0, True)]:
        if log.update("x", true, t, on_after_s=1.0) == "started":
            log.start("x", SetupWarning("x", log.since("x"), t, "m"))
    assert [(w.start_s, w.end_s) for w in log.records] == [(0.0, 1.5), (3.0, 4.0)]
    assert list(log.open) == ["x"]


# -- hold timer ------------------------------------------------------------------------------
def test_hold_timer_records_holds_past_the_minimum_and_announces_the_target_once():
    timer = HoldTimer(HoldSpec(when=(), target_s=1.0, min_s=0.5, release_s=0.2), value_of)
    events = []
    frames = [(i / 10, True) for i in range(16)] + [(1.6 + i / 10, False) for i in range(4)]
    frames += [(2.0 + i / 10, True) for i in range(3)] + [(2.3 + i / 10, False) for i in range(4)]
    for t, true in frames:
        timer.update(true, round(t, 3), events)
    kinds = [e.kind for e in events]
    assert kinds == ["hold_started", "hold_target", "hold_ended", "hold_started", "hold_ended"]
    assert [(h.start_s, h.end_s) for h in timer.holds] == [(0.0, 1.5)]  # the 0.2 s one is too short
    assert timer.holds[0].reached_target and timer.duration_s == 0.0


def test_hold_timer_keeps_an_open_hold_at_the_end():
    timer = HoldTimer(HoldSpec(when=(), target_s=5.0, min_s=1.0), value_of)
    for i in range(21):
        timer.update(True, i / 10, [])
    assert timer.duration_s == pytest.approx(2.0)
    timer.finish()
    assert [(h.start_s, h.end_s, h.target_s) for h in timer.holds] == [(0.0, 2.0, 5.0)]
    assert not timer.holds[0].reached_target


def test_top_hold_is_timed_from_the_top_and_announced_again_only_on_a_new_top():
    timer = HoldTimer(HoldSpec(when="top", target_s=1.0, min_s=0.5), value_of)
    events = []
    for t in (1.0, 1.5, 2.0, 2.5):
        timer.update_top(True, True, 1.0, t, events)
    timer.update_top(True, False, 1.0, 3.0, events)  # still in the top phase, below enter
    assert timer.active and timer.duration_s == 0.0
    timer.update_top(True, True, 1.0, 3.5, events)
    assert [e.t for e in events if e.kind == "hold_target"] == [2.0]
    timer.new_top()
    timer.update_top(True, True, 4.0, 5.0, events)
    assert [e.t for e in events if e.kind == "hold_target"] == [2.0, 5.0]
    timer.record(4.0, 4.2)
    assert timer.holds == []  # shorter than min_s


# -- set-up checks and their words -----------------------------------------------------------
def frame(t: float, persons: int = 1, missing: tuple[str, ...] = (), view_ratio: float = 0.2) -> FrameMetrics:
    return FrameMetrics(t, {}, "left", persons, missing, view_ratio, True)


def test_setup_problems_are_codes():
    assert setup_problems(frame(0.0), "side") == {
        "no_person": False, "two_people": False, "body_out_of_frame": False, "wrong_view": False,
        "unclear_pose": False}  # fmt: skip
    problems = setup_problems(frame(0.0, persons=2, missing=("knee",), view_ratio=0.9), "side")
    assert [code for code, present in problems.items() if present] == ["two_people", "body_out_of_frame", "wrong_view"]
    assert setup_problems(frame(0.0, view_ratio=0.1), "front")["wrong_view"]
    assert not setup_problems(frame(0.0, view_ratio=math.nan), "side")["wrong_view"]


def test_setup_warning_after_a_second_with_current_words():
    warnings = SetupChecker("side")
    events = []
    for i in range(16):
        warnings.update(frame(i / 10, missing=("knee",) if i < 12 else ("knee", "ankle")), events)
    warnings.update(frame(1.6), events)
    assert [(e.kind, e.t) for e in events] == [("warning", 1.0), ("warning_cleared", 1.6)]
    (w,) = warnings.warnings
    assert (w.code, w.start_s, w.end_s) == ("body_out_of_frame", 0.0, 1.5)
    assert w.message == setup_message("body_out_of_frame", ("knee", "ankle"))
    assert "knees and ankles" in w.message and warnings.log.active == []


def test_words_for_parts_and_views():
    assert part_list(("hip",)) == "hips"
    assert part_list(("foot_index", "hip", "knee")) == "toes, hips and knees"
    assert "side-on" in setup_message("wrong_view", view="side")
    assert "feet" in setup_message("wrong_view", view="front")
    assert setup_message("body_out_of_frame").startswith("Can't see your body")
    with pytest.raises(ValueError):
        setup_message("nonsense")


def test_a_clip_starting_at_zero_gives_its_second_frame_a_time_step():
    """The machine's time step (rests, start holds) once took a first frame at t = 0 for "no frame
    yet", so the second frame had none."""
    from formcheck.engine.machine import RuleMachine
    from formcheck.rules import load_rule

    machine = RuleMachine(load_rule("glute_bridge"))
    steps: list[float] = []
    machine.rep_counter.update = lambda t, values, dt, events: steps.append(dt)
    for t in (0.0, 1 / 30, 2 / 30):
        machine.step(FrameMetrics(t, {}, "left", 1, (), 0.3, True))
    assert steps == pytest.approx([0.0, 1 / 30, 1 / 30])
