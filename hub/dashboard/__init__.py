"""``/dashboard``: the managers' overview of satisfaction, queue, misuse and devices.

Managers and admins reach it with the session cookie of the login pages
(``session["token"]``) or with a user's bearer token, as the pages'
:func:`hub.pages.security.requires` declares; a visitor who is not logged in is
sent to ``/login?next=/dashboard``. The page's data comes from same-origin JSON
routes under ``/dashboard/data``; reports download from ``/dashboard/report``
(both answer 401 without a login).
"""

from __future__ import annotations

import logging

from flask import Flask

from hub.dashboard.views import bp

logger = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Attach the dashboard."""
    app.register_blueprint(bp)
