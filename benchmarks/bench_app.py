"""Timings behind the app's promises: live throughput and delay, and threshold re-runs.

    python benchmarks/bench_app.py [--variant full] [--cache-dir /tmp/fc_cache]

1. Live: a real clip fed to :class:`LiveSession` at its own frame rate (as a camera would),
   with the real pose model: frames processed per second, capture → result latency and
   capture → on-screen delay (``LiveSession.stats``).
2. Tune: re-running only the rules (``tuning.retune``: validation + ``run_rules``) after a
   threshold change, on the longest sample clip's landmark cache and on a 10-minute track
   made by tiling it; compared with the one-off metric series (``compute_series``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

from bench_pipeline import tile

from formcheck.analysis import track_video
from formcheck.engine.tuning import retune
from formcheck.live.session import LiveSession
from formcheck.metrics.stream import compute_series
from formcheck.pose.estimator import PoseOptions
from formcheck.pose.track import PoseTrack
from formcheck.rules import load_rule
from formcheck.sources.video import read_frames

SHARED = Path(__file__).resolve().parents[2] / "shared"


def bench_live(clip: Path, variant: str, max_side: int = 640) -> None:
    frames = list(read_frames(clip, max_side=max_side))
    fps = (len(frames) - 1) / frames[-1][0]
    session = LiveSession(load_rule("glute_bridge"), PoseOptions(variant=variant))
    loading = time.perf_counter()
    session.process(frames[0][1], frames[0][0])  # the camera is on while the model loads (not timed)
    session.wait_idle(30)
    print(f"model loaded in {time.perf_counter() - loading:.2f} s (before the clip starts, like a camera warming up)")
    process_ms = []
    start = time.perf_counter()
    for t, rgb in frames[1:]:
        while time.perf_counter() - start < t:  # real time, like a camera
            time.sleep(0.001)
        began = time.perf_counter()
        session.process(rgb, t)
        process_ms.append((time.perf_counter() - began) * 1000)
    session.wait_idle(10)
    s = session.stats()
    result = session.summary()
    print(f"live ({variant}, {clip.name} {frames[0][1].shape[1]}x{frames[0][1].shape[0]} at {fps:.0f} fps, "
          f"{len(frames)} frames):")
    print(f"  processed {s.frames_processed}/{s.frames_in} frames = {s.frames_processed / frames[-1][0]:.1f} "
          f"frames/s (dropped {s.frames_dropped}); model {s.model_ms_mean:.1f} ms/frame")
    print(f"  capture -> result   mean {s.latency_ms_mean:.0f} ms, p95 {s.latency_ms_p95:.0f} ms")
    print(f"  capture -> on screen mean {s.display_delay_ms_mean:.0f} ms, p95 {s.display_delay_ms_p95:.0f} ms "
          f"(at {fps:.0f} fps a frame lasts {1000 / fps:.0f} ms)")
    print(f"  process() call: median {statistics.median(process_ms):.1f} ms, max {max(process_ms):.1f} ms "
          "(draws the overlay; never waits for the model)")
    print(f"  reps counted {result.rep_count}, counting started at {result.counting_started_s}")


def bench_retune(track: PoseTrack, label: str, rule_id: str = "glute_bridge", repeats: int = 5) -> None:
    rule = load_rule(rule_id)
    started = time.perf_counter()
    series = compute_series(track, rule)
    series_s = time.perf_counter() - started
    times = []
    name, t = next(iter(rule.thresholds.items()))
    for i in range(repeats):  # move the first threshold a little each time, within its range
        value = t.low + (t.value - t.low) * (1 - 0.05 * (i + 1))
        times.append(retune(series, rule, {name: value}, track.fps, track.duration_s).seconds)
    print(f"tune ({label}: {len(track)} frames, {track.duration_s:.0f} s, rule {rule_id}): metric series once "
          f"{series_s * 1000:.0f} ms; re-run after a threshold change median {statistics.median(times) * 1000:.1f} ms "
          f"(max {max(times) * 1000:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="full")
    parser.add_argument("--cache-dir", default="/tmp/fc_cache", help="landmark caches (made on the first run)")
    parser.add_argument("--skip-live", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("FORMCHECK_MODEL_DIR", str(SHARED / "models"))
    if not args.skip_live:
        bench_live(SHARED / "sample_videos" / "bridge_01.mp4", args.variant)
    track = track_video(SHARED / "sample_videos" / "figure_four_01.mp4", PoseOptions(variant=args.variant),
                        cache_dir=args.cache_dir)
    long_track = tile(track, 600.0)
    for rid in ("figure_four_stretch", "glute_bridge"):
        bench_retune(track, "figure_four_01", rid)
        bench_retune(long_track, "10-minute tiled track", rid)
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
