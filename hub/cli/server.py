"""The production server ``motcua serve`` runs: gunicorn with gevent workers.

Why this server (measured side by side in BENCHMARKS.md): one gevent worker
serves every screen's WebSocket on one event loop and costs a fraction of the
CPU of a thread per connection; the database work of each request runs in
gevent's thread pool (:mod:`hub.store.offload`), so a slow commit never freezes
the screens. Several workers need PostgreSQL (their writes do not queue on one
SQLite file) and Redis (an event emitted by one worker reaches every worker's
sockets).

The master process checks the configuration, migrates the database and asks
for a first administrator before any worker starts; each worker then builds
the hub itself, after gevent has patched the standard library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

from config.schema import Config
from hub.settings import Settings

if TYPE_CHECKING:
    from flask import Flask

logger = logging.getLogger(__name__)

WORKER_CLASS = "gevent"


def warn_without_public_url(config: Config, base: str) -> None:
    """Say loudly that the tickets' QR codes will not open on phones without
    ``[site] public_url`` (they would point at an address only this machine knows)."""
    if config.site.public_url:
        return
    logger.warning(
        "[site] public_url is not set: the QR codes printed on tickets will point at %s "
        "and will NOT open on citizens' phones. Set public_url to the address phones on "
        'the centre\'s Wi-Fi reach the hub at, e.g. public_url = "http://192.168.1.10:8080"',
        base,
    )


class HubServer(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn running the hub's WSGI app in ``workers`` gevent processes.

    Args:
        settings: the hub's settings (every worker builds its hub from them).
        bind: ``host:port``.
        workers: server processes.
        tls: ``(certificate, key)`` file paths to serve HTTPS only, or None.
        on_ready: called in the master once the server listens.
        on_exit: called in the master as the server ends.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        bind: str,
        workers: int,
        tls: tuple[str, str] | None,
        on_ready: Callable[[], None] | None = None,
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.options: dict[str, Any] = {
            "bind": bind,
            "workers": workers,
            "worker_class": WORKER_CLASS,
            "worker_connections": 2000,
            "timeout": 60,
            "graceful_timeout": 10,
            "keepalive": 30,
            # Two hubs on one machine must not share ~/.gunicorn/gunicorn.ctl.
            "control_socket_disable": True,
            "proc_name": "motcua-hub",
            "errorlog": "-",
            "loglevel": "warning",
        }
        if tls is not None:
            self.options["certfile"], self.options["keyfile"] = tls
        if on_ready is not None:
            self.options["when_ready"] = lambda _server: on_ready()
        if on_exit is not None:
            self.options["on_exit"] = lambda _server: on_exit()
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Build the hub in the worker (after gevent patched it) and start its jobs."""
        # Imported here, in the worker: the master must not load the web stack (ssl,
        # sockets, locks) before gevent patches the worker's standard library.
        from hub.app import create_app
        from hub.background import start_background

        app = create_app(self.settings)
        start_background(app)
        return app
