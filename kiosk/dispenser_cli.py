"""The ``motcua kiosk`` command and ``python -m kiosk.dispenser``: run the kiosk agent.

Builds the :class:`~kiosk.dispenser.Dispenser` from the config file, serves the
touch page if ``[kiosk] listen`` asks for one, and runs until SIGTERM or
Ctrl+C. The agent, its settings and Flask are imported when the command runs,
not when this module is.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from hardware.errors import HardwareError

__all__ = ["add_command", "main", "run_kiosk"]

logger = logging.getLogger(__name__)


def add_command(subparsers: Any) -> None:
    """Add ``motcua kiosk`` to the command line."""
    parser = subparsers.add_parser(
        "kiosk", help="the ticket kiosk agent: buttons, keypad, printer and touch page"
    )
    parser.add_argument(
        "--check", action="store_true", help="check the [kiosk] configuration and exit"
    )
    parser.set_defaults(func=run_kiosk)


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.dispenser --config PATH``: the agent alone.

    The same as ``motcua kiosk`` without loading the other subcommands (reports,
    display agent, …): the lightest way to run a kiosk on a small Pi.
    """
    from config import ConfigError

    parser = argparse.ArgumentParser(prog="python -m kiosk.dispenser", description=main.__doc__)
    parser.add_argument("--config", help="configuration file (default: $MOTCUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--check", action="store_true", help="check [kiosk] and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # python-escpos configures the root logger when imported
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        return run_kiosk(args)
    except ConfigError as err:
        print(err.render(), file=sys.stderr)
        return 2


def run_kiosk(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or Ctrl+C."""
    from config import config_path
    from kiosk.settings import build_agent, load_kiosk_settings

    path = config_path(getattr(args, "config", None))
    settings, defaults = load_kiosk_settings(path)
    if args.check:
        print(f"{path}: [kiosk] is valid")
        return 0
    try:
        agent = build_agent(settings, defaults, config_path=str(path))
    except HardwareError as err:
        print(f"motcua kiosk: {err.message}", file=sys.stderr, flush=True)
        return 1
    server = None
    if settings.listen_address is not None:
        from kiosk.touch import TouchServer  # Flask only when there is a touch page

        try:
            server = TouchServer(agent, *settings.listen_address)
        except OSError as err:
            print(f"motcua kiosk: cannot listen on {settings.listen}: {err}", file=sys.stderr)
            agent.stop()
            return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    agent.start()
    if server is not None:
        server.start()
        logger.info("touch page on %s", server.url)
    try:
        stop.wait()
    finally:
        if server is not None:
            server.stop()
        agent.stop()
    return 0
