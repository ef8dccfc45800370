"""The hub's own pages: login, the staff console (``/counter``), ``/admin`` and the
trust page of its HTTPS certificate (``/tls``), and ``/favicon.ico``.

:func:`register` is called by :func:`hub.app.create_app`. It installs, for the
whole app, Flask-Babel (Vietnamese by default, ``?lang=en``), the signed
session cookie, the CSRF check of every state-changing request outside
``/api/`` and the security headers; then the page blueprints.

For other page packages (the dashboard): a logged-in user's API token is
``session["token"]``; :func:`current_actor` resolves it; templates get
``csrf_token()`` (put it in forms as ``csrf_token`` or send it as the
``X-CSRF-Token`` header) and may extend ``base.html``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from hub.pages import admin, auth_pages, console, favicon, i18n, security, trust
from hub.pages.security import current_actor, requires

__all__ = ["current_actor", "register", "requires"]


def register(app: Flask, hub: Any) -> None:
    """Install i18n and web security, and add the login, console and admin pages."""
    i18n.init(app, hub)
    security.init(app)
    for module in (auth_pages, console, admin, trust, favicon):
        app.register_blueprint(module.bp)
