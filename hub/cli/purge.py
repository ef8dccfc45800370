"""``motcua purge --before YYYY-MM-DD``: erase personal data older than a day."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from hub.cli import CliError
from hub.cli.common import open_services
from hub.retention import purge_personal


def add_command(sub: Any) -> None:
    """Add ``motcua purge``."""
    cmd = sub.add_parser(
        "purge", help="erase personal data older than a day (figures and reports stay)"
    )
    cmd.add_argument("--before", required=True, metavar="YYYY-MM-DD", help="the first day kept")
    cmd.set_defaults(func=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    try:
        before = date.fromisoformat(args.before)
    except ValueError:
        raise CliError(f"--before: not a date YYYY-MM-DD: {args.before!r}") from None
    hub = open_services(args)
    hub.tickets.expire_past_days()  # as the running hub does each minute: days can close
    try:
        report = purge_personal(hub.engine, hub.config, before, hub.clock(), hub.audit, "cli")
    except ValueError as err:
        raise CliError(str(err)) from None
    print(f"erased personal data of the days before {before.isoformat()}:")
    for line in report.lines()[1:]:
        print(f"  {line}")
    return 0
