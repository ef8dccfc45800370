"""The Flask application factory and the services it holds."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from flask_socketio import SocketIO

from display import web as display_web
from hub import api, dashboard, pages, sockets, ticket_pages
from hub.audit import AuditLog
from hub.auth import AuthService, cheap_hasher
from hub.context import Hub
from hub.queue_service import QueueService
from hub.ratings_service import RatingService
from hub.settings import Settings
from hub.sink import SocketSink
from hub.stats import StatsService
from hub.store.db import make_engine, upgrade

logger = logging.getLogger(__name__)

MAX_SOCKET_MESSAGE = 64 * 1024


def create_app(settings: Settings) -> Flask:
    """Build the hub: database (migrated), services, API, pages and Socket.IO."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.config.security.max_body_bytes,
        JSON_SORT_KEYS=False,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.config.security.secure_cookies,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    engine = make_engine(settings.database_url, synchronous=settings.sqlite_synchronous)
    upgrade(engine)
    sink = SocketSink()
    config = settings.config
    clock = settings.clock
    socketio = SocketIO(
        app,
        async_mode="threading",
        message_queue=settings.redis_url,
        channel=settings.redis_channel,
        cors_allowed_origins=None,  # same origin only (an empty list would allow any)
        max_http_buffer_size=MAX_SOCKET_MESSAGE,
        ping_interval=10,
        ping_timeout=10,
    )
    sink.socketio = socketio
    hub = Hub(
        settings=settings,
        engine=engine,
        queue=QueueService(engine, config, sink, clock),
        ratings=RatingService(engine, config, sink, clock),
        stats=StatsService(engine, config),
        auth=AuthService(
            engine,
            config.security,
            clock,
            cheap_hasher() if settings.cheap_password_hashing else None,
        ),
        audit=AuditLog(engine, clock),
        socketio=socketio,
    )
    app.extensions["motcua"] = hub

    api.register(app)
    sockets.register(socketio, hub)
    pages.register(app, hub)
    dashboard.register(app, hub)
    ticket_pages.register(app, hub)
    display_web.register(app, hub)
    return app


def start_background(app: Flask, hub: Hub, stop: threading.Event) -> list[threading.Thread]:
    """Periodic work of a running hub (``serve``/``demo``, never tests' apps).

    Closes expired rating windows, expires yesterday's waiting tickets, and
    watches for calls that no screen showed in time.
    """

    def loop() -> None:
        ticks = 0
        while not stop.wait(1.0):
            ticks += 1
            try:
                hub.ratings.expire_windows()
                if ticks % 60 == 1:
                    hub.queue.expire_past_days()
            except Exception:  # noqa: BLE001 - keep the loop alive; log and retry next tick
                logger.exception("background tick failed")

    thread = threading.Thread(target=loop, name="motcua-background", daemon=True)
    thread.start()
    from hub.unseen import watch_unseen

    watcher = watch_unseen(app, hub)
    stop_watcher = threading.Thread(target=lambda: (stop.wait(), watcher.stop()), daemon=True)
    stop_watcher.start()
    return [thread, stop_watcher]
