"""``/dashboard``: the managers' overview of satisfaction, queue, misuse and devices.

Managers and admins reach it with the session cookie of the login pages
(``session["token"]``) or with a bearer token; anyone else is sent to
``/login?next=/dashboard``. The page's data comes from same-origin JSON
routes under ``/dashboard/data``; reports download from ``/dashboard/report``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

logger = logging.getLogger(__name__)


def register(app: Flask, hub: Any) -> None:
    """Attach the dashboard and, in a real server, start the ratings sender thread."""
    from hub.dashboard.views import bp

    app.register_blueprint(bp)
    if not app.testing and hub.settings.background:
        start_sender(hub)


def start_sender(hub: Any, stop: threading.Event | None = None) -> threading.Thread:
    """Start the background sender: upstream outbox, alert webhooks and checks, closed days."""
    from hub.upstream import start_background

    return start_background(hub, stop or threading.Event())
