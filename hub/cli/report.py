"""``motcua report``: satisfaction and queue reports as XLSX or CSV files, with progress."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from hub.cli import CliError
from hub.cli.common import open_services
from hub.reports.workbook import DEFAULT_BY, KINDS, build_csv, build_xlsx
from hub.stats import GROUPINGS, check_range


class ProgressBar:
    """A one-line progress bar on a terminal (plain lines when not a terminal)."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()

    def __call__(self, step: int, steps: int, what: str) -> None:
        filled = int(self.width * step / max(steps, 1))
        bar = "█" * filled + "·" * (self.width - filled)
        line = f"[{bar}] {step}/{steps} {what}"
        if self.tty:
            end = "\n" if step >= steps else ""
            self.stream.write(f"\r{line[:100]:<100}{end}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _groupings(values: list[str] | None, kind: str) -> list[str]:
    if not values:
        return list(DEFAULT_BY[kind])
    keys = [k.strip() for v in values for k in v.split(",") if k.strip()]
    bad = [k for k in keys if k not in GROUPINGS]
    if bad:
        raise CliError(f"--by: unknown grouping {', '.join(bad)} (use {', '.join(GROUPINGS)})")
    return list(dict.fromkeys(keys))


def cmd_report(args: argparse.Namespace) -> int:
    groupings = _groupings(args.by, args.kind)
    for by in groupings:
        check_range(args.start, args.end, by)
    hub = open_services(args)
    if args.format == "csv":
        if len(groupings) > 1:
            raise CliError("a CSV file holds one grouping: pass one --by KEY (or use xlsx)")
        data = build_csv(
            hub.stats, args.kind, args.start, args.end, groupings[0],
            include_flagged=args.include_flagged,
        )  # fmt: skip
    else:
        data = build_xlsx(
            hub.stats,
            args.kind,
            args.start,
            args.end,
            groupings,
            site_name=hub.config.site.name,
            include_flagged=args.include_flagged,
            progress=ProgressBar(sys.stderr),
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes)")
    return 0


def add_command(sub: Any) -> None:
    """Add ``motcua report``."""
    report = sub.add_parser("report", help="satisfaction or queue report as XLSX or CSV")
    report.add_argument("kind", choices=KINDS)
    report.add_argument("--from", dest="start", type=_day, required=True, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=_day, required=True, metavar="YYYY-MM-DD")
    report.add_argument(
        "--by",
        action="append",
        metavar="KEY",
        help=f"grouping(s), comma-separated or repeated: {', '.join(GROUPINGS)}",
    )
    report.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    report.add_argument("--out", required=True, help="the file to write")
    report.add_argument(
        "--include-flagged", action="store_true", help="count ratings flagged as suspicious"
    )
    report.set_defaults(func=cmd_report)
