"""Agent subcommands (``motcua kiosk``, ``rating-pad``, ``counter-keypad``).

Each agent module that exists contributes its subcommand through an
``add_command(subparsers)`` function, so agents can be built independently.
"""

from __future__ import annotations

import importlib
from typing import Any

AGENT_MODULES = ("kiosk.dispenser", "kiosk.rating_pad", "kiosk.counter_keypad")


def register_cli(subparsers: Any) -> None:
    for name in AGENT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        add = getattr(module, "add_command", None)
        if add is not None:
            add(subparsers)
