"""The Flask application factory: the hub's services composed, and its web parts.

:func:`build_hub` is the one place that decides which service gets which
collaborator (the rating service's listeners, the shared wait estimates, the
outbox's wake-up); :func:`create_app` adds the HTTP API, the Socket.IO
namespaces and the pages. Neither starts a thread: whatever runs the hub starts
:mod:`hub.background` itself.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from argon2 import PasswordHasher
from flask import Flask
from flask_socketio import SocketIO

from config.schema import Config
from display import web as display_web
from hub import api, dashboard, pages, sockets, tablet, ticket_pages
from hub.accounts import DeviceService, TokenService, UserService, cheap_hasher
from hub.accounts.cache import RedisInvalidation
from hub.alerts import StreakRule
from hub.audit import AuditLog
from hub.booking import BookingService
from hub.context import EXTENSION, Hub
from hub.counters import CounterService, CounterViews
from hub.dossiers import DossierExporter
from hub.fanout import RedisFanOut
from hub.federation import Forwarder
from hub.jsonio import HubJSONProvider
from hub.outbox import Outbox
from hub.proxies import with_trusted_proxies
from hub.responses import refuse_nul
from hub.satisfaction import RatingService
from hub.screens.feed import HubScreenFeed
from hub.settings import Settings
from hub.sink import SocketSink
from hub.socket_guard import HubPacket, guard_frames, guard_messages
from hub.stats import StatsService
from hub.store.db import make_engine, upgrade, writable
from hub.tickets import Estimates, TicketService

logger = logging.getLogger(__name__)

MAX_SOCKET_MESSAGE = 64 * 1024


def build_hub(settings: Settings, socketio: SocketIO, fanout: RedisFanOut | None = None) -> Hub:
    """The hub's services on a migrated database (``fanout``: the Socket.IO manager that
    shares events with the other processes, with Redis)."""
    engine = make_engine(settings.database_url, synchronous=settings.sqlite_synchronous)
    upgrade(engine)
    writable(engine)  # a read-only database is said at start (and by /healthz), once
    config, clock = settings.config, settings.clock
    sink = SocketSink(socketio)
    hasher = cheap_hasher() if settings.cheap_password_hashing else PasswordHasher()
    estimates = Estimates(engine, config)
    views = CounterViews(engine, config)
    tickets = TicketService(engine, config, sink, clock, estimates)
    outbox = Outbox(engine, clock)
    tokens = TokenService(engine, config.security, clock, hasher)
    revoked = tokens.cache.clear
    return Hub(
        settings=settings,
        engine=engine,
        config=config,
        clock=clock,
        sink=sink,
        outbox=outbox,
        estimates=estimates,
        tickets=tickets,
        counters=CounterService(engine, config, sink, clock, estimates, views),
        views=views,
        ratings=RatingService(
            engine,
            config,
            sink,
            clock,
            [Forwarder(), StreakRule(), DossierExporter()],
            on_commit=outbox.wake.set,
        ),
        stats=StatsService(engine, config),
        booking=BookingService(engine, tickets, clock, settings.secret_key),
        users=UserService(engine, config.security, clock, hasher, on_revoke=revoked),
        devices=DeviceService(engine, clock, on_revoke=revoked),
        tokens=tokens,
        invalidation=(
            RedisInvalidation(settings.redis_url, f"{settings.redis_channel}:tokens", tokens.cache)
            if settings.redis_url
            else None
        ),
        audit=AuditLog(engine, clock),
        socketio=socketio,
        fanout=fanout,
    )


def create_app(settings: Settings) -> Flask:
    """Build the hub: database (migrated), services, API, pages and Socket.IO."""
    app = Flask(__name__)
    app.json = HubJSONProvider(app)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        JSON_SORT_KEYS=False,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    _apply_limits(app, settings.config)
    fanout = RedisFanOut(settings.redis_url, settings.redis_channel) if settings.redis_url else None
    socketio = SocketIO(
        app,
        async_mode=async_mode(),
        client_manager=fanout,
        cors_allowed_origins=None,  # same origin only (an empty list would allow any)
        max_http_buffer_size=MAX_SOCKET_MESSAGE,
        ping_interval=10,
        ping_timeout=10,
        serializer=HubPacket,
    )
    guard_messages(socketio.server)
    guard_frames(socketio.server)
    hub = build_hub(settings, socketio, fanout)
    hub.on_reconfigure.append(lambda config: _apply_limits(app, config))
    app.extensions[EXTENSION] = hub
    app.before_request(refuse_nul)
    api.register(app)
    sockets.register(socketio, hub)
    pages.register(app, hub)
    dashboard.register(app)
    ticket_pages.register(app)
    tablet.register(app)
    display_web.register(app, HubScreenFeed(hub), Path(settings.data_dir) / "audio")
    with_trusted_proxies(app, lambda: hub.config.server.trusted_proxies)
    return app


def _apply_limits(app: Flask, config: Config) -> None:
    """The web server's settings that follow ``[security]`` and ``[server]`` (also after
    a reload): session cookies are Secure when asked for, and always with TLS."""
    app.config["MAX_CONTENT_LENGTH"] = config.security.max_body_bytes
    secure = config.security.secure_cookies or config.server.tls is not None
    app.config["SESSION_COOKIE_SECURE"] = secure


def async_mode() -> str:
    """``gevent`` inside a gevent server process (gunicorn's gevent worker patches the
    standard library before the app is built), else ``threading`` (tests, tools)."""
    monkey = sys.modules.get("gevent.monkey")
    patched = monkey is not None and monkey.is_module_patched("socket")
    return "gevent" if patched else "threading"
