"""``formcheck batch FOLDER --out DIR``: review every video of a folder (see docs/batch.md).

Exit status: 0 when every clip has a result, 3 when the run finished but some clips could
not be reviewed (their reasons are in ``summary.csv`` and ``NAME.error.json``), 2 for a
mistake in the command itself, 130 when interrupted (what was finished is kept).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path

#: Exit status of a finished run in which some clips failed.
EXIT_SOME_CLIPS_FAILED = 3


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = add("batch", "review every video of a folder: one JSON per clip and a summary CSV (resumable)")
    p.add_argument("folder", metavar="FOLDER", help="folder of videos (mp4, mov, m4v, webm, avi, mkv)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the results (created if needed)")
    p.add_argument("--exercise", default="auto", metavar="ID|auto",
                   help="exercise of every clip (see `formcheck exercises`); auto (default) recognises each clip's")
    p.add_argument("--recursive", action="store_true", help="also the videos in sub-folders")
    p.add_argument("--annotate", action="store_true", help="also write an annotated H.264 video of each clip")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="processes on this machine (default 1)")
    p.add_argument("--ray", metavar="ADDRESS|auto",
                   help='run the clips on a Ray cluster (pip install "formcheck[cluster]"); auto: this machine\'s')
    p.add_argument("--retry-errors", action="store_true", help="review again the clips that failed before")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    from formcheck.cli import _add_model_args  # loaded: it is cli that calls add_parser

    _add_model_args(p)  # --variant, --model, --max-people, --every-frame: as `formcheck analyze`
    p.set_defaults(func=run)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a polite kill ends like Ctrl-C: files in progress are removed


def run(args: argparse.Namespace) -> int:
    from formcheck.batch.request import BatchRequest
    from formcheck.batch.run import run_batch

    request = BatchRequest(
        folder=Path(args.folder), out=Path(args.out), exercise=args.exercise, recursive=args.recursive,
        annotate=args.annotate, workers=args.workers, ray=args.ray, variant=args.variant, model=args.model,
        max_people=args.max_people, every_frame=args.every_frame, retry_errors=args.retry_errors,
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = run_batch(request, None if args.quiet else _say)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(report.text())
    return EXIT_SOME_CLIPS_FAILED if report.errors else 0
