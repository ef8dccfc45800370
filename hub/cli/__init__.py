"""The ``motcua`` command line: a dispatcher for the commands packages add.

Each command is an entry point of the group ``motcua.commands`` (named after
the command) that adds its subparser, as gpiozero finds its pin factories.
Every command that touches the database migrates it first (``create_app``
calls :func:`hub.store.db.upgrade`). Errors a person can fix end with one line
on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

from config.errors import ConfigError
from config.logs import OneLineFormatter
from hub import errors

logger = logging.getLogger("motcua")
# This module stays light: `motcua kiosk` on a Pi loads it, and must not load the hub.

EXIT_USAGE = 2
#: Entry-point group of the commands; each entry is named after its command.
COMMANDS_GROUP = "motcua.commands"


class CliError(Exception):
    """A one-line error for the person at the terminal (exit status 2)."""


def setup_logging(verbose: bool = False) -> None:
    """One line per event on stderr, readable in ``journalctl``."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        handlers=[handler],
        force=True,  # python-escpos calls basicConfig() on import; ours wins
    )
    for noisy in ("werkzeug", "engineio.server", "socketio.server", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua", description="Queue and satisfaction system for one-stop service centres"
    )
    parser.add_argument("--config", help="configuration file (default: $MOTCUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in _commands(argv):
        add_command(sub)
    return parser


def _wanted_command(argv: Sequence[str] | None) -> str | None:
    args = list(sys.argv[1:] if argv is None else argv)
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg == "--config":
            skip_next = True
        elif not arg.startswith("-"):
            return arg
    return None


def _commands(argv: Sequence[str] | None = None) -> list[Callable[[Any], None]]:
    """The ``add_command`` functions to load: only the command being run's (``motcua
    kiosk`` on a Pi does not load the hub), or all of them for ``--help``."""
    command = _wanted_command(argv)
    found = sorted(entry_points(group=COMMANDS_GROUP), key=lambda ep: ep.name)
    chosen = [ep for ep in found if ep.name == command] or found
    return [ep.load() for ep in chosen]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    try:
        return int(args.func(args) or 0)
    except ConfigError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_USAGE
    except (CliError, errors.HubError) as err:
        print(f"motcua: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
