"""Display subcommands (``motcua display-agent``), contributed when present."""

from __future__ import annotations

import importlib
from typing import Any


def register_cli(subparsers: Any) -> None:
    try:
        module = importlib.import_module("display.agent")
    except ModuleNotFoundError as err:
        if err.name != "display.agent":
            raise
        return
    add = getattr(module, "add_command", None)
    if add is not None:
        add(subparsers)
