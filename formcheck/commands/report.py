"""``formcheck report``: one self-contained HTML page (prints on A4) about a video, a saved
session or a period of the history.

    formcheck report VIDEO --exercise ID|auto -o OUT.html [--variant ...] [--model ...]
    formcheck report --session ID -o OUT.html
    formcheck report --since DATE [--until DATE] [--person NAME] -o OUT.html
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from formcheck.errors import FormcheckError

SUFFIXES = (".html", ".htm")
#: Landmark cache for ``report VIDEO`` (the same variable ``formcheck eval`` reads); unset: no cache.
CACHE_ENV = "FORMCHECK_LANDMARK_CACHE"


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """The ``report`` subcommand."""
    from formcheck.cli import _add_model_args

    p = add("report", "write an HTML report (prints on A4) of a video, a saved session or a period")
    p.add_argument("video", nargs="?", help="video file to review and report on")
    p.add_argument("--exercise", metavar="ID", help="exercise id of the video, or 'auto' to recognise it (default)")
    p.add_argument("--rules", metavar="FILE", help="a rule file (e.g. a physio's saved profile) instead of --exercise")
    p.add_argument("--session", type=int, metavar="ID", help="report on this saved session (see `formcheck history`)")
    p.add_argument("--since", metavar="DATE", help="report on the sessions from this day (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", help="... up to and including this day (default: today)")
    p.add_argument("--person", metavar="NAME", help="only this person's sessions (with --since)")
    p.add_argument("--title", help="the heading of a VIDEO report (default: the exercise's name)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.html", help="the HTML file to write")
    _add_model_args(p)
    p.set_defaults(func=run)


def parse_day(text: str, option: str) -> date:
    """``YYYY-MM-DD`` as a date; one clear line if it is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormcheckError(f"{option} {text}: not a date; write it as YYYY-MM-DD, e.g. 2024-03-01") from None


def _check_request(args: argparse.Namespace) -> None:
    """Exactly one subject (a video, a session or a period) and options that fit it."""
    from formcheck.preflight import check_output_path

    if args.until and not args.since:
        raise FormcheckError("--until needs --since DATE")
    if args.person and not args.since:
        raise FormcheckError("--person works with --since DATE")
    subjects = [name for name, given in (("a VIDEO", args.video), ("--session", args.session is not None),
                                         ("--since", args.since)) if given]
    if len(subjects) != 1:
        raise FormcheckError("give one of: a VIDEO, --session ID, or --since DATE"
                             + (f" (got {' and '.join(subjects)})" if subjects else ""))
    if not args.video and (args.exercise or args.rules or args.title):
        raise FormcheckError("--exercise, --rules and --title are for a VIDEO report")
    check_output_path(args.output, "-o", SUFFIXES)


def write_atomically(target: str | Path, text: str) -> Path:
    """Write ``text`` to ``target`` through a temporary file in the same folder, so a reader
    never sees half a report and a failure leaves any older file as it was."""
    path = Path(target).expanduser()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _video_html(args: argparse.Namespace) -> str:
    from formcheck.analysis import analyze, track_video
    from formcheck.batch.review import recognised_rule
    from formcheck.cli import _chosen_rule, _pose_options
    from formcheck.outputs.html_report import video_report
    from formcheck.preflight import check_video

    if args.exercise == "auto":
        args.exercise = None
    rule = _chosen_rule(args)
    check_video(args.video, args.variant, args.model)
    track = track_video(args.video, _pose_options(args), cache_dir=os.environ.get(CACHE_ENV) or None)
    recognition = None
    if rule is None:
        rule, recognition = recognised_rule(track)
    return video_report(analyze(track, rule), args.video, recognition, title=args.title)


def _history_html(args: argparse.Namespace) -> str:
    from formcheck.history.db import ENV_VAR, default_path
    from formcheck.history.store import HistoryStore
    from formcheck.outputs.html_report import period_report, session_report

    until = parse_day(args.until, "--until") if args.until else None
    since = parse_day(args.since, "--since") if args.since else None
    if since is not None and until is not None and until < since:
        raise FormcheckError(f"--until {args.until} is before --since {args.since}")
    if not default_path().is_file():
        raise FormcheckError(f"no history database at {default_path()} yet (set {ENV_VAR} to use another file)")
    store = HistoryStore.open()
    if args.session is not None:
        return session_report(store, args.session)
    return period_report(store, since, until, person=args.person)


def run(args: argparse.Namespace) -> int:
    """Make the report and write it to ``--output``."""
    _check_request(args)
    html = _video_html(args) if args.video else _history_html(args)
    out = write_atomically(args.output, html)
    print(f"Report: {out} ({len(html.encode('utf-8')) / 1024:.0f} kB)")
    return 0


__all__ = ["add_parser", "parse_day", "run", "write_atomically"]
