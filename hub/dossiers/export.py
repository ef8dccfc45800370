"""The ``[export]`` webhook's side of a rating: when a ticket with dossiers is rated,
one row per dossier is queued in the hub's outbox (:mod:`hub.outbox`) in the
rating's own transaction, each under its idempotency key, and the ``outbox`` job
delivers them (:class:`hub.federation.OutboxSender`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from config.schema import Config
from hub.dossiers.rows import rating_rows
from hub.outbox import EXPORT, enqueue

__all__ = ["EXPORT", "DossierExporter"]


class DossierExporter:
    """The rating listener that queues rated dossiers for the webhook (no-op without one)."""

    def rating_stored(self, conn: Connection, config: Config, row: Any, now: datetime) -> None:
        if config.export.webhook_url is None or row.ticket_id is None:
            return
        for dossier in rating_rows(conn, config, row.id):
            payload = dossier.as_json(config.site.id)
            enqueue(conn, EXPORT, payload["key"], payload, now)

    def rating_flagged(self, conn: Connection, config: Config, row: Any, flags: list[str]) -> None:
        """A flag changes no dossier row: the province got the rating as it was made."""
