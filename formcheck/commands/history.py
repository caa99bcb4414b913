"""``formcheck history``: the saved sessions, weekly adherence and progress per exercise; CSV export and import;
deleting one session or everything."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.errors import FormcheckError

if TYPE_CHECKING:
    from formcheck.history.rows import SessionSets
    from formcheck.history.store import HistoryStore


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = add("history", "show saved sessions and progress; export, import or delete them")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only sessions from this day on")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="only sessions up to this day (included)")
    p.add_argument("--exercise", metavar="ID", help="only this exercise's sets")
    p.add_argument("--person", metavar="NAME", help="only this person's sessions (default: everyone's)")
    p.add_argument("--csv", metavar="OUT", help="write the sets as CSV (- for stdout)")
    p.add_argument("--import", dest="import_csv", metavar="CSV", help="add the sessions of an exported CSV file")
    p.add_argument("--delete", type=int, metavar="SESSION_ID", help="delete one session (ids are listed)")
    p.add_argument("--delete-all", action="store_true", help="delete every session (of --person, or everyone's)")
    p.add_argument("--yes", action="store_true", help="confirm --delete-all")
    p.set_defaults(func=run)


def parse_day(value: str | None, option: str) -> date | None:
    """A ``YYYY-MM-DD`` option as a date; one clear line if it is not one."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormcheckError(f"{option}: expected a date like 2024-05-31 (YYYY-MM-DD), got {value!r}") from None


def run(args: argparse.Namespace) -> int:
    from formcheck.history.store import HistoryStore
    from formcheck.preflight import check_input_file, check_output_path

    check_output_path(args.csv, "--csv")
    check_input_file(args.import_csv, "--import")
    since, until = parse_day(args.since, "--since"), parse_day(args.until, "--until")
    if since and until and until < since:
        raise FormcheckError(f"--until {until} is before --since {since}")
    if args.delete_all and not args.yes:
        raise FormcheckError("--delete-all deletes saved sessions for good: add --yes to confirm")
    store = HistoryStore.open()
    if args.delete is not None or args.delete_all or args.import_csv:
        return _change(store, args)
    history = store.history(args.person, since, until, args.exercise)
    if args.csv:
        return _export(history, args.csv)
    from formcheck.history.text import history_text

    print(f"History: {store.path}\n")
    print(history_text(history))
    return 0


def _change(store: HistoryStore, args: argparse.Namespace) -> int:
    """Delete or import, then say what was done."""
    if args.delete is not None:
        if not store.delete_session(args.delete):
            raise FormcheckError(f"no session {args.delete} in {store.path} (see `formcheck history` for the ids)")
        print(f"Deleted session {args.delete}.")
    if args.delete_all:
        count = store.delete_all(args.person)
        print(f"Deleted {count} session{'s' * (count != 1)}" + (f" of {args.person}." if args.person else "."))
    if args.import_csv:
        from formcheck.history.export import import_csv

        ids = import_csv(store, args.import_csv)
        print(f"Imported {len(ids)} session{'s' * (len(ids) != 1)} into {store.path}.")
    return 0


def _export(history: list[SessionSets], target: str) -> int:
    from formcheck.history.export import to_csv

    text = to_csv(history)
    if target == "-":
        sys.stdout.write(text)
        return 0
    Path(target).write_text(text, encoding="utf-8")
    print(f"Wrote {sum(max(len(h.sets), 1) for h in history)} rows to {target}.")
    return 0
