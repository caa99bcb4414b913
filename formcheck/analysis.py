"""The one way through the code: a video (or a pose track) and a rule in, an :class:`Analysis` out.

Every face (the CLI, ``formcheck eval``, the app's Review and Tune pages, batch runners) calls
:func:`analyze`, or :func:`analyze_track` for a track in hand, and reads the result types of
:mod:`formcheck.results`; none assembles video → landmarks → metrics → rules itself.
The names a face needs besides (model variants, accepted files, threshold tools) are
re-exported here, so faces import nothing below this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.engine.machine import run_rules
from formcheck.engine.recognize import Recognition, recognize
from formcheck.engine.tuning import Retune, retune, rule_key, series_key, threshold_uses, tuned_rule
from formcheck.errors import NoPersonError
from formcheck.metrics.stream import MetricSeries, compute_series
from formcheck.pose.estimator import PoseOptions, track_frames
from formcheck.pose.models import DEFAULT_VARIANT, VARIANTS, sha256_of
from formcheck.pose.track import PoseTrack
from formcheck.results import SessionResult, SetupWarning
from formcheck.rules.catalog import list_rules
from formcheck.rules.schema import Rule
from formcheck.sources.prefetch import prefetch
from formcheck.sources.video import MAX_FILE_BYTES, VIDEO_SUFFIXES, max_file_bytes, probe, read_frames
from formcheck.texts import no_depth_message

#: Below this share of frames with a person, the clip is treated as having nobody in it.
MIN_PERSON_SHARE = 0.05
#: Landmark caches made by another pose stage are not reused (v2: one tracked person at the pose
#: rate; v3: pictures of people - a caption render, a poster - are neither followed nor counted).
POSE_STAGE = "v3"
#: Result-warning codes for problems with the video itself.
TRUNCATED_WARNING = "video_truncated"
#: Result warning: the landmarks carry no 3-D estimate and the rule measures in 3-D.
NO_DEPTH_WARNING = "no_depth"

Progress = Callable[[float], None]
ShouldStop = Callable[[], bool]


class AnalysisStopped(Exception):
    """``should_stop`` said so: the analysis ended early and has no result."""


def _stop_if_asked(should_stop: ShouldStop | None) -> None:
    if should_stop is not None and should_stop():
        raise AnalysisStopped("the analysis was stopped")


# -- video → pose track -------------------------------------------------------------------
def file_fingerprint(path: str | Path) -> str:
    """A short content hash of a file (cache key for its landmarks)."""
    return sha256_of(Path(path))[:16]


def _cache_file(path: str | Path, options: PoseOptions, cache_dir: str | Path | None) -> Path | None:
    """Where the landmarks of ``path`` under ``options`` are cached (keyed by content and model)."""
    if cache_dir is None:
        return None
    people = "" if options.max_people == 2 else f".p{options.max_people}"
    rate = f".r{round(1 / options.max_gap_s)}" if options.max_gap_s > 0 else ".every"
    return Path(cache_dir) / f"{file_fingerprint(path)}.{options.variant}.{POSE_STAGE}{people}{rate}.npz"


def _frame_reporter(total: int, progress: Progress | None, should_stop: ShouldStop | None
                    ) -> Callable[[int], None] | None:
    """The per-frame callback of the model run: stops when asked, reports the fraction done."""
    if progress is None and should_stop is None:
        return None

    def report(done: int) -> None:
        _stop_if_asked(should_stop)
        if progress is not None:
            progress(min(1.0, done / total))

    return report


def track_video(
    path: str | Path,
    options: PoseOptions = PoseOptions(),
    *,
    progress: Progress | None = None,
    cache_dir: str | Path | None = None,
    should_stop: ShouldStop | None = None,
) -> PoseTrack:
    """Landmarks of every frame of a video, from the cache (``cache_dir``, keyed by file
    content and model variant) when it has them; the other arguments are those of :func:`analyze`.
    Raises InputError (the file is missing, empty, not a video or too long), NoPersonError
    (nobody in the clip) or AnalysisStopped."""
    info = probe(path)
    cached = _cache_file(path, options, cache_dir)
    if cached is not None and cached.is_file():
        return PoseTrack.load(cached)
    _stop_if_asked(should_stop)
    notes: list[str] = []
    track = track_frames(prefetch(read_frames(path, warnings=notes)), options, fps=info.fps, source=Path(path).name,
                         progress=_frame_reporter(max(info.frame_count, 1), progress, should_stop))
    track.warnings = [(TRUNCATED_WARNING, note) for note in notes] + track.warnings
    if (track.persons > 0).mean() < MIN_PERSON_SHARE:
        raise NoPersonError(f"{path}: no person found in the video (checked {len(track)} frames)")
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        track.save(cached)
    return track


def load_track(path: str | Path) -> PoseTrack:
    """A pose track saved by ``formcheck landmarks`` (a ``.npz`` file)."""
    return PoseTrack.load(path)


# -- pose track + rule → result -----------------------------------------------------------
def input_warnings(track: PoseTrack) -> list[SetupWarning]:
    """The track's problems with the video (see :attr:`PoseTrack.warnings`) as result warnings.

    A truncated file's warning is placed where the readable part ends; others span the clip.
    """
    end = track.duration_s
    return [
        SetupWarning(code, end if code == TRUNCATED_WARNING else 0.0, end, message) for code, message in track.warnings
    ]


def _with_input_warnings(result: SessionResult, track: PoseTrack, rule: Rule) -> SessionResult:
    """``result`` with the track's input warnings first (so a summary or JSON shows, e.g., a cut
    file, or landmarks without the 3-D estimate ``rule`` needs)."""
    result.warnings[:0] = input_warnings(track) + depth_warnings(track, rule)
    return result


def depth_warnings(track: PoseTrack, rule: Rule) -> list[SetupWarning]:
    """A warning when ``rule`` measures in 3-D and ``track`` carries no 3-D landmarks (landmark
    data from another tool): those metrics are empty, and the result must not look like a silent 0."""
    if not rule.depth_metrics or track.has_depth or not np.any(track.persons > 0):
        return []
    return [SetupWarning(NO_DEPTH_WARNING, 0.0, track.duration_s, no_depth_message(rule.name, rule.depth_metrics))]


def _rules_result(series: MetricSeries, rule: Rule, track: PoseTrack) -> SessionResult:
    return _with_input_warnings(run_rules(series, rule, fps=track.fps, duration_s=track.duration_s), track, rule)


@dataclass(frozen=True)
class Analysis:
    """One clip under one rule: the pose track, the rule's metric series and the result.

    The series is kept so another rule with the same metrics (:meth:`with_rule`) or new
    threshold values (:meth:`retune`) re-run only the rules, never the pose model.
    """

    track: PoseTrack
    rule: Rule
    series: MetricSeries
    result: SessionResult

    @classmethod
    def of(cls, track: PoseTrack, rule: Rule) -> Analysis:
        """Compute the metric series of ``track`` for ``rule`` and run the rules over it."""
        series = compute_series(track, rule)
        return cls(track, rule, series, _rules_result(series, rule, track))

    def with_rule(self, rule: Rule) -> Analysis:
        """The same clip under ``rule``; the metric series is reused when ``rule`` measures the same."""
        if series_key(rule) != series_key(self.rule):
            return Analysis.of(self.track, rule)
        return Analysis(self.track, rule, self.series, _rules_result(self.series, rule, self.track))

    def retune(self, values: Mapping[str, float]) -> Retune:
        """Validate threshold ``values`` for this rule and re-run only the rules (the Tune page).

        Raises:
            RuleFileError: a value is out of range or the values contradict each other.
        """
        tuned = retune(self.series, self.rule, dict(values), self.track.fps, self.track.duration_s)
        _with_input_warnings(tuned.result, self.track, tuned.rule)
        return tuned


def analyze(
    source: str | Path | PoseTrack,
    rule: Rule,
    *,
    options: PoseOptions = PoseOptions(),
    progress: Progress | None = None,
    cache_dir: str | Path | None = None,
    should_stop: ShouldStop | None = None,
) -> Analysis:
    """Analyse a video file (or a pose track already in hand) under ``rule``.

    Args:
        source: a video file, or a :class:`PoseTrack` (then the model does not run).
        rule: the exercise's rule (catalogue rule or a saved profile).
        options: pose model variant, model path and people to look for.
        progress: called with the fraction done (0-1) while the model runs.
        cache_dir: folder for landmark caches (see :func:`track_video`).
        should_stop: asked before the work and between frames; True ends the run.

    Raises:
        FormcheckError: the video cannot be used or nobody is in it.
        AnalysisStopped: ``should_stop`` returned True.
    """
    track = (source if isinstance(source, PoseTrack)
             else track_video(source, options, progress=progress, cache_dir=cache_dir, should_stop=should_stop))
    _stop_if_asked(should_stop)
    return Analysis.of(track, rule)


def analyze_track(track: PoseTrack, rule: Rule) -> SessionResult:
    """The result of ``rule`` over a pose track, with the track's input warnings."""
    return Analysis.of(track, rule).result


def recognise_exercise(track: PoseTrack, rules: Iterable[Rule] | None = None) -> Recognition:
    """Which exercise (of ``rules``, default the catalogue) the track shows, with a confidence."""
    return recognize(track, list(rules) if rules is not None else list_rules())


__all__ = [
    "DEFAULT_VARIANT", "MAX_FILE_BYTES", "MIN_PERSON_SHARE", "NO_DEPTH_WARNING", "TRUNCATED_WARNING", "VARIANTS",
    "VIDEO_SUFFIXES", "Analysis", "AnalysisStopped", "PoseOptions", "PoseTrack", "Recognition", "Retune", "analyze",
    "analyze_track", "depth_warnings", "file_fingerprint", "input_warnings", "load_track", "max_file_bytes",
    "recognise_exercise", "rule_key", "series_key", "threshold_uses", "track_video", "tuned_rule",
]  # fmt: skip
