"""The fast re-run (``run_rules`` over a cached metric series: inputs computed for all frames at
once, parts fed only where they can change) gives exactly what the engine gives frame by frame
(``RuleMachine.step`` / ``replay_track``): every catalogue rule on synthetic and real tracks,
random metric sequences through every kind of rule section, tuned thresholds, and the sparse
feeding on its own. Speed itself is measured in ``benchmarks/``, never here."""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import os
from pathlib import Path

import catalogue_poses as poses
import numpy as np
import pytest
from test_engine import RULE as ENGINE_RULE

from formcheck.engine.debounce import SpanLog
from formcheck.engine.holds import HoldTimer
from formcheck.engine.machine import RuleMachine, replay_track, run_rules
from formcheck.engine.rep_timing import SETTLE_FRACTION, SETTLE_S, STILL_FRACTION, Lowering, Top
from formcheck.engine.runs import feed_runs
from formcheck.engine.summary import session_result
from formcheck.errors import RuleFileError
from formcheck.metrics.stream import FrameMetrics, MetricSeries, compute_series
from formcheck.pose.track import PoseTrack
from formcheck.results import Rep, SessionResult
from formcheck.rules import load_rule, parse_rule
from formcheck.rules.catalog import list_rules
from formcheck.rules.schema import HoldSpec, Rule

REPO = Path(__file__).resolve().parents[1]
LMCACHE = Path(os.environ.get("FORMCHECK_LANDMARK_CACHE", REPO.parent / "lmcache"))
RULES = list_rules()


def stepped(series: MetricSeries, rule: Rule, fps: float = 0.0, duration_s: float | None = None) -> SessionResult:
    """The reference: the rule machine stepped one frame at a time, as live runs it."""
    machine = RuleMachine(rule)
    for fm in series.frames:
        machine.step(fm)
    machine.finish()
    return session_result(rule, machine, series.frames, fps, duration_s)


def assert_same(fast: SessionResult, reference: SessionResult, what: str) -> None:
    assert fast.to_dict() == reference.to_dict(), what
    assert fast.series.keys() == reference.series.keys(), what
    for name, values in reference.series.items():
        np.testing.assert_array_equal(fast.series[name], values, err_msg=f"{what}: series {name}")


# -- catalogue rules on synthetic tracks -----------------------------------------------------
#: A synthetic track with faults, and the rules run over it: its own and a neighbour's.
SYNTHETIC = {
    "glute_bridge": (lambda: poses.glute_bridge_track(reps=3, arch=15.0, shrug=True, drop=True),
                     ("glute_bridge", "pelvic_tilt")),
    "bird_dog": (lambda: poses.bird_dog_track(reps=4, same_side=True), ("bird_dog", "cat_cow")),
    "dead_bug": (lambda: poses.dead_bug_track(reps=4, leg_low=True, back_lift=True), ("dead_bug", "knee_to_chest")),
    "pelvic_tilt": (lambda: poses.pelvic_tilt_track(reps=4, hips_lift=True, fidget=True),
                    ("pelvic_tilt", "glute_bridge")),
    "table_top": (lambda: poses.table_top_track(reps=3, lurch=True, hip_drift=True), ("table_top_press",)),
    "figure_four": (lambda: poses.figure_four_track(reps=2, pelvis_lift=True, hold_s=8.0),
                    ("figure_four_stretch", "hamstring_stretch")),
    "abdominal_hold": (lambda: poses.abdominal_hold_track(hold_s=14.0, neck=True, legs=True), ("abdominal_hold",)),
    "childs_pose": (lambda: poses.childs_pose_track(hold_s=12.0, hips_high=True),
                    ("childs_pose", "rock_back", "back_extension")),
    "hip_flexor": (lambda: poses.hip_flexor_track(hold_s=8.0, knee_past=True, lean=True), ("hip_flexor_stretch",)),
    "seated_fold": (lambda: poses.seated_fold_track(hold_s=8.0, rounding=True), ("seated_forward_fold",)),
    "plank": (lambda: poses.plank_track(duration_s=8.0, sag=0.1, knee_taps=2), ("plank",)),
    "arm_openings": (lambda: poses.arm_openings_track(reps=4, hips_roll=True, knees_roll=True), ("arm_openings",)),
    "fall_out": (lambda: poses.fall_out_track(reps=4, pelvis_roll=True, other_knee=True),
                 ("bent_knee_fall_out", "knee_rolls")),
    "seated_rotation": (lambda: poses.seated_rotation_track(turns=4, pelvis_follows=True), ("seated_rotation",)),
}  # fmt: skip


def test_every_catalogue_rule_is_covered():
    covered = {rule_id for _, ids in SYNTHETIC.values() for rule_id in ids}
    assert {r.id for r in RULES} <= covered


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_catalogue_rules_on_synthetic_tracks_match_the_engine_frame_by_frame(name):
    make, rule_ids = SYNTHETIC[name]
    track = make()
    for rule_id in rule_ids:
        rule = load_rule(rule_id)
        series = compute_series(track, rule)
        fast = run_rules(series, rule, fps=track.fps, duration_s=track.duration_s)
        assert_same(fast, stepped(series, rule, track.fps, track.duration_s), f"{name} / {rule.id}")


def test_every_rule_on_one_track_and_replay_track():
    """Every catalogue rule over the glute bridge; and the re-run equals replaying the poses."""
    track = poses.glute_bridge_track(top=0.85, fps=30.0, noise_m=0.004)
    for rule in RULES:
        series = compute_series(track, rule)
        fast = run_rules(series, rule, fps=track.fps, duration_s=track.duration_s)
        assert_same(fast, stepped(series, rule, track.fps, track.duration_s), rule.id)
        if rule.id == "glute_bridge":
            assert fast.rep_count == 3
            assert_same(fast, replay_track(track, rule), "replay_track")


# -- real landmark tracks (the cached full-model tracks of the sample clips, when present) ---
#: Sample clips and the rules run over their landmarks.
REAL = {
    "bridge_01.mp4": ("glute_bridge", "pelvic_tilt"),
    "pelvic_tilt_01.mp4": ("pelvic_tilt",),
    "knee_to_chest_01.mp4": ("knee_to_chest",),
    "rock_back_01.mp4": ("rock_back",),
    "bird_dog_01.mp4": ("bird_dog",),
    "figure_four_01.mp4": ("figure_four_stretch",),
    "two_people_pushups_01.mp4": ("plank",),
}


@functools.cache
def cached_tracks() -> dict[str, PoseTrack]:
    """The cached tracks of :data:`REAL`'s clips, by clip name."""
    tracks = (PoseTrack.load(path) for path in sorted(LMCACHE.glob("*.npz"))) if LMCACHE.is_dir() else ()
    return {track.source: track for track in tracks if track.source in REAL}


needs_tracks = pytest.mark.skipif(not cached_tracks(), reason="no cached landmark tracks (../lmcache)")


@needs_tracks
def test_rules_on_real_tracks_match_the_engine_frame_by_frame():
    for source, track in cached_tracks().items():
        for rule_id in REAL[source]:
            rule = load_rule(rule_id)
            series = compute_series(track, rule)
            fast = run_rules(series, rule, fps=track.fps, duration_s=track.duration_s)
            assert_same(fast, stepped(series, rule, track.fps, track.duration_s), f"{source} / {rule_id}")
            if source == "bridge_01.mp4" and rule_id == "glute_bridge":
                assert_same(fast, replay_track(track, rule), f"{source} / replay_track")


@needs_tracks
def test_tuned_thresholds_on_a_real_track_match_the_engine():
    """What the Tune page does: random threshold values (within each one's range) re-run."""
    rng = np.random.default_rng(3)
    track = cached_tracks().get("bridge_01.mp4") or next(iter(cached_tracks().values()))
    runs = 0
    for rule_id in ("glute_bridge", "pelvic_tilt"):
        rule = load_rule(rule_id)
        series = compute_series(track, rule)
        for _ in range(6):
            values = {name: float(rng.uniform(t.low, t.high)) for name, t in rule.thresholds.items()}
            try:
                tuned = rule.with_thresholds(values)
            except RuleFileError:  # values that contradict each other (e.g. "up" below "down")
                continue
            assert_same(run_rules(series, tuned), stepped(series, tuned), f"{rule_id} {values}")
            runs += 1
    assert runs >= 4


# -- random metric sequences through every kind of rule section ------------------------------
BASE = {
    **{key: copy.deepcopy(value) for key, value in ENGINE_RULE.items() if key in ("summary", "view", "posture", "setup",
                                                                               "metrics")},
    "id": "mix",
    "name": "Mix",
    "thresholds": {
        **{name: dict(ENGINE_RULE["thresholds"][name]) for name in ("up", "down", "limit")},
        "drift": {"value": 8, "unit": "deg", "range": [0, 90], "description": "other from rest"},
        "back": {"value": 15, "unit": "deg", "range": [0, 90], "description": "return"},
        "target": {"value": 2, "unit": "s", "range": [0, 60], "description": "hold"},
    },
    "rep": {
        "metric": "angle", "direction": "up", "enter": "up", "exit": "down", "return_by": "back",
        "start": [{"metric": "angle", "below": "down"}], "start_hold_s": 0.5, "min_rep_s": 0.5,
    },
    "hold": {"when": "top", "target_s": "target", "min_s": 0.1},
    "faults": [
        {"code": "high", "message": "m1", "check": "frame", "phase": "any", "debounce_s": 0.3,
         "when": [{"metric": "other", "above": "limit"}],
         "judged_if": [{"metric": "angle", "below": "down"}], "not_judged": "n1"},
        {"code": "drift", "message": "m2", "check": "frame", "phase": "any", "debounce_s": 0.2,
         "when": [{"metric": "other", "from_baseline": True, "abs": True, "above": "drift"}]},
        {"code": "top_high", "message": "m3", "check": "frame", "phase": "top", "debounce_s": 0.0,
         "when": [{"metric": "other", "above": "limit"}],
         "judged_if": [{"metric": "side", "above": 0}], "not_judged": "n3"},
        {"code": "low_peak", "message": "m4", "check": "rep", "measure": "peak", "below": 170},
        {"code": "fast_down", "message": "m5", "check": "rep", "measure": "fall_speed", "above": 60},
    ],
}  # fmt: skip


def variants() -> dict[str, dict]:
    """Rules that between them use every section the machine has."""
    out = {"top_hold": copy.deepcopy(BASE)}
    cond = copy.deepcopy(BASE)  # a conditions hold beside reps, a from-baseline hold condition, phase faults
    cond["hold"] = {"when": [{"metric": "other", "below": "limit"},
                             {"metric": "other", "from_baseline": True, "abs": True, "below": "drift"}],
                    "target_s": "target", "min_s": 0.3, "release_s": 0.4}  # fmt: skip
    cond["faults"][2]["phase"] = "hold"
    cond["faults"].append({"code": "moving_high", "message": "m6", "check": "frame", "phase": "moving",
                           "debounce_s": 0.1, "when": [{"metric": "other", "above": "limit"}]})  # fmt: skip
    out["conditions_hold"] = cond
    alt = copy.deepcopy(BASE)  # alternating reps, start position compared with its baseline
    alt["rep"].update(alternating=True, side_metric="side", positive_side="left")
    alt["rep"]["start"] = [{"metric": "other", "from_baseline": True, "abs": True, "below": "drift"}]
    del alt["rep"]["return_by"]
    out["alternating"] = alt
    rest = copy.deepcopy(BASE)  # no rep: the hold drives the phase
    del rest["rep"]
    rest["hold"] = copy.deepcopy(cond["hold"])
    rest["faults"] = [f for f in cond["faults"] if f["check"] == "frame"]
    rest["faults"][2]["phase"] = "hold"
    rest["faults"][3]["phase"] = "any"
    out["hold_only"] = rest
    return out


def random_frames(rng: np.random.Generator, n: int = 900, fps: float = 20.0, start: float = 0.0) -> list[FrameMetrics]:
    """Reps of uneven size and speed, noise, gaps short and long, people coming and going."""
    t = start + np.arange(n) / fps
    phase = np.cumsum(rng.uniform(0.5, 2.0, n) * 2 * math.pi / (fps * 3.0))
    angle = 125 + 30 * np.sin(phase) * rng.uniform(0.6, 1.4) + rng.normal(0, 3, n)
    other = 90 + np.cumsum(rng.normal(0, 1.2, n))
    side = np.sign(np.sin(phase / 2)) * 0.3
    persons = np.ones(n, int)
    missing = [()] * n
    for _ in range(6 if n > 20 else 0):
        a = int(rng.integers(0, n - 10))
        b = a + int(rng.integers(1, 90))
        kind = rng.integers(4)
        if kind == 0:
            angle[a:b] = np.nan
        elif kind == 1:
            persons[a:b] = int(rng.choice([0, 2]))
        elif kind == 2:
            missing[a:b] = [("knee",)] * len(missing[a:b])
        else:
            other[a:b] = np.nan
    ratio = np.where(rng.random(n) < 0.02, 0.9, 0.3)
    return [
        FrameMetrics(float(t[i]), {"angle": float(angle[i]), "other": float(other[i]), "side": float(side[i])},
                     "left", int(persons[i]), missing[i], float(ratio[i]), True)
        for i in range(n)
    ]  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences_through_every_rule_section_match_the_engine(seed):
    rng = np.random.default_rng(seed)
    frames = random_frames(rng, start=0.0 if seed % 2 else 3.0)  # t = 0 first: the engine's first dt is 0
    series = MetricSeries(np.array([f.t for f in frames]), frames)
    for name, data in variants().items():
        rule = parse_rule(data, f"{name}.yaml")
        for values in ({}, {"limit": float(rng.uniform(80, 110)), "drift": float(rng.uniform(2, 15))}):
            tuned = rule.with_thresholds(values) if values else rule
            fast, reference = run_rules(series, tuned), stepped(series, tuned)
            assert_same(fast, reference, f"seed {seed} / {name} / {values}")
    assert any(stepped(series, parse_rule(d, "x.yaml")).faults for d in variants().values())
    notes = {n.code for d in variants().values() for n in stepped(series, parse_rule(d, "x.yaml")).not_judged}
    assert notes == {"high", "top_high"}  # the views that cannot judge are said, in both paths


@pytest.mark.parametrize("seed", range(3))
def test_timestamps_going_back_match_the_engine(seed):
    """A jittery clock (frames now and then stamped before the one before) and a clip whose clock
    jumps back (a joined recording): the same answer as frame by frame."""
    rng = np.random.default_rng(20 + seed)
    frames = random_frames(rng, 600) + random_frames(rng, 300, start=5.0)
    jitter = rng.uniform(-0.04, 0.04, len(frames))
    frames = [dataclasses.replace(f, t=f.t + float(d)) for f, d in zip(frames, jitter, strict=True)]
    series = MetricSeries(np.array([f.t for f in frames]), frames)
    for name, data in variants().items():
        rule = parse_rule(data, f"{name}.yaml")
        assert_same(run_rules(series, rule), stepped(series, rule), name)


def test_empty_and_one_frame_series():
    rule = parse_rule(copy.deepcopy(BASE), "mix.yaml")
    for frames in ([], random_frames(np.random.default_rng(1), 1)):
        series = MetricSeries(np.array([f.t for f in frames]), frames)
        assert_same(run_rules(series, rule), stepped(series, rule), f"{len(frames)} frames")


# -- the parts -------------------------------------------------------------------------------
class Span:
    def __init__(self, t: float) -> None:
        self.start_s = self.end_s = t


def random_input(seed: int) -> tuple[np.ndarray, list[float], np.random.Generator]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    return rng.random(n) < rng.uniform(0.05, 0.95), np.cumsum(rng.uniform(0.01, 0.1, n)).tolist(), rng


@pytest.mark.parametrize("seed", range(30))
def test_sparse_feeding_leaves_a_debounced_state_as_feeding_every_frame_does(seed):
    truth, t, rng = random_input(seed)
    on, off = float(rng.uniform(0, 0.5)), float(rng.uniform(0, 0.5))
    dense, sparse = SpanLog(), SpanLog()

    def feed(log: SpanLog, j: int, value: bool) -> None:
        if log.update("c", value, t[j], on, off) == "started":
            log.start("c", Span(t[j]))

    for j, value in enumerate(truth.tolist()):
        feed(dense, j, value)
    fed: list[int] = []
    feed_runs(truth, 0, lambda j, v: (fed.append(j), feed(sparse, j, v)), lambda: sparse.states["c"].active)
    assert [(r.start_s, r.end_s) for r in sparse.records] == [(r.start_s, r.end_s) for r in dense.records]
    assert vars(sparse.states["c"]) == vars(dense.states["c"])
    assert fed == sorted(set(fed)) and fed[0] == 0 and fed[-1] == len(truth) - 1


@pytest.mark.parametrize("seed", range(30))
def test_sparse_feeding_times_a_hold_as_feeding_every_frame_does(seed):
    truth, t, rng = random_input(seed)
    spec = HoldSpec(when=(), target_s=1.0, min_s=float(rng.uniform(0, 1)), release_s=float(rng.uniform(0, 0.5)))
    dense, sparse = HoldTimer(spec, float), HoldTimer(spec, float)
    for j, value in enumerate(truth.tolist()):
        dense.update(value, t[j], [])
    feed_runs(truth, 0, lambda j, v: sparse.update(v, t[j], []), lambda: sparse.active)
    assert (sparse.active, sparse.started_s, sparse.last_true_s) == (dense.active, dense.started_s, dense.last_true_s)
    dense.finish()
    sparse.finish()
    assert sparse.holds == dense.holds


@pytest.mark.parametrize("seed", range(20))
def test_a_lowering_ends_as_its_definition_says_whatever_the_clock_does(seed):
    """:meth:`Lowering.ended` keeps running figures; the definition looks at every sample: the
    lowest so far, and the last sample (in arrival order) SETTLE_S or more before the newest."""
    rng = np.random.default_rng(seed)
    n = 200
    t = np.arange(n) * 0.05 + rng.uniform(-0.06, 0.06, n) * (seed % 2)
    t[n // 2 :] -= 3.0 * (seed % 3 == 0)  # a clock that jumps back
    sx = np.cumsum(rng.normal(-0.3, 1.0, n))
    rep = Rep(1, 0.0, 0.0, 0.0, None, 0.0, float(rng.uniform(5, 30)), 0.0, 0.0, 0.0)
    lowering, top = Lowering(), Top()
    lowering.begin(rep, float(t[0]), float(sx[0]), top)
    samples = [(float(t[0]), float(sx[0]))]
    for now, x in zip(t[1:].tolist(), sx[1:].tolist(), strict=True):
        samples.append((now, x))
        scale = max(rep.range_of_motion, 1e-9)
        low = min(v for _, v in samples)
        earlier = [v for s, v in samples if s <= now - SETTLE_S]
        expected = x > low + SETTLE_FRACTION * scale or (bool(earlier) and earlier[-1] - low <= STILL_FRACTION * scale)
        assert lowering.ended(now, x) == expected


def test_series_columns_are_cached_read_only_and_follow_new_frames():
    frames = random_frames(np.random.default_rng(2), 50)
    series = MetricSeries(np.array([f.t for f in frames]), frames)
    shared = series.array("angle")
    assert series.array("angle") is shared and not shared.flags.writeable
    column = series.column("angle")
    column[:] = 0.0  # a copy: the cache is untouched
    np.testing.assert_array_equal(series.array("angle"), [f.values["angle"] for f in frames])
    series.frames.append(frames[-1])
    assert len(series.array("angle")) == 51
    assert np.isnan(series.array("unknown")).all()
