"""The ``motcua rating-pad`` command: build the pad from ``[rating_pad]`` and run it with
the agents' runner (:func:`kiosk.kit.runner.run`) until SIGTERM or Ctrl+C."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from config import rating_pad
from config.rating_pad import RatingPadSettings
from config.wire import DeviceKind
from kiosk.kit.runner import AgentCommand, add_agent_command, run
from kiosk.rating_pad.loop import RatingPad
from kiosk.rating_pad.settings import build_pad

__all__ = ["RATING_PAD", "PadProcess", "add_command", "run_rating_pad"]

logger = logging.getLogger(__name__)


class PadProcess:
    """The pad agent and its outbox file, which outlives the agent's threads.

    Args:
        pad: The agent (not started).
    """

    def __init__(self, pad: RatingPad) -> None:
        self.pad = pad

    def start(self) -> None:
        """Start the pad and say what it serves."""
        self.pad.start()
        settings = self.pad.settings
        logger.info(
            "rating pad %s serving counter(s) %s; %d press(es) waiting in the outbox",
            settings.device_name,
            ", ".join(c.counter for c in settings.counters),
            self.pad.outbox.count(),
        )

    def stop(self) -> None:
        """Stop the pad, then close the outbox."""
        self.pad.stop()
        self.pad.outbox.close()


def build(settings: RatingPadSettings, path: Path) -> PadProcess:
    """The pad the section describes, its devices open (see :func:`build_pad`)."""
    return PadProcess(build_pad(settings))


RATING_PAD: AgentCommand[RatingPadSettings] = AgentCommand(
    name=DeviceKind.RATING_PAD.value,
    section="rating_pad",
    help="the satisfaction buttons of one or several counters",
    build=build,
    schema=RatingPadSettings,
    paths=rating_pad.PATHS,
    summary=lambda settings: f"{len(settings.counters)} counter(s)",
)


def add_command(subparsers: Any) -> None:
    """Add ``motcua rating-pad`` to the command line."""
    add_agent_command(subparsers, RATING_PAD, run_rating_pad)


def run_rating_pad(args: argparse.Namespace) -> int:
    """Run the pad until SIGTERM or Ctrl+C (exit status as :func:`kiosk.kit.runner.run`)."""
    return run(args, RATING_PAD)
