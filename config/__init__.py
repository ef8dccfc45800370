"""The motcua configuration: one TOML file, validated into frozen dataclasses.

Every package of motcua imports its settings from here; this package imports
no other package of ours.
"""

from pathlib import Path

from config.errors import ConfigError, ConfigProblem
from config.hub import Counter, Display, Level, Queue, Ratings, Service, Site
from config.loader import (
    config_path,
    load_config,
    load_section,
    parse_config,
    parse_section,
    validate_section,
)
from config.schema import Config

EXAMPLES = Path(__file__).parent / "examples"

__all__ = [
    "EXAMPLES",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "Counter",
    "Display",
    "Level",
    "Queue",
    "Ratings",
    "Service",
    "Site",
    "config_path",
    "load_config",
    "load_section",
    "parse_config",
    "parse_section",
    "validate_section",
]
