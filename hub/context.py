"""The services of one hub process, reachable from a request as ``current_hub()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, request
from flask_socketio import SocketIO
from sqlalchemy import Engine

from config.schema import Config
from hub.accounts import DeviceService, TokenService, UserService
from hub.accounts.cache import RedisInvalidation
from hub.audit import AuditLog
from hub.booking import BookingService
from hub.clock import Clock
from hub.counters import CounterService, CounterViews
from hub.fanout import RedisFanOut
from hub.outbox import Outbox
from hub.satisfaction import RatingService
from hub.settings import Settings
from hub.sink import SocketSink
from hub.stats import StatsService
from hub.tickets import Estimates, TicketService


@dataclass
class Hub:
    """Everything one hub process runs (see :func:`hub.app.create_app`)."""

    settings: Settings
    engine: Engine
    config: Config
    clock: Clock
    sink: SocketSink
    outbox: Outbox
    estimates: Estimates
    tickets: TicketService
    counters: CounterService
    views: CounterViews
    ratings: RatingService
    stats: StatsService
    booking: BookingService
    users: UserService
    devices: DeviceService
    tokens: TokenService
    audit: AuditLog
    socketio: SocketIO
    invalidation: RedisInvalidation | None = None
    """Token revocations shared with the hub's other processes (with Redis)."""
    fanout: RedisFanOut | None = None
    """Socket.IO events shared with the hub's other processes (with Redis)."""
    on_reconfigure: list[Callable[[Config], None]] = field(default_factory=list)
    """Called with each reloaded configuration (e.g. the web server's limits)."""

    def reconfigure(self, config: Config) -> None:
        """Apply a reloaded configuration without a restart."""
        services = (self.estimates, self.tickets, self.counters, self.views)
        for service in (*services, self.ratings, self.stats):
            service.reconfigure(config)
        self.users.security = config.security
        self.tokens.security = config.security
        self.settings.config = config
        self.config = config
        for hook in self.on_reconfigure:
            hook(config)


EXTENSION = "motcua"


def hub_of(app: Flask) -> Hub:
    """The hub an app built by :func:`hub.app.create_app` serves."""
    hub: Hub = app.extensions[EXTENSION]
    return hub


def current_hub() -> Hub:
    """The hub of the app serving this request."""
    return hub_of(current_app)


def remote_address() -> str:
    """The request's client address (at most 64 characters)."""
    return (request.remote_addr or "unknown")[:64]
