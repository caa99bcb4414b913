"""Speed figures of the review pipeline for one sample clip, measured in one run (nothing asserted).

Prints: decode ms/frame; the model on every frame looking for 2 people (the pose stage before
the pose rate) and following 1 person; the pose stage as it runs now (the pose rate); the whole
review pipeline (decode overlapped + pose + rules, as ``formcheck analyze`` runs it) in
frames/s and × real time, and the same with decoding inline;
the rule engine; the rules re-run after a threshold change for this clip and a 10-minute track;
peak memory.

    FORMCHECK_MODEL_DIR=../shared/models python benchmarks/bench_pipeline.py [CLIP] [--variant full]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np

from formcheck.analysis import Analysis
from formcheck.engine.machine import replay_track, run_rules
from formcheck.metrics.stream import compute_series
from formcheck.pose.estimator import PoseEstimator, PoseOptions, track_frames
from formcheck.pose.landmarker import Landmarker
from formcheck.pose.models import resolve_model
from formcheck.pose.track import PoseTrack
from formcheck.rules import load_rule
from formcheck.sources.prefetch import prefetch
from formcheck.sources.video import probe, read_frames

SAMPLES = Path(
    os.environ.get("FORMCHECK_SAMPLES_DIR", Path(__file__).resolve().parents[2] / "shared" / "sample_videos")
)


def tile(track: PoseTrack, seconds: float) -> PoseTrack:
    """A long track made by repeating a clip's landmarks (timestamps continue)."""
    reps = int(np.ceil(seconds / track.duration_s))
    step = track.duration_s
    return PoseTrack(
        landmarks=np.concatenate([track.landmarks] * reps),
        world=np.concatenate([track.world] * reps),
        timestamps=np.concatenate([track.timestamps + k * step for k in range(reps)]),
        persons=np.concatenate([track.persons] * reps),
        image_size=track.image_size,
        fps=track.fps,
    )


def per_frame_ms(seconds: float, frames: int) -> float:
    return 1000.0 * seconds / frames


def time_landmarker(frames: list, variant: str, people: int) -> float:
    """ms/frame of one MediaPipe landmarker looking for ``people`` on every frame (warm-up not timed)."""
    marker = Landmarker(resolve_model(variant), people, 0.5, 0.5)
    try:
        marker.detect(frames[0][1], frames[0][0])
        started = time.perf_counter()
        for t, rgb in frames[1:]:
            marker.detect(rgb, t)
        return per_frame_ms(time.perf_counter() - started, len(frames) - 1)
    finally:
        marker.close()


def time_pose_stage(frames: list, options: PoseOptions) -> tuple[float, float]:
    """ms/frame of the pose stage as it runs now and the share of frames the model ran on."""
    with PoseEstimator(options) as pose:
        started = time.perf_counter()
        for t, rgb in frames:
            pose.detect(rgb, t)
        elapsed = time.perf_counter() - started
        return per_frame_ms(elapsed, len(frames)), pose.model_runs / len(frames)


def time_review(clip: str, rule, options: PoseOptions, overlapped: bool) -> tuple[float, Analysis]:
    """Seconds for the whole review of ``clip``: decode (overlapped or inline), pose, rules."""
    started = time.perf_counter()
    info = probe(clip)
    frames = read_frames(clip)
    track = track_frames(prefetch(frames) if overlapped else frames, options, fps=info.fps, source=Path(clip).name)
    analysis = Analysis.of(track, rule)
    return time.perf_counter() - started, analysis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", nargs="?", default=str(SAMPLES / "bridge_01.mp4"))
    parser.add_argument("--exercise", default="glute_bridge")
    parser.add_argument("--variant", default="full")
    args = parser.parse_args()
    rule, info, options = load_rule(args.exercise), probe(args.clip), PoseOptions(variant=args.variant)

    started = time.perf_counter()
    frames = list(read_frames(args.clip))
    n, decode = len(frames), per_frame_ms(time.perf_counter() - started, len(frames))
    two_people, one_person = time_landmarker(frames, args.variant, 2), time_landmarker(frames, args.variant, 1)
    stage, model_share = time_pose_stage(frames, options)
    del frames
    inline_s, _ = time_review(args.clip, rule, options, overlapped=False)
    whole_s, analysis = time_review(args.clip, rule, options, overlapped=True)
    track = analysis.track

    started = time.perf_counter()
    replay_track(track, rule)
    engine = per_frame_ms(time.perf_counter() - started, n)
    started = time.perf_counter()
    run_rules(analysis.series, rule)
    rules_only = time.perf_counter() - started
    long = tile(track, 600.0)
    long_series = compute_series(long, rule)
    reruns = []
    for _ in range(6):  # the first run of a fresh series is the Tune page's first, not timed
        started = time.perf_counter()
        run_rules(long_series, rule)
        reruns.append(time.perf_counter() - started)
    long_rerun = float(np.median(reruns[1:]))

    print(f"clip: {Path(args.clip).name}, {n} frames, {info.width}x{info.height}, {info.fps:.1f} fps, "
          f"model {args.variant}, {analysis.result.rep_count} reps")
    print(f"decode:                       {decode:7.2f} ms/frame")
    print(f"model, 2 people, every frame: {two_people:7.2f} ms/frame (the pose stage before the pose rate)")
    print(f"model, 1 person, every frame: {one_person:7.2f} ms/frame ({two_people / one_person:.2f}x cheaper; "
          "--max-people 1, not the default: a worse outline of a person lying down)")
    print(f"pose stage now:               {stage:7.2f} ms/frame (model on {model_share:.0%} of frames; "
          f"{two_people / stage:.2f}x cheaper than before)")
    print(f"engine (all rules):           {engine:7.3f} ms/frame (frame by frame, as live)")
    print(f"whole review, decode inline:  {per_frame_ms(inline_s, n):7.2f} ms/frame ({n / inline_s:.1f} frames/s)")
    print(f"whole review (formcheck analyze): {per_frame_ms(whole_s, n):7.2f} ms/frame = {n / whole_s:.1f} frames/s "
          f"= {info.duration_s / whole_s:.2f}x real time")
    print(f"rules re-run:                 {1000 * rules_only:7.1f} ms for this clip (threshold change)")
    print(f"rules re-run, 10 minutes:     {1000 * long_rerun:7.1f} ms median of 5 ({len(long)} frames; "
          f"first run {1000 * reruns[0]:.1f} ms)")
    print(f"peak memory:                  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB")


if __name__ == "__main__":
    main()
