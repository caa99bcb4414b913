"""``formcheck eval``: run every labelled clip and compare with its hand labels.

Per clip: the rep count against ``reps`` .. ``reps + partial_reps`` (exact when inside,
off by one when one away), rep-timing agreement (labelled peaks matched by a counted rep's
peak within :data:`PEAK_TOLERANCE_S`), the faults reported (form faults apart from dosage
cues), and, for clips of exercises outside the catalogue, whether exercise recognition
correctly declined to name one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.analysis import PoseOptions, PoseTrack, analyze, recognise_exercise, track_video
from formcheck.engine.summary import UNRELIABLE_WARNING
from formcheck.errors import FormcheckError
from formcheck.evaluation.calibrate import OTHER, Example, leave_one_out
from formcheck.evaluation.labels import ClipLabel, read_labels
from formcheck.results import SessionResult
from formcheck.rules.catalog import list_rules
from formcheck.rules.schema import Rule

#: Labels give peak times to +/-0.3 s.
PEAK_TOLERANCE_S = 0.3


@dataclass
class ClipScore:
    """The outcome of one labelled clip."""

    label: ClipLabel
    counted: int | None = None
    #: Every fault code reported (form faults and dosage cues).
    faults: list[str] = field(default_factory=list)
    #: Those of ``faults`` that are dosage cues (a hold or tempo off the prescription): the
    #: person hears them, but labels list only visible form faults.
    dosage_faults: list[str] = field(default_factory=list)
    peaks_matched: int = 0
    peak_errors_s: list[float] = field(default_factory=list)
    recognized: str | None = None
    recognition_confidence: float | None = None
    #: Recognition's ranking of the rules (best first), for the leave-one-clip-out calibration.
    ranking: tuple[tuple[str, float], ...] = ()
    #: Recognition with the calibration fitted on the other clips only.
    loco_recognized: str | None = None
    loco_confidence: float | None = None
    #: Faults the camera view could not judge (said once to the person instead of flagged).
    not_judged: list[str] = field(default_factory=list)
    #: The result warned that too few frames had a reliable pose (``unreliable_pose``).
    unreliable: bool = False
    error: str = ""

    @property
    def form_faults(self) -> list[str]:
        """The fault codes reported that judge form (what the labels' ``faults`` list)."""
        return [f for f in self.faults if f not in self.dosage_faults]

    @property
    def has_rule(self) -> bool:
        return self.counted is not None

    @property
    def exact(self) -> bool:
        return self.has_rule and self.label.count_is_right(self.counted)

    @property
    def abs_error(self) -> int:
        return self.label.count_error(self.counted) if self.has_rule else 0


def match_peaks(labelled: tuple[float, ...], found: list[float], tolerance: float = PEAK_TOLERANCE_S) -> list[float]:
    """Greedy one-to-one matching of labelled peak times; returns the matched |errors|."""
    free = sorted(found)
    errors = []
    for t in labelled:
        if not free:
            break
        j = int(np.argmin([abs(f - t) for f in free]))
        if abs(free[j] - t) <= tolerance:
            errors.append(abs(free[j] - t))
            free.pop(j)
    return errors


def score_clip(label: ClipLabel, result: SessionResult) -> ClipScore:
    errors = match_peaks(label.rep_peaks_s, [r.peak_s for r in result.reps])
    return ClipScore(
        label,
        counted=result.rep_count,
        faults=sorted(result.fault_counts()),
        dosage_faults=sorted(result.fault_counts("dosage")),
        peaks_matched=len(errors),
        peak_errors_s=errors,
        not_judged=[n.code for n in result.not_judged],
        unreliable=any(w.code == UNRELIABLE_WARNING for w in result.warnings),
    )


def evaluate(
    labels_path: str | Path,
    options: PoseOptions | None = None,
    only: set[str] | None = None,
    cache_dir: str | Path | None = None,
    recognise: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[ClipScore]:
    """Score every labelled clip (or those of the exercises in ``only``)."""
    labels_path = Path(labels_path)
    rules: dict[str, Rule] = {r.id: r for r in list_rules()}
    scores = []
    for label in read_labels(labels_path):
        if only and label.exercise not in only:
            continue
        if progress:
            progress(label.file)
        try:
            track = track_video(labels_path.parent / label.file, options or PoseOptions(), cache_dir=cache_dir)
        except FormcheckError as exc:
            scores.append(ClipScore(label, error=str(exc)))
            continue
        scores.append(score_track(label, track, rules, recognise))
    if recognise:
        add_leave_one_out(scores)
    return scores


def add_leave_one_out(scores: list[ClipScore]) -> None:
    """Fill each recognised clip's leave-one-clip-out recognition (calibration fitted on the others)."""
    done = [s for s in scores if s.recognition_confidence is not None]
    examples = [Example(s.label.exercise, s.ranking) for s in done]
    for s, found in zip(done, leave_one_out(examples), strict=True):
        s.loco_recognized, s.loco_confidence = found.exercise_id, found.confidence


def score_track(label: ClipLabel, track: PoseTrack, rules: dict[str, Rule], recognition: bool = True) -> ClipScore:
    """Score one labelled clip's track: its exercise's rule (if in ``rules``) and, optionally,
    whether recognition names the right exercise."""
    rule = rules.get(label.exercise)
    score = score_clip(label, analyze(track, rule).result) if rule is not None else ClipScore(label)
    if recognition:
        found = recognise_exercise(track, rules.values())
        score.recognized, score.recognition_confidence = found.exercise_id, found.confidence
        score.ranking = tuple(found.ranking)
    return score


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a"


def summary(scores: list[ClipScore]) -> dict[str, object]:
    """Overall figures (the ones the closing notes quote).

    ``no_fault_clips`` counts the scored clips labelled without a form fault;
    ``no_fault_clips_silent`` those of them with no *form* fault reported (labels list only
    visible form faults); ``no_fault_clips_dosage_cues`` those of them with a dosage cue (a
    hold or tempo off the prescription), reported apart because the person still hears it.
    """
    counted = [s for s in scores if s.has_rule]
    with_reps = [s for s in counted if s.label.reps > 0]
    labelled_peaks = sum(len(s.label.rep_peaks_s) for s in counted)
    no_fault_clips = [s for s in counted if not s.label.faults]
    recognised = [s for s in scores if s.recognition_confidence is not None]
    right = [s for s in recognised if _names_right(s, s.recognized)]
    loco = [s for s in recognised if s.loco_confidence is not None]
    other = [s for s in loco if s.label.exercise == OTHER]
    peak_errors = [e for s in counted for e in s.peak_errors_s]
    return {
        "clips": len(scores),
        "clips_with_rule": len(counted),
        "exact": sum(s.exact for s in counted),
        "off_by_one": sum(s.abs_error == 1 for s in counted),
        "within_one": sum(s.abs_error <= 1 for s in counted),
        "mean_abs_error": float(np.mean([s.abs_error for s in counted])) if counted else None,
        "with_reps": len(with_reps),
        "with_reps_exact": sum(s.exact for s in with_reps),
        "with_reps_within_one": sum(s.abs_error <= 1 for s in with_reps),
        "unreliable": [s.label.file for s in counted if s.unreliable],
        "with_reps_reliable": sum(not s.unreliable for s in with_reps),
        "with_reps_reliable_within_one": sum(s.abs_error <= 1 for s in with_reps if not s.unreliable),
        "not_judged": sum(bool(s.not_judged) for s in counted),
        "labelled_peaks": labelled_peaks,
        "peaks_matched": sum(s.peaks_matched for s in counted),
        "mean_peak_error_s": float(np.mean(peak_errors)) if peak_errors else None,
        "no_fault_clips": len(no_fault_clips),
        "no_fault_clips_silent": sum(not s.form_faults for s in no_fault_clips),
        "no_fault_clips_dosage_cues": sum(bool(s.dosage_faults) for s in no_fault_clips),
        "recognition_checked": len(recognised),
        "recognition_right": len(right),
        "recognition_loco_checked": len(loco),
        "recognition_loco_right": sum(_names_right(s, s.loco_recognized) for s in loco),
        "non_catalogue": len(other),
        "non_catalogue_declined_loco": sum(s.loco_recognized is None for s in other),
    }


def _names_right(s: ClipScore, named: str | None) -> bool:
    """``named`` is the clip's exercise, or nothing for a clip outside the catalogue."""
    return named == (None if s.label.exercise == OTHER else s.label.exercise)


def _fault_text(s: ClipScore) -> str:
    """The faults column: form faults, then dosage cues in [brackets], then faults the view could
    not judge in (parentheses?)."""
    shown = [*s.form_faults, *(f"[{f}]" for f in s.dosage_faults), *(f"({f}?)" for f in s.not_judged)]
    return ", ".join(shown) or "-"


def _reliable_line(m: dict[str, object]) -> str | None:
    """The within-one figure on the clips with a reliable pose, when some clip was told it had none."""
    if not m["unreliable"]:
        return None
    return (f"  of which the clips with a reliable pose: within one "
            f"{_pct(m['with_reps_reliable_within_one'], m['with_reps_reliable'])}; "
            f"the person was told the pose was unreliable on: {', '.join(m['unreliable'])}")


def format_report(scores: list[ClipScore]) -> str:
    """The per-clip table and the overall figures as plain text."""
    head = (f"{'clip':28} {'exercise':20} {'label':>7} {'count':>5} {'ok':>5} {'peaks':>7} {'recognised':>24} "
            f"{'loco':>24}  faults")
    lines = [head, "-" * len(head)]
    for s in scores:
        lab = f"{s.label.reps}+{s.label.partial_reps}"
        if s.error:
            lines.append(f"{s.label.file:28} {s.label.exercise:20} {lab:>7}  error: {s.error}")
            continue
        ok = "-" if not s.has_rule else ("yes" if s.exact else f"off{s.abs_error}")
        peaks = f"{s.peaks_matched}/{len(s.label.rep_peaks_s)}" if s.has_rule else "-"
        rec = "-" if s.recognition_confidence is None else f"{s.recognized or 'none'} {s.recognition_confidence:.2f}"
        loco = "-" if s.loco_confidence is None else f"{s.loco_recognized or 'none'} {s.loco_confidence:.2f}"
        lines.append(
            f"{s.label.file:28} {s.label.exercise:20} {lab:>7} {s.counted if s.has_rule else '-':>5} "
            f"{ok:>5} {peaks:>7} {rec:>24} {loco:>24}  {_fault_text(s)}"
        )
    m = summary(scores)
    lines += [
        "",
        f"rep count exact:        {_pct(m['exact'], m['clips_with_rule'])} of clips with a catalogue rule",
        f"rep count off by one:   {_pct(m['off_by_one'], m['clips_with_rule'])}",
        f"rep count within one:   {_pct(m['within_one'], m['clips_with_rule'])}",
        f"mean absolute error:    {m['mean_abs_error']:.2f} reps" if m["mean_abs_error"] is not None else "",
        f"clips with reps > 0:    exact {_pct(m['with_reps_exact'], m['with_reps'])}, "
        f"within one {_pct(m['with_reps_within_one'], m['with_reps'])}",
        _reliable_line(m),
        f"rep timing:             {_pct(m['peaks_matched'], m['labelled_peaks'])} of labelled peaks matched "
        f"within {PEAK_TOLERANCE_S} s"
        + (f", mean error {m['mean_peak_error_s']:.2f} s" if m["mean_peak_error_s"] is not None else ""),
        f"no-fault clips silent:  {_pct(m['no_fault_clips_silent'], m['no_fault_clips'])} (form faults only)",
        f"dosage cues on no-fault clips: {m['no_fault_clips_dosage_cues']} of {m['no_fault_clips']} clips "
        f"(hold or tempo off the prescription; shown in [brackets] above)",
        f"faults the camera angle could not judge (said once, shown as (code?) above): on {m['not_judged']} of "
        f"{m['clips_with_rule']} clips",
    ]
    if m["recognition_checked"]:
        lines.append(f"recognition (in-sample, calibration fitted on these clips): "
                     f"{_pct(m['recognition_right'], m['recognition_checked'])}")
    if m["recognition_loco_checked"]:
        loco = _pct(m["recognition_loco_right"], m["recognition_loco_checked"])
        lines.append(f"recognition (leave-one-clip-out): {loco}, "
                     f"non-catalogue declined: {m['non_catalogue_declined_loco']}/{m['non_catalogue']}")
    return "\n".join(line for line in lines if line is not None)
