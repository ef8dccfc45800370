"""The ``motcua kiosk`` command and ``python -m kiosk.dispenser``: run the kiosk agent.

Builds the :class:`~kiosk.dispenser.loop.Dispenser` from the config file, serves the
touch page if ``[kiosk] listen`` asks for one, and runs it with the agents' runner
(:func:`kiosk.kit.runner.run`) until SIGTERM or Ctrl+C. Flask is imported only
when there is a touch page.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.kiosk import KioskSettings
from config.wire import DeviceKind
from kiosk.dispenser.loop import Dispenser
from kiosk.dispenser.settings import build_agent, load_kiosk_settings
from kiosk.dispenser.site import SiteDefaults
from kiosk.kit.runner import AgentCommand, add_agent_command, run

if TYPE_CHECKING:
    from kiosk.dispenser.touch import TouchServer

__all__ = ["KIOSK", "KioskProcess", "add_command", "main", "run_kiosk"]

logger = logging.getLogger(__name__)


class KioskProcess:
    """The kiosk agent and its touch page, started and stopped together.

    Args:
        agent: The agent.
        page: Its touch page, or None when ``listen = ""``.
    """

    def __init__(self, agent: Dispenser, page: TouchServer | None) -> None:
        self.agent = agent
        self.page = page

    def start(self) -> None:
        """Start the agent, then serve its page."""
        self.agent.start()
        if self.page is not None:
            self.page.start()
            logger.info("touch page on %s", self.page.url)

    def stop(self) -> None:
        """Stop serving the page, then stop the agent."""
        if self.page is not None:
            self.page.stop()
        self.agent.stop()


def build(loaded: tuple[KioskSettings, SiteDefaults], path: Path) -> KioskProcess:
    """The agent the file describes, with its touch page if it has one.

    Raises:
        ConfigError: The token file, a pin name or a keymap is unusable.
        HardwareError: GPIO pins cannot be claimed.
        OSError: The touch page's address cannot be listened on.
    """
    settings, defaults = loaded
    agent = build_agent(settings, defaults, config_path=str(path))
    page = None
    if settings.listen_address is not None:
        from kiosk.dispenser.touch import TouchServer  # why: Flask only with a touch page

        try:
            page = TouchServer(agent, *settings.listen_address)
        except OSError as err:
            agent.stop()
            raise OSError(f"cannot listen on {settings.listen}: {err}") from None
    return KioskProcess(agent, page)


KIOSK: AgentCommand[tuple[KioskSettings, SiteDefaults]] = AgentCommand(
    name=DeviceKind.KIOSK.value,
    section="kiosk",
    help="the ticket kiosk agent: buttons, keypad, printer and touch page",
    build=build,
    load=load_kiosk_settings,
)


def add_command(subparsers: Any) -> None:
    """Add ``motcua kiosk`` to the command line."""
    add_agent_command(subparsers, KIOSK, run_kiosk)


def run_kiosk(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or Ctrl+C (exit status as :func:`kiosk.kit.runner.run`)."""
    return run(args, KIOSK)


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.dispenser --config PATH``: the agent alone.

    The same as ``motcua kiosk`` without loading the other subcommands (reports,
    display agent, …): the lightest way to run a kiosk on a small Pi.
    """
    parser = argparse.ArgumentParser(prog="python -m kiosk.dispenser", description=main.__doc__)
    parser.add_argument("--config", help="configuration file (default: $MOTCUA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--check", action="store_true", help="check [kiosk] and exit")
    return run_kiosk(parser.parse_args(argv))
