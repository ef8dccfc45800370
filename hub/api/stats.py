"""``/stats``: satisfaction and queue figures for managers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from hub.api.models import QueueStatsOut, SatisfactionOut, StatsQuery
from hub.api.spec import Access, endpoint
from hub.app import current_hub
from hub.queue_service import Actor

bp = Blueprint("stats", __name__, url_prefix="/api/v1")
MANAGERS = Access(roles=("manager", "admin"))


@endpoint(
    bp,
    "/stats/satisfaction",
    "GET",
    access=MANAGERS,
    query=StatsQuery,
    response=SatisfactionOut,
    errors_=(400, 401, 403),
    summary="Satisfaction per counter, staff, field, period or site",
)
def satisfaction(*, actor: Actor, query: StatsQuery) -> dict[str, Any]:
    return current_hub().stats.satisfaction(
        query.from_, query.to, query.by, include_flagged=query.include_flagged
    )


@endpoint(
    bp,
    "/stats/queue",
    "GET",
    access=MANAGERS,
    query=StatsQuery,
    response=QueueStatsOut,
    errors_=(400, 401, 403),
    summary="Tickets issued, served, waits and service times",
)
def queue(*, actor: Actor, query: StatsQuery) -> dict[str, Any]:
    return current_hub().stats.queue(query.from_, query.to, query.by)
