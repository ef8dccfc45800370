"""What the hub's own commands share: the configuration and the services."""

from __future__ import annotations

import argparse

from config import Config, config_path, load_config
from hub.app import create_app
from hub.context import Hub, hub_of
from hub.settings import Settings


def load(args: argparse.Namespace) -> Config:
    """The configuration named by ``--config`` or ``MOTCUA_CONFIG``."""
    return load_config(config_path(getattr(args, "config", None)))


def open_services(args: argparse.Namespace) -> Hub:
    """The hub's services without a web server (for user/device/report commands)."""
    settings = Settings.from_env(load(args))
    return hub_of(create_app(settings))
