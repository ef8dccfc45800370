"""``motcua report``: satisfaction and queue reports as XLSX, CSV or PDF files, with progress;
``motcua report dossiers``: one row per dossier code with its rating, as CSV or XLSX.

The range is ``--from``/``--to``, or a reporting period: ``--period month|quarter|half|
nine_months|year`` with ``--of YYYY-MM`` (default: the period holding today), closing
on ``[reports] period_cutoff_day``. A PDF is the province's satisfaction form.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from hub.cli import CliError
from hub.cli.common import open_services
from hub.context import Hub
from hub.dossiers import dossier_rows
from hub.queue import site_day
from hub.ratings.report_periods import KINDS as PERIOD_KINDS
from hub.ratings.report_periods import parse_month, period, period_of
from hub.reports import (
    CSV_SEPARATORS,
    DEFAULT_BY,
    KINDS,
    build_csv,
    build_form,
    build_pdf,
    build_xlsx,
    dossiers_csv,
    dossiers_xlsx,
)
from hub.stats import GROUPINGS, check_range
from hub.store.db import read

RANGE = "give --from and --to, or --period (with --of YYYY-MM)"


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


def _month(text: str) -> tuple[int, int]:
    try:
        return parse_month(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _range(args: argparse.Namespace, hub: Hub) -> tuple[date, date]:
    """``(start, end)`` from ``--from/--to`` or ``--period/--of``."""
    dates = (args.start, args.end)
    if args.period is None:
        if None in dates or args.of is not None:
            raise CliError(RANGE)
        return args.start, args.end
    if dates != (None, None):
        raise CliError(RANGE)
    cutoff = hub.config.reports.period_cutoff_day
    if args.of is None:
        found = period_of(args.period, site_day(hub.clock(), hub.config.site.timezone), cutoff)
    else:
        found = period(args.period, *args.of, cutoff)
    return found.start, found.end


def _groupings(values: list[str] | None, kind: str) -> list[str]:
    if not values:
        return list(DEFAULT_BY[kind])
    keys = [k.strip() for v in values for k in v.split(",") if k.strip()]
    bad = [k for k in keys if k not in GROUPINGS]
    if bad:
        raise CliError(f"--by: unknown grouping {', '.join(bad)} (use {', '.join(GROUPINGS)})")
    return list(dict.fromkeys(keys))


def _write(path: str, data: bytes, start: date, end: date) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes, {start:%d/%m/%Y} – {end:%d/%m/%Y})")


def cmd_dossiers(args: argparse.Namespace) -> int:
    """One row per dossier of the tickets completed in the range."""
    if args.format == "pdf" or args.by:
        raise CliError("`report dossiers` writes csv or xlsx, one row per dossier (no --by)")
    hub = open_services(args)
    start, end = _range(args, hub)
    check_range(start, end, "day")
    with read(hub.engine) as conn:
        rows = dossier_rows(conn, hub.config, start, end)
    _write(args.out, (dossiers_csv if args.format == "csv" else dossiers_xlsx)(rows), start, end)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.kind == "dossiers":
        return cmd_dossiers(args)
    groupings = _groupings(args.by, args.kind)
    if args.format == "csv" and len(groupings) > 1:
        raise CliError("a CSV file holds one grouping: pass one --by KEY (or use xlsx)")
    if args.format == "pdf" and args.kind != "satisfaction":
        raise CliError("a PDF is the satisfaction form: use it with `report satisfaction`")
    hub = open_services(args)
    start, end = _range(args, hub)
    for by in groupings:
        check_range(start, end, by)
    progress = ProgressBar(sys.stderr)
    today = site_day(hub.clock(), hub.config.site.timezone)
    if args.format == "csv":
        data = build_csv(
            hub.stats,
            args.kind,
            start,
            end,
            groupings[0],
            include_flagged=args.include_flagged,
            sep=args.sep,
        )
    elif args.format == "pdf":
        progress(1, 3, "số liệu")
        form = build_form(
            hub.stats, start, end, made_on=today, include_flagged=args.include_flagged
        )
        progress(2, 3, "pdf")
        data = build_pdf(form)
        progress(3, 3, "pdf")
    else:
        data = build_xlsx(
            hub.stats,
            args.kind,
            start,
            end,
            groupings,
            site_name=hub.config.site.name,
            include_flagged=args.include_flagged,
            progress=progress,
            made_on=today,
        )
    _write(args.out, data, start, end)
    return 0


def add_command(sub: Any) -> None:
    """Add ``motcua report``."""
    report = sub.add_parser(
        "report",
        help="satisfaction or queue report as XLSX or CSV; the satisfaction form as PDF; "
        "rated dossiers as CSV or XLSX",
    )
    report.add_argument("kind", choices=(*KINDS, "dossiers"))
    report.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD")
    report.add_argument(
        "--period",
        choices=PERIOD_KINDS,
        help="a reporting period closing on [reports] period_cutoff_day (instead of --from/--to)",
    )
    report.add_argument(
        "--of",
        type=_month,
        metavar="YYYY-MM",
        help="the reporting month the period holds (default: today's)",
    )
    report.add_argument(
        "--by",
        action="append",
        metavar="KEY",
        help=f"grouping(s), comma-separated or repeated: {', '.join(GROUPINGS)}",
    )
    report.add_argument("--format", choices=("xlsx", "csv", "pdf"), default="xlsx")
    report.add_argument(
        "--sep",
        choices=CSV_SEPARATORS,
        default=",",
        help="CSV separator: ',' (default; decimal point) or ';' (decimal comma, for an Excel "
        "whose list separator is ';'; see docs/reports.md)",
    )
    report.add_argument("--out", required=True, help="the file to write")
    report.add_argument(
        "--include-flagged", action="store_true", help="count ratings flagged as suspicious"
    )
    report.set_defaults(func=cmd_report)
