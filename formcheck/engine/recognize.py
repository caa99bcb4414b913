"""Exercise recognition: which catalogue exercise does a pose sequence show, if any?

Evidence, all from the pose (no clip names, no learned weights):

1. **Posture** per frame (supine, prone, all fours, kneeling, seated, side-lying, standing)
   from trunk inclination, which body parts are lowest, where the face and the toes point and how
   the knees bend (:func:`posture_of_frame`), compared with each rule's declared ``posture:``.
2. **Camera view** (shoulder width against torso length) against each rule's ``view:``.
3. **Engagement**: each rule is run over the track; a rule that reaches its start position,
   counts reps or times holds explains the clip; a rule whose faults fire all the time
   explains it badly.
4. **Motion**: large periodic joint movements (:func:`motion_cycles`), or reps another rule
   of the same posture counts, must be explained by reps - a hold exercise whose hold keeps
   breaking (a plank with knee taps) is not it.
5. **Signature**: a rule may declare ``recognition: signature:`` conditions that hold while
   the exercise is performed (the crossed ankle of a figure-four resting near the other knee).

6. **Defining movement**: the postures file's ``movements:`` say what holds while an exercise
   is performed (a bridge keeps the feet on the floor, a knee hug has a hand at the knee), so a
   look-alike outside the catalogue (leg lowers, a reverse crunch) is not taken for it.

The score of a rule is posture x view x engagement x motion-fit x signature-fit x movement-fit, 0-1.
A logistic calibration of the best score and its margin over the runner-up (the postures file's
``calibration:``, fitted by :mod:`formcheck.evaluation.calibrate`) turns it into the probability
that the best rule is right; below :data:`MIN_PROBABILITY` (or a best score under
:data:`MIN_SCORE`) recognition declines: :data:`NOT_SURE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from formcheck.engine.machine import replay_track
from formcheck.metrics import kinematics as kin
from formcheck.metrics.frame_prep import SharedFrames
from formcheck.pose.landmarks import INDEX
from formcheck.pose.track import PoseTrack
from formcheck.results import SessionResult
from formcheck.rules.conditions import conditions_hold
from formcheck.rules.postures import Calibration, posture_table
from formcheck.rules.schema import Rule

#: Below this score no catalogue exercise is named.
MIN_SCORE = 0.3
#: Below this calibrated probability that the best rule is right, recognition declines.
MIN_PROBABILITY = 0.5
#: What recognition says when it declines.
NOT_SURE = "not sure: which exercise is this?"
#: Best two scores closer than this are a tie (e.g. two rules that both only reached their start
#: position); a tie names neither.
TIE = 1e-3
#: A joint angle swing of at least this many degrees counts toward a movement cycle.
CYCLE_SWING_DEG = 30.0
_FLOOR_POINTS = [i for n, i in INDEX.items() if not any(k in n for k in ("eye", "mouth", "pinky", "index", "thumb"))]


@dataclass(frozen=True)
class Recognition:
    """The most likely catalogue exercise (``None``: not a catalogue exercise), a 0-1
    confidence, and every rule's score, best first."""

    exercise_id: str | None
    confidence: float
    ranking: list[tuple[str, float]]

    @property
    def message(self) -> str:
        """What to tell the person: the exercise named, or :data:`NOT_SURE`."""
        return self.exercise_id or NOT_SURE


# -- posture ---------------------------------------------------------------------------
def _xy(track: PoseTrack) -> tuple[np.ndarray, np.ndarray]:
    lm = track.landmarks.astype(np.float64)
    return kin.to_isotropic(lm[..., :2], track.image_size), lm[..., 3]


def _mid(xy: np.ndarray, part: str) -> np.ndarray:
    return (xy[..., INDEX[f"left_{part}"], :] + xy[..., INDEX[f"right_{part}"], :]) / 2


def posture_features(track: PoseTrack) -> dict[str, np.ndarray]:
    """Per-frame posture features (NaN where nobody was found).

    Heights are above the lowest visible body point ("floor") in torso lengths; angles in degrees.
    """
    xy, vis = _xy(track)
    shoulder, hip = _mid(xy, "shoulder"), _mid(xy, "hip")
    knee_l, knee_r = xy[:, INDEX["left_knee"]], xy[:, INDEX["right_knee"]]
    lengths = kin.distance(shoulder, hip)
    lengths = lengths[np.isfinite(lengths) & (lengths > 0)]
    torso = float(np.median(lengths)) if lengths.size else 1.0
    with np.errstate(invalid="ignore"):
        ys = np.where(vis[:, _FLOOR_POINTS] > 0.3, xy[:, _FLOOR_POINTS, 1], np.nan)
        floor = np.nanmin(np.where(np.isnan(ys), np.inf, ys), axis=1)
        floor[~np.isfinite(floor)] = np.nan
        ankle = _mid(xy, "ankle")
        knee_bend = np.fmax(kin.line_offset(xy[:, INDEX["left_hip"]], knee_l, xy[:, INDEX["left_ankle"]], torso),
                            kin.line_offset(xy[:, INDEX["right_hip"]], knee_r, xy[:, INDEX["right_ankle"]], torso))
        return {
            "trunk": kin.inclination(hip, shoulder),
            "hip_height": (hip[:, 1] - floor) / torso,
            "knee_height": (np.fmin(knee_l[:, 1], knee_r[:, 1]) - floor) / torso,
            "ankle_height": (ankle[:, 1] - floor) / torso,
            "face_up": (xy[:, INDEX["nose"], 1] - _mid(xy, "ear")[:, 1]) / torso,
            "knees_up": knee_bend,
            "shoulder_gap": kin.distance(xy[:, INDEX["left_shoulder"]], xy[:, INDEX["right_shoulder"]]) / torso,
            "shoulder_line": np.abs(kin.inclination(xy[:, INDEX["left_shoulder"]], xy[:, INDEX["right_shoulder"]])),
            "wrist_knee": _wrist_knee(xy, vis) / torso,
            "ankle_gap": np.abs(xy[:, INDEX["left_ankle"], 1] - xy[:, INDEX["right_ankle"], 1]) / torso,
            "toes_up": _toes_up(xy, vis) / torso,
            "shin_ratio": _shin_ratio(xy),
        }


def _shin_ratio(xy: np.ndarray) -> np.ndarray:
    """Per frame, the shorter shin's length in the picture over the longer one's (knee to ankle).

    The two shins are equally long, so the ratio is ~1 while both lie in planes the camera sees
    square-on; a shin turned toward or away from the camera (crossed over the other thigh, seen
    from the side) is foreshortened and the ratio drops.
    """
    shins = [kin.distance(xy[:, INDEX[f"{s}_knee"]], xy[:, INDEX[f"{s}_ankle"]]) for s in ("left", "right")]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.fmin(*shins) / np.fmax(*shins)
    return np.where(np.isfinite(ratio), ratio, np.nan)


def _toes_up(xy: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Per frame, the toes' height above the heel, averaged over the feet seen (NaN: none seen)."""
    sides = []
    for side in ("left", "right"):
        heel, toe = INDEX[f"{side}_heel"], INDEX[f"{side}_foot_index"]
        seen = np.minimum(vis[:, heel], vis[:, toe]) > 0.3
        sides.append(np.where(seen, xy[:, toe, 1] - xy[:, heel, 1], np.nan))
    stacked = np.stack(sides)
    count = np.sum(np.isfinite(stacked), axis=0)
    return np.where(count > 0, np.nansum(stacked, axis=0) / np.maximum(count, 1), np.nan)


def _wrist_knee(xy: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Per frame, the distance from the nearer wrist to the nearer knee (NaN: none seen)."""
    pairs = []
    for w in ("left_wrist", "right_wrist"):
        for k in ("left_knee", "right_knee"):
            seen = np.minimum(vis[:, INDEX[w]], vis[:, INDEX[k]]) > 0.3
            pairs.append(np.where(seen, kin.distance(xy[:, INDEX[w]], xy[:, INDEX[k]]), np.inf))
    near = np.min(np.stack(pairs), axis=0)
    return np.where(np.isfinite(near), near, np.nan)


def posture_of_frame(f: dict[str, float]) -> str | None:
    """Classify one frame's features (see :func:`posture_features`) into a posture name.

    The tests are data (``pose_rules/postures/postures.yaml``, read by
    :mod:`formcheck.rules.postures`), tried in order: the first whose conditions all hold
    names the posture (e.g. a knee on the floor with the hips raised: all fours). None: a
    feature the file ``needs`` cannot be measured (nobody in view).
    """
    table = posture_table()
    if not all(np.isfinite(f[name]) for name in table.needs):
        return None
    return next(t.posture for t in table.tests if conditions_hold(t.when, f, float))


def posture_profile(track: PoseTrack, feats: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """Share of the frames (with a person) spent in each posture."""
    feats = posture_features(track) if feats is None else feats
    names = posture_table().names
    counts = dict.fromkeys(names, 0)
    for i in range(len(track)):
        p = posture_of_frame({k: float(v[i]) for k, v in feats.items()})
        if p is not None:
            counts[p] += 1
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else dict.fromkeys(names, 0.0)


# -- motion ----------------------------------------------------------------------------
def _angle_series(track: PoseTrack) -> list[np.ndarray]:
    xy, vis = _xy(track)
    out = []
    for side in ("left", "right"):
        p = {n: xy[:, INDEX[f"{side}_{n}"]] for n in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")}
        for a, b, c in (("shoulder", "hip", "knee"), ("hip", "knee", "ankle"), ("shoulder", "elbow", "wrist"),
                        ("hip", "shoulder", "elbow")):
            angle = kin.joint_angle(p[a], p[b], p[c])
            seen = np.minimum.reduce([vis[:, INDEX[f"{side}_{n}"]] for n in (a, b, c)]) > 0.5
            out.append(np.where(seen, angle, np.nan))
    return out


def _swings(x: np.ndarray, swing: float) -> int:
    """Number of monotone moves of at least ``swing`` (a zig-zag with that threshold)."""
    x = x[np.isfinite(x)]
    if len(x) < 5:
        return 0
    x = np.convolve(x, np.ones(5) / 5, mode="valid")  # 5-frame mean: one-frame glitches do not swing
    count, direction, lo, hi, ext = 0, 0, x[0], x[0], x[0]
    for v in x:
        if direction == 0:
            lo, hi = min(lo, v), max(hi, v)
            if v - lo >= swing or hi - v >= swing:
                count, direction, ext = 1, (1 if v - lo >= swing else -1), v
        elif direction * (v - ext) > 0:
            ext = v
        elif abs(v - ext) >= swing:
            count, direction, ext = count + 1, -direction, v
    return count


def motion_cycles(track: PoseTrack, swing_deg: float = CYCLE_SWING_DEG) -> float:
    """Movement cycles of the busiest joint: half the number of >= ``swing_deg`` swings of the
    hip, knee, elbow or shoulder angle on either side (so one down-and-up = 1 cycle)."""
    return max((_swings(a, swing_deg) / 2 for a in _angle_series(track)), default=0.0)


# -- scoring ---------------------------------------------------------------------------
def _fault_fraction(result: SessionResult) -> float:
    spans = [(f.start_s, f.end_s) for f in result.faults if f.rep_index is None]
    return min(1.0, sum(e - s for s, e in spans) / max(result.duration_s, 1e-6))


def engagement(rule: Rule, result: SessionResult) -> float:
    """How much of the clip the rule explains, 0-1: reps counted, time held, or at least
    the start position reached; faults firing all the time lower it."""
    duration = max(result.duration_s, 1e-6)
    reps = 1.0 - float(np.exp(-result.rep_count / 1.5))
    hold = min(1.0, 1.25 * sum(h.duration_s for h in result.holds) / duration)
    started = 0.0 if result.counting_started_s is None else 0.4 * (1 - result.counting_started_s / duration)
    # A few faults are what the rule is for; faults nearly all the time mean the clip is
    # something else that merely resembles the rule's start position.
    faulty = float(np.clip((_fault_fraction(result) - 0.25) / 0.75, 0.0, 1.0))
    return max(reps, hold, started) * (1.0 - 0.8 * faulty)


def view_fit(rule: Rule, result: SessionResult) -> float:
    """1 when the camera view suits the rule, down to 0.5 when it is wrong throughout."""
    wrong = sum(w.end_s - w.start_s for w in result.warnings if w.code == "wrong_view")
    return 1.0 - 0.5 * min(1.0, wrong / max(result.duration_s, 1e-6))


def posture_fit(rule: Rule, profile: dict[str, float]) -> float:
    """Share of the clip in postures compatible with the rule's declared posture."""
    if rule.posture == "any":
        return 1.0
    fits = posture_table().fits
    return sum(share * fits.get(p, {}).get(rule.posture, 0.0) for p, share in profile.items())


def motion_fit(result: SessionResult, cycles: float) -> float:
    """1 when reps (and holds) account for the clip's movement cycles; lower when a clip
    full of repeated movement is explained by none (e.g. a hold broken by knee taps)."""
    if cycles < 2.5:
        return 1.0
    explained = (result.rep_count + min(len(result.holds), 1)) / cycles
    return 0.3 + 0.7 * min(1.0, explained)


def signature_fit(rule: Rule, result: SessionResult) -> float:
    """0.4-1: how often the rule's ``recognition.signature`` holds while the exercise is
    performed (inside its reps and holds); 1 when the rule declares no signature."""
    conds = [c for c in rule.signature if not c.from_baseline]
    if not conds:
        return 1.0
    active = _performed(result)
    if not active.any():
        return 1.0
    ok = conditions_hold(conds, result.series, rule.value)
    return 0.4 + 0.6 * float(ok[active].mean())


def _performed(result: SessionResult) -> np.ndarray:
    """Per frame of the result's series: inside one of its reps or holds."""
    t = result.series["t"]
    active = np.zeros(len(t), bool)
    for span in [(r.start_s, r.end_s) for r in result.reps] + [(h.start_s, h.end_s) for h in result.holds]:
        active |= (t >= span[0]) & (t <= span[1])
    return active


def movement_fit(rule: Rule, result: SessionResult, feats: dict[str, np.ndarray], times: np.ndarray) -> float:
    """0-1: how often the exercise's defining movement (``movements:`` in
    the postures file, conditions on :func:`posture_features`) holds inside the reps and holds
    the rule finds; 1 when the file declares none for the rule or the rule finds none."""
    movement = posture_table().movements.get(rule.id)
    active = _performed(result)
    if movement is None or not active.any() or not len(times):
        return 1.0
    idx = np.clip(np.searchsorted(times, result.series["t"][active]), 0, len(times) - 1)
    ok = conditions_hold(movement.when, {k: v[idx] for k, v in feats.items()}, float)
    return float(np.mean(ok))


def replay_rules(track: PoseTrack, rules: Iterable[Rule]) -> list[tuple[Rule, SessionResult]]:
    """Each rule replayed over the track through the frame-by-frame engine, as
    :func:`~formcheck.engine.machine.replay_track` does, with the rule-free per-frame work (pose
    quality gate, near side, visibility: :class:`~formcheck.metrics.frame_prep.SharedFrames`) done
    once for all of them instead of once per rule."""
    shared = SharedFrames()
    return [(rule, replay_track(track, rule, shared)) for rule in rules]


def score_rules(track: PoseTrack, rules: Iterable[Rule]) -> list[tuple[str, float]]:
    """Every rule's score (0-1) on the track, best first."""
    feats = posture_features(track)
    profile = posture_profile(track, feats)
    cycles = motion_cycles(track)
    people = float(np.mean(track.persons >= 2)) if len(track) else 0.0
    runs = replay_rules(track, rules)
    # Reps that a posture-compatible rule counts are movement a hold-only rule does not explain.
    counted = max((res.rep_count for rule, res in runs if posture_fit(rule, profile) >= 0.5), default=0)
    scores = []
    for rule, result in runs:
        moves = cycles if rule.rep is not None else max(cycles, float(counted))
        s = (posture_fit(rule, profile) * view_fit(rule, result) * engagement(rule, result)
             * motion_fit(result, moves) * signature_fit(rule, result)
             * movement_fit(rule, result, feats, track.timestamps))
        scores.append((rule.id, float(s * (1.0 - 0.5 * people))))
    return sorted(scores, key=lambda kv: -kv[1])


def decide(ranking: list[tuple[str, float]], calibration: Calibration | None = None,
           min_score: float = MIN_SCORE) -> Recognition:
    """Name the best rule of ``ranking`` or decline.

    With a ``calibration`` (default: the postures file's) the confidence is the calibrated
    probability that the best rule is right, and recognition declines below
    :data:`MIN_PROBABILITY` (its confidence is then the probability that declining is right).
    A best score under ``min_score``, or two rules tied at the top, is always declined.
    """
    calibration = calibration or posture_table().calibration
    best = ranking[0][1] if ranking else 0.0
    runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
    if calibration is None:
        p = best * (0.5 + 0.5 * (best - runner_up) / best) if best > 0 else 0.0
        named = best >= min_score
    else:
        p = calibration.probability(best, runner_up)
        named = best >= min_score and p >= MIN_PROBABILITY
    named = named and best - runner_up > TIE  # a tie at the top: naming either would be a coin toss
    if not named:
        return Recognition(None, round(1.0 - (p if calibration else best), 3), ranking)
    return Recognition(ranking[0][0], round(float(p), 3), ranking)


def recognize(track: PoseTrack, rules: Iterable[Rule], min_score: float = MIN_SCORE,
              calibration: Calibration | None = None) -> Recognition:
    """Name the catalogue exercise a pose track most likely shows, or ``None`` (:data:`NOT_SURE`).

    Args:
        track: the landmark track of a clip (or of a live session so far).
        rules: the catalogue (``formcheck.rules.list_rules()``).
        min_score: below this best score the clip is "not a catalogue exercise".
        calibration: the score-to-probability calibration (default: the postures file's).
    """
    return decide(score_rules(track, rules), calibration, min_score)
