"""``motcua doctor``: check this machine for the roles its configuration names.

One line per check, ``✓ …``, ``✗ … — what to do`` or ``! … — a hint`` (advice that
fails nothing); exit status 1 when a line is ✗, else 0; 2 with one line when the
file cannot be read as TOML at all. First the configuration (every section it
holds, validated as the hub and the agents validate theirs), then the checks of
each role it names, then the machine's own.

The checks of a role are found through the entry-point group ``motcua.doctor``
(:data:`config.doctor.GROUP`), one entry per role named after it (``hub``,
``kiosk``, ``rating_pad``, ``counter_keypad``, ``display_agent``; ``machine`` for
every file), each a function taking the configuration file and answering a list
of :class:`config.doctor.Check`. So this command, loaded on every Pi, imports
neither the hub's storage nor an agent: only the roles the file names are loaded.
A role whose section is invalid is not checked further; its checks could only
repeat the configuration's ✗.

Nothing here lets a traceback out: a role's checks that raise, or do not finish
in :data:`ROLE_TIMEOUT_S`, become one ✗ line each, device libraries' log lines
are silenced (``-v`` shows them) and a thread's uncaught error is kept quiet.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TextIO

from config.doctor import GROUP, MACHINE, ROLE_NAMES, Check, RoleChecks, failed, passed, within
from config.errors import ConfigError, ConfigProblem
from config.loader import read_toml
from config.schema import validate_present

__all__ = ["INSTALLED_CONFIG", "ROLE_TIMEOUT_S", "add_command", "cmd_doctor", "doctor"]

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2
ROLE_TIMEOUT_S = 120.0
"""The longest all the checks of one role may take (each check has its own, shorter)."""
INSTALLED_CONFIG = Path("/etc/motcua/motcua.toml")
INSTALLED_DATA = Path("/var/lib/motcua")
"""Where the systemd units (``config/systemd``) point ``MOTCUA_CONFIG`` and ``MOTCUA_DATA``:
the doctor looks there when neither ``--config`` nor the environment says."""


def add_command(sub: Any) -> None:
    """Add ``motcua doctor``."""
    cmd = sub.add_parser(
        "doctor",
        help="check this machine for the roles its configuration names (hub, kiosk, …)",
        description="Check the configuration, then the hub, devices and machine it names: "
        "one line per check; exit status 1 when one fails.",
    )
    cmd.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Run the doctor on ``--config``, ``MOTCUA_CONFIG`` or the installed file."""
    path = _config_file(getattr(args, "config", None))
    if path is None:
        print(
            "motcua doctor: no configuration: pass --config PATH or set MOTCUA_CONFIG "
            f"(looked for {INSTALLED_CONFIG} too)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    with _quiet(verbose=bool(getattr(args, "verbose", False))):
        return doctor(path, sys.stdout)


def _config_file(explicit: str | None) -> Path | None:
    chosen = explicit or os.environ.get("MOTCUA_CONFIG")
    if chosen:
        return Path(chosen)
    if not INSTALLED_CONFIG.is_file():
        return None
    if not os.environ.get("MOTCUA_DATA") and INSTALLED_DATA.is_dir():
        os.environ["MOTCUA_DATA"] = str(INSTALLED_DATA)  # as the units run the services
    return INSTALLED_CONFIG


def doctor(
    path: Path, out: TextIO, finder: Callable[[str], RoleChecks | None] | None = None
) -> int:
    """Check ``path`` and what it names, printing one line per check on ``out``.

    Args:
        path: the configuration file.
        out: where the lines go (flushed after each role).
        finder: a role's checks by name (default: the ``motcua.doctor`` entry points).

    Returns:
        0 when no line is ✗, 1 when one is, 2 when the file is not TOML or cannot be read.
    """
    try:
        raw = read_toml(path)
    except ConfigError as err:
        print(f"motcua doctor: {err.render()}", file=sys.stderr, flush=True)
        return EXIT_UNREADABLE
    find = finder or _entry_point
    present = validate_present(raw, str(path))
    roles = [role for role in present if role]
    lines = _configuration(str(path), present)
    _say(out, "configuration: ", lines)
    for role in [r for r in roles if not present[r]] + [MACHINE]:
        found = _role_checks(role, path, find)
        _say(out, f"{ROLE_NAMES.get(role, role)}: ", found)
        lines += found
    return EXIT_FAILED if any(line.fails for line in lines) else EXIT_OK


def _configuration(name: str, present: dict[str, list[ConfigProblem]]) -> list[Check]:
    problems = list(dict.fromkeys(p for found in present.values() for p in found))
    if not problems:
        named = ", ".join(ROLE_NAMES[role] for role in present if role)
        return [passed(f"{name} loads, every section valid (roles: {named})")]
    return [
        failed(
            problem.render(name),
            "correct it in the file (docs/configuration.md lists every key), then check again",
        )
        for problem in problems
    ]


def _role_checks(role: str, path: Path, find: Callable[[str], RoleChecks | None]) -> list[Check]:
    name = ROLE_NAMES.get(role, role)
    try:
        checks = find(role)
    except Exception as err:  # noqa: BLE001 - an entry point that cannot load is one line
        return [
            failed(
                f"the {name} checks cannot be loaded: {type(err).__name__}: {err}",
                "reinstall motcua with the Pi's extras: pip install 'motcua[pi]'",
            )
        ]
    if checks is None:
        return [failed(f"no checks are installed for the {name}", "reinstall motcua")]

    def run() -> list[Check]:
        try:
            return checks(path)
        except ConfigError as err:  # a check the loader cannot make (the agent's own)
            return [
                failed(problem.render(err.path), "correct it in the file, then check again")
                for problem in err.problems
            ]

    return within(
        ROLE_TIMEOUT_S,
        f"the {name} checks",
        run,
        on_timeout="something hangs: run `motcua -v doctor` to see which device",
    )


def _entry_point(role: str) -> RoleChecks | None:
    found = entry_points(group=GROUP, name=role)
    for entry in found:
        checks: RoleChecks = entry.load()
        return checks
    return None


def _say(out: TextIO, prefix: str, lines: list[Check]) -> None:
    for line in lines:
        print(line.line(prefix), file=out)
    out.flush()


@contextlib.contextmanager
def _quiet(*, verbose: bool) -> Iterator[None]:
    """While the doctor runs: no log lines or warnings from device libraries unless
    ``verbose``, and never a thread's traceback (a check's thread catches its own;
    a device library's reader thread might not)."""
    hook = threading.excepthook
    threading.excepthook = lambda args: None
    if not verbose:
        logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            if not verbose:
                warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(logging.NOTSET)
        threading.excepthook = hook
