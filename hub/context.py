"""The services of one hub process, reachable from a request as ``current_hub()``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_socketio import SocketIO
from sqlalchemy import Engine

from config import Config
from hub.audit import AuditLog
from hub.auth import AuthService
from hub.queue_service import QueueService
from hub.ratings_service import RatingService
from hub.settings import Settings
from hub.stats import StatsService


@dataclass
class Hub:
    """Everything one hub process runs, reachable from a request as ``current_hub()``."""

    settings: Settings
    engine: Engine
    queue: QueueService
    ratings: RatingService
    stats: StatsService
    auth: AuthService
    audit: AuditLog
    socketio: SocketIO

    @property
    def config(self) -> Config:
        return self.queue.config

    def reconfigure(self, config: Config) -> None:
        """Apply a reloaded configuration without a restart."""
        for service in (self.queue, self.ratings, self.stats):
            service.reconfigure(config)
        self.settings.config = config


def current_hub() -> Hub:
    return current_app.extensions["motcua"]


def remote_address() -> str:
    return (request.remote_addr or "unknown")[:64]
