"""The ``formcheck`` command line. Every user error is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.commands import batch, history, programmes, report
from formcheck.errors import FormcheckError
from formcheck.preflight import DEFAULT_VARIANT, VARIANTS, check_input_file, check_model, check_output_path, check_video

if TYPE_CHECKING:
    from formcheck.analysis import PoseOptions, PoseTrack
    from formcheck.rules import Rule

DEBUG_HELP = "show tracebacks of unexpected errors and the pose model's native log lines"
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1


def _pose_options(args: argparse.Namespace) -> PoseOptions:
    from formcheck.analysis import PoseOptions

    rate = {"max_gap_s": 0.0} if getattr(args, "every_frame", False) else {}
    return PoseOptions(variant=args.variant, model_path=args.model, max_people=args.max_people, **rate)


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--variant", choices=VARIANTS, default=DEFAULT_VARIANT, help="pose model size (default: full)")
    p.add_argument("--model", metavar="PATH", help="pose model bundle (.task) or a folder holding it")
    p.add_argument("--max-people", type=int, choices=(1, 2), default=2,
                   help="people to look for (2, the default, looks for a second person once a second to warn "
                        "about them and keeps following the first; 1 never looks)")
    p.add_argument("--every-frame", action="store_true",
                   help="run the pose model on every frame (slower; by default it runs at least 10 times a "
                        "second, and on every frame while the body moves fast)")


def _write_text(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
    else:
        Path(target).write_text(text, encoding="utf-8")


def _chosen_rule(args: argparse.Namespace) -> Rule | None:
    """The rule the user named (``--rules`` or ``--exercise``), validated; ``None`` to recognise."""
    from formcheck.rules import load_rule

    if args.exercise and args.rules:
        raise FormcheckError("give --exercise or --rules, not both")
    if args.rules:
        check_input_file(args.rules, "--rules")
        return load_rule(args.rules)
    if args.exercise:
        return load_rule(args.exercise)
    return None


def _check_analyze_request(args: argparse.Namespace) -> None:
    """Everything about an ``analyze`` call that can be wrong before the model runs."""
    if not args.video and not args.landmarks:
        raise FormcheckError("give a VIDEO to analyse, or --landmarks FILE.npz")
    if args.video and args.landmarks:
        raise FormcheckError("give a VIDEO or --landmarks FILE.npz, not both")
    if args.annotate and not args.video:
        raise FormcheckError("--annotate needs the VIDEO (the landmark file holds no pictures)")
    check_output_path(args.json, "--json")
    check_output_path(args.csv, "--csv")
    check_output_path(args.annotate, "--annotate", (".mp4",))
    check_input_file(args.landmarks, "--landmarks")


def _load_track(args: argparse.Namespace) -> PoseTrack:
    """The pose track: from ``--landmarks``, or the model run over the video."""
    from formcheck.analysis import load_track, track_video

    if args.landmarks:
        return load_track(args.landmarks)
    progress = None
    if sys.stderr.isatty() and args.json != "-":

        def progress(f: float) -> None:
            print(f"\ranalysing {args.video}: {f:4.0%}", end="", file=sys.stderr, flush=True)

    track = track_video(args.video, _pose_options(args), progress=progress)
    if progress:
        print(file=sys.stderr)
    return track


def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.analysis import analyze_track
    from formcheck.batch.review import recognised_rule
    from formcheck.outputs.report import summary_text, to_csv, to_json

    rule = _chosen_rule(args)
    _check_analyze_request(args)
    if args.video:
        check_video(args.video, args.variant, args.model)
    track = _load_track(args)
    recognition = None
    if rule is None:
        rule, recognition = recognised_rule(track)
        if args.json == "-":  # stdout holds the JSON; the summary (which names the choice) is not printed
            print(f"Recognised exercise: {rule.id} (confidence {recognition.confidence:.0%})", file=sys.stderr)
    result = analyze_track(track, rule)
    if args.json:
        _write_text(args.json, to_json(result, recognition))
    if args.csv:
        _write_text(args.csv, to_csv(result, rule))
    if args.annotate:
        from formcheck.outputs.annotate import annotate_video

        annotate_video(args.video, track, rule, args.annotate)
    if args.json != "-":
        print(summary_text(result, rule, recognition))
        if args.annotate:
            print(f"Annotated video: {args.annotate}")
    return 0


def cmd_landmarks(args: argparse.Namespace) -> int:
    from formcheck.analysis import track_video

    check_output_path(args.output, "--output", (".npz",))
    args.video = str(args.video)
    check_video(args.video, args.variant, args.model)
    track = track_video(args.video, _pose_options(args))
    out = track.save(args.output)
    found = float((track.persons > 0).mean())
    print(f"{out}: {len(track)} frames, {track.duration_s:.1f} s, person found in {found:.0%} of frames")
    return 0


def cmd_exercises(args: argparse.Namespace) -> int:
    from formcheck.rules import list_rules

    rules = list_rules()
    if args.json:
        print(
            json.dumps(
                [
                    {"id": r.id, "name": r.name, "view": r.view, "posture": r.posture, "summary": r.summary}
                    for r in rules
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(r.id) for r in rules)
    for r in rules:
        print(f"{r.id:{width}}  {r.summary}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from formcheck.programmes import PROGRAMMES_DIR, is_programme_file, read_programme_file
    from formcheck.rules.catalog import RULES_DIR, read_rule_file

    files = args.files or [str(p) for folder in (RULES_DIR, PROGRAMMES_DIR) for p in sorted(folder.glob("*.yaml"))]
    bad = 0
    for f in files:
        try:
            if is_programme_file(f):
                programme = read_programme_file(f)
                print(f"ok    {f} (programme {programme.id}: {len(programme.items)} exercises)")
            else:
                rule = read_rule_file(f)
                print(f"ok    {f} ({rule.id}: {len(rule.thresholds)} thresholds, {len(rule.faults)} faults)")
        except FormcheckError as exc:
            bad += 1
            print("\n".join(f"ERROR {line}" for line in str(exc).splitlines()))
    return EXIT_USER_ERROR if bad else 0


def cmd_eval(args: argparse.Namespace) -> int:
    from formcheck.evaluation.evaluate import evaluate, format_report, summary

    check_input_file(args.labels, "labels")
    check_output_path(args.json, "--json")
    check_model(args.variant, args.model)

    def progress(name: str) -> None:
        print(f"  {name}", file=sys.stderr, flush=True)

    scores = evaluate(
        args.labels,
        _pose_options(args),
        only=set(args.only) if args.only else None,
        cache_dir=args.cache,
        recognise=not args.no_recognition,
        progress=progress,
    )
    print(format_report(scores))
    if args.json:
        _write_text(args.json, json.dumps(summary(scores), indent=2))
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    print(check_model(args.variant, args.model, allow_download=not args.no_download))
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    from formcheck.ui.main import SCRIPT, SERVER_FLAGS

    flags = list(SERVER_FLAGS)
    flags[flags.index("--server.address") + 1] = args.address
    command = [sys.executable, "-m", "streamlit", "run", str(SCRIPT), *flags, "--server.port", str(args.port)]
    return subprocess.call(command)


def _analyze_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", nargs="?", help="video file (mp4, mov, webm, avi)")
    p.add_argument("--exercise", metavar="ID", help="exercise id (see `formcheck exercises`); recognised if omitted")
    p.add_argument("--rules", metavar="FILE", help="a rule file (e.g. a physio's saved profile) instead of --exercise")
    p.add_argument("--landmarks", metavar="NPZ", help="use cached landmarks instead of running the model")
    p.add_argument("--json", metavar="OUT", help="write the result as JSON (- for stdout)")
    p.add_argument("--csv", metavar="OUT", help="write the per-rep table as CSV (- for stdout)")
    p.add_argument("--annotate", metavar="OUT.mp4", help="write an annotated H.264 video")
    _add_model_args(p)
    p.set_defaults(func=cmd_analyze)


def _eval_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("labels")
    p.add_argument("--only", nargs="+", metavar="ID", help="only clips of these exercises")
    p.add_argument(
        "--cache",
        metavar="DIR",
        default=os.environ.get("FORMCHECK_LANDMARK_CACHE"),
        help="reuse/store landmarks here (default: $FORMCHECK_LANDMARK_CACHE)",
    )
    p.add_argument("--no-recognition", action="store_true", help="skip exercise recognition")
    p.add_argument("--json", metavar="OUT", help="write the overall figures as JSON")
    _add_model_args(p)
    p.set_defaults(func=cmd_eval)


def build_parser() -> argparse.ArgumentParser:
    """The ``formcheck`` parser: one subcommand per job, each with its own options."""
    parser = argparse.ArgumentParser(prog="formcheck", description="Form checking for low-back-pain exercises.")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    # --debug is accepted after the subcommand too; SUPPRESS keeps a leading --debug set.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    _analyze_parser(add("analyze", "count reps, time holds and find form faults in a video"))

    p = add("landmarks", "run the pose model once and cache a clip's landmarks")
    p.add_argument("video")
    p.add_argument("-o", "--output", required=True, metavar="OUT.npz")
    _add_model_args(p)
    p.set_defaults(func=cmd_landmarks)

    p = add("exercises", "list the exercises (rule files)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_exercises)

    p = add("validate", "check rule and programme files (default: all of pose_rules/ and pose_rules/programmes/)")
    p.add_argument("files", nargs="*")
    p.set_defaults(func=cmd_validate)

    _eval_parser(add("eval", "compare with hand labels (labels.toml)"))

    p = add("model", "show (or download) the pose model bundle that will be used")
    _add_model_args(p)
    p.add_argument("--no-download", action="store_true")
    p.set_defaults(func=cmd_model)

    p = add("app", "start the app (Streamlit) on this machine")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="localhost", help="address to bind (default: localhost only)")
    p.set_defaults(func=cmd_app)

    for command in (programmes, history, report, batch):
        command.add_parser(add)
    return parser


def _configure_logging(debug: bool) -> None:
    """``--debug`` shows formcheck's debug log (the model's native lines among it) on stderr."""
    if debug:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("formcheck").setLevel(logging.DEBUG)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.debug)
    try:
        return args.func(args)
    except FormcheckError as exc:
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into one line
        if args.debug:
            raise
        print(
            f"formcheck: internal error: {exc.__class__.__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
