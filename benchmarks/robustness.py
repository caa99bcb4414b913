"""``formcheck eval``'s figures on the shared clips as filmed, seen in a mirror, and at half the frame rate.

The clips the product is judged on are not these: a person may face the other way (head at the
other end of the picture) or film at 15 fps (a webcam in a dim room). Each variant is built from
the cached landmarks of every labelled clip, so the pose model runs only for clips not cached yet:

* ``mirrored``: x flipped in the picture and in 3-D, left and right swapped (as the pose model
  labels a mirrored person); an alternating exercise's sides swap, nothing else should change.
* ``half rate``: every other frame (30 -> 15 fps).

It prints the summary figures side by side, then every clip whose line differs from the clip as
filmed (recognition confidences left out). Nothing is asserted; ``tests/test_mirror.py`` uses
:func:`mirrored`.

    python benchmarks/robustness.py [--labels ../shared/sample_videos/labels.toml] [--cache LANDMARK_CACHE]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from formcheck.analysis import PoseOptions, track_video
from formcheck.evaluation.evaluate import ClipScore, add_leave_one_out, score_track, summary
from formcheck.evaluation.labels import read_labels
from formcheck.pose.landmarks import INDEX
from formcheck.pose.track import PoseTrack
from formcheck.rules import list_rules

SWAP = {"left": "right", "right": "left"}
DEFAULT_LABELS = Path(__file__).resolve().parents[2] / "shared" / "sample_videos" / "labels.toml"
#: Summary figures compared (keys of :func:`formcheck.evaluation.evaluate.summary`).
FIGURES = {
    "reps > 0: exact": ("with_reps_exact", "with_reps"),
    "reps > 0: within one": ("with_reps_within_one", "with_reps"),
    "peaks within 0.3 s": ("peaks_matched", "labelled_peaks"),
    "no-fault clips silent": ("no_fault_clips_silent", "no_fault_clips"),
    "recognition (loco)": ("recognition_loco_right", "recognition_loco_checked"),
    "non-catalogue declined": ("non_catalogue_declined_loco", "non_catalogue"),
}


def mirrored(track: PoseTrack) -> PoseTrack:
    """``track`` seen in a mirror: x flipped in the picture and in 3-D, left and right swapped."""
    order = np.arange(len(INDEX))
    for name, i in INDEX.items():
        side, _, part = name.partition("_")
        if side in SWAP:
            order[i] = INDEX[f"{SWAP[side]}_{part}"]
    landmarks, world = track.landmarks[:, order].copy(), track.world[:, order].copy()
    landmarks[..., 0] = 1.0 - landmarks[..., 0]
    world[..., 0] = -world[..., 0]
    return replace(track, landmarks=landmarks, world=world)


def half_rate(track: PoseTrack) -> PoseTrack:
    """Every other frame of ``track``."""
    every = slice(None, None, 2)
    ran = None if track.model_ran is None else track.model_ran[every]
    return replace(track, landmarks=track.landmarks[every], world=track.world[every],
                   timestamps=track.timestamps[every], persons=track.persons[every], fps=track.fps / 2, model_ran=ran)


VARIANTS: dict[str, Callable[[PoseTrack], PoseTrack]] = {
    "as filmed": lambda track: track, "mirrored": mirrored, "half rate": half_rate,
}


def score_variants(labels: Path, cache: str | None) -> dict[str, list[ClipScore]]:
    """Every labelled clip scored as ``formcheck eval`` scores it, under each variant."""
    rules = {r.id: r for r in list_rules()}
    scores: dict[str, list[ClipScore]] = {name: [] for name in VARIANTS}
    for label in read_labels(labels):
        track = track_video(labels.parent / label.file, PoseOptions(), cache_dir=cache)
        for name, variant in VARIANTS.items():
            scores[name].append(score_track(label, variant(track), rules, True))
    for found in scores.values():
        add_leave_one_out(found)
    return scores


def _figure(m: dict[str, object], key: str) -> str:
    part, whole = FIGURES[key]
    return f"{m[part]}/{m[whole]}"


def _clip_line(s: ClipScore) -> str:
    return (f"count {s.counted} faults {','.join(s.form_faults) or '-'} "
            f"recognised {s.recognized} (loco {s.loco_recognized})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--cache", default=None, help="landmark cache folder (as formcheck eval --cache)")
    args = parser.parse_args()
    scores = score_variants(args.labels, args.cache)
    figures = {name: summary(found) for name, found in scores.items()}
    print(f"{'figure':24}" + "".join(f"{name:>12}" for name in VARIANTS))
    for key in FIGURES:
        print(f"{key:24}" + "".join(f"{_figure(figures[name], key):>12}" for name in VARIANTS))
    base = scores["as filmed"]
    for name in list(VARIANTS)[1:]:
        for a, b in zip(base, scores[name], strict=True):
            if _clip_line(a) != _clip_line(b):
                print(f"{name:10} {a.label.file}: {_clip_line(a)}  ->  {_clip_line(b)}")


if __name__ == "__main__":
    main()
