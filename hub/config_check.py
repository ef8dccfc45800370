"""Checking the sections the hub itself reads, when the configuration is loaded.

``config`` validates the core sections; ``[alerts]``, ``[booking]`` and
``[upstream]`` belong to hub features that validate them with their own
dataclasses. They are checked here, together, at start-up and on reload, so a
mistake stops ``motcua serve`` with one message per problem (exit status 2)
instead of surfacing later in a background thread.
"""

from __future__ import annotations

import os

from config import Config, ConfigError, load_config, validate_section


def check_hub_sections(config: Config) -> None:
    """Validate the hub-feature sections of ``config``.

    Raises:
        ConfigError: with every problem of every section at once.
    """
    from hub.alerts import alert_settings
    from hub.ticket_pages.booking import BookingSettings
    from hub.upstream import upstream_settings

    problems = []
    checks = (
        lambda: alert_settings(config),
        lambda: upstream_settings(config),
        lambda: validate_section(
            config.path, "booking", BookingSettings, config.sections.get("booking", {})
        ),
    )
    for check in checks:
        try:
            check()
        except ConfigError as err:
            problems.extend(err.problems)
    if problems:
        raise ConfigError(config.path, problems)


def load_hub_config(path: str | os.PathLike[str]) -> Config:
    """:func:`config.load_config` plus :func:`check_hub_sections`."""
    config = load_config(path)
    check_hub_sections(config)
    return config
