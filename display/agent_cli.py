"""The ``motcua display-agent`` command: build the display agent from the file and run it.

The agent, its settings and python-socketio are imported when the command
runs, not when this module is.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config.display_agent import DisplayAgentSettings
    from display.agent import DisplayAgent

__all__ = ["add_command", "build_agent", "run_display_agent"]


def build_agent(settings: DisplayAgentSettings) -> DisplayAgent:
    """The agent with the boards and loudspeaker its settings name (nothing opened yet)."""
    from config.tokens import read_token
    from display.agent import DisplayAgent
    from display.agent_devices import BoardLine
    from display.agent_settings import make_audio, make_board
    from kiosk.kit.hub_client import HubClient

    token = read_token(settings.token, settings.token_file)
    lines = [
        BoardLine(b.key, make_board(b), tuple(b.address_map), settings.retry_s)
        for b in settings.boards
    ]
    hub = HubClient(settings.hub_url, token, timeout_s=settings.hub_timeout_s)
    return DisplayAgent(settings, lines, make_audio(settings), hub)


def add_command(subparsers: Any) -> None:
    """Add ``motcua display-agent`` to the command line."""
    parser = subparsers.add_parser(
        "display-agent", help="the display agent: LED boards and loudspeaker of a call screen"
    )
    parser.add_argument(
        "--check", action="store_true", help="check the [display_agent] configuration and exit"
    )
    parser.set_defaults(func=run_display_agent)


def run_display_agent(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or Ctrl+C."""
    from config import config_path
    from display.agent_settings import load_display_agent_settings

    path = config_path(getattr(args, "config", None))
    settings = load_display_agent_settings(path)
    if args.check:
        print(f"{path}: [display_agent] is valid")
        return 0
    try:
        agent = build_agent(settings)
    except ValueError as err:
        print(f"motcua display-agent: {err}", file=sys.stderr, flush=True)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    agent.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        agent.stop()
    return 0
