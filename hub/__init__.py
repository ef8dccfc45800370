"""The motcua hub: queue engine, storage, REST API, Socket.IO, pages and CLI.

``create_app(settings)`` builds the Flask application (see :mod:`hub.app`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from hub.settings import Settings


def create_app(settings: Settings) -> Flask:
    """Build the hub application (imported lazily so ``hub.queue`` stays light)."""
    from hub.app import create_app as factory

    return factory(settings)


__all__ = ["Any", "create_app"]
