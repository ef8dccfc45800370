"""The v1 HTTP API: one blueprint per resource, JSON errors, OpenAPI."""

from __future__ import annotations

from flask import Flask

from hub.api import admin, counters, devices, errors, login, openapi, ratings, stats, tickets


def register(app: Flask) -> None:
    """Attach every API blueprint and the JSON error handlers to ``app``."""
    for module in (login, tickets, counters, ratings, stats, devices, admin, openapi, errors):
        app.register_blueprint(module.bp)
