"""Speed of the rule engine over one cached landmark track, measured in one run (nothing asserted).

Prints ms per frame (median of ``--runs``, after one warm-up) of: recognition (every catalogue rule
replayed over the track and scored, :func:`formcheck.engine.recognize.score_rules`); one rule
replayed frame by frame as live runs it (:func:`formcheck.engine.machine.replay_track`); one rule's
metric series (:func:`formcheck.metrics.stream.compute_series`, the review path). It uses only
functions every version of the engine has, so the same script times an older checkout too
(``PYTHONPATH=OLD_CHECKOUT python benchmarks/bench_recognition.py ...``).

    python benchmarks/bench_recognition.py --cache LANDMARK_CACHE [--clip bridge_01.mp4] [--rule glute_bridge]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from formcheck.engine.machine import replay_track
from formcheck.engine.recognize import score_rules
from formcheck.metrics.stream import compute_series
from formcheck.pose.track import PoseTrack
from formcheck.rules import list_rules, load_rule


def find_track(cache: Path, clip: str) -> PoseTrack:
    """The cached track of ``clip`` (its source name) in the landmark cache folder."""
    for path in sorted(cache.glob("*.npz")):
        track = PoseTrack.load(path)
        if track.source == clip:
            return track
    raise SystemExit(f"{clip}: no cached track in {cache}")


def ms_per_frame(work: Callable[[], object], frames: int, runs: int) -> float:
    """Median ms per frame of ``work`` over ``runs`` timed runs (one untimed warm-up first)."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times) / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="landmark cache folder (.npz tracks)")
    parser.add_argument("--clip", default="bridge_01.mp4", help="source name of the cached clip")
    parser.add_argument("--rule", default="glute_bridge", help="rule of the single-rule figures")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("recognition", "replay", "series"), help="time one figure only")
    args = parser.parse_args()
    track, rules, rule = find_track(args.cache, args.clip), list_rules(), load_rule(args.rule)
    work = {
        "recognition": lambda: score_rules(track, rules),
        "replay": lambda: replay_track(track, rule),
        "series": lambda: compute_series(track, rule),
    }
    print(f"{args.clip}: {len(track)} frames, {len(rules)} rules; ms/frame, median of {args.runs} runs")
    for name, job in work.items():
        if args.only in (None, name):
            print(f"{name:12s} {ms_per_frame(job, len(track), args.runs):8.3f}")


if __name__ == "__main__":
    main()
