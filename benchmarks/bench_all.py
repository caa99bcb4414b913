"""Every speed figure of the README's "Speed" table, measured in one run (nothing asserted).

1. The review pipeline on one clip (``bench_pipeline.py``): decode, the model before and now,
   the whole review in frames/s and × real time, the engine, rules re-runs, peak memory.
2. The live clock and threshold re-runs (``bench_app.py``): frames processed of the camera's,
   capture → result delay, re-run of a 10-minute track.
3. With ``--batch``: ``formcheck batch`` over the sample clips with 1 and 2 local workers and,
   if Ray is installed, a local Ray instance with 2 CPUs; wall time and peak memory of each.

    FORMCHECK_MODEL_DIR=../shared/models python benchmarks/bench_all.py [--batch]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
RAY_HEAD = """
import logging, sys, ray
context = ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
print(context.address_info["gcs_address"], flush=True)
sys.stdin.read()
ray.shutdown()
"""


def run_script(name: str) -> None:
    print(f"== {name}", flush=True)
    subprocess.run([sys.executable, str(HERE / name)], check=True)


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def time_batch(label: str, extra: list[str], env: dict[str, str]) -> None:
    """Wall time of ``formcheck batch`` over the sample clips into a fresh folder."""
    samples = SHARED / "sample_videos"
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "formcheck", "batch", str(samples), "--out", out, "--quiet",
                               *extra], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        clips = len(list(Path(out).glob("*.json")))
    status = "ok" if proc.returncode in (0, 3) else f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    print(f"batch, {label:17s} {wall:7.1f} s for {clips} clips ({status}); peak memory of a process so far "
          f"{children_peak_mb():.0f} MB", flush=True)


def bench_batch(env: dict[str, str]) -> None:
    print("== formcheck batch over ../shared/sample_videos", flush=True)
    time_batch("1 local worker:", ["--workers", "1"], env)
    time_batch("2 local workers:", ["--workers", "2"], env)
    try:
        import ray  # noqa: F401
    except ImportError:
        print("batch, Ray: not installed (pip install \"formcheck[cluster]\")")
        return
    ray_env = {**env, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": os.urandom(16).hex()}
    head = subprocess.Popen([sys.executable, "-c", RAY_HEAD], env=ray_env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = head.stdout.readline().strip()
        time_batch("local Ray, 2 CPUs:", ["--ray", address], ray_env)
    finally:
        head.stdin.close()
        head.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", action="store_true", help="also time formcheck batch (several minutes)")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("FORMCHECK_MODEL_DIR", str(SHARED / "models"))
    os.environ.update(env)
    run_script("bench_pipeline.py")
    run_script("bench_app.py")
    if args.batch:
        bench_batch(env)


if __name__ == "__main__":
    main()
