"""The ``motcua counter-keypad`` command: build the agent from ``[counter_keypad]`` and
run it with the agents' runner (:func:`kiosk.kit.runner.run`) until SIGTERM or Ctrl+C."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from config import counter_keypad
from config.counter_keypad import CounterKeypadSettings
from config.wire import DeviceKind
from kiosk.counter_keypad.loop import CounterKeypadAgent
from kiosk.counter_keypad.settings import build_agent
from kiosk.kit.runner import AgentCommand, add_agent_command, run

__all__ = ["COUNTER_KEYPAD", "add_command", "run_counter_keypad"]


def build(settings: CounterKeypadSettings, path: Path) -> CounterKeypadAgent:
    """The agent the section describes (see :func:`build_agent`)."""
    return build_agent(settings)


COUNTER_KEYPAD: AgentCommand[CounterKeypadSettings] = AgentCommand(
    name=DeviceKind.COUNTER_KEYPAD.value,
    section="counter_keypad",
    help="a counter's keypad or buttons: call next, recall, no-show…",
    build=build,
    schema=CounterKeypadSettings,
    paths=counter_keypad.PATHS,
)


def add_command(subparsers: Any) -> None:
    """Add ``motcua counter-keypad`` to the command line."""
    add_agent_command(subparsers, COUNTER_KEYPAD, run_counter_keypad)


def run_counter_keypad(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or Ctrl+C (exit status as :func:`kiosk.kit.runner.run`)."""
    return run(args, COUNTER_KEYPAD)
