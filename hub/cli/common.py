"""What the hub's own commands share: the configuration and the services."""

from __future__ import annotations

import argparse

from hub.app import create_app
from hub.cli.settings import load
from hub.context import Hub, hub_of
from hub.settings import Settings


def open_services(args: argparse.Namespace) -> Hub:
    """The hub's services without a web server (for user/device/report commands)."""
    settings = Settings.from_env(load(args))
    return hub_of(create_app(settings))
