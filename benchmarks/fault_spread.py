"""The spread of every fault's measure on correct real clips, against the fault's threshold.

A fault threshold comes from anatomy and the guides; this script measures how close correctly
performed real movement comes to it, so each threshold's ``why`` can say what was measured
(issue 11: "each fault threshold's why gives the anatomy and the measured spread on correct
real clips"). It never changes a threshold.

For every rule and every fault, on the shared real clips (``labels.toml``) labelled as the
rule's exercise whose labels do not list that fault ("correct" clips):

* **frame faults**: each thresholded condition of the fault's ``when`` (the view conditions
  of ``judged_if`` apart) is measured where the engine judges the fault: in the fault's phase,
  on frames the pose quality gate trusts, where the view conditions and the fault's *other*
  conditions hold, with from-baseline conditions taken from the engine's own resting baseline
  of that frame. The number reported is the worst level the condition's value stayed past for
  the fault's whole debounce time (:func:`held_extreme`): the fault fires on a clip exactly when
  that level passes the threshold. ``alone`` is the same without the other conditions.
* **rep faults**: the rep measure (peak, range, duration, lowering speed, hold) of each
  counted rep.

The rule machine is stepped frame by frame (:class:`formcheck.engine.machine.RuleMachine`,
the live engine), recording after each frame the phase, whether a hold is running and the
resting baseline, which is what its fault checks read.

    FORMCHECK_MODEL_DIR=../shared/models python benchmarks/fault_spread.py --cache /work/lmcache-h2 [--why]

``--why`` prints, per fault threshold, the sentence its ``why`` gives (:func:`why_sentence`).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SAMPLES = Path(
    os.environ.get("FORMCHECK_SAMPLES_DIR", Path(__file__).resolve().parents[2] / "shared" / "sample_videos")
)
#: A margin under this share of the threshold's range is reported as small.
SMALL_MARGIN = 0.10
#: What the ``why`` sentences start with (tests/test_fault_spread.py looks for one of them).
MEASURED = "Measured on"
NO_CLIP = "No correct real clip"
PHASE_NOUNS = {"top": "the top", "bottom": "the bottom", "moving": "the movement", "hold": "the hold",
               "any": "counting"}
PHASE_WORDS = {"top": "at the top", "bottom": "at the bottom", "moving": "while moving", "hold": "in the hold",
               "any": "while counting"}
UNIT_WORDS = {"torso": "torso lengths", "torso/s": "torso lengths/s"}
MEASURE_WORDS = {"peak": "peak", "range": "range", "duration_s": "rep time", "rise_s": "rise time",
                 "fall_s": "lowering time", "fall_speed": "lowering speed", "hold_s": "hold"}


@dataclass(frozen=True)
class Check:
    """One thresholded check of a fault: a frame fault's condition (``index`` into its ``when``)
    or a rep fault's measure (``index`` -1)."""

    rule: str
    fault: str
    index: int
    threshold: str  # the threshold's name, or the number written in the rule
    op: str
    value: float
    unit: str
    span: float  # width of the threshold's allowed range (NaN for a plain number)
    what: str  # the metric (frame) or the measure (rep)
    phase: str = ""
    debounce_s: float = 0.0
    from_baseline: bool = False
    absolute: bool = False
    category: str = "form"

    @property
    def kind(self) -> str:
        return "rep" if self.index < 0 else "frame"


@dataclass
class Spread:
    """A check's measurements: per correct clip its worst value, and every judged value pooled."""

    check: Check
    clips: list[str] = field(default_factory=list)  # the correct clips run
    worst_by_clip: dict[str, float] = field(default_factory=dict)  # clips with a judged value
    alone_by_clip: dict[str, float] = field(default_factory=dict)
    values: list[float] = field(default_factory=list)
    reps: int = 0
    #: Frames in the fault's phase with a usable pose and the view to judge it (others aside).
    phase_frames: int = 0
    #: The most extreme value in any single frame of the phase (others aside), per clip.
    alone_single_by_clip: dict[str, float] = field(default_factory=dict)

    def _toward(self, xs: Iterable[float]) -> float:
        xs = [x for x in xs if math.isfinite(x)]
        if not xs:
            return math.nan
        return max(xs) if self.check.op == "above" else min(xs)

    @property
    def worst(self) -> float:
        return self._toward(self.worst_by_clip.values())

    @property
    def single(self) -> float:
        """The most extreme judged value in any single frame (or rep); without a judged frame,
        the most extreme in any single frame of the phase, the other conditions aside."""
        return self._toward(self.values) if self.values else self._toward(self.alone_single_by_clip.values())

    @property
    def alone(self) -> float:
        return self._toward(self.alone_by_clip.values())

    @property
    def p95(self) -> float:
        """The 95th percentile of the judged values toward the fault (the 5th for a "below" fault)."""
        if not self.values:
            return math.nan
        return float(np.percentile(self.values, 95 if self.check.op == "above" else 5))

    @property
    def margin(self) -> float:
        """How far the threshold is beyond the worst value (negative: a correct clip crosses it)."""
        return margin_of(self.check, self.worst)

    @property
    def margin_share(self) -> float:
        """The margin as a share of the threshold's allowed range."""
        return self.margin / self.check.span if self.check.span > 0 else math.nan


def margin_of(check: Check, x: float) -> float:
    """Distance of ``x`` from the threshold on the silent side (negative past it)."""
    return check.value - x if check.op == "above" else x - check.value


def checks_of(rule) -> Iterator[Check]:
    """Every thresholded check of ``rule``'s faults (view conditions of ``judged_if`` apart)."""
    for spec in rule.faults:
        if spec.check == "rep":
            if spec.measure is None or spec.op is None or spec.ref is None:
                continue
            yield Check(rule.id, spec.code, -1, str(spec.ref), spec.op, rule.value(spec.ref),
                        *_unit_span(rule, spec.ref, ""), spec.measure, category=spec.category)
            continue
        for i, cond in enumerate(spec.when):
            if cond in spec.judged_if:
                continue
            unit, span = _unit_span(rule, cond.ref, rule.metrics[cond.metric].unit)
            yield Check(rule.id, spec.code, i, str(cond.ref), cond.op, rule.value(cond.ref), unit, span,
                        cond.metric, spec.phase, rule.value(spec.debounce_s), cond.from_baseline, cond.absolute,
                        spec.category)


def _unit_span(rule, ref: str | float, unit: str) -> tuple[str, float]:
    if isinstance(ref, str):
        t = rule.thresholds[ref.lstrip("-")]
        return t.unit, t.high - t.low
    return unit, math.nan


def held_extreme(t: np.ndarray, x: np.ndarray, op: str, hold_s: float) -> float:
    """The worst level ``x`` stays past for at least ``hold_s`` seconds of frame times ``t``
    (the engine's debounce: a condition true from frame ``i`` to a frame ``hold_s`` later); NaN
    frames break a run. For ``above`` the largest ``min`` over such runs, for ``below`` the
    smallest ``max``. NaN when no run is that long."""
    best = math.nan
    n = len(x)
    end = 0
    for i in range(n):
        if not math.isfinite(x[i]):
            continue
        end = max(end, i)
        while end < n and t[end] - t[i] < hold_s:  # the debouncer: on once t - since >= on_after_s
            end += 1
        if end >= n:
            break
        window = x[i : end + 1]
        if not np.isfinite(window).all():
            continue
        level = float(window.min() if op == "above" else window.max())
        if math.isnan(best) or (level > best if op == "above" else level < best):
            best = level
    return best


@dataclass
class Run:
    """One clip stepped through a rule's machine: per frame what the fault checks read."""

    t: np.ndarray
    values: dict[str, np.ndarray]
    baseline: dict[str, np.ndarray]
    phase: list[str]
    holding: np.ndarray
    usable: np.ndarray
    reps: list


def run_machine(series, rule) -> Run:
    """Step the live rule machine over ``series``, recording phase, hold and baseline per frame."""
    from formcheck.engine.machine import RuleMachine

    machine = RuleMachine(rule)
    names = {c.metric for spec in rule.faults for c in spec.when}
    phases: list[str] = []
    holding, baselines = [], []
    for fm in series.frames:
        machine.step(fm)
        phases.append(machine.phase)
        holding.append(machine.hold.active)
        baselines.append({m: machine.baseline.get(m, math.nan) for m in names})
    machine.finish()
    base = {m: np.array([b[m] for b in baselines], float) for m in names}
    return Run(np.asarray(series.t, float), {m: np.asarray(series.array(m), float) for m in names}, base, phases,
               np.array(holding, bool), np.asarray(series.field_array("usable"), bool), list(machine.reps))


def judged_values(run: Run, rule, spec, index: int, with_others: bool = True) -> np.ndarray:
    """Condition ``index`` of frame fault ``spec``'s value per frame, NaN where the engine would
    not judge it: outside the phase, unusable pose, view conditions (and, ``with_others``, the
    other conditions) not holding."""
    from formcheck.engine.faults import phase_matches
    from formcheck.rules.conditions import condition_value, conditions_hold

    cond = spec.when[index]
    x = np.asarray(condition_value(cond, run.values, rule.value, run.baseline), float).copy()
    mask = np.array([phase_matches(p, spec.phase, h) for p, h in zip(run.phase, run.holding, strict=True)], bool)
    mask &= run.usable
    gates = spec.when[:index] + spec.when[index + 1 :] if with_others else tuple(spec.judged_if)
    if gates:
        mask &= np.asarray(conditions_hold(gates, run.values, rule.value, run.baseline), bool)
    x[~mask] = np.nan
    return x


def measure_run(run: Run, rule, spread: Spread, clip: str) -> None:
    """Add one clip's measurements of ``spread``'s check."""
    from formcheck.engine.faults import rep_measure

    check = spread.check
    spread.clips.append(clip)
    if check.kind == "rep":
        vals = [rep_measure(r, check.what) for r in run.reps]
        vals = [float(v) for v in vals if v is not None and math.isfinite(v)]
        spread.reps += len(vals)
        spread.values += vals
        if vals:
            spread.worst_by_clip[clip] = max(vals) if check.op == "above" else min(vals)
        return
    spec = next(s for s in rule.faults if s.code == check.fault)
    x = judged_values(run, rule, spec, check.index)
    spread.values += x[np.isfinite(x)].tolist()
    worst = held_extreme(run.t, x, check.op, check.debounce_s)
    if math.isfinite(worst):
        spread.worst_by_clip[clip] = worst
    x_alone = judged_values(run, rule, spec, check.index, False)
    finite = x_alone[np.isfinite(x_alone)]
    spread.phase_frames += len(finite)
    if len(finite):
        spread.alone_single_by_clip[clip] = float(finite.max() if check.op == "above" else finite.min())
    alone = held_extreme(run.t, x_alone, check.op, check.debounce_s)
    if math.isfinite(alone):
        spread.alone_by_clip[clip] = alone


def correct_clips(labels, rule_id: str, fault: str) -> list:
    """The clips labelled as ``rule_id``'s exercise whose labels do not list ``fault``."""
    return [c for c in labels if c.exercise == rule_id and fault not in {f.get("kind") for f in c.faults}]


def measure(labels, rules, tracks: dict) -> list[Spread]:
    """Every fault check of every rule, measured on its correct clips (``tracks``: file → pose track)."""
    from formcheck.metrics.stream import compute_series

    spreads = []
    for rule in rules:
        runs = {}
        for label in {c.file: c for c in labels if c.exercise == rule.id and c.file in tracks}.values():
            runs[label.file] = run_machine(compute_series(tracks[label.file], rule), rule)
        for check in checks_of(rule):
            spread = Spread(check)
            for label in correct_clips(labels, rule.id, check.fault):
                if label.file in runs:
                    measure_run(runs[label.file], rule, spread, label.file)
            spreads.append(spread)
    return spreads


def _num(x: float, unit: str = "") -> str:
    """``x`` to the precision its unit is read at (angles to 0.1 deg, times to 0.01 s)."""
    if not math.isfinite(x):
        return "-"
    if unit.startswith("deg"):
        return f"{x:.1f}"
    if unit == "s":
        return f"{x:.2f}"
    return f"{x:.3f}" if abs(x) < 1 else f"{x:.1f}"


def flag(s: Spread) -> str:
    """``CROSSES`` (a correct clip is past the threshold), ``small`` (margin under
    :data:`SMALL_MARGIN` of the range) or empty."""
    if not math.isfinite(s.margin):
        return ""
    if s.margin <= 0:
        return "CROSSES"
    return "small" if math.isfinite(s.margin_share) and s.margin_share < SMALL_MARGIN else ""


def spread_table(spreads: Iterable[Spread]) -> str:
    """One line per check: threshold, clips (judged/correct), worst held, p95, margin."""
    head = (f"{'rule':20} {'fault':22} {'threshold':34} {'clips':>5} {'worst':>8} {'alone':>8} {'p95':>8} "
            f"{'margin':>8} {'%range':>6}  note")
    lines = [head, "-" * len(head)]
    for s in spreads:
        c = s.check
        thr = f"{c.threshold} {'>' if c.op == 'above' else '<'} {_num(c.value)} {c.unit}"
        clips = f"{len(s.worst_by_clip)}/{len(s.clips)}"
        share = f"{100 * s.margin_share:5.0f}%" if math.isfinite(s.margin_share) else "     -"
        note = flag(s) or ("no correct clip" if not s.clips else "" if s.worst_by_clip else "never judged")
        lines.append(f"{c.rule:20} {c.fault:22} {thr[:34]:34} {clips:>5} {_num(s.worst):>8} {_num(s.alone):>8} "
                     f"{_num(s.p95):>8} {_num(s.margin):>8} {share:>6}  {note}")
    return "\n".join(lines)


def _clip_names(files: Iterable[str]) -> str:
    return ", ".join(Path(f).stem for f in files)


def _unit(unit: str) -> str:
    return UNIT_WORDS.get(unit, unit)


def _frame_phrase(s: Spread) -> str:
    c = s.check
    word, other = ("at most", "under") if c.op == "above" else ("at least", "over")
    rest = " from rest" if c.from_baseline else ""
    where = PHASE_WORDS.get(c.phase, "in its phase")
    return (f"{c.what} held {word} {_num(s.worst, c.unit)} {_unit(c.unit)}{rest} for {c.debounce_s:g} s {where} "
            f"(95% of frames {other} {_num(s.p95, c.unit)})")


def why_phrase(s: Spread) -> str:
    """What one check measured, for the ``why`` sentence."""
    c = s.check
    if c.kind == "rep":
        word = "highest" if c.op == "above" else "lowest"
        dosage = " (a dosage cue: these clips do not follow the prescription)" if flag(s) == "CROSSES" and \
            c.category == "dosage" else ""
        reps = f"{s.reps} rep{'s' if s.reps != 1 else ''}"
        return f"{word} {MEASURE_WORDS.get(c.what, c.what)} of {reps} {_num(s.worst, c.unit)} {_unit(c.unit)}{dosage}"
    if s.worst_by_clip:
        return _frame_phrase(s)
    word = "at most" if c.op == "above" else "at least"
    if s.alone_by_clip:
        return (f"never together with the fault's other conditions; {c.what} alone held {word} {_num(s.alone, c.unit)} "
                f"{_unit(c.unit)} for {c.debounce_s:g} s")
    phase = PHASE_NOUNS.get(c.phase, "its phase")
    return (f"{phase} never lasted the {c.debounce_s:g} s the fault needs; "
            f"{c.what} {word} {_num(s.single, c.unit)} {_unit(c.unit)}{' from rest' if c.from_baseline else ''} "
            "in single frames")


def _closest(spreads: list[Spread]) -> Spread:
    """The check that came closest to its threshold (held, else alone, else in single frames)."""
    def key(s: Spread) -> tuple[int, float]:
        for rank, x in enumerate((s.worst, s.alone, s.single)):
            if math.isfinite(x):
                return rank, margin_of(s.check, x)
        return 3, math.inf
    return min(spreads, key=key)


def why_sentence(spreads: list[Spread]) -> str:
    """The sentence a threshold's ``why`` gets from the checks that use it (one rule): the
    check that came closest to the threshold."""
    clips = sorted({f for s in spreads for f in s.clips})
    if not clips:
        return f"{NO_CLIP} of this exercise to measure yet (benchmarks/fault_spread.py)."
    if not any(s.values or s.phase_frames for s in spreads):
        kind = "counted rep" if spreads[0].check.kind == "rep" else "frame in the fault's phase with a usable pose"
        return f"{NO_CLIP} reaches this check yet: {_clip_names(clips)} gave no {kind} (benchmarks/fault_spread.py)."
    closest = _closest(spreads)
    faults = {s.check.fault for s in spreads}
    who = f"{closest.check.fault}: " if len(faults) > 1 else ""
    n = len(clips)
    return (f"{MEASURED} {n} correct real clip{'s' if n > 1 else ''} ({_clip_names(clips)}; "
            f"benchmarks/fault_spread.py): {who}{why_phrase(closest)}.")


def why_sentences(spreads: Iterable[Spread]) -> dict[tuple[str, str], str]:
    """(rule, threshold name) → its ``why`` sentence, for every named fault threshold."""
    by_name: dict[tuple[str, str], list[Spread]] = {}
    for s in spreads:
        name = s.check.threshold.lstrip("-")
        if math.isfinite(s.check.span):  # a named threshold, not a number written in the rule
            by_name.setdefault((s.check.rule, name), []).append(s)
    return {key: why_sentence(group) for key, group in by_name.items()}


def load_tracks(labels, labels_path: Path, cache: str | None, rule_ids: set[str]) -> dict:
    """The pose tracks of the labelled clips of ``rule_ids`` present next to ``labels_path``."""
    from formcheck.analysis import PoseOptions, track_video

    tracks = {}
    for label in labels:
        path = labels_path.parent / label.file
        if label.exercise in rule_ids and path.is_file():
            tracks[label.file] = track_video(path, PoseOptions(), cache_dir=cache)
    return tracks


def main(argv: list[str] | None = None) -> None:
    """Print the fault-spread table (and with ``--why`` the sentences for the rule files)."""
    from formcheck.evaluation.labels import read_labels
    from formcheck.rules.catalog import list_rules

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", default=str(SAMPLES / "labels.toml"))
    parser.add_argument("--cache", default=os.environ.get("FORMCHECK_LANDMARK_CACHE"), help="landmark cache folder")
    parser.add_argument("--rule", default="", help="only this rule")
    parser.add_argument("--why", action="store_true", help="print each fault threshold's why sentence")
    args = parser.parse_args(argv)
    rules = [r for r in list_rules() if args.rule in ("", r.id)]
    labels = read_labels(args.labels)
    tracks = load_tracks(labels, Path(args.labels), args.cache, {r.id for r in rules})
    spreads = measure(labels, rules, tracks)
    print(spread_table(spreads))
    if args.why:
        print()
        for (rule, name), sentence in why_sentences(spreads).items():
            print(f"{rule}.{name}: {sentence}")


if __name__ == "__main__":
    main()
