"""The ``motcua display-agent`` command: build the display agent from ``[display_agent]``
and run it with the agents' runner (:func:`kiosk.kit.runner.run`) until SIGTERM or
Ctrl+C."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from config.display_agent import DisplayAgentSettings
from display.agent.loop import DisplayAgent
from display.agent.settings import SECTION, build_agent, load_display_agent_settings
from kiosk.kit.runner import AgentCommand, add_agent_command, run

__all__ = ["DISPLAY_AGENT", "add_command", "run_display_agent"]


def build(settings: DisplayAgentSettings, path: Path) -> DisplayAgent:
    """The agent the section describes (see :func:`build_agent`)."""
    return build_agent(settings)


DISPLAY_AGENT: AgentCommand[DisplayAgentSettings] = AgentCommand(
    name="display-agent",
    section=SECTION,
    help="the display agent: LED boards and loudspeaker of a call screen",
    build=build,
    load=load_display_agent_settings,
)


def add_command(subparsers: Any) -> None:
    """Add ``motcua display-agent`` to the command line."""
    add_agent_command(subparsers, DISPLAY_AGENT, run_display_agent)


def run_display_agent(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or Ctrl+C (exit status as :func:`kiosk.kit.runner.run`)."""
    return run(args, DISPLAY_AGENT)
