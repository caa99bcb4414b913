"""The noise floor of the rules' key metrics on still segments of the real sample clips.

A still body's metrics still move: the pose model's landmarks jitter from frame to frame and
wander slowly with lighting, clothing and the model's guess of a joint it half sees. A rule's
detection threshold (a pelvic tilt of 0.8 deg, a "still" speed) means something only above
that floor. This script measures it where the body is known to be still:

* the labelled holds of ``labels.toml`` (``holds`` with ``start_s``/``end_s``), trimmed by
  :data:`TRIM_S` at each end (getting into and out of the hold is movement);
* still stretches found in the landmarks: at least :data:`MIN_STILL_S` where the hips,
  shoulders and knees move slower than :data:`STILL_SPEED` torso lengths per second (a
  whole-body criterion, coarse on purpose: the fine metrics measured inside it are not used to
  choose it).

For every segment and metric it reports (:func:`noise_stats`):

* ``jitter_sd`` / ``jitter_p95``: the standard deviation and 95th percentile of the absolute
  deviation from a running median (:data:`MEDIAN_WINDOW_S`): frame-to-frame noise;
* ``drift_p95``: the 95th percentile of the absolute deviation from the segment's median:
  jitter plus slow wander, the floor of a threshold measured from a resting baseline;
* for speeds (already a frame-to-frame quantity) ``p95`` and ``max`` of the value itself.

The metrics are each rule's ``key_metrics`` on its own clips, and the subtle rules' key
metrics (pelvic tilt, deep-abdominal hold) on every clip, with each clip's smoothing as that
rule sets it. A second table gives, for each frame-checked fault of a rule, the most extreme
value its condition reached on the rule's correct clips (no labelled fault): the measured
spread a fault threshold must clear.

    FORMCHECK_MODEL_DIR=../shared/models python benchmarks/noise_floor.py [--labels FILE] [--cache DIR]
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Seconds trimmed from each end of a labelled hold (settling in and out of it).
TRIM_S = 0.3
#: Shortest still segment measured (seconds).
MIN_STILL_S = 1.5
#: Whole-body speed (torso lengths per second, 1-s running median) under which the body is still.
STILL_SPEED = 0.1
#: Seconds kept clear of each labelled rep peak when measuring a still stretch.
PEAK_MARGIN_S = 2.0
#: Window of the running median that separates jitter from movement (seconds).
MEDIAN_WINDOW_S = 1.0
#: The rules whose movement is subtle: their key metrics are measured on every clip.
SUBTLE_RULES = ("pelvic_tilt", "abdominal_hold")
SAMPLES = Path(
    os.environ.get("FORMCHECK_SAMPLES_DIR", Path(__file__).resolve().parents[2] / "shared" / "sample_videos")
)


@dataclass(frozen=True)
class Segment:
    """A still stretch of one clip: ``[start_s, end_s]``; ``source`` is "hold" or "auto"."""

    start_s: float
    end_s: float
    source: str
    what: str = ""


@dataclass(frozen=True)
class NoiseRow:
    """One metric's noise on one segment of one clip."""

    clip: str
    segment: Segment
    rule: str
    metric: str
    n: int
    jitter_sd: float
    jitter_p95: float
    drift_p95: float
    is_speed: bool


def running_median(x: np.ndarray, window: int) -> np.ndarray:
    """Centred running median of ``x`` over ``window`` samples, ignoring NaN (NaN where all are)."""
    half = max(1, window) // 2
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        part = x[max(0, i - half): i + half + 1]
        part = part[np.isfinite(part)]
        if len(part):
            out[i] = float(np.median(part))
    return out


def noise_stats(x: np.ndarray, fps: float, *, is_speed: bool = False) -> tuple[int, float, float, float]:
    """``(n, jitter_sd, jitter_p95, drift_p95)`` of a still segment's values ``x`` (NaN skipped).

    For a speed the last three are the value's standard deviation, 95th percentile and maximum
    (a speed is already a frame-to-frame quantity, so its floor is its own size).
    """
    x = np.asarray(x, dtype=float)
    finite = x[np.isfinite(x)]
    if len(finite) < 3:
        return len(finite), math.nan, math.nan, math.nan
    if is_speed:
        return len(finite), float(np.std(finite)), float(np.percentile(finite, 95)), float(np.max(finite))
    residual = x - running_median(x, round(MEDIAN_WINDOW_S * fps))
    residual = residual[np.isfinite(residual)]
    drift = np.abs(finite - np.median(finite))
    return (len(finite), float(np.std(residual)), float(np.percentile(np.abs(residual), 95)),
            float(np.percentile(drift, 95)))


def still_segments(speed: np.ndarray, t: np.ndarray, fps: float) -> list[Segment]:
    """Stretches of at least :data:`MIN_STILL_S` whose whole-body ``speed`` (1-s running median)
    stays under :data:`STILL_SPEED`."""
    smooth = running_median(speed, round(fps))
    still = np.isfinite(smooth) & (smooth < STILL_SPEED)
    out, start = [], None
    for i, s in enumerate([*still, False]):
        if s and start is None:
            start = i
        elif not s and start is not None:
            if t[i - 1] - t[start] >= MIN_STILL_S:
                out.append(Segment(float(t[start]), float(t[i - 1]), "auto"))
            start = None
    return out


def body_speed(track, lag_s: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """``(t, speed)``: the fastest of hips, shoulders and knees in torso lengths per second, from
    each landmark's displacement over ``lag_s`` (the pose model runs ~10 times a second, so
    consecutive frames can repeat a landmark and a one-frame speed reads 0)."""
    from formcheck.metrics import kinematics as kin
    from formcheck.pose.landmarks import INDEX

    idx = [INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("shoulder", "hip", "knee")]
    t, pts, torso = [], [], []
    for frame in track.frames():
        t.append(frame.timestamp_s)
        if not frame.has_person:
            pts.append(np.full((len(idx), 2), np.nan))
            torso.append(np.nan)
            continue
        xy = kin.to_isotropic(frame.landmarks[:, :2].astype(float), frame.image_size)
        pts.append(xy[idx])
        torso.append(float(np.linalg.norm(xy[idx[0]] + xy[idx[3]] - xy[idx[1]] - xy[idx[4]]) / 2))
    t_arr, p, size = np.array(t), np.array(pts), np.array(torso)
    lag = max(1, round(lag_s * track.fps))
    speed = np.full(len(t_arr), np.nan)
    if len(t_arr) > lag:
        step = np.linalg.norm(p[lag:] - p[:-lag], axis=2).max(axis=1) / (t_arr[lag:] - t_arr[:-lag]).clip(1e-3)
        speed[lag:] = step / size[lag:]
    return t_arr, speed


def hold_segments(label) -> list[Segment]:
    """The labelled holds of a clip, trimmed by :data:`TRIM_S` at each end."""
    out = []
    for hold in label.holds:
        start, end = float(hold["start_s"]) + TRIM_S, float(hold["end_s"]) - TRIM_S
        if end - start >= 1.0:
            out.append(Segment(start, end, "hold", str(hold.get("what", ""))))
    return out


def merged(label, holds: list[Segment], auto: list[Segment]) -> list[Segment]:
    """The holds, and the parts of the still stretches at least :data:`MIN_STILL_S` long that
    keep :data:`PEAK_MARGIN_S` away from every labelled rep peak and off every hold (a subtle
    movement such as a pelvic tilt leaves the whole body "still", so the stretch around it would
    measure the movement, not the noise)."""
    busy = [(p - PEAK_MARGIN_S, p + PEAK_MARGIN_S) for p in label.rep_peaks_s]
    busy += [(h.start_s - TRIM_S, h.end_s + TRIM_S) for h in holds]
    pieces = []
    for seg in auto:
        start = seg.start_s
        for lo, hi in sorted(busy):
            if hi <= start or lo >= seg.end_s:
                continue
            pieces.append((start, lo))
            start = max(start, hi)
        pieces.append((start, seg.end_s))
    free = [Segment(a, b, "auto") for a, b in pieces if b - a >= MIN_STILL_S]
    return sorted(holds + free, key=lambda s: s.start_s)


def start_position(rule, series) -> np.ndarray:
    """Frames in a subtle rule's start position (its rep's start conditions or its hold's
    conditions); every frame for other rules."""
    from formcheck.rules.conditions import conditions_hold

    conds = rule.rep.start if rule.rep is not None else ()
    if rule.hold is not None and not isinstance(rule.hold.when, str):
        conds = rule.hold.when
    if rule.id not in SUBTLE_RULES or not conds:
        return np.ones(len(series.t), bool)
    values = {c.metric: series.array(c.metric) for c in conds}
    return np.asarray(conditions_hold(conds, values, rule.value), bool)


def measure_clip(label, track, rules: dict) -> Iterator[NoiseRow]:
    """Noise rows of one clip: its own rule's key metrics, and the subtle rules' key metrics in
    their start position, on each still segment."""
    from formcheck.metrics.stream import compute_series
    from formcheck.rules.kinds import METRIC_KINDS

    t, speed = body_speed(track)
    segments = merged(label, hold_segments(label), still_segments(speed, t, track.fps))
    rule_ids = [r for r in (label.exercise, *SUBTLE_RULES) if r in rules]
    for rule_id in dict.fromkeys(rule_ids):
        rule = rules[rule_id]
        series = compute_series(track, rule)
        start = start_position(rule, series)
        for seg in segments:
            inside = (series.t >= seg.start_s) & (series.t <= seg.end_s) & start
            if inside.sum() < track.fps:
                continue
            for metric in rule.key_metrics:
                is_speed = METRIC_KINDS[rule.metrics[metric].kind].two_frames
                n, sd, p95, drift = noise_stats(series.array(metric)[inside], track.fps, is_speed=is_speed)
                if n >= track.fps:
                    yield NoiseRow(label.file, seg, rule_id, metric, n, sd, p95, drift, is_speed)


def noise_table(rows: Iterable[NoiseRow]) -> str:
    """The per-segment table (speeds: sd, p95 and max of the value)."""
    head = (f"{'clip':26} {'segment':>13} {'src':4} {'rule':20} {'metric':17} {'n':>4} "
            f"{'jit_sd':>7} {'jit_p95':>7} {'drift95':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        seg = f"{r.segment.start_s:5.1f}-{r.segment.end_s:5.1f}"
        lines.append(f"{r.clip:26} {seg:>13} {r.segment.source:4} {r.rule:20} {r.metric:17} {r.n:4d} "
                     f"{r.jitter_sd:7.3f} {r.jitter_p95:7.3f} {r.drift_p95:7.3f}" + ("  (speed: sd p95 max)"
                                                                                 if r.is_speed else ""))
    return "\n".join(lines)


def floor_summary(rows: list[NoiseRow]) -> str:
    """Per subtle-rule key metric: median and worst segment of jitter p95 and drift p95."""
    lines = [f"{'rule':16} {'metric':17} {'segs':>4} {'jit95 med':>9} {'jit95 max':>9} {'drift95 med':>11} "
             f"{'drift95 max':>11}"]
    keys = dict.fromkeys((r.rule, r.metric) for r in rows if r.rule in SUBTLE_RULES)
    for rule, metric in keys:
        sel = [r for r in rows if (r.rule, r.metric) == (rule, metric) and math.isfinite(r.drift_p95)]
        if not sel:
            continue
        jit, drift = np.array([r.jitter_p95 for r in sel]), np.array([r.drift_p95 for r in sel])
        lines.append(f"{rule:16} {metric:17} {len(sel):4d} {np.median(jit):9.3f} {jit.max():9.3f} "
                     f"{np.median(drift):11.3f} {drift.max():11.3f}")
    return "\n".join(lines)


@dataclass(frozen=True)
class FaultSpread:
    """The most extreme value a frame fault's first condition held for its debounce time on one correct clip."""

    rule: str
    fault: str
    clip: str
    extreme: float
    threshold: float
    op: str

    @property
    def margin(self) -> float:
        """How far the threshold is beyond the extreme (positive: the clip stays silent)."""
        return self.threshold - self.extreme if self.op == "above" else self.extreme - self.threshold


def phase_mask(analysis, phase: str) -> np.ndarray:
    """Frames of the fault's ``phase``: inside a rep's top (the rep metric past its enter
    threshold), inside a hold, or (any other phase) after counting started."""
    result, rule, t = analysis.result, analysis.rule, analysis.series.t
    started = result.counting_started_s
    mask = np.zeros(len(t), bool) if started is None else t >= started
    if phase == "hold":
        return np.any([(t >= h.start_s) & (t <= h.end_s) for h in result.holds] or [mask & False], axis=0)
    if phase == "top" and rule.rep is not None:
        x = analysis.series.array(rule.rep.metric)
        enter = rule.value(rule.rep.enter)
        with np.errstate(invalid="ignore"):
            past = np.abs(x) > enter if rule.rep.absolute else (x > enter if rule.rep.direction == "up" else x < enter)
        in_rep = np.any([(t >= r.start_s) & (t <= r.end_s) for r in result.reps] or [mask & False], axis=0)
        return in_rep & past
    return mask


def resting_baseline(analysis, metric: str) -> float:
    """A metric's resting value: its median after counting started, outside the reps and holds
    (the engine's own baseline is an internal running average; this is its plain estimate)."""
    t, result = analysis.series.t, analysis.result
    mask = phase_mask(analysis, "any")
    for span in [*result.reps, *result.holds]:
        mask &= ~((t >= span.start_s) & (t <= span.end_s))
    x = analysis.series.array(metric)[mask]
    x = x[np.isfinite(x)]
    return float(np.median(x)) if len(x) else math.nan


def sustained(values: np.ndarray, op: str, frames: int) -> float:
    """The most extreme level ``values`` stay past for ``frames`` frames in a row (what a
    debounced fault needs); NaN frames break a run."""
    if len(values) < frames or frames < 1:
        return math.nan
    windows = np.lib.stride_tricks.sliding_window_view(values, frames)
    inner = windows.min(axis=1) if op == "above" else windows.max(axis=1)
    inner = inner[np.isfinite(inner)]
    if not len(inner):
        return math.nan
    return float(inner.max() if op == "above" else inner.min())


def fault_spreads(label, analysis) -> Iterator[FaultSpread]:
    """For each frame-checked fault of the clip's rule: its first condition's value, in the
    fault's phase and where its other conditions hold, at its most extreme sustained for the
    fault's debounce time."""
    from formcheck.rules.conditions import condition_value, conditions_hold

    rule, series = analysis.rule, analysis.series
    for fault in rule.faults:
        if fault.check != "frame" or not fault.when:
            continue
        cond, others = fault.when[0], fault.when[1:]
        metrics = {c.metric for c in fault.when}
        base = {m: resting_baseline(analysis, m) for m in metrics}
        values = {m: series.array(m) for m in metrics}
        x = np.asarray(condition_value(cond, values, rule.value, base), float).copy()
        mask = phase_mask(analysis, fault.phase)
        if others:
            mask &= np.asarray(conditions_hold(others, values, rule.value, base), bool)
        x[~mask] = np.nan
        frames = max(1, round(rule.value(fault.debounce_s) * analysis.track.fps))
        extreme = sustained(x, cond.op, frames)
        if math.isfinite(extreme):
            yield FaultSpread(rule.id, fault.code, label.file, extreme, rule.value(cond.ref), cond.op)


def spread_table(spreads: Iterable[FaultSpread]) -> str:
    """The fault-spread table: worst value on each correct clip against the threshold."""
    head = f"{'rule':20} {'fault':18} {'clip':26} {'worst':>8} {'op':5} {'threshold':>9} {'margin':>7}"
    lines = [head, "-" * len(head)]
    for s in spreads:
        lines.append(f"{s.rule:20} {s.fault:18} {s.clip:26} {s.extreme:8.3f} {s.op:5} {s.threshold:9.3f} "
                     f"{s.margin:7.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Print the noise table, the subtle metrics' floor and the fault spreads on correct clips."""
    from formcheck.analysis import Analysis, PoseOptions, track_video
    from formcheck.evaluation.labels import read_labels
    from formcheck.rules.catalog import list_rules

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", default=str(SAMPLES / "labels.toml"))
    parser.add_argument("--cache", default="/work/lmcache", help="landmark cache folder")
    parser.add_argument("--only", default="", help="only clips whose file name contains this")
    args = parser.parse_args(argv)
    rules = {r.id: r for r in list_rules()}
    rows: list[NoiseRow] = []
    spreads: list[FaultSpread] = []
    for label in read_labels(args.labels):
        if args.only not in label.file:
            continue
        track = track_video(Path(args.labels).parent / label.file, PoseOptions(), cache_dir=args.cache)
        rows.extend(measure_clip(label, track, rules))
        if label.exercise in rules and not label.faults:
            spreads.extend(fault_spreads(label, Analysis.of(track, rules[label.exercise])))
    print(noise_table(rows), "", floor_summary(rows), "", spread_table(spreads), sep="\n")


if __name__ == "__main__":
    main()
