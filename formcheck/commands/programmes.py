"""``formcheck programmes``: the programmes (shipped, then the user's) as a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from formcheck.programmes import Programme

COLUMNS = ("id", "title", "source", "exercises", "minutes", "without camera checks")


def programme_row(programme: Programme, week: int = 1) -> dict:
    """What the table and the JSON say about one programme."""
    from formcheck.programmes import estimate_minutes

    return {
        "id": programme.id,
        "title": programme.title,
        "source": programme.source,
        "exercises": len(programme.items),
        "minutes": estimate_minutes(programme, week),
        "without_camera_checks": [i.name for i in programme.items if not i.has_rule],
        "origin": programme.extra.get("origin", ""),
        "path": programme.extra.get("path", ""),
    }


def _table(rows: list[dict]) -> str:
    cells = [[str(r["id"]), r["title"], r["source"], str(r["exercises"]), str(r["minutes"]),
              ", ".join(r["without_camera_checks"]) or "-"] for r in rows]  # fmt: skip
    widths = [max(len(c) for c in col) for col in zip(COLUMNS, *cells, strict=True)]
    numeric = {3, 4}
    lines = []
    for line in [list(COLUMNS), *cells]:
        parts = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from formcheck.programmes import scan_programmes

    catalogue = scan_programmes()
    for line in catalogue.problems:
        print(f"formcheck: warning: {line}", file=sys.stderr)
    rows = [programme_row(p, args.week) for p in catalogue.programmes]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif rows:
        print(_table(rows))
        print(f"\nminutes: a rough estimate for week {args.week}, rests and getting into position included")
    else:
        print("no programmes found")
    return 0


def _week(text: str) -> int:
    from formcheck.programmes.progression import MAX_WEEK

    if not text.isdigit() or not 1 <= int(text) <= MAX_WEEK:
        raise argparse.ArgumentTypeError(f"must be a week number from 1 to {MAX_WEEK}, got {text!r}")
    return int(text)


def add_parser(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = add("programmes", "list the programmes (routines of exercises with their dosage)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.add_argument("--week", type=_week, default=1, help="week of the programme for the minutes (default: 1)")
    p.set_defaults(func=run)
