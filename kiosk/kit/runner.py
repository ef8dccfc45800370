"""The one runner of every agent's command, and the error firewall its loops share.

Every agent's ``cli`` describes itself with an :class:`AgentCommand` and hands it
to :func:`run`, which does the same for all four:

1. logging: one line per event on stderr, no colour codes, each line naming the
   agent (:func:`configure_logging`);
2. the agent's section is loaded through the one loader; a configuration error
   ends the command with exit status 2 and one line per problem on stderr, never
   a traceback. ``--check`` ends there, with status 0;
3. the agent is built (its devices opened); a device or a hub that cannot be used
   at start ends the command with status 1 and one line on stderr;
4. SIGTERM or SIGINT sets a stop event; the agent runs until then and is stopped
   (status 0).

While it runs, a device call or a step of an agent's loop goes through a
:class:`Firewall` (Mopidy's pattern): a failure the agent knows about (a device
error, the hub unreachable or refusing, bad data) is logged as one error line,
without a traceback; anything else is a bug and is logged with its traceback.
Either way the agent keeps running. The firewall also remembers how each device
it guards last answered, which is what the agent reports in its heartbeat.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Generic, Protocol, TypeVar

from config.errors import ConfigError
from config.extras import PI_EXTRAS, not_installed
from config.loader import config_path, load_section
from config.logs import OneLineFormatter
from hardware.errors import DeviceTimeout, HardwareError
from kiosk.kit.hub_client import HubClientError

__all__ = [
    "EXIT_CONFIG",
    "EXIT_OK",
    "EXIT_START",
    "KNOWN_ERRORS",
    "Agent",
    "AgentCommand",
    "Firewall",
    "add_agent_command",
    "configure_logging",
    "run",
    "stop_on_signals",
    "stop_when",
]

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_START = 1
"""A device or the hub could not be used at start (one line on stderr)."""
EXIT_CONFIG = 2
"""The configuration cannot be used (one line per problem on stderr)."""

KNOWN_ERRORS: tuple[type[Exception], ...] = (HardwareError, HubClientError, OSError, ValueError)
"""Failures an agent expects (a device error, the hub unreachable or refusing, bad
data): logged as one line, never as a bug."""

#: Libraries whose INFO lines would drown the agent's own.
QUIET = ("werkzeug", "urllib3", "engineio.client", "socketio.client")

S = TypeVar("S")
What = str | Callable[[], str]
"""What a guarded block does, for the log: words, or a function that says them."""


class Agent(Protocol):
    """What the runner starts and stops."""

    def start(self) -> None:
        """Start the agent's threads (returns at once)."""

    def stop(self) -> None:
        """Stop them and release the devices."""


@dataclass(frozen=True)
class AgentCommand(Generic[S]):
    """How :func:`run` runs one agent.

    Attributes:
        name: the command (``"kiosk"``), also the agent's name in every log line.
        section: the configuration section (``"kiosk"``).
        help: the command's line in ``motcua --help``.
        build: makes the agent from its settings and the configuration file's path.
        schema: the section's schema, for the default ``load``.
        paths: the section's path-valued keys, for the default ``load``.
        load: reads the settings from the file (default: the section through
            :func:`config.loader.load_section` with ``schema`` and ``paths``).
        summary: words added to ``--check``'s "is valid" line.
    """

    name: str
    section: str
    help: str
    build: Callable[[S, Path], Agent]
    schema: type[S] | None = None
    paths: tuple[str, ...] = ()
    load: Callable[[Path], S] | None = None
    summary: Callable[[S], str] | None = None


def add_agent_command(
    subparsers: Any, command: AgentCommand[Any], func: Callable[[argparse.Namespace], int]
) -> None:
    """Add ``motcua <command.name> [--check]`` to the command line, running ``func``."""
    parser = subparsers.add_parser(command.name, help=command.help)
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"check the [{command.section}] configuration and exit",
    )
    parser.set_defaults(func=func)


def _load(command: AgentCommand[S], path: Path) -> S:
    if command.schema is None:
        raise TypeError(f"the {command.name} command gives neither load nor schema")
    return load_section(path, command.section, command.schema, command.paths)


def run(args: argparse.Namespace, command: AgentCommand[Any]) -> int:
    """Run one agent until SIGTERM or SIGINT; returns the exit status.

    Args:
        args: the parsed command line (``config``, ``check``, ``verbose``).
        command: the agent.
    """
    configure_logging(command.name, verbose=bool(getattr(args, "verbose", False)))
    try:
        path = config_path(getattr(args, "config", None))
        settings = command.load(path) if command.load else _load(command, path)
        if getattr(args, "check", False):
            extra = f" ({command.summary(settings)})" if command.summary else ""
            print(f"{path}: [{command.section}] is valid{extra}")
            return EXIT_OK
        agent = command.build(settings, path)
    except ConfigError as err:
        print(err.render(), file=sys.stderr, flush=True)
        return EXIT_CONFIG
    except KNOWN_ERRORS as err:
        print(f"motcua {command.name}: {err}", file=sys.stderr, flush=True)
        return EXIT_START
    except ModuleNotFoundError as err:  # a device library of the Pi's extras
        print(f"motcua {command.name}: {not_installed(err)}: {PI_EXTRAS}", file=sys.stderr)
        return EXIT_START
    stop = threading.Event()
    with stop_on_signals(stop):
        agent.start()
        try:
            # A timed wait: the signal handler runs on the main thread between waits.
            while not stop.wait(0.5):
                pass
            logger.info("%s stopping", command.name)
        finally:
            agent.stop()
    return EXIT_OK


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """Within the block, SIGTERM (systemd's stop) and SIGINT (Ctrl+C) set ``stop``
    instead of killing the process; the former handlers come back afterwards."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()  # only this: logging is not safe inside a signal handler

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def stop_when(stop: threading.Event, name: str, *stoppers: Callable[[], None]) -> None:
    """Call each of ``stoppers`` in turn once ``stop`` is set, from a daemon thread
    called ``name``: how ``motcua demo`` ends the agents it started."""

    def wait_then_stop() -> None:
        stop.wait()
        for stopper in stoppers:
            stopper()

    threading.Thread(target=wait_then_stop, name=name, daemon=True).start()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is logged (not when the
    handler was made), so a replaced stderr never receives lines after it closed."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """The stream is always the current stderr; a given one is ignored."""


def configure_logging(agent: str, *, verbose: bool = False) -> None:
    """One line per event on stderr, plain text, each naming ``agent``.

    Replaces the root logger's handlers: python-escpos configures the root
    logger when it is imported, and ``motcua`` configured it before the agent
    was chosen.
    """
    handler = _StderrHandler()
    handler.setFormatter(
        OneLineFormatter(f"%(asctime)s %(levelname)s {agent} %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in QUIET:
        quiet = logging.getLogger(name)
        quiet.setLevel(max(quiet.level, logging.WARNING))


class Firewall:
    """Keeps one failing device call or loop step from stopping an agent.

    Args:
        log: the agent's logger (its lines name the module that failed).
    """

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._health: dict[str, str] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def guard(self, what: What, device: str | None = None) -> Iterator[None]:
        """Run the block; a failure is logged (see the module) and goes no further.

        Args:
            what: what the block does, for the log (``"LED blink"``), or a function
                that says it (called only when the block fails).
            device: the device it talks to, whose health the outcome sets:
                ``"ok"``, ``"timeout"`` or ``"offline"`` (a bug leaves it as it was).
        """
        try:
            yield
        except KNOWN_ERRORS as err:
            self.log.error("%s failed: %s", _said(what), str(err) or type(err).__name__)
            self._note(device, "timeout" if isinstance(err, DeviceTimeout) else "offline")
        except Exception:
            self.log.exception("%s failed unexpectedly", _said(what))
        else:
            self._note(device, "ok")

    def call(self, what: What, action: Callable[[], Any], device: str | None = None) -> bool:
        """Run ``action()`` behind :meth:`guard`; True when it did not fail."""
        with self.guard(what, device):
            action()
            return True
        return False

    def health(self, device: str) -> str:
        """How ``device`` last answered: ``"ok"`` (also before any call), ``"timeout"``
        or ``"offline"``; what the agent's heartbeat reports for it."""
        with self._lock:
            return self._health.get(device, "ok")

    def _note(self, device: str | None, state: str) -> None:
        if device is not None:
            with self._lock:
                self._health[device] = state


def _said(what: What) -> str:
    return what if isinstance(what, str) else what()
