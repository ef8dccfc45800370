"""The configuration the hub's commands run on (``--config`` or ``MOTCUA_CONFIG``)."""

from __future__ import annotations

import argparse

from config.loader import config_path
from config.schema import Config, load_config


def load(args: argparse.Namespace) -> Config:
    """The configuration named by ``--config`` or ``MOTCUA_CONFIG``."""
    return load_config(config_path(getattr(args, "config", None)))
