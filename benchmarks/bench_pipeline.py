"""Speed figures for one sample clip, measured in one run (not a test: nothing is asserted).

Prints: decode ms/frame, model-only ms/frame, whole-pipeline ms/frame (decode + model +
engine), their ratio, the rule engine's share, the re-run time of the rules alone (what a
threshold change costs on the Tune page), and the same for a 10-minute clip made by tiling.

    FORMCHECK_MODEL_DIR=../shared/models python benchmarks/bench_pipeline.py [CLIP] [--variant full]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from formcheck.engine.machine import replay_track, run_rules
from formcheck.metrics.stream import compute_series
from formcheck.pose.estimator import PoseEstimator, PoseOptions
from formcheck.pose.track import PoseTrack
from formcheck.rules import load_rule
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip", nargs="?", default=str(SAMPLES / "bridge_01.mp4"))
    parser.add_argument("--exercise", default="glute_bridge")
    parser.add_argument("--variant", default="full")
    args = parser.parse_args()
    rule = load_rule(args.exercise)
    info = probe(args.clip)

    t0 = time.perf_counter()
    frames = list(read_frames(args.clip))
    decode = time.perf_counter() - t0
    n = len(frames)

    with PoseEstimator(PoseOptions(variant=args.variant)) as pose:
        pose.detect(frames[0][1], frames[0][0])  # warm-up, not timed
    with PoseEstimator(PoseOptions(variant=args.variant)) as pose:
        t0 = time.perf_counter()
        poses = [pose.detect(rgb, t) for t, rgb in frames]
        model = time.perf_counter() - t0
    track = PoseTrack.from_frames(poses, fps=info.fps, source=Path(args.clip).name, model=args.variant)
    with PoseEstimator(PoseOptions(variant=args.variant, max_people=1)) as pose:
        pose.detect(frames[0][1], frames[0][0])
        t0 = time.perf_counter()
        for t, rgb in frames[1:]:
            pose.detect(rgb, t)
        one_person = (time.perf_counter() - t0) / (n - 1)

    t0 = time.perf_counter()
    result = replay_track(track, rule)
    engine = time.perf_counter() - t0
    series = compute_series(track, rule)
    t0 = time.perf_counter()
    run_rules(series, rule)
    rules_only = time.perf_counter() - t0

    whole = decode + model + engine
    print(
        f"clip: {Path(args.clip).name}, {n} frames, {info.width}x{info.height}, {info.fps:.1f} fps, "
        f"model {args.variant}, {result.rep_count} reps"
    )
    print(f"decode:             {1000 * decode / n:7.2f} ms/frame")
    print(f"model only:         {1000 * model / n:7.2f} ms/frame (looking for 2 people, the default)")
    print(f"model, 1 person:    {1000 * one_person:7.2f} ms/frame (--max-people 1; ratio {model / n / one_person:.2f})")
    print(f"engine (all rules): {1000 * engine / n:7.3f} ms/frame")
    print(
        f"whole pipeline:     {1000 * whole / n:7.2f} ms/frame  ({n / whole:.1f} frames/s, "
        f"{info.duration_s / whole:.2f}x real time)"
    )
    print(f"whole / model:      {whole / model:7.3f}")
    print(f"engine share:       {100 * engine / whole:7.2f} % of the whole pipeline")
    print(f"rules re-run:       {1000 * rules_only:7.1f} ms for this clip (threshold change, landmarks cached)")

    long = tile(track, 600.0)
    long_series = compute_series(long, rule)
    t0 = time.perf_counter()
    run_rules(long_series, rule)
    print(f"rules re-run 10 min:{1000 * (time.perf_counter() - t0):7.1f} ms ({len(long)} frames)")


if __name__ == "__main__":
    main()
