"""Fault thresholds against their measured spread on correct real clips (benchmarks/fault_spread.py).

Every fault threshold's ``why`` says what correct real movement measured against it (or that
no correct real clip of the exercise exists yet); the measurement is the engine's own
debounce, and on a correct real clip it stays on the silent side of each threshold.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from app_support import SAMPLES, load_benchmark, needs_samples

from formcheck.engine.debounce import Debouncer
from formcheck.evaluation.labels import read_labels
from formcheck.rules import load_rule
from formcheck.rules.catalog import list_rules

fs = load_benchmark("fault_spread")
LABELS = SAMPLES / "labels.toml"


def fault_thresholds(rule) -> list[str]:
    """The named thresholds a rule's faults compare with (view conditions of ``judged_if`` apart)."""
    return sorted({c.threshold.lstrip("-") for c in fs.checks_of(rule) if math.isfinite(c.span)})


@pytest.mark.parametrize("rule", list_rules(), ids=lambda rule: rule.id)
def test_every_fault_threshold_why_gives_the_measured_spread(rule):
    cites = re.compile(rf"{fs.MEASURED} \d+ correct real clips? \(|{fs.NO_CLIP} ")
    missing = [name for name in fault_thresholds(rule) if not cites.search(rule.thresholds[name].why)]
    assert not missing, f"{rule.id}: no measurement in the why of {missing}"


@pytest.mark.skipif(not LABELS.is_file(), reason="needs ../shared/sample_videos/labels.toml")
@pytest.mark.parametrize("rule", list_rules(), ids=lambda r: r.id)
def test_the_whys_name_the_correct_clips_the_labels_have(rule):
    """A why's "Measured on N correct real clips (a, b, ...)" names exactly the clips of the
    exercise in labels.toml without that fault; "no correct real clip of this exercise" means none."""
    labels = read_labels(LABELS)
    for name in fault_thresholds(rule):
        why = rule.thresholds[name].why
        faults = [c.fault for c in fs.checks_of(rule) if c.threshold.lstrip("-") == name]
        clips = sorted({c.file for f in faults for c in fs.correct_clips(labels, rule.id, f)})
        stems = [c.rsplit(".", 1)[0] for c in clips]
        found = re.search(rf"{fs.MEASURED} (\d+) correct real clips? \(([^;]*);", why)
        if found:
            assert int(found.group(1)) == len(clips) and found.group(2).split(", ") == stems, (name, stems)
        elif f"{fs.NO_CLIP} of this exercise" in why:
            assert not clips, (name, stems)


def _debounced(t: np.ndarray, x: np.ndarray, op: str, level: float, hold_s: float) -> bool:
    """Whether the engine's debouncer turns on for ``x`` past ``level`` (NaN is never past)."""
    state = Debouncer(hold_s)
    with np.errstate(invalid="ignore"):
        past = x > level if op == "above" else x < level
    return any(state.update(bool(p), float(ti)) == "started" for p, ti in zip(past, t, strict=True))


@pytest.mark.parametrize("op", ["above", "below"])
def test_held_extreme_is_exactly_where_the_debounced_fault_would_fire(op):
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(5, 60))
        t = np.cumsum(rng.choice([1 / 30, 1 / 15, 0.1], n))
        x = rng.normal(0.0, 1.0, n)
        x[rng.random(n) < 0.1] = np.nan
        hold = float(rng.choice([0.0, 0.15, 0.3, 0.5]))
        level = fs.held_extreme(t, x, op, hold)
        if math.isnan(level):
            assert not _debounced(t, x, op, -np.inf if op == "above" else np.inf, hold)
            continue
        step = 1e-9 if op == "above" else -1e-9
        assert _debounced(t, x, op, level - step, hold)  # just inside the held level: fires
        assert not _debounced(t, x, op, level + step, hold)  # just past it: silent


def test_held_extreme_needs_the_whole_debounce_and_nan_breaks_a_run():
    t = np.arange(10) * 0.1
    x = np.array([0, 5, 5, 5, 0, 9, 9, np.nan, 9, 9], float)
    assert fs.held_extreme(t, x, "above", 0.2) == 5.0  # 9 is held only 0.1 s at a time
    assert fs.held_extreme(t, x, "above", 0.1) == 9.0
    assert math.isnan(fs.held_extreme(t, x, "above", 2.0))


@pytest.mark.model
@needs_samples
def test_a_correct_real_bridge_stays_on_the_silent_side_of_every_fault_threshold(clip_landmarks):
    """bridge_02 (labelled without faults) measured as the script does, from the landmark cache."""
    from formcheck.analysis import Analysis, PoseOptions, track_video

    rule = load_rule("glute_bridge")
    label = next(c for c in read_labels(LABELS) if c.file == "bridge_02.mp4")
    assert not label.faults
    track = track_video(SAMPLES / label.file, PoseOptions(), cache_dir=clip_landmarks)
    spreads = fs.measure([label], [rule], {label.file: track})
    by_fault = {s.check.fault: s for s in spreads}
    assert {"back_arched", "shoulders_tense", "hips_not_high", "lowering_fast"} <= set(by_fault)
    for s in spreads:
        assert label.file in s.worst_by_clip, f"{s.check.fault}: never judged on a bridge with counted reps"
        assert s.margin > 0, f"{s.check.fault}: correct bridge reached {s.worst} against {s.check.value}"
    arch = by_fault["back_arched"]
    assert 175 < arch.worst < rule.thresholds["arch_angle"].value  # a straight-to-slightly-past bridge top
    reported = {f.code for f in Analysis.of(track, rule).result.faults}
    assert not reported & set(by_fault), reported  # the engine agrees: silent
